/**
 * The agents `voxline serve --agent <name>` knows, loaded on demand so that running one agent
 * never loads another's dependencies.
 */
import { CliError } from '../commands/cli-error.js';
import type { VoiceAgent } from './voice-agent.js';

/** Environment variables the cloud agent reads. */
export const cloudAgentEnvironment = [
  'DEEPGRAM_API_KEY',
  'OPENAI_API_KEY',
  'ELEVENLABS_API_KEY',
  'ELEVENLABS_VOICE_ID',
] as const;

/** Environment variables the offline agent reads. */
export const offlineAgentEnvironment = ['VOXLINE_VAD_ISOLATION'] as const;

/**
 * The offline agent's `vadIsolation` from `VOXLINE_VAD_ISOLATION` (`none` or `process`, any case;
 * unset or empty: `none`).
 *
 * @throws CliError (exit code 2) for another value.
 */
export function vadIsolationFrom(env: NodeJS.ProcessEnv): 'none' | 'process' {
  const value = (env.VOXLINE_VAD_ISOLATION ?? '').trim().toLowerCase();
  if (value === '' || value === 'none') return 'none';
  if (value === 'process') return 'process';
  throw new CliError(
    `VOXLINE_VAD_ISOLATION must be 'none' or 'process', got '${env.VOXLINE_VAD_ISOLATION}'`,
    2,
  );
}

const agents: Record<string, { description: string; load: (env: NodeJS.ProcessEnv) => Promise<VoiceAgent> }> =
  {
    offline: {
      description:
        'no network, no keys: Silero VAD, pocketsphinx STT (if installed), a deterministic responder, Flite TTS',
      load: async (env) => {
        const vadIsolation = vadIsolationFrom(env);
        return (await import('./offline-agent.js')).createOfflineVoiceAgent({ vadIsolation });
      },
    },
    cloud: {
      description: 'Deepgram STT → OpenAI LLM → ElevenLabs TTS (keys from the environment)',
      load: async (env) => {
        const missing = cloudAgentEnvironment.filter((name) => !env[name]);
        if (missing.length > 0) {
          throw new CliError(
            `the cloud agent needs ${cloudAgentEnvironment.join(', ')}; missing: ${missing.join(', ')}`,
          );
        }
        return (await import('./cloud-agent.js')).createCloudVoiceAgent(env);
      },
    },
  };

/** Names of the built-in agents. */
export function agentNames(): string[] {
  return Object.keys(agents);
}

/**
 * Loads a built-in agent by name.
 *
 * @throws CliError for an unknown name or missing environment variables.
 */
export async function loadAgent(
  name: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<VoiceAgent> {
  if (!name) throw new CliError(`--agent is required: one of ${agentNames().join(', ')}`, 2);
  const entry = agents[name];
  if (!entry) throw new CliError(`unknown agent '${name}': choose one of ${agentNames().join(', ')}`, 2);
  return entry.load(env);
}
