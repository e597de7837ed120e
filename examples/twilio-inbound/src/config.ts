/**
 * The server's settings, read from the environment (see the README for the variables).
 */
import {
  ConfigError,
  checkRecordingsDirectoryVariable,
  readPort,
  readVoiceAgentPersona,
  readVoiceServices,
  requireVariables,
  VOICE_SERVICE_VARIABLES,
  type VoiceAgentPersona,
  type VoiceServices,
} from '@voxline/example-voice-agent';

export { ConfigError, checkRecordingsDirectoryVariable };

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

const REQUIRED = ['PUBLIC_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'] as const;

/**
 * Reads the variables of the README's table.
 *
 * @throws ConfigError naming every missing required variable, or a `PORT`, `PUBLIC_URL` or
 *   `TWILIO_ACCOUNT_SID` it cannot use.
 */
export function readTwilioAgentConfig(env: NodeJS.ProcessEnv): TwilioAgentConfig {
  requireVariables(env, [...REQUIRED, ...VOICE_SERVICE_VARIABLES]);
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
    services: readVoiceServices(env),
    persona: readVoiceAgentPersona(env),
    recordingsDir: env.RECORDINGS_DIR || 'recordings',
  };
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
