/**
 * The HTTP server `voxline serve` runs: WebSocket media endpoints for both carriers, and a health
 * check, around one {@link VoiceAgent}.
 *
 * | route | what |
 * |---|---|
 * | `GET /telnyx` (WebSocket) | Telnyx media streams |
 * | `GET /twilio` (WebSocket) | Twilio media streams |
 * | `GET /plivo` (WebSocket) | Plivo media streams |
 * | `GET /ws` (WebSocket) | any of {@link defaultCarriers}, detected from its first messages |
 * | `POST /telnyx/webhook` | Telnyx Call Control webhooks (see {@link registerCarrierWebhooks}) |
 * | `POST /twilio/voice`, `POST /twilio/status` | Twilio voice and status webhooks |
 * | `POST /plivo/answer`, `POST /plivo/hangup` | Plivo answer and hangup webhooks |
 * | `GET /metrics` | Prometheus metrics (see docs/observability.md); off with `metrics: false` |
 * | `GET /healthz` | `{"status":"ok","agent":…,"calls":n,"instance":…,"sharedState":{"kind":…,"connected":…},"pid":…}` (and `"worker":i` under `--workers`) |
 *
 * Carrier credentials come from the environment (see `carrier-webhooks.ts`); with them, calls the
 * agent ends are hung up at the carrier.
 *
 * Every media route verifies each stream before its pipeline runs (see `carrierStreamVerifiers`):
 * Telnyx streams by the call registry or a `VOXLINE_STREAM_SECRET` token, Twilio and Plivo streams
 * by their signed upgrade (Plivo also by a `VOXLINE_STREAM_SECRET` token). With nothing to verify by, the server refuses to start unless
 * `allowUnverifiedStreams` opts in (local development only; logged as a warning).
 *
 * Calls, webhook claims and commands go through `sharedState` (default: this process only). With
 * a state shared by several instances (`redisSharedState`), a webhook on one instance acts on a
 * call whose media stream another instance serves: each verified stream is attached to the
 * server's {@link CallCommandRouter} with a {@link PipelineCallHandle} (hang up, speak, play audio,
 * send DTMF, deliver call events) until the call ends.
 */

import type { Tracer } from '@opentelemetry/api';
import {
  CallCommandRouter,
  CallRegistry,
  inMemorySharedState,
  type SharedState,
  type SharedStateHealth,
} from '@voxline/call-control';
import { type Logger, VoxlineError } from '@voxline/core';
import { plivoCarrier } from '@voxline/plivo';
import type { CallInfo, CarrierPlugin } from '@voxline/telephony';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier, twilioMediaStreamVerifier } from '@voxline/twilio';
import {
  type CallSession,
  type TelephonyConnectionLimits,
  type TelephonyTransport,
  voxlineTelephony,
} from '@voxline/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { VoiceAgent } from '../agents/voice-agent.js';
import { installServerTelemetry } from '../telemetry/server-telemetry.js';
import {
  type CarrierRecordingSettings,
  type CarrierWebhookStatus,
  carrierCallTerminators,
  carrierStreamVerifiers,
  carrierWebhookPaths,
  carrierWebhookStatus,
  registerCarrierWebhooks,
} from './carrier-webhooks.js';
import { type ConversationEvent, conversationEventObservers } from './conversation-events.js';
import { PipelineCallHandle } from './pipeline-call-handle.js';

/**
 * Why the server would not start: no way to verify media streams and no opt-out, or the opt-out
 * next to carrier credentials.
 */
export class UnverifiedStreamsError extends VoxlineError {
  declare readonly code: 'unverified-streams';

  constructor(message?: string) {
    super(
      'unverified-streams',
      message ??
        'no media stream can be verified: set TELNYX_API_KEY, TELNYX_PUBLIC_KEY and PUBLIC_URL ' +
          '(Telnyx), TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and PUBLIC_URL (Twilio), PLIVO_AUTH_TOKEN ' +
          '(Plivo), or ' +
          'VOXLINE_STREAM_SECRET (Telnyx stream tokens); or allow unverified streams for local ' +
          'development only (--allow-unverified-streams)',
    );
    this.name = 'UnverifiedStreamsError';
  }
}

/** The carriers the shared `/ws` route serves, with default serializer options. */
export const defaultCarriers: readonly CarrierPlugin[] = [telnyxCarrier(), twilioCarrier(), plivoCarrier()];

