/**
 * The server's settings, read from the environment (see the README for the variables).
 */

import { checkRecordingsDirectory, RecordingsDirectoryError } from '@voxline/call-control';
import { FLITE_VOICE_SAMPLE_RATES, type FliteVoice } from '@voxline/local';

/** What the server runs with. */
export interface OfflineAgentConfig {
  /** Interface to listen on. */
  host: string;
  /** TCP port (0 picks a free one). */
  port: number;
  /** Flite voice of the agent. */
  voice: FliteVoice;
  /** Directory that receives one stereo WAV per call (caller left, agent right); unset: no recording. */
  recordingsDir: string | undefined;
  /** `VOXLINE_STREAM_SECRET`: Telnyx streams must carry their call's token under it. */
  streamSecret: string | undefined;
  /** `TWILIO_AUTH_TOKEN`: Twilio streams must be signed with it. */
  twilioAuthToken: string | undefined;
  /** `VOXLINE_ALLOW_UNVERIFIED_STREAMS=true`: serve streams nothing verifies (local development only). */
  allowUnverifiedStreams: boolean;
}

/** An environment variable with a value the server cannot use; the message names it. */
export class ConfigError extends Error {
  readonly code = 'invalid-config';

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads `HOST` (default 127.0.0.1), `PORT` (default 8765), `VOICE` (default `kal`),
 * `RECORDINGS_DIR` (optional), and how media streams are verified: `VOXLINE_STREAM_SECRET`,
 * `TWILIO_AUTH_TOKEN`, or `VOXLINE_ALLOW_UNVERIFIED_STREAMS=true` for local development.
 *
 * @throws ConfigError for a port that is not 0-65535, an unknown voice, no way to verify streams, or
 *   unverified streams allowed next to Twilio credentials.
 */
export function readConfig(env: NodeJS.ProcessEnv): OfflineAgentConfig {
  const port = Number(env.PORT ?? '8765');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `PORT must be an integer 0-65535, got '${env.PORT}'`);
  }
  const voice = env.VOICE ?? 'kal';
  if (!Object.hasOwn(FLITE_VOICE_SAMPLE_RATES, voice)) {
    const voices = Object.keys(FLITE_VOICE_SAMPLE_RATES).join(', ');
    throw new ConfigError('VOICE', `VOICE must be one of ${voices}, got '${voice}'`);
  }
  const streamSecret = env.VOXLINE_STREAM_SECRET || undefined;
  const twilioAuthToken = env.TWILIO_AUTH_TOKEN || undefined;
  const allowUnverifiedStreams = env.VOXLINE_ALLOW_UNVERIFIED_STREAMS === 'true';
  if (streamSecret === undefined && twilioAuthToken === undefined && !allowUnverifiedStreams) {
    throw new ConfigError(
      'VOXLINE_STREAM_SECRET',
      'set VOXLINE_STREAM_SECRET (Telnyx stream tokens) or TWILIO_AUTH_TOKEN (Twilio signatures) so ' +
        'media streams can be verified, or VOXLINE_ALLOW_UNVERIFIED_STREAMS=true for local development only',
    );
  }
  if (allowUnverifiedStreams && twilioAuthToken !== undefined) {
    // With a carrier's credentials this server takes real calls: never next to an open door.
    throw new ConfigError(
      'VOXLINE_ALLOW_UNVERIFIED_STREAMS',
      'VOXLINE_ALLOW_UNVERIFIED_STREAMS is refused while TWILIO_AUTH_TOKEN is set: unset one of them',
    );
  }
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    voice: voice as FliteVoice,
    recordingsDir: env.RECORDINGS_DIR || undefined,
    streamSecret,
    twilioAuthToken,
    allowUnverifiedStreams,
  };
}

/**
 * Checks at start-up that `RECORDINGS_DIR`, when set, is an existing directory this process can
 * write to, so a bad value is reported before the first call rather than when its recording fails.
 *
 * @throws ConfigError naming `RECORDINGS_DIR` when the directory is missing, a file, or not writable.
 */
export async function checkRecordingsDir(config: OfflineAgentConfig): Promise<void> {
  if (config.recordingsDir === undefined) return;
  try {
    await checkRecordingsDirectory(config.recordingsDir);
  } catch (error) {
    if (!(error instanceof RecordingsDirectoryError)) throw error;
    throw new ConfigError('RECORDINGS_DIR', `RECORDINGS_DIR: ${error.message}`);
  }
}
