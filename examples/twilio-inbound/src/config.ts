/**
 * The server's settings, read from the environment (see the README for the variables).
 */
import { defaultPersona, type VoiceAgentPersona, type VoiceServices } from './voice-agent-pipeline.js';

/** What the server runs with. */
export interface TwilioAgentConfig {
  host: string;
  port: number;
  /** The server's public base URL, `https://voice.example.com`: Twilio's webhooks and media streams go there. */
  publicUrl: string;
  twilio: { accountSid: string; authToken: string };
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
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'DEEPGRAM_API_KEY',
  'OPENAI_API_KEY',
  'ELEVENLABS_API_KEY',
  'ELEVENLABS_VOICE_ID',
] as const;

/**
 * Reads the variables of the README's table.
 *
 * @throws ConfigError naming every missing required variable, or a `PORT`, `PUBLIC_URL` or
 *   `TWILIO_ACCOUNT_SID` it cannot use.
 */
export function readTwilioAgentConfig(env: NodeJS.ProcessEnv): TwilioAgentConfig {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(missing, `missing environment variables: ${missing.join(', ')}`);
  }
  const value = (name: (typeof REQUIRED)[number]) => env[name] as string;
  const accountSid = value('TWILIO_ACCOUNT_SID');
  if (!/^AC[0-9a-f]{32}$/i.test(accountSid)) {
    throw new ConfigError(['TWILIO_ACCOUNT_SID'], 'TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits');
  }
  return {
    host: env.HOST ?? '127.0.0.1',
    port: readPort(env.PORT, 8080),
    publicUrl: readPublicUrl(value('PUBLIC_URL')),
    twilio: { accountSid, authToken: value('TWILIO_AUTH_TOKEN') },
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

function readPort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(['PORT'], `PORT must be an integer 0-65535, got '${value}'`);
  }
  return port;
}

/** Twilio calls https:// URLs and streams to wss:// ones only. */
function readPublicUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(
      ['PUBLIC_URL'],
      `PUBLIC_URL must be an https:// URL without a query, such as https://voice.example.com; got '${value}'`,
    );
  }
  return value.replace(/\/+$/, '');
}