/** Options of {@link startAgentServer}. */
export interface AgentServerOptions {
  agent: VoiceAgent;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; default 8765 (0 picks a free one). */
  port?: number;
  /** Logger for the server and its calls. */
  logger: Logger;
  /** Called with every call's session (the demo watches them). */
  onSession?: (session: CallSession) => void;
  /** Called with what each call's STT heard, what its LLM answered and its metrics, as they happen. */
  onConversation?: (event: ConversationEvent) => void;
  /** End calls and close on SIGINT/SIGTERM; default false. */
  handleSignals?: boolean;
  /** Where carrier credentials are read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Serve media streams no verifier accepts (local development only: anyone who finds the URL can
   * start calls; no carrier command is sent for such calls). Default false.
   */
  allowUnverifiedStreams?: boolean;
  /** Media connection limits; default `defaultConnectionLimits` of @voxline/websocket. */
  limits?: Partial<TelephonyConnectionLimits>;
  /**
   * When set, every carrier webhook route answers 503 `{"error":"shared-state-required","reason":…}`
   * with this reason, and the carrier retries later or fails over: what `--workers` > 1 without
   * `--redis` does, since a call's webhooks and its stream may reach different workers.
   */
  refuseWebhooks?: string;
  /** This process's worker index under `--workers` (reported by /healthz). */
  workerIndex?: number;
  /**
   * The state this server shares with the deployment's other instances: calls, webhook claims,
   * commands between instances. Default `inMemorySharedState()` (this process only), closed with
   * the server; a state given here is left open (its owner closes it).
   */
  sharedState?: SharedState;
  /** Record answered Telnyx and Twilio calls at the carrier and keep the recordings; default off. */
  recordings?: CarrierRecordingSettings;
  /** Serve Prometheus metrics on `GET /metrics`; default true. */
  metrics?: boolean;
  /** Where call, turn, LLM, webhook and carrier request spans go; default the global `voxline` tracer. */
  tracer?: Tracer;
}

/** What `GET /healthz` answers. */
export interface AgentServerHealth {
  status: 'ok';
  /** The agent's name. */
  agent: string;
  /** Media streams this instance serves. */
  calls: number;
  /** This instance's id in the shared state. */
  instance: string;
  sharedState: SharedStateHealth;
  /** This process's id. */
  pid: number;
  /** This worker's index under `--workers`. */
  worker?: number;
}

/** A running server. */
export interface AgentServer {
  app: FastifyInstance;
  /** `http://host:port`. */
  baseUrl: string;
  /** `ws://host:port`. */
  webSocketUrl: string;
  /** Calls in progress. */
  readonly activeCalls: number;
  /** Which carriers' webhooks are configured. */
  readonly webhooks: CarrierWebhookStatus;
  /** Sends commands to calls wherever their media stream is served (this instance's calls included). */
  readonly router: CallCommandRouter;
  /** The state shared with the deployment's other instances. */
  readonly sharedState: SharedState;
  /** Ends calls gracefully, closes the server and the agent. */
  close(): Promise<void>;
  /** Resolves once the server has closed (by `close()` or a signal). */
  readonly closed: Promise<void>;
}

