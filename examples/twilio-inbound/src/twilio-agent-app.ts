/**
 * A Twilio voice agent as a fastify app:
 *
 * | route | what |
 * |---|---|
 * | `POST /twilio/voice` | the number's voice webhook, answered with `<Connect><Stream>` TwiML (`twilioWebhooks`) |
 * | `POST /twilio/status` | call, stream and recording status callbacks |
 * | `GET /twilio/media` (WebSocket) | the calls' media streams, one pipeline per call; only upgrades signed by Twilio |
 * | `GET /healthz` | `{"status":"ok","calls":n}` (calls known to the call registry) |
 *
 * Every webhook and the WebSocket upgrade carry `X-Twilio-Signature`, checked against the public
 * URL Twilio requested before anything else runs.
 *
 * A call's life: the voice webhook → `<Connect><Stream url="wss://…/twilio/media">` with the call's
 * `<Parameter>`s → the stream's `start` → the voice pipeline runs (see `createVoiceAgentPipeline` in `@voxline/example-voice-agent`)
 * and the stream's `stream-started` callback starts Twilio's dual-channel recording → the model
 * calls `end_call` after its goodbye → the pipeline ends once the goodbye has played → the
 * transport's `TwilioCallTerminator` hangs up (`Status=completed`) → the `completed` recording
 * callback → the recording is downloaded to `<recordingsDir>/<CallSid>/`, next to the pipeline's
 * own `pipeline.wav`.
 */
import { join } from 'node:path';
import { LocalDirectoryRecordingStorage } from '@voxline/call-control';
import type { Logger } from '@voxline/core';
import {
  createVoiceAgentPipeline,
  defaultPersona,
  type VoiceAgentPersona,
  type VoiceServices,
  voiceAgentParams,
} from '@voxline/example-voice-agent';
import {
  TwilioCallCommands,
  TwilioCallFlow,
  TwilioCallTerminator,
  TwilioMediaStreamVerifier,
  twilioCarrier,
  twilioMediaStreamVerifier,
  twilioWebhooks,
} from '@voxline/twilio';
import { voxlineTelephony } from '@voxline/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

/** The number's "A call comes in" webhook: `https://<host>/twilio/voice`. */
export const VOICE_PATH = '/twilio/voice';
/** The number's "Call status changes" webhook, and every other callback: `https://<host>/twilio/status`. */
export const STATUS_PATH = '/twilio/status';
/** Route of the media streams. */
export const MEDIA_PATH = '/twilio/media';

/** Options of {@link buildTwilioAgentApp}. */
export interface TwilioAgentAppOptions {
  logger: Logger;
  twilio: {
    /** `AC` + 32 hex digits. */
    accountSid: string;
    /** Signs every webhook and media-stream upgrade; authenticates REST requests. */
    authToken: string;
    /** Default `https://api.twilio.com`; tests point it at a local stand-in. */
    apiBaseUrl?: string;
  };
  services: VoiceServices;
  /** Default {@link defaultPersona}. */
  persona?: VoiceAgentPersona;
  /**
   * The public `https://` base URL Twilio reaches this server at (`https://voice.example.com`):
   * signatures are checked against it, and the media stream URL is `wss://<its host>/twilio/media`.
   */
  publicUrl: string;
  /** Where recordings go: `<recordingsDir>/<CallSid>/`. */
  recordingsDir: string;
  /** End calls gracefully and close on SIGTERM/SIGINT; default false. */
  handleSignals?: boolean;
}

/** The app and the call flow that answers and follows its calls. */
export interface TwilioAgentApp {
  app: FastifyInstance;
  calls: TwilioCallFlow;
}

/**
 * Builds the app (routes registered, not listening yet).
 *
 * @throws {InvalidOptionError} (from `@voxline/core`) for a `publicUrl` that is not an http(s) URL without a query.
 */
export async function buildTwilioAgentApp(options: TwilioAgentAppOptions): Promise<TwilioAgentApp> {
  const { logger, twilio, recordingsDir, publicUrl } = options;
  const persona = options.persona ?? defaultPersona;
  const credentials = {
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    ...(twilio.apiBaseUrl !== undefined ? { apiBaseUrl: twilio.apiBaseUrl } : {}),
  };
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  const calls = new TwilioCallFlow({
    commands: new TwilioCallCommands({ ...credentials, logger }),
    streamUrl: `${publicUrl.replace(/^http/, 'ws')}${MEDIA_PATH}`,
    webhookBaseUrl: publicUrl,
    voicePath: VOICE_PATH,
    statusPath: STATUS_PATH,
    recording: { storage: new LocalDirectoryRecordingStorage(recordingsDir) },
    logger,
  });

  await app.register(twilioWebhooks, { callFlow: calls, authToken: twilio.authToken, logger });
  await app.register(voxlineTelephony, {
    path: MEDIA_PATH,
    carriers: [twilioCarrier()],
    verifyUpgrade: twilioMediaStreamVerifier({ authToken: twilio.authToken, publicUrl, logger }),
    verifiers: [new TwilioMediaStreamVerifier({ authToken: twilio.authToken })],
    publicUrl,
    params: voiceAgentParams,
    terminator: new TwilioCallTerminator({ ...credentials, logger }),
    logger,
    lifecycle: { handleSignals: options.handleSignals ?? false },
    createPipeline: (call, transport) =>
      createVoiceAgentPipeline(transport, {
        services: options.services,
        persona,
        // The CallSid is the call's reference on Twilio: both recordings share its folder.
        recordingPath: join(recordingsDir, safeFileName(call.callId), 'pipeline.wav'),
      }),
  });
  app.get('/healthz', async () => ({ status: 'ok', calls: calls.registry.size }));
  // After the calls have ended (the media endpoint's preClose): let webhook work such as a
  // recording download finish.
  app.addHook('onClose', () => calls.idle());
  return { app, calls };
}

/** A CallSid is `CA` + 32 hex digits; anything else is made safe for a path segment. */
function safeFileName(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_');
}
