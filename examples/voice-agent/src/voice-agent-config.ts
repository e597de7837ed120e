/**
 * The environment variables every phone example reads the same way: the three services' keys,
 * the persona, the port. Each example adds its carrier's own variables (see its README).
 */
import { checkRecordingsDirectory, RecordingsDirectoryError } from '@voxline/call-control';
import { defaultPersona, type VoiceAgentPersona, type VoiceServices } from './voice-agent-pipeline.js';

/** Environment variables a server cannot run without, or cannot use; the message names them all. */
export class ConfigError extends Error {
  readonly code = 'invalid-config';

  constructor(
    readonly variables: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The services' variables that must be set: `DEEPGRAM_API_KEY`, `OPENAI_API_KEY`, … */
export const VOICE_SERVICE_VARIABLES = [
  'DEEPGRAM_API_KEY',
  'OPENAI_API_KEY',
  'ELEVENLABS_API_KEY',
  'ELEVENLABS_VOICE_ID',
] as const;

/**
 * Checks that every variable of `names` is set and not empty.
 *
 * @throws ConfigError naming every missing variable at once.
 */
export function requireVariables(env: NodeJS.ProcessEnv, names: readonly string[]): void {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(missing, `missing environment variables: ${missing.join(', ')}`);
  }
}

/**
 * The services' keys: `DEEPGRAM_API_KEY`, `OPENAI_API_KEY`, `OPENAI_MODEL` (optional),
 * `ELEVENLABS_API_KEY`, `ELEVENLABS_VOICE_ID`.
 *
 * @throws ConfigError naming every missing required variable.
 */
export function readVoiceServices(env: NodeJS.ProcessEnv): VoiceServices {
  requireVariables(env, VOICE_SERVICE_VARIABLES);
  const value = (name: (typeof VOICE_SERVICE_VARIABLES)[number]) => env[name] as string;
  return {
    deepgram: { apiKey: value('DEEPGRAM_API_KEY') },
    openai: { apiKey: value('OPENAI_API_KEY'), ...(env.OPENAI_MODEL ? { model: env.OPENAI_MODEL } : {}) },
    elevenlabs: { apiKey: value('ELEVENLABS_API_KEY'), voiceId: value('ELEVENLABS_VOICE_ID') },
  };
}

/**
 * The persona: `SYSTEM_PROMPT` and `GREETING`, each defaulting to {@link defaultPersona}'s;
 * `GREETING` set to an empty string means the agent waits for the caller to speak first.
 */
export function readVoiceAgentPersona(env: NodeJS.ProcessEnv): VoiceAgentPersona {
  return {
    systemPrompt: env.SYSTEM_PROMPT || defaultPersona.systemPrompt,
    greeting: env.GREETING === undefined ? defaultPersona.greeting : env.GREETING || undefined,
  };
}

/**
 * Checks at start-up that the recordings directory can be written, so a bad `RECORDINGS_DIR` is
 * reported before the first call rather than when a recording fails to save. The default
 * directory (`RECORDINGS_DIR` unset) is created when missing; a directory named in
 * `RECORDINGS_DIR` must exist, so a mistyped path is reported, not created.
 *
 * @param directory - the directory the server will use (`RECORDINGS_DIR` or its default).
 * @returns the absolute path.
 * @throws ConfigError naming `RECORDINGS_DIR` when the directory is missing, a file, or not writable.
 */
export async function checkRecordingsDirectoryVariable(
  env: NodeJS.ProcessEnv,
  directory: string,
): Promise<string> {
  try {
    return await checkRecordingsDirectory(directory, { createIfMissing: !env.RECORDINGS_DIR });
  } catch (error) {
    if (!(error instanceof RecordingsDirectoryError)) throw error;
    throw new ConfigError(['RECORDINGS_DIR'], `RECORDINGS_DIR: ${error.message}`);
  }
}

/** @throws ConfigError unless `value` is an integer 0-65535 (or undefined or empty: `fallback`). */
export function readPort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(['PORT'], `PORT must be an integer 0-65535, got '${value}'`);
  }
  return port;
}