/**
 * Starts the server; resolves once it listens.
 *
 * @throws {UnverifiedStreamsError} when no stream verifier can be built from `env` and
 *   `allowUnverifiedStreams` is not set.
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { agent, logger } = options;
  const env = options.env ?? process.env;
  const ownsSharedState = options.sharedState === undefined;
  const sharedState = options.sharedState ?? inMemorySharedState();
  const registry = new CallRegistry({
    logger,
    directory: sharedState.calls,
    instanceId: sharedState.instanceId,
  });
  const verifiers = carrierStreamVerifiers(env, registry);
  const allowUnverifiedStreams = options.allowUnverifiedStreams ?? false;
  if (verifiers.length === 0 && !allowUnverifiedStreams) throw new UnverifiedStreamsError();
  const configured = carrierWebhookStatus(env);
  if (
    allowUnverifiedStreams &&
    (configured.telnyx.configured || configured.twilio.configured || configured.plivo.configured)
  ) {
    // With a carrier's credentials this server takes real calls: never next to an open door.
    throw new UnverifiedStreamsError(
      'unverified media streams are refused while carrier credentials are configured: drop --allow-unverified-streams',
    );
  }
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
  });
  const router = new CallCommandRouter({
    directory: sharedState.calls,
    bus: sharedState.bus,
    registry,
    logger,
  });
  await router.start();
  const sessions = new Set<CallSession>();
  /** The session of each connection, for attaching its call to the router once the stream is verified. */
  const sessionsByTransport = new WeakMap<TelephonyTransport, CallSession>();
  const onConversation = options.onConversation;
  const telemetry = installServerTelemetry(app, {
    webhookPaths: carrierWebhookPaths,
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
  const common = {
    // Called once the stream was verified (or allowed unverified): a verified call takes commands.
    createPipeline: (call: CallInfo, transport: TelephonyTransport) => {
      const session = sessionsByTransport.get(transport);
      if (session?.verified === true) attachToRouter(router, call.callId, session, logger);
      return agent.createPipeline(call, transport);
    },
    verifiers,
    allowUnverifiedStreams,
    ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
    terminator: carrierCallTerminators(env),
    params: agent.params,
    logger,
    taskOptions: (call: CallInfo) => ({
      observers: [
        ...telemetry.observers(call),
        ...(onConversation ? conversationEventObservers(call.callId, onConversation) : []),
      ],
    }),
    lifecycle: {
      handleSignals: options.handleSignals ?? false,
      onSession: (session: CallSession) => {
        sessions.add(session);
        sessionsByTransport.set(session.transport, session);
        void session.finished.then(() => sessions.delete(session));
        options.onSession?.(session);
      },
    },
  };
  await app.register(voxlineTelephony, { ...common, path: '/telnyx', carriers: [telnyxCarrier()] });
  await app.register(voxlineTelephony, {
    ...common,
    path: '/twilio',
    carriers: [twilioCarrier()],
    // With Twilio credentials, only streams Twilio signed are accepted (Twilio error 31930).
    ...(env.TWILIO_AUTH_TOKEN && env.PUBLIC_URL
      ? {
          verifyUpgrade: twilioMediaStreamVerifier({
            authToken: env.TWILIO_AUTH_TOKEN,
            publicUrl: env.PUBLIC_URL,
          }),
        }
      : {}),
  });
  await app.register(voxlineTelephony, { ...common, path: '/plivo', carriers: [plivoCarrier()] });
  await app.register(voxlineTelephony, { ...common, path: '/ws', carriers: defaultCarriers });
  const refusal = options.refuseWebhooks;
  if (refusal !== undefined) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'POST' || !carrierWebhookPaths.includes(request.url.split('?')[0] ?? '')) return;
      logger.warn({ url: request.url, reason: refusal }, 'webhook refused: no shared state');
      return reply.code(503).send({ error: 'shared-state-required', reason: refusal });
    });
  }
  const webhooks = await registerCarrierWebhooks(app, env, registry, {
    router,
    deduplication: sharedState.deduplication,
    ...(options.recordings !== undefined ? { recordings: options.recordings } : {}),
  });
  app.get(
    '/healthz',
    async (): Promise<AgentServerHealth> => ({
      status: 'ok',
      agent: agent.name,
      calls: sessions.size,
      instance: sharedState.instanceId,
      sharedState: await sharedState.health(),
      pid: process.pid,
      ...(options.workerIndex !== undefined ? { worker: options.workerIndex } : {}),
    }),
  );
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  app.addHook('onClose', async () => {
    await agent.close?.();
    if (ownsSharedState) await sharedState.close();
    markClosed();
  });
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8765 });
  const url = new URL(address);
  return {
    app,
    baseUrl: `http://${url.host}`,
    webSocketUrl: `ws://${url.host}`,
    get activeCalls() {
      return sessions.size;
    },
    webhooks,
    router,
    sharedState,
    close: () => app.close(),
    closed,
  };
}

/**
 * Attaches a verified call's pipeline to the router until the call is over. A directory that
 * cannot be written is logged: commands sent from this instance still reach the call.
 */
function attachToRouter(
  router: CallCommandRouter,
  callId: string,
  session: CallSession,
  logger: Logger,
): void {
  router.attachMedia(callId, new PipelineCallHandle(session)).catch((error: unknown) => {
    logger.warn(
      { err: error, callId },
      'the call’s media instance could not be recorded in the shared state',
    );
  });
  void session.finished.then(() =>
    router.detachMedia(callId).catch((error: unknown) => {
      logger.warn(
        { err: error, callId },
        'the call’s media instance could not be cleared in the shared state',
      );
    }),
  );
}
