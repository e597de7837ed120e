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
import { telnyxPublicKey } from '@voxline/telnyx';

export { ConfigError, checkRecordingsDirectoryVariable };

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
  /** Redis shared by the instances serving this application; undefined: one instance. */
  redisUrl?: string;
}

const REQUIRED = ['PUBLIC_URL', 'TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY'] as const;

/**
 * Reads the variables of the README's table.
 *
 * @throws ConfigError naming every missing required variable, or a `PORT`, `PUBLIC_URL` or
 *   `TELNYX_PUBLIC_KEY` it cannot use.
 */
export function readTelnyxAgentConfig(env: NodeJS.ProcessEnv): TelnyxAgentConfig {
  requireVariables(env, [...REQUIRED, ...VOICE_SERVICE_VARIABLES]);
  const value = (name: (typeof REQUIRED)[number]) => env[name] as string;
  return {
    host: env.HOST ?? '127.0.0.1',
    port: readPort(env.PORT, 8080),
    publicUrl: readPublicUrl(value('PUBLIC_URL')),
    telnyx: { apiKey: value('TELNYX_API_KEY'), publicKey: readPublicKey(value('TELNYX_PUBLIC_KEY')) },
    services: readVoiceServices(env),
    persona: readVoiceAgentPersona(env),
    recordingsDir: env.RECORDINGS_DIR || 'recordings',
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
  };
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
