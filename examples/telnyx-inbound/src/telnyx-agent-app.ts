/**
 * A Telnyx Call Control voice agent as a fastify app:
 *
 * | route | what |
 * |---|---|
 * | `POST /telnyx/webhook` | Call Control webhooks, Ed25519-verified (`telnyxWebhooks`) |
 * | `GET /telnyx/media` (WebSocket) | the calls' media streams, one pipeline per call |
 * | `GET /healthz` | `{"status":"ok","calls":n}` (calls known to the call registry) |
 *
 * A call's life: `call.initiated` → the call flow answers it with streaming to `/telnyx/media`
 * (bidirectional RTP, PCMU) → `call.answered` → carrier recording starts (dual channel) → the
 * stream's `start` → the voice pipeline runs (see `createVoiceAgentPipeline` in `@voxline/example-voice-agent`) → the model calls
 * `end_call` after its goodbye → the pipeline ends once the goodbye has played → the transport's
 * `TelnyxCallTerminator` hangs up → `call.recording.saved` → the recording is downloaded to
 * `<recordingsDir>/<call reference>/`, next to the pipeline's own `pipeline.wav`.
 */
import { join } from 'node:path';
import {
  type AnsweringMachineAction,
  BullMQRecordingJobQueue,
  CallCommandRouter,
  type CallControlSession,
  CallRegistry,
  LocalDirectoryRecordingStorage,
  type SharedState,
} from '@voxline/call-control';
import { type FrameProcessor, type Logger, VoxlineError } from '@voxline/core';
import {
  createVoiceAgentPipeline,
  defaultPersona,
  type VoiceAgentPersona,
  type VoiceServices,
  voiceAgentParams,
} from '@voxline/example-voice-agent';
import {
  TelnyxCallCommands,
  TelnyxCallFlow,
  TelnyxCallTerminator,
  TelnyxMediaStreamVerifier,
  telnyxCarrier,
  telnyxWebhooks,
} from '@voxline/telnyx';
import { type TelephonyTransport, voxlineTelephony } from '@voxline/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { UnknownCallError } from './unknown-call-error.js';

/** Route of the Call Control webhooks: set the application's webhook URL to `https://<host>/telnyx/webhook`. */
export const WEBHOOK_PATH = '/telnyx/webhook';
/** Route of the media streams. */
export const MEDIA_PATH = '/telnyx/media';

/** What an {@link TelnyxAgentAppOptions.agentPipeline} builds one call's processors from. */
export interface AgentPipelineRequest {
  transport: TelephonyTransport;
  /** The call's control session: direction, numbers, context, machine detection, events. */
  session: CallControlSession;
  /** Where the pipeline's own recording of the call goes: `<recordingsDir>/<call reference>/pipeline.wav`. */
  recordingPath: string;
}

/** Options of {@link buildTelnyxAgentApp}. */
export interface TelnyxAgentAppOptions {
  logger: Logger;
  telnyx: {
    /** API v2 key. */
    apiKey: string;
    /** The account's public key (base64 of the raw 32-byte Ed25519 key) that signs webhooks. */
    publicKey: string;
    /** The Call Control application outbound calls are placed from; only needed to dial. */
    connectionId?: string;
    /** Default `https://api.telnyx.com/v2`; tests point it at a local stand-in. */
    baseURL?: string;
  };
  /** The services of the default pipeline. */
  services: VoiceServices;
  /** The default pipeline's persona; default {@link defaultPersona}. */
  persona?: VoiceAgentPersona;
  /** Builds one call's processors; default `createVoiceAgentPipeline` of `@voxline/example-voice-agent`. */
  agentPipeline?: (request: AgentPipelineRequest) => Promise<FrameProcessor[]>;
  /**
   * The public base URL Telnyx reaches this server at, `https://voice.example.com`. Default: the
   * address the server listens on, which only a local test can reach.
   */
  publicUrl?: string;
  /** Where recordings go: `<recordingsDir>/<call reference>/`. */
  recordingsDir: string;
  /** Answer inbound calls; default true. The outbound dialer turns it off. */
  answerInbound?: boolean;
  /** What outbound calls do when a machine answers; default no detection. */
  answeringMachine?: AnsweringMachineAction;
  /** End calls gracefully and close on SIGTERM/SIGINT; default false. */
  handleSignals?: boolean;
  /**
   * State shared with the deployment's other instances (`redisSharedState`), so that a call's
   * webhooks and its media stream may reach different instances; default this process only. The
   * app leaves it open (its owner closes it).
   */
  sharedState?: SharedState;
  /**
   * With `sharedState`: the Redis of the durable recording queue (BullMQ), so that a download an
   * instance did not finish is finished by another. Default: downloads run in this process.
   */
  recordingQueueRedisUrl?: string;
}

