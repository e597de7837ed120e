/**
 * The server's settings, read from the environment (see the README for the variables).
 */
import { telnyxPublicKey } from '@voxline/telnyx';
import { defaultPersona, type VoiceAgentPersona, type VoiceServices } from './voice-agent-pipeline.js';

/** What the server runs with. */
export interface TelnyxAgentConfig {
  host: string;
  port: number;
  /** The server's public base URL, `https://voice.example.com`: Telnyx streams calls to `wss://…/telnyx/media`. */
  publicUrl: string;
  telnyx: { apiKey: string; publicKey: string };
  services: VoiceServices;
  persona: VoiceAgentPersona;
  recordingsDir: string;
}

/** Environment variables the server cannot run without, or cannot use; the message names them all. */
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

const REQUIRED = [
  'PUBLIC_URL',
  'TELNYX_API_KEY',
  'TELNYX_PUBLIC_KEY',
  'DEEPGRAM_API_KEY',
  'OPENAI_API_KEY',
  'ELEVENLABS_API_KEY',
  'ELEVENLABS_VOICE_ID',
] as const;

/**
 * Reads the variables of the README's table.
 *
 * @throws ConfigError naming every missing required variable, or a `PORT`, `PUBLIC_URL` or
 *   `TELNYX_PUBLIC_KEY` it cannot use.
 */
export function readTelnyxAgentConfig(env: NodeJS.ProcessEnv): TelnyxAgentConfig {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(missing, `missing environment variables: ${missing.join(', ')}`);
  }
  const value = (name: (typeof REQUIRED)[number]) => env[name] as string;
  return {
    host: env.HOST ?? '127.0.0.1',
    port: readPort(env.PORT, 8080),
    publicUrl: readPublicUrl(value('PUBLIC_URL')),
    telnyx: { apiKey: value('TELNYX_API_KEY'), publicKey: readPublicKey(value('TELNYX_PUBLIC_KEY')) },
    services: {
      deepgram: { apiKey: value('DEEPGRAM_API_KEY') },
      openai: { apiKey: value('OPENAI_API_KEY'), ...(env.OPENAI_MODEL ? { model: env.OPENAI_MODEL } : {}) },
      elevenlabs: { apiKey: value('ELEVENLABS_API_KEY'), voiceId: value('ELEVENLABS_VOICE_ID') },
    },
    persona: {
      systemPrompt: env.SYSTEM_PROMPT || defaultPersona.systemPrompt,
      // GREETING set to an empty string: wait for the caller to speak first.
      greeting: env.GREETING === undefined ? defaultPersona.greeting : env.GREETING || undefined,
    },
    recordingsDir: env.RECORDINGS_DIR || 'recordings',
  };
}

/** @throws ConfigError unless `value` is an integer 0-65535 (or undefined: `fallback`). */
export function readPort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(['PORT'], `PORT must be an integer 0-65535, got '${value}'`);
  }
  return port;
}

function readPublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(['PUBLIC_URL'], `PUBLIC_URL must be a URL such as https://voice.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(['PUBLIC_URL'], `PUBLIC_URL must start with https://, got '${value}'`);
  }
  return value.replace(/\/+$/, '');
}

function readPublicKey(value: string): string {
  try {
    telnyxPublicKey(value);
  } catch {
    throw new ConfigError(
      ['TELNYX_PUBLIC_KEY'],
      'TELNYX_PUBLIC_KEY must be the base64 public key from Mission Control (32 bytes)',
    );
  }
  return value;
}
