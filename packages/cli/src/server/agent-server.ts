/**
 * The HTTP server `voxline serve` runs: WebSocket media endpoints for both carriers, and a health
 * check, around one {@link VoiceAgent}.
 *
 * | route | what |
 * |---|---|
 * | `GET /telnyx` (WebSocket) | Telnyx media streams |
 * | `GET /twilio` (WebSocket) | Twilio media streams |
 * | `GET /ws` (WebSocket) | either carrier, detected from its first messages |
 * | `POST /telnyx/webhook` | Telnyx Call Control webhooks (see {@link registerCarrierWebhooks}) |
 * | `POST /twilio/voice`, `POST /twilio/status` | Twilio voice and status webhooks |
 * | `GET /healthz` | `{"status":"ok","agent":…,"calls":n}` |
 *
 * Carrier credentials come from the environment (see `carrier-webhooks.ts`); with them, calls the
 * agent ends are hung up at the carrier.
 */
import type { Logger } from '@voxline/core';
import type { CallInfo } from '@voxline/telephony';
import { twilioMediaStreamVerifier } from '@voxline/twilio';
import { type CallSession, voxlineTelephony } from '@voxline/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { VoiceAgent } from '../agents/voice-agent.js';
import {
  type CarrierWebhookStatus,
  carrierCallTerminators,
  registerCarrierWebhooks,
} from './carrier-webhooks.js';
import { type ConversationEvent, conversationEventObservers } from './conversation-events.js';

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
  /** Ends calls gracefully, closes the server and the agent. */
  close(): Promise<void>;
  /** Resolves once the server has closed (by `close()` or a signal). */
  readonly closed: Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { agent, logger } = options;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
  });
  const sessions = new Set<CallSession>();
  const env = options.env ?? process.env;
  const onConversation = options.onConversation;
  const common = {
    createPipeline: agent.createPipeline,
    terminator: carrierCallTerminators(env),
    params: agent.params,
    logger,
    ...(onConversation
      ? {
          taskOptions: (call: CallInfo) => ({
            observers: conversationEventObservers(call.callId, onConversation),
          }),
        }
      : {}),
    handleSignals: options.handleSignals ?? false,
    onSession: (session: CallSession) => {
      sessions.add(session);
      void session.finished.then(() => sessions.delete(session));
      options.onSession?.(session);
    },
  };
  await app.register(voxlineTelephony, { ...common, path: '/telnyx', carrier: 'telnyx' });
  await app.register(voxlineTelephony, {
    ...common,
    path: '/twilio',
    carrier: 'twilio',
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
  await app.register(voxlineTelephony, { ...common, path: '/ws', carrier: 'auto' });
  const webhooks = await registerCarrierWebhooks(app, env);
  app.get('/healthz', async () => ({ status: 'ok', agent: agent.name, calls: sessions.size }));
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  app.addHook('onClose', async () => {
    await agent.close?.();
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
    close: () => app.close(),
    closed,
  };
}