/** The app and the call flow that answers, dials and follows its calls. */
export interface TelnyxAgentApp {
  app: FastifyInstance;
  calls: TelnyxCallFlow;
}

/** Builds the app (routes registered, not listening yet). */
export async function buildTelnyxAgentApp(options: TelnyxAgentAppOptions): Promise<TelnyxAgentApp> {
  const { logger, telnyx, recordingsDir } = options;
  const persona = options.persona ?? defaultPersona;
  const agentPipeline =
    options.agentPipeline ??
    (({ transport, recordingPath }: AgentPipelineRequest) =>
      createVoiceAgentPipeline(transport, { services: options.services, persona, recordingPath }));
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  const api = { apiKey: telnyx.apiKey, ...(telnyx.baseURL !== undefined ? { baseURL: telnyx.baseURL } : {}) };

  const mediaStreamUrl = () => {
    const base = options.publicUrl ?? listeningUrl(app);
    return `${base.replace(/^http/, 'ws')}${MEDIA_PATH}`;
  };
  const shared = options.sharedState;
  const registry =
    shared !== undefined
      ? new CallRegistry({ logger, directory: shared.calls, instanceId: shared.instanceId })
      : new CallRegistry({ logger });
  // Events of a call whose media stream another instance holds are forwarded there.
  const router =
    shared !== undefined
      ? new CallCommandRouter({ directory: shared.calls, bus: shared.bus, registry, logger })
      : undefined;
  await router?.start();
  // The hang-up reaches this instance's session too (forwarded when another instance got it).
  registry.on('call-ended', (session) => {
    router?.detachMedia(session.callId).catch((error: unknown) => {
      logger.warn({ err: error, callId: session.callId }, 'the call could not be detached');
    });
  });
  const storage = new LocalDirectoryRecordingStorage(recordingsDir);
  const recordingJobs =
    options.recordingQueueRedisUrl !== undefined
      ? new BullMQRecordingJobQueue({ url: options.recordingQueueRedisUrl, storage, registry, logger })
      : undefined;
  const calls = new TelnyxCallFlow({
    registry,
    ...(router !== undefined ? { router } : {}),
    ...(shared !== undefined ? { deduplication: shared.deduplication } : {}),
    ...(recordingJobs !== undefined ? { recordingJobs } : {}),
    commands: new TelnyxCallCommands({
      ...api,
      ...(telnyx.connectionId !== undefined ? { connectionId: telnyx.connectionId } : {}),
      logger,
    }),
    // Resolved per call: the listening address is known only once the server listens.
    stream: () => ({ url: mediaStreamUrl(), codec: 'PCMU' }),
    ...(options.answerInbound === false ? { routeInbound: () => false as const } : {}),
    recording: { storage },
    ...(options.answeringMachine !== undefined ? { answeringMachine: options.answeringMachine } : {}),
    logger,
  });

  await app.register(telnyxWebhooks, {
    callFlow: calls,
    publicKey: telnyx.publicKey,
    path: WEBHOOK_PATH,
    ...(shared !== undefined ? { deduplication: shared.deduplication } : {}),
    logger,
  });
  await app.register(voxlineTelephony, {
    path: MEDIA_PATH,
    carriers: [telnyxCarrier()],
    // Only streams of calls our signed webhooks answered run the agent (and may be hung up).
    verifiers: [new TelnyxMediaStreamVerifier({ registry: calls.registry })],
    params: voiceAgentParams,
    terminator: new TelnyxCallTerminator({ ...api, logger }),
    logger,
    lifecycle: { handleSignals: options.handleSignals ?? false },
    createPipeline: async (call, transport) => {
      // The call may have been answered by another instance: the shared directory knows it.
      const session = await calls.registry.lookup(call.callId);
      if (session === undefined) throw new UnknownCallError(call.callId);
      await router?.attachMedia(call.callId, eventsOnlyHandle);
      return agentPipeline({
        transport,
        session,
        recordingPath: join(recordingsDir, session.reference, 'pipeline.wav'),
      });
    },
  });
  app.get('/healthz', async () => ({ status: 'ok', calls: calls.registry.size }));
  // After the calls have ended (the media endpoint's preClose): let webhook work such as a
  // recording download finish.
  app.addHook('onClose', async () => {
    await calls.idle();
    await recordingJobs?.close();
  });
  return { app, calls };
}

/**
 * What this example runs for other instances on a call it holds: call events only (they reach the
 * session the pipeline listens to). Commands such as `speak` are not offered here; `voxline serve`
 * shows a pipeline handle that runs them.
 */
const eventsOnlyHandle = {
  async execute(command: { type: string }): Promise<void> {
    throw new VoxlineError('command-not-offered', `${command.type}: this example takes call events only`);
  },
};

function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('publicUrl is not set and the server is not listening on a TCP port');
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
