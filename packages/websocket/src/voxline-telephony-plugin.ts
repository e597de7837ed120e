/**
 * The fastify plugin: a WebSocket endpoint where a carrier's media streams arrive, one pipeline per
 * connection.
 *
 * ```ts
 * const app = Fastify({ logger: true });
 * await app.register(voxlineTelephony, {
 *   path: '/telnyx',
 *   carriers: [telnyxCarrier()],
 *   verifiers: [new TelnyxMediaStreamVerifier({ registry: controller.registry })],
 *   terminator: new TelnyxCallTerminator({ apiKey }),
 *   createPipeline: (call, transport) => [transport.input(), stt, llm, tts, transport.output()],
 * });
 * await app.listen({ port: 8080 });
 * ```
 *
 * A public URL is hostile ground, so the endpoint defends itself:
 *
 * - every stream is verified before its pipeline runs (`verifiers`; see {@link CallSession}), and
 *   registering an endpoint with no verifier throws unless `allowUnverifiedStreams` opts in, for
 *   local development only, with a warning at registration and for every such stream;
 * - at most `limits.maxSessions` connections per server and `limits.maxSessionsPerAddress` per
 *   remote address are served; one more is closed at once with 1013 (try again later);
 * - the transport's message-rate, message-size and real-time checks, the start timeout and the
 *   media-inactivity timeout bound what one connection can cost.
 *
 * The plugin registers `@fastify/websocket` (once per server, with `maxPayload` set to
 * `input.maxMessageBytes` and permessage-deflate off; RFC 7692 compression of base64 audio costs
 * more CPU than the bytes it saves) unless it is already registered, and adds its route and hooks to the
 * instance it is registered on (it is not encapsulated), so several endpoints can be registered on
 * one server. On `fastify.close()` the server first stops accepting WebSocket upgrades (a late one
 * gets HTTP 503), then every call is ended gracefully (see {@link CallSession.shutdown}, bounded by
 * `lifecycle.shutdownTimeoutMs`), then sockets close; a peer that does not answer the close
 * handshake within 1 s (one that stopped reading) is cut off, so shutdown always ends. With
 * `lifecycle.handleSignals`, SIGTERM and SIGINT call `fastify.close()`.
 */
import fastifyWebsocket from '@fastify/websocket';
import type { PublicUrlOption } from '@voxline/call-control';
import { publicWebSocketUrlOf } from '@voxline/call-control/carrier-kit';
import { defaultPipelineParams, InvalidOptionError, type Logger } from '@voxline/core';
import type { MediaStreamUpgrade } from '@voxline/telephony';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyRequest,
  preValidationAsyncHookHandler,
} from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';
import { type CallLifecycleOptions, CallSession, type CallSessionOptions } from './call-session.js';
import { checkCarriersOption } from './carriers-option.js';
import { CloseCode } from './close-codes.js';
import { resolveInputOptions } from './telephony-input-options.js';
import { resolveOutputOptions } from './telephony-output-options.js';
import { TelephonyTransport, type TelephonyTransportOptions } from './telephony-transport.js';

/**
 * Options of {@link voxlineTelephony}. Beside the route, the pipeline and the carrier settings at
 * the top level, the tuning is grouped:
 *
 * - `input`: what is accepted from the carrier (message size and rate, audio ahead of real time);
 * - `output`: how the agent's audio is paced, marked and reported (`leadMs`, `mediaMessageMs`, …);
 * - `limits`: how many connections the server serves at once;
 * - `lifecycle`: the timeouts of each call, shutdown, signals and the per-connection hook.
 *
 * Invalid values throw at registration, naming the option by its path (e.g. `output.leadMs`).
 */
export interface VoxlineTelephonyOptions
  extends Omit<CallSessionOptions, 'lifecycle'>,
    Omit<TelephonyTransportOptions, 'audioParams' | 'upgrade'> {
  /** The route path of the WebSocket endpoint, e.g. `/telnyx`. */
  path: string;
  /** The timeouts of each call, shutdown, signals and the per-connection hook; see {@link VoxlineLifecycleOptions}. */
  lifecycle?: VoxlineLifecycleOptions;
  /**
   * Checks the WebSocket upgrade request before the connection is accepted: a fastify
   * `preValidation` hook on the route. To refuse, send a reply (e.g. 401) and return it; the
   * request then never becomes a WebSocket. Use `twilioMediaStreamVerifier` from `@voxline/twilio`
   * to refuse unsigned upgrades early on a Twilio-only route. This is an early filter only: a
   * stream still needs a `verifiers` entry to be verified. Default: no check.
   */
  verifyUpgrade?: preValidationAsyncHookHandler;
  /**
   * The public base URL carriers connect to (`https://voice.example.com`), or a function of the
   * request, used to rebuild the `wss://` URL a carrier signed ({@link MediaStreamUpgrade.url}).
   * Default: from the request's protocol and host.
   */
  publicUrl?: PublicUrlOption;
  /** Connection limits; see {@link TelephonyConnectionLimits}. */
  limits?: Partial<TelephonyConnectionLimits>;
}

