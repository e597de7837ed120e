/**
 * The {@link CallCommandBus} between processes and machines, over Redis pub/sub
 * (https://redis.io/docs/latest/develop/interact/pubsub/).
 *
 * - Each listening instance subscribes to `<prefix>instance:<id>:commands` and keeps a heartbeat
 *   key `<prefix>instance:<id>` (set with `PX heartbeatTtlMs`, default 10 s, every
 *   `heartbeatIntervalMs`, default 3 s, and at once after a reconnection).
 * - A sender subscribes to its own `<prefix>instance:<id>:answers`, then publishes
 *   `{ requestId, from, callId, command }` with a Lua script that publishes only when the target's
 *   heartbeat key exists. No heartbeat, or no subscriber on the channel (`PUBLISH` returns the
 *   number of receivers: a process killed with SIGKILL has closed its connection, so it is 0 at
 *   once, before its heartbeat expires), fails the send with `instance-gone` right away.
 * - The target runs the command and publishes `{ requestId, ok }` (or `{ requestId, ok: false,
 *   code, message }`) on the sender's answers channel. A `CallCommandError` thrown by the executor
 *   keeps its code; any other error becomes `command-failed` with its message.
 * - No answer within the timeout fails with `command-timeout`; Redis unreachable fails with
 *   `store-unavailable`; closing the bus, or losing the subscriber connection (the answer would be
 *   lost with it), fails what is still waiting with `store-unavailable` at once.
 *
 * Pub/sub delivers at most once and keeps nothing: a command published while the target's
 * subscriber is reconnecting is lost, and its sender gets `instance-gone` (no receiver) or
 * `command-timeout`. ioredis re-subscribes by itself after a reconnection (`autoResubscribe`).
 * A subscribed connection can run no other command, so the bus has its own subscriber connection
 * (a duplicate of the command connection, which it owns).
 */
import { randomUUID } from 'node:crypto';
import { defaultLogger, InvalidOptionError, type Logger, toError } from '@voxline/core';
import type { Redis } from 'ioredis';
import {
  type CallCommandBus,
  type CallCommandExecutor,
  DEFAULT_CALL_COMMAND_TIMEOUT_MS,
} from '../call-command-bus.js';
import { CallCommandError, type CallCommandErrorCode } from '../call-command-error.js';
import { newInstanceId } from '../in-memory-call-command-bus.js';
import { positiveIntegerOption } from '../positive-integer-option.js';
import type { RemoteCallCommand } from '../remote-call-command.js';
import { callRedis, closeClient } from './redis-connection.js';
import { SharedStateKeys } from './shared-state-keys.js';

