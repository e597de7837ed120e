/**
 * The fastify plugin: a WebSocket endpoint where a carrier's media streams arrive, one pipeline per
 * connection.
 *
 * ```ts
 * const app = Fastify({ logger: true });
 * await app.register(voxlineTelephony, {
 *   path: '/telnyx',
 *   carrier: 'telnyx',
 *   terminator: new TelnyxCallTerminator({ apiKey }),
 *   createPipeline: (call, transport) => [transport.input(), stt, llm, tts, transport.output()],
 * });
 * await app.listen({ port: 8080 });
 * ```
 *
 * The plugin registers `@fastify/websocket` (once per server, with `maxPayload` set to
 * `maxMessageBytes`) unless it is already registered, and adds its route and hooks to the instance
 * it is registered on (it is not encapsulated), so several endpoints can be registered on one
 * server. On `fastify.close()` every call is ended gracefully (see {@link CallSession.shutdown})
 * before sockets close; with `handleSignals`, SIGTERM and SIGINT call `fastify.close()`.
 */
import fastifyWebsocket from '@fastify/websocket';
import { defaultPipelineParams, type Logger } from '@voxline/core';
import type { SerializerFactories } from '@voxline/telephony';
import type { FastifyInstance, FastifyPluginAsync, preValidationAsyncHookHandler } from 'fastify';
import { CallSession, type CallSessionOptions } from './call-session.js';
import { CloseCode } from './close-codes.js';
import { defaultSerializerFactories } from './default-serializer-factories.js';
import { TelephonyTransport, type TelephonyTransportOptions } from './telephony-transport.js';

/** Options of {@link voxlineTelephony}. */
export interface VoxlineTelephonyOptions
  extends CallSessionOptions,
    Omit<TelephonyTransportOptions, 'serializers' | 'audioParams'> {
  /** The route path of the WebSocket endpoint, e.g. `/telnyx`. */
  path: string;
  /**
   * Serializer factories per carrier; default the Telnyx and Twilio serializers with their default
   * options. Pass your own to set serializer options (e.g. Telnyx `outboundEncoding`).
   */
  serializers?: SerializerFactories;
  /** How long a graceful shutdown may take per call before its pipeline is cancelled, in ms; default 10000. */
  shutdownTimeoutMs?: number;
  /** Close the server (ending calls gracefully) on SIGTERM and SIGINT; a second signal exits at once. Default false. */
  handleSignals?: boolean;
  /** Called with each new connection's session (for metrics, tests, or per-call wiring). */
  onSession?: (session: CallSession) => void;
  /**
   * Checks the WebSocket upgrade request before the connection is accepted: a fastify
   * `preValidation` hook on the route. To refuse, send a reply (e.g. 401) and return it; the
   * request then never becomes a WebSocket. Use `twilioMediaStreamVerifier` from `@voxline/twilio`
   * to accept only connections signed by Twilio. Default: no check.
   */
  verifyUpgrade?: preValidationAsyncHookHandler;
}

/** The calls of one HTTP server, shared by every registration of the plugin on it. */
interface ServerCalls {
  readonly sessions: Set<CallSession>;
  closing: boolean;
  shutdown: Promise<void> | undefined;
  signalsHandled: boolean;
}

const callsByServer = new WeakMap<object, ServerCalls>();

function callsOf(fastify: FastifyInstance): ServerCalls {
  let calls = callsByServer.get(fastify.server);
  if (calls === undefined) {
    calls = { sessions: new Set(), closing: false, shutdown: undefined, signalsHandled: false };
    callsByServer.set(fastify.server, calls);
  }
  return calls;
}

function shutdownCalls(calls: ServerCalls, timeoutMs: number): Promise<void> {
  calls.closing = true;
  calls.shutdown ??= Promise.all([...calls.sessions].map((session) => session.shutdown(timeoutMs))).then(
    () => {},
  );
  return calls.shutdown;
}

function validate(options: VoxlineTelephonyOptions): void {
  if (typeof options?.path !== 'string' || !options.path.startsWith('/')) {
    throw new TypeError(
      `voxlineTelephony: path must be a string starting with '/', got ${String(options?.path)}`,
    );
  }
  if (typeof options.createPipeline !== 'function') {
    throw new TypeError(
      'voxlineTelephony: createPipeline must be a function (call, transport) => processors',
    );
  }
}

const plugin: FastifyPluginAsync<VoxlineTelephonyOptions> = async (fastify, options) => {
  validate(options);
  const calls = callsOf(fastify);
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const logger = (options.logger ?? fastify.log) as Logger;
  const serializers = options.serializers ?? defaultSerializerFactories();
  const staticParams = typeof options.params === 'function' ? undefined : options.params;
  const audioParams = {
    inputSampleRate: staticParams?.audioInSampleRate ?? defaultPipelineParams.audioInSampleRate,
    outputSampleRate: staticParams?.audioOutSampleRate ?? defaultPipelineParams.audioOutSampleRate,
  };

  if (!fastify.hasDecorator('websocketServer')) {
    await fastify.register(fastifyWebsocket, {
      options: { maxPayload: options.maxMessageBytes ?? 65_536 },
      // `ws` closes the socket itself on protocol errors (1009 for an oversized message, ...);
      // the transport counts and logs them through its own `error` listener.
      errorHandler(error, _socket, request) {
        request.log.debug({ err: error }, 'websocket error');
      },
      async preClose(this: FastifyInstance) {
        await shutdownCalls(callsOf(this), shutdownTimeoutMs);
        for (const client of this.websocketServer.clients)
          client.close(CloseCode.GoingAway, 'server shutting down');
        this.websocketServer.close();
      },
    });
  }
  fastify.addHook('preClose', async () => {
    await shutdownCalls(calls, shutdownTimeoutMs);
  });

  if (options.handleSignals && !calls.signalsHandled) {
    calls.signalsHandled = true;
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      logger.info(
        { signal, calls: calls.sessions.size },
        'signal received: ending calls and closing the server',
      );
      fastify.close().catch((error: unknown) => logger.error({ err: error }, 'server close failed'));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    fastify.addHook('onClose', async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
  }

  const routeOptions = {
    websocket: true as const,
    ...(options.verifyUpgrade !== undefined ? { preValidation: options.verifyUpgrade } : {}),
  };
  fastify.get(options.path, routeOptions, (socket) => {
    if (calls.closing) {
      socket.close(CloseCode.GoingAway, 'server shutting down');
      return;
    }
    let transport: TelephonyTransport;
    try {
      transport = new TelephonyTransport(socket, { ...options, serializers, audioParams, logger });
    } catch (error) {
      logger.error({ err: error }, 'could not create the transport');
      socket.close(CloseCode.InternalError, 'internal error');
      return;
    }
    socket.on('message', (data, isBinary) => transport.receive(data, isBinary));
    socket.on('error', (error) => transport.handleSocketError(error));
    socket.on('close', (code, reason) => transport.handleSocketClose(code, reason.toString()));
    const session = new CallSession(transport, options);
    calls.sessions.add(session);
    void session.finished.then(() => calls.sessions.delete(session));
    try {
      options.onSession?.(session);
    } catch (error) {
      transport.logger.error({ err: error }, 'onSession threw');
    }
  });
};

// Not encapsulated (what fastify-plugin does): routes and hooks land on the instance it is
// registered on, and `@fastify/websocket` is shared by every endpoint on the server.
(plugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(plugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'voxline-telephony';

/** The fastify plugin; see the module comment and {@link VoxlineTelephonyOptions}. */
export const voxlineTelephony: FastifyPluginAsync<VoxlineTelephonyOptions> = plugin;
