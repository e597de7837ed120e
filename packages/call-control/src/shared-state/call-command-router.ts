/**
 * Sends a command to a call wherever its media socket is. The instance that accepts a call's media
 * stream attaches the call (it becomes the call's `mediaInstance` in the shared directory); any
 * instance can then {@link CallCommandRouter.send} a command for the call: it runs here when the
 * socket is here, and crosses the bus to the holding instance otherwise.
 *
 * `deliver-event` commands are handled by the router itself: the event goes to the call's session
 * in this instance's `CallRegistry` (opened from the directory when this instance has none yet),
 * where the pipeline's listeners get it.
 */
import { defaultLogger, type Logger, toError } from '@voxline/core';
import type { CallRegistry } from '../call-registry.js';
import { type CallCommandBus, DEFAULT_CALL_COMMAND_TIMEOUT_MS } from './call-command-bus.js';
import { CallCommandError } from './call-command-error.js';
import type { CallDirectory } from './call-directory.js';
import type { MediaCallHandle, RemoteCallCommand } from './remote-call-command.js';

/** Options of a {@link CallCommandRouter}. */
export interface CallCommandRouterOptions {
  directory: CallDirectory;
  bus: CallCommandBus;
  /** This instance's sessions, for `deliver-event` commands. */
  registry: CallRegistry;
  logger?: Logger;
}

/** Routes commands to the instance holding each call's media; see the module comment. */
export class CallCommandRouter {
  readonly #directory: CallDirectory;
  readonly #bus: CallCommandBus;
  readonly #registry: CallRegistry;
  readonly #logger: Logger;
  /** The calls whose media socket this instance holds. */
  readonly #handles = new Map<string, MediaCallHandle>();

  constructor(options: CallCommandRouterOptions) {
    this.#directory = options.directory;
    this.#bus = options.bus;
    this.#registry = options.registry;
    this.#logger = options.logger ?? defaultLogger();
  }

  /** This instance's id on the bus. */
  get instanceId(): string {
    return this.#bus.instanceId;
  }

  /** Starts taking commands addressed to this instance. */
  start(): Promise<void> {
    return this.#bus.listen((callId, command) => this.#executeHere(callId, command));
  }

  /**
   * This instance holds the media socket of `callId`: commands for the call run with `handle`, and
   * the directory records this instance as the call's `mediaInstance` (when it knows the call).
   *
   * @throws whatever the directory throws when it is unreachable (the handle is attached anyway,
   *   so commands sent from this instance still work).
   */
  async attachMedia(callId: string, handle: MediaCallHandle): Promise<void> {
    this.#handles.set(callId, handle);
    await this.#directory.update(callId, { mediaInstance: this.instanceId });
  }

  /** The media socket of `callId` closed: commands for it fail with `no-media-stream` from now on. */
  async detachMedia(callId: string): Promise<void> {
    this.#handles.delete(callId);
    const record = await this.#directory.get(callId);
    if (record?.mediaInstance === this.instanceId) {
      // Only the holder clears it: a stream re-connected to another instance keeps its claim.
      await this.#directory.update(callId, { mediaInstance: '' });
    }
  }

  /** Calls whose media socket this instance holds. */
  get attachedCalls(): number {
    return this.#handles.size;
  }

  /**
   * Runs `command` on the call's pipeline, wherever its media socket is.
   *
   * @param options.timeoutMs - how long to wait for another instance; default 5,000.
   * @throws {CallCommandError} `call-not-found`, `no-media-stream`, `instance-gone`,
   *   `command-timeout`, `command-failed` or `store-unavailable`.
   */
  async send(
    callId: string,
    command: RemoteCallCommand,
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    if (this.#handles.has(callId)) return this.#executeHere(callId, command);
    let record: Awaited<ReturnType<CallDirectory['get']>>;
    try {
      record = await this.#directory.get(callId);
    } catch (error) {
      throw new CallCommandError(
        'store-unavailable',
        callId,
        `the call directory is unreachable: ${toError(error).message}`,
        { cause: error },
      );
    }
    if (record === undefined)
      throw new CallCommandError('call-not-found', callId, `no instance knows call ${callId}`);
    const holder = record.mediaInstance;
    if (holder === undefined || holder === '') {
      if (command.type === 'deliver-event') return this.#executeHere(callId, command);
      throw new CallCommandError('no-media-stream', callId, `call ${callId} has no media stream yet`);
    }
    if (holder === this.instanceId) return this.#executeHere(callId, command);
    await this.#bus.send(holder, callId, command, {
      timeoutMs: options.timeoutMs ?? DEFAULT_CALL_COMMAND_TIMEOUT_MS,
    });
  }

  async #executeHere(callId: string, command: RemoteCallCommand): Promise<void> {
    if (command.type === 'deliver-event') {
      await this.#deliverHere(callId, command.event);
      return;
    }
    const handle = this.#handles.get(callId);
    if (handle === undefined) {
      throw new CallCommandError(
        'no-media-stream',
        callId,
        `this instance holds no media stream of call ${callId}`,
      );
    }
    this.#logger.debug({ callId, command: command.type }, 'running a call command');
    await handle.execute(command);
  }

  async #deliverHere(callId: string, event: Parameters<CallRegistry['deliver']>[0]): Promise<void> {
    // The registry's own directory when it has one (it opens the session from the record without
    // writing it back); this router's directory otherwise.
    if (this.#registry.get(callId) === undefined) {
      if (this.#registry.directory !== undefined) {
        if ((await this.#registry.lookup(callId)) === undefined) return;
      } else {
        const record = await this.#directory.get(callId);
        if (record === undefined) return;
        this.#registry.open({
          carrier: record.carrier,
          callId,
          reference: record.reference,
          direction: record.direction,
          ...(record.from !== undefined ? { from: record.from } : {}),
          ...(record.to !== undefined ? { to: record.to } : {}),
          context: record.context,
        });
      }
    }
    this.#registry.deliver({ ...event, callId });
  }
}