/** Default life of an instance's heartbeat key, in ms. */
export const DEFAULT_HEARTBEAT_TTL_MS = 10_000;
/** Default time between two heartbeats, in ms. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;

/** Publishes ARGV[1] on KEYS[2] when the heartbeat KEYS[1] exists: -1 without it, else the receivers. */
const PUBLISH_TO_LIVE_INSTANCE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('PUBLISH', KEYS[2], ARGV[1])
`;

/** Options of a {@link RedisCallCommandBus}. */
export interface RedisCallCommandBusOptions {
  /** The command connection (publish, heartbeat); the bus duplicates it for its subscriber. */
  client: Redis;
  /** Whether `close()` closes `client` as well; default false. */
  ownsClient?: boolean;
  /** Key and channel prefix; default `voxline:`. */
  prefix?: string;
  /** This instance's id; default `newInstanceId()` (`<hostname>:<pid>:<random>`). */
  instanceId?: string;
  /** Life of the heartbeat key, in ms; default 10,000. Must exceed `heartbeatIntervalMs`. */
  heartbeatTtlMs?: number;
  /** Time between heartbeats, in ms; default 3,000. */
  heartbeatIntervalMs?: number;
  logger?: Logger;
}

/** A command on the wire. */
interface CommandMessage {
  requestId: string;
  /** The sender's instance id: where the answer goes. */
  from: string;
  callId: string;
  command: RemoteCallCommand;
}

/** An answer on the wire. */
type AnswerMessage =
  | { requestId: string; ok: true }
  | { requestId: string; ok: false; code: CallCommandErrorCode; message: string };

/** A send waiting for its answer. */
interface PendingCommand {
  callId: string;
  target: string;
  resolve: () => void;
  reject: (error: CallCommandError) => void;
  timer: NodeJS.Timeout;
}

const ERROR_CODES: ReadonlySet<string> = new Set<CallCommandErrorCode>([
  'call-not-found',
  'no-media-stream',
  'instance-gone',
  'command-timeout',
  'command-failed',
  'store-unavailable',
]);

/** The Redis {@link CallCommandBus}; see the module comment. */
export class RedisCallCommandBus implements CallCommandBus {
  readonly instanceId: string;
  readonly #client: Redis;
  readonly #ownsClient: boolean;
  readonly #subscriber: Redis;
  readonly #keys: SharedStateKeys;
  readonly #heartbeatTtlMs: number;
  readonly #heartbeatIntervalMs: number;
  readonly #logger: Logger;
  readonly #pending = new Map<string, PendingCommand>();
  #execute: CallCommandExecutor | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** The subscription to this instance's answers channel, made by the first send. */
  #answersSubscription: Promise<void> | undefined;
  #closed = false;

  /** @throws {InvalidOptionError} if the heartbeat options are not positive integers with ttl > interval. */
  constructor(options: RedisCallCommandBusOptions) {
    this.#heartbeatTtlMs = positiveIntegerOption(
      'heartbeatTtlMs',
      options.heartbeatTtlMs ?? DEFAULT_HEARTBEAT_TTL_MS,
    );
    this.#heartbeatIntervalMs = positiveIntegerOption(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    );
    if (this.#heartbeatIntervalMs >= this.#heartbeatTtlMs) {
      throw new InvalidOptionError(
        'heartbeatIntervalMs',
        `heartbeatIntervalMs (${this.#heartbeatIntervalMs}) must be shorter than heartbeatTtlMs (${this.#heartbeatTtlMs}), or the heartbeat lapses between beats`,
      );
    }
    this.instanceId = options.instanceId ?? newInstanceId();
    this.#client = options.client;
    this.#ownsClient = options.ownsClient ?? false;
    this.#keys = new SharedStateKeys(options.prefix);
    this.#logger = (options.logger ?? defaultLogger()).child({ instanceId: this.instanceId });
    // The subscriber queues its SUBSCRIBE until connected (the command connection does not queue).
    this.#subscriber = this.#client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    this.#subscriber.on('error', (error: Error) =>
      this.#logger.debug({ error: error.message }, 'command bus subscriber connection error'),
    );
    this.#subscriber.on('message', (channel: string, message: string) => this.#onMessage(channel, message));
    this.#subscriber.on('close', () => this.#failPending('lost its Redis connection'));
    this.#client.on('ready', this.#onReconnected);
  }

  /**
   * Subscribes to this instance's command channel and starts the heartbeat.
   *
   * @throws {SharedStateError} `shared-state-unavailable` when Redis is unreachable (nothing was
   *   started; call again).
   */
  async listen(execute: CallCommandExecutor): Promise<void> {
    this.#execute = execute;
    await callRedis(this.#subscriber, 'command bus listen', () =>
      this.#subscriber.subscribe(this.#keys.commands(this.instanceId)),
    );
    await this.#beat();
    if (this.#heartbeatTimer === undefined) {
      this.#heartbeatTimer = setInterval(() => void this.#beat(), this.#heartbeatIntervalMs);
      this.#heartbeatTimer.unref();
    }
  }

  async send(
    instanceId: string,
    callId: string,
    command: RemoteCallCommand,
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    if (this.#closed) {
      throw new CallCommandError('store-unavailable', callId, 'the command bus is closed');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_COMMAND_TIMEOUT_MS;
    try {
      await this.#subscribeToAnswers();
    } catch (error) {
      throw storeUnavailable(callId, error);
    }
    const requestId = randomUUID();
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(
          new CallCommandError(
            'command-timeout',
            callId,
            `instance ${instanceId} did not answer the ${command.type} command for call ${callId} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(requestId, { callId, target: instanceId, resolve, reject, timer });
    });
    // Settled below when publishing fails; never an unhandled rejection meanwhile.
    answered.catch(() => undefined);
    const message: CommandMessage = { requestId, from: this.instanceId, callId, command };
    let receivers: number;
    try {
      receivers = (await callRedis(this.#client, 'command bus send', () =>
        this.#client.eval(
          PUBLISH_TO_LIVE_INSTANCE_SCRIPT,
          2,
          this.#keys.instance(instanceId),
          this.#keys.commands(instanceId),
          JSON.stringify(message),
        ),
      )) as number;
    } catch (error) {
      this.#fail(requestId, storeUnavailable(callId, error));
      return answered;
    }
    if (receivers < 1) {
      this.#fail(
        requestId,
        new CallCommandError(
          'instance-gone',
          callId,
          receivers < 0
            ? `instance ${instanceId} has no heartbeat: it stopped or crashed, and call ${callId} with it`
            : `instance ${instanceId} does not listen for commands (it stopped, crashed or is reconnecting to Redis)`,
        ),
      );
    }
    return answered;
  }

  /** @throws {SharedStateError} `shared-state-unavailable` when Redis is unreachable. */
  async isAlive(instanceId: string): Promise<boolean> {
    if (instanceId === this.instanceId) return true;
    const exists = await callRedis(this.#client, 'command bus isAlive', () =>
      this.#client.exists(this.#keys.instance(instanceId)),
    );
    return exists === 1;
  }

  /** Stops the heartbeat and deletes its key (others see this instance gone at once), fails pending sends. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#execute = undefined;
    clearInterval(this.#heartbeatTimer);
    this.#client.off('ready', this.#onReconnected);
    this.#failPending('closed');
    if (this.#heartbeatTimer !== undefined && this.#client.status === 'ready') {
      await this.#client.del(this.#keys.instance(this.instanceId)).catch(() => undefined);
    }
    await closeClient(this.#subscriber);
    if (this.#ownsClient) await closeClient(this.#client);
  }

  /**
   * Fails every send still waiting for its answer: the answers channel is gone (the bus closed, or
   * the subscriber connection dropped, and pub/sub does not keep what was published meanwhile).
   */
  #failPending(why: string): void {
    for (const [requestId, pending] of [...this.#pending]) {
      this.#fail(
        requestId,
        new CallCommandError(
          'store-unavailable',
          pending.callId,
          `the command bus ${why} before instance ${pending.target} answered (the command may have run)`,
        ),
      );
    }
  }

  #subscribeToAnswers(): Promise<void> {
    this.#answersSubscription ??= callRedis(this.#subscriber, 'command bus answers subscription', () =>
      this.#subscriber.subscribe(this.#keys.answers(this.instanceId)),
    ).then(
      () => undefined,
      (error: unknown) => {
        this.#answersSubscription = undefined;
        throw error;
      },
    );
    return this.#answersSubscription;
  }

  /** Refreshes the heartbeat; a failure is logged (Redis is down: the next beat tries again). */
  async #beat(): Promise<void> {
    if (this.#closed || this.#execute === undefined) return;
    try {
      await callRedis(this.#client, 'command bus heartbeat', () =>
        this.#client.set(
          this.#keys.instance(this.instanceId),
          String(Date.now()),
          'PX',
          this.#heartbeatTtlMs,
        ),
      );
    } catch (error) {
      this.#logger.warn({ error: toError(error).message }, 'command bus heartbeat failed');
    }
  }

  readonly #onReconnected = (): void => {
    void this.#beat();
  };

  #onMessage(channel: string, message: string): void {
    if (channel === this.#keys.commands(this.instanceId)) void this.#run(message);
    else if (channel === this.#keys.answers(this.instanceId)) this.#settle(message);
  }

  /** Runs a command from another instance and publishes its answer. */
  async #run(message: string): Promise<void> {
    const command = parseCommandMessage(message);
    const execute = this.#execute;
    if (command === undefined) {
      this.#logger.warn({ bytes: message.length }, 'command bus dropped a message that is not a command');
      return;
    }
    if (execute === undefined) return;
    let answer: AnswerMessage;
    try {
      await execute(command.callId, command.command);
      answer = { requestId: command.requestId, ok: true };
    } catch (error) {
      answer = {
        requestId: command.requestId,
        ok: false,
        code: error instanceof CallCommandError ? error.code : 'command-failed',
        message: toError(error).message,
      };
    }
    if (this.#closed) return; // closed while the command ran: its sender fails by its timeout
    try {
      await callRedis(this.#client, 'command bus answer', () =>
        this.#client.publish(this.#keys.answers(command.from), JSON.stringify(answer)),
      );
    } catch (error) {
      this.#logger.warn(
        { callId: command.callId, error: toError(error).message },
        'command bus could not answer a command (its sender will time out)',
      );
    }
  }

  /** Settles the send an answer is for. */
  #settle(message: string): void {
    const answer = parseAnswerMessage(message);
    if (answer === undefined) {
      this.#logger.warn({ bytes: message.length }, 'command bus dropped a message that is not an answer');
      return;
    }
    const pending = this.#pending.get(answer.requestId);
    if (pending === undefined) return; // timed out already
    if (answer.ok) {
      this.#pending.delete(answer.requestId);
      clearTimeout(pending.timer);
      pending.resolve();
      return;
    }
    this.#fail(answer.requestId, new CallCommandError(answer.code, pending.callId, answer.message));
  }

  #fail(requestId: string, error: CallCommandError): void {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return;
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    pending.reject(error);
  }
}

function storeUnavailable(callId: string, error: unknown): CallCommandError {
  return new CallCommandError('store-unavailable', callId, toError(error).message, { cause: error });
}

/** A command message from the wire, or undefined when it is not one (never throws). */
function parseCommandMessage(message: string): CommandMessage | undefined {
  const value = parseJson(message);
  if (
    typeof value?.requestId !== 'string' ||
    typeof value.from !== 'string' ||
    typeof value.callId !== 'string' ||
    typeof value.command !== 'object' ||
    value.command === null ||
    typeof (value.command as { type?: unknown }).type !== 'string'
  ) {
    return undefined;
  }
  return value as unknown as CommandMessage;
}

/** An answer message from the wire, or undefined when it is not one (never throws). */
function parseAnswerMessage(message: string): AnswerMessage | undefined {
  const value = parseJson(message);
  if (typeof value?.requestId !== 'string') return undefined;
  if (value.ok === true) return { requestId: value.requestId, ok: true };
  if (value.ok !== false) return undefined;
  const code = typeof value.code === 'string' && ERROR_CODES.has(value.code) ? value.code : 'command-failed';
  return {
    requestId: value.requestId,
    ok: false,
    code: code as CallCommandErrorCode,
    message: typeof value.message === 'string' ? value.message : 'the command failed',
  };
}

function parseJson(message: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(message);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