/** The life of the calls on an endpoint and of the server around them. */
export interface VoxlineLifecycleOptions extends CallLifecycleOptions {
  /** How long a graceful shutdown may take per call before its pipeline is cancelled, in ms; default 10000. */
  shutdownTimeoutMs?: number;
  /** Close the server (ending calls gracefully) on SIGTERM and SIGINT; a second signal exits at once. Default false. */
  handleSignals?: boolean;
  /** Called with each new connection's session (for metrics, tests, or per-call wiring). */
  onSession?: (session: CallSession) => void;
}

/** How many media connections one server serves at once. Shared by every endpoint on the server. */
export interface TelephonyConnectionLimits {
  /** Connections per server; default 1000. */
  maxSessions: number;
  /**
   * Connections per remote IP address; default 200. A carrier's media servers are few, so keep
   * this well above your busiest expected load from one of them.
   */
  maxSessionsPerAddress: number;
}

/** The default connection limits: 1000 per server, 200 per remote address. */
export const defaultConnectionLimits: Readonly<TelephonyConnectionLimits> = Object.freeze({
  maxSessions: 1000,
  maxSessionsPerAddress: 200,
});

/** How long a peer has to answer our close handshake at shutdown before its socket is cut, in ms. */
const SHUTDOWN_CLOSE_GRACE_MS = 1000;

/** The calls of one HTTP server, shared by every registration of the plugin on it. */
interface ServerCalls {
  readonly sessions: Set<CallSession>;
  /** Open connections per remote address. */
  readonly perAddress: Map<string, number>;
  closing: boolean;
  shutdown: Promise<void> | undefined;
  signalsHandled: boolean;
}

const callsByServer = new WeakMap<object, ServerCalls>();

