/**
 * The offline agent (`createOfflineAgent` from `@voxline/local`: Silero VAD, pocketsphinx, a
 * deterministic responder, Flite) served over the carriers' media streams, with two
 * customizations a real deployment usually wants: the voice, and a recording of every call.
 *
 * | route | what |
 * |---|---|
 * | `GET /telnyx` (WebSocket) | Telnyx media streams |
 * | `GET /twilio` (WebSocket) | Twilio media streams |
 * | `GET /healthz` | `{"status":"ok","calls":n}` |
 */
import { join } from 'node:path';
import { AudioBufferProcessor } from '@voxline/audio';
import type { FrameProcessor, Logger } from '@voxline/core';
import { createOfflineAgent, type FliteVoice } from '@voxline/local';
import type { CallInfo, MediaStreamVerifier } from '@voxline/telephony';
import { TelnyxMediaStreamVerifier, telnyxCarrier } from '@voxline/telnyx';
import { TwilioMediaStreamVerifier, twilioCarrier } from '@voxline/twilio';
import { type CallPipelineFactory, type CallSession, voxlineTelephony } from '@voxline/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

/** Options of {@link buildOfflineAgentApp}. */
export interface OfflineAgentAppOptions {
  logger: Logger;
  /** Flite voice; default `kal` (8000 Hz, the telephone rate). */
  voice?: FliteVoice;
  /** Write one stereo WAV per call here (caller left, agent right, 16000 Hz); default: no recording. */
  recordingsDir?: string;
  /** End calls gracefully and close on SIGTERM/SIGINT; default false (tests close the app themselves). */
  handleSignals?: boolean;
  /**
   * Verify Telnyx streams by their `x-telnyx-streaming-auth-token` (a token per call id under this
   * secret; see `telnyxStreamAuthToken`), and Twilio streams by their signature when
   * `twilioAuthToken` is given. One of them, or `allowUnverifiedStreams`, is required.
   */
  streamSecret?: string;
  /** Twilio's auth token: Twilio streams must be signed with it. */
  twilioAuthToken?: string;
  /** Serve streams nothing verifies (local development only). Default false. */
  allowUnverifiedStreams?: boolean;
}

/** Builds the app (routes registered, not listening yet); closing it ends calls and the agent. */
export async function buildOfflineAgentApp(options: OfflineAgentAppOptions): Promise<FastifyInstance> {
  const { logger, recordingsDir } = options;
  const agent = createOfflineAgent(options.voice !== undefined ? { voice: options.voice } : {});
  for (const notice of agent.notices) logger.warn(notice);

  const createPipeline: CallPipelineFactory = async (call, transport) => {
    const processors = await agent.createPipeline(call, transport);
    if (recordingsDir === undefined) return processors;
    // Right after the output transport both sides pass downstream: the caller's audio, and the
    // agent's audio at the pace the caller hears it.
    const recorder = new AudioBufferProcessor({
      channels: 'stereo',
      wavPath: join(recordingsDir, recordingFileName(call)),
    });
    return insertAfter(processors, transport.output(), recorder);
  };

  const verifiers: MediaStreamVerifier[] = [];
  if (options.streamSecret)
    verifiers.push(new TelnyxMediaStreamVerifier({ tokenSecret: options.streamSecret }));
  if (options.twilioAuthToken)
    verifiers.push(new TwilioMediaStreamVerifier({ authToken: options.twilioAuthToken }));

  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  const calls = new Set<CallSession>();
  const media = {
    createPipeline,
    verifiers,
    allowUnverifiedStreams: options.allowUnverifiedStreams ?? false,
    params: agent.params,
    logger,
    lifecycle: {
      handleSignals: options.handleSignals ?? false,
      onSession: (session: CallSession) => {
        calls.add(session);
        void session.finished.then(() => calls.delete(session));
      },
    },
  };
  await app.register(voxlineTelephony, { ...media, path: '/telnyx', carriers: [telnyxCarrier()] });
  await app.register(voxlineTelephony, { ...media, path: '/twilio', carriers: [twilioCarrier()] });
  app.get('/healthz', async () => ({ status: 'ok', calls: calls.size }));
  // Runs after the media endpoints have ended their calls (their preClose hooks).
  app.addHook('onClose', () => agent.close());
  return app;
}

/** `<time>-<call id>.wav`, with only file-name-safe characters (Telnyx ids contain `:`). */
export function recordingFileName(call: CallInfo): string {
  const time = new Date().toISOString().replace(/[:.]/g, '-');
  return `${time}-${call.callId.replace(/[^A-Za-z0-9_-]/g, '_')}.wav`;
}

function insertAfter(
  processors: readonly FrameProcessor[],
  anchor: FrameProcessor,
  inserted: FrameProcessor,
): FrameProcessor[] {
  const index = processors.indexOf(anchor);
  if (index < 0) throw new Error('the pipeline has no output transport to record after');
  return [...processors.slice(0, index + 1), inserted, ...processors.slice(index + 1)];
}