function callsOf(fastify: FastifyInstance): ServerCalls {
  let calls = callsByServer.get(fastify.server);
  if (calls === undefined) {
    calls = {
      sessions: new Set(),
      perAddress: new Map(),
      closing: false,
      shutdown: undefined,
      signalsHandled: false,
    };
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

/**
 * Stops accepting WebSocket upgrades on `server`: upgrade listeners are removed, and a late
 * upgrade is answered with HTTP 503 and closed, so it can neither start a call nor hold the close.
 */
function refuseLateUpgrades(server: FastifyInstance['server']): void {
  server.removeAllListeners('upgrade');
  server.on('upgrade', (_request, socket) => {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}

/**
 * Closes every socket of `server` with 1001, waits up to {@link SHUTDOWN_CLOSE_GRACE_MS} for the
 * close handshakes, then terminates the sockets still open (peers that stopped reading).
 */
async function closeAllSockets(server: WebSocketServer): Promise<void> {
  const open = [...server.clients];
  for (const client of open) client.close(CloseCode.GoingAway, 'server shutting down');
  const closed = open.map(
    (client: WebSocket) =>
      new Promise<void>((resolve) => {
        if (client.readyState === client.CLOSED) resolve();
        else client.once('close', () => resolve());
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_CLOSE_GRACE_MS);
  });
  await Promise.race([Promise.all(closed), grace]);
  clearTimeout(timer);
  for (const client of server.clients) client.terminate();
}

/** What a verifier gets to know of the upgrade request. */
function upgradeOf(request: FastifyRequest, publicUrl: PublicUrlOption | undefined): MediaStreamUpgrade {
  return {
    url: publicWebSocketUrlOf(request, publicUrl),
    headers: request.headers,
    remoteAddress: request.ip,
  };
}

function validate(options: VoxlineTelephonyOptions): void {
  if (typeof options?.path !== 'string' || !options.path.startsWith('/')) {
    throw new InvalidOptionError(
      'path',
      `voxlineTelephony: path must be a string starting with '/', got ${String(options?.path)}`,
    );
  }
  checkCarriersOption(options.carriers, `voxlineTelephony (${options.path})`);
  if (typeof options.createPipeline !== 'function') {
    throw new InvalidOptionError(
      'createPipeline',
      'voxlineTelephony: createPipeline must be a function (call, transport) => processors',
    );
  }
  if (
    (options.verifiers === undefined || options.verifiers.length === 0) &&
    !options.allowUnverifiedStreams
  ) {
    throw new InvalidOptionError(
      'verifiers',
      `voxlineTelephony: ${options.path} has no stream verifiers, so anyone could start calls on it; ` +
        'pass verifiers (TwilioMediaStreamVerifier, TelnyxMediaStreamVerifier, ...), or ' +
        'allowUnverifiedStreams: true for local development only',
    );
  }
  const limits = options.limits ?? {};
  for (const name of ['maxSessions', 'maxSessionsPerAddress'] as const) {
    const value = limits[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new InvalidOptionError(
        `limits.${name}`,
        `voxlineTelephony: limits.${name} must be a positive integer, got ${value}`,
      );
    }
  }
  const lifecycle = options.lifecycle ?? {};
  for (const name of [
    'startTimeoutMs',
    'mediaInactivityTimeoutMs',
    'hangUpTimeoutMs',
    'shutdownTimeoutMs',
  ] as const) {
    const value = lifecycle[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new InvalidOptionError(
        `lifecycle.${name}`,
        `voxlineTelephony: lifecycle.${name} must be a finite number of at least 0, got ${value}`,
      );
    }
  }
  try {
    resolveInputOptions(options.input, 'input.');
    resolveOutputOptions(options.output, 'output.');
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      throw new InvalidOptionError(error.option, `voxlineTelephony: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

const plugin: FastifyPluginAsync<VoxlineTelephonyOptions> = async (fastify, options) => {
  validate(options);
  const calls = callsOf(fastify);
  const shutdownTimeoutMs = options.lifecycle?.shutdownTimeoutMs ?? 10_000;
  const logger = (options.logger ?? fastify.log) as Logger;
  const limits = { ...defaultConnectionLimits, ...options.limits };
  if (options.allowUnverifiedStreams) {
    logger.warn(
      { path: options.path },
      'UNVERIFIED media streams are accepted on this endpoint (allowUnverifiedStreams): anyone who finds the URL can start calls; use it for local development only',
    );
  }
  const staticParams = typeof options.params === 'function' ? undefined : options.params;
  const audioParams = {
    inputSampleRate: staticParams?.audioInSampleRate ?? defaultPipelineParams.audioInSampleRate,
    outputSampleRate: staticParams?.audioOutSampleRate ?? defaultPipelineParams.audioOutSampleRate,
  };

  if (!fastify.hasDecorator('websocketServer')) {
    await fastify.register(fastifyWebsocket, {
      options: {
        maxPayload: resolveInputOptions(options.input).maxMessageBytes,
        // Off (ws's server default, stated so it stays off): base64 audio barely compresses, and
        // deflate would cost CPU and a zlib context per call on every message.
        perMessageDeflate: false,
      },
      // `ws` closes the socket itself on protocol errors (1009 for an oversized message, ...);
      // the transport counts and logs them through its own `error` listener.
      errorHandler(error, _socket, request) {
        request.log.debug({ err: error }, 'websocket error');
      },
      async preClose(this: FastifyInstance) {
        refuseLateUpgrades(this.server);
        await shutdownCalls(callsOf(this), shutdownTimeoutMs);
        await closeAllSockets(this.websocketServer);
        this.websocketServer.close();
      },
    });
  }
  fastify.addHook('preClose', async () => {
    await shutdownCalls(calls, shutdownTimeoutMs);
  });

  if (options.lifecycle?.handleSignals && !calls.signalsHandled) {
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
  fastify.get(options.path, routeOptions, (socket, request) => {
    if (calls.closing) {
      socket.close(CloseCode.GoingAway, 'server shutting down');
      return;
    }
    const address = request.ip;
    const fromAddress = calls.perAddress.get(address) ?? 0;
    if (calls.sessions.size >= limits.maxSessions || fromAddress >= limits.maxSessionsPerAddress) {
      const full = calls.sessions.size >= limits.maxSessions ? 'server' : 'address';
      logger.warn(
        { remoteAddress: address, sessions: calls.sessions.size, fromAddress, limits },
        `connection refused: the ${full} connection limit is reached`,
      );
      socket.close(CloseCode.TryAgainLater, `too many connections (${full} limit)`);
      return;
    }
    let upgrade: MediaStreamUpgrade;
    let transport: TelephonyTransport;
    try {
      upgrade = upgradeOf(request, options.publicUrl);
      transport = new TelephonyTransport(socket, { ...options, upgrade, audioParams, logger });
    } catch (error) {
      logger.error({ err: error }, 'could not create the transport');
      socket.close(CloseCode.InternalError, 'internal error');
      return;
    }
    socket.on('message', (data, isBinary) => transport.receive(data, isBinary));
    socket.on('error', (error) => transport.handleSocketError(error));
    socket.on('close', (code, reason) => transport.handleSocketClose(code, reason.toString()));
    const session = new CallSession(transport, options, upgrade);
    calls.sessions.add(session);
    calls.perAddress.set(address, fromAddress + 1);
    void session.finished.then(() => {
      calls.sessions.delete(session);
      const left = (calls.perAddress.get(address) ?? 1) - 1;
      if (left > 0) calls.perAddress.set(address, left);
      else calls.perAddress.delete(address);
    });
    try {
      options.lifecycle?.onSession?.(session);
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
