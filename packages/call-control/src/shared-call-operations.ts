/**
 * What a carrier's call flow does differently when it is one of several instances: it finds calls
 * through the shared directory, hands each call event to the instance that holds the call's media
 * socket, and sends the commands that must go once (answer, record_start, the hang-up after a left
 * message) only after claiming them in the shared de-duplication store.
 *
 * With no router and no de-duplication store (the defaults), each operation is what one process
 * did before: local sessions, local delivery, every command sent.
 */
import { type Logger, toError } from '@voxline/core';
import type { Carrier } from '@voxline/telephony';
import type { AfterReplyWork } from './after-reply-work.js';
import type { CallControlEvent } from './call-control-events.js';
import type { CallControlSession, CallControlSessionInit } from './call-control-session.js';
import type { CallRegistry } from './call-registry.js';
import type { CallCommandRouter } from './shared-state/call-command-router.js';
import {
  COMMAND_KEY_TTL_MS,
  commandKey,
  type DeduplicationStore,
} from './shared-state/deduplication-store.js';
import { runWebhookCommand } from './webhook-command.js';

/** Options of {@link SharedCallOperations}. */
export interface SharedCallOperationsOptions {
  carrier: Carrier;
  registry: CallRegistry;
  /** Where commands for other instances' calls go; default none (every call is this process's). */
  router?: CallCommandRouter;
  /** Where once-only commands are claimed; default none (every command is sent). */
  deduplication?: DeduplicationStore;
  /** The call flow's after-reply work: forwarded events run on it, so `idle()` waits for them. */
  work: AfterReplyWork;
  logger: Logger;
}

/** A call flow's operations on shared state; see the module comment. */
export class SharedCallOperations {
  readonly #carrier: Carrier;
  readonly #registry: CallRegistry;
  readonly #router: CallCommandRouter | undefined;
  readonly #deduplication: DeduplicationStore | undefined;
  readonly #work: AfterReplyWork;
  readonly #logger: Logger;

  constructor(options: SharedCallOperationsOptions) {
    this.#carrier = options.carrier;
    this.#registry = options.registry;
    this.#router = options.router;
    this.#deduplication = options.deduplication;
    this.#work = options.work;
    this.#logger = options.logger;
  }

  /**
   * The call's session: this process's, else opened from the shared directory. An unreachable
   * directory is logged and this process's answer (undefined) returned: never throws.
   */
  async lookup(callId: string): Promise<CallControlSession | undefined> {
    try {
      return await this.#registry.lookup(callId);
    } catch (error) {
      this.#logger.warn(
        { carrier: this.#carrier, callId, err: toError(error) },
        'the shared call directory is unreachable: using this instance’s calls only',
      );
      return this.#registry.get(callId);
    }
  }

  /** {@link lookup} by our reference of the call. Never throws. */
  async lookupByReference(reference: string): Promise<CallControlSession | undefined> {
    try {
      return await this.#registry.lookupByReference(reference);
    } catch (error) {
      this.#logger.warn(
        { carrier: this.#carrier, reference, err: toError(error) },
        'the shared call directory is unreachable: using this instance’s calls only',
      );
      return this.#registry.findByReference(reference);
    }
  }

  /**
   * Opens the call's session and waits until the shared directory has it (so its media stream is
   * accepted on any instance). An unreachable directory is logged, and the session returned anyway:
   * the call is still answered (a stream token, or the stream reaching this instance, proves it).
   */
  async register(init: CallControlSessionInit): Promise<CallControlSession> {
    try {
      return await this.#registry.register(init);
    } catch (error) {
      this.#logger.warn(
        { carrier: this.#carrier, callId: init.callId, err: toError(error) },
        'the call could not be written to the shared call directory: its stream must reach this instance',
      );
      return this.#registry.open(init);
    }
  }

  /**
   * Delivers `event` to its call's session here (through the registry: a `hangup` removes the call)
   * and, when another instance holds the call's media socket, to that instance's session too
   * (`deliver-event` over the router, after the reply; a failure is logged).
   */
  async deliver(event: CallControlEvent): Promise<CallControlSession | undefined> {
    const holder = await this.#remoteMediaInstance(event.callId);
    const router = this.#router;
    if (holder !== undefined && router !== undefined) {
      // Started before the local delivery: a hang-up removes the call from the directory, and the
      // router reads the directory first (the store runs the two in the order they were issued).
      const forwarded = router.send(event.callId, { type: 'deliver-event', event });
      // Marked handled at once; the tracked work below still logs a failure.
      forwarded.catch(() => {});
      this.#work.run(
        { carrier: this.#carrier, callId: event.callId, event: event.type, instance: holder },
        () => forwarded,
      );
    }
    return this.#registry.deliver(event);
  }

  /**
   * Runs a call-control command that must be sent once across the deployment: claims
   * `command:<carrier>:<call id>:<command>` first and skips the command when another instance (or an
   * earlier event) claimed it. A failed command drops its claim and is logged, not thrown. When the
   * store is unreachable, the command is sent anyway (a duplicate answer is refused by the carrier;
   * a missing one loses the call).
   */
  async once(callId: string, command: string, run: () => Promise<unknown>): Promise<void> {
    const store = this.#deduplication;
    const key = commandKey(this.#carrier, callId, command);
    if (store !== undefined) {
      let first = true;
      try {
        first = await store.claim(key, COMMAND_KEY_TTL_MS);
      } catch (error) {
        this.#logger.warn(
          { carrier: this.#carrier, callId, command, err: toError(error) },
          'the de-duplication store is unreachable: sending the command unclaimed',
        );
      }
      if (!first) {
        this.#logger.info({ carrier: this.#carrier, callId, command }, 'command already sent for this call');
        return;
      }
    }
    await this.command(callId, command, async () => {
      try {
        return await run();
      } catch (error) {
        await store?.release(key).catch(() => {});
        throw error;
      }
    });
  }

  /** Runs a command for a webhook; logs a failure instead of throwing it (the webhook is answered). */
  command(callId: string, command: string, run: () => Promise<unknown>): Promise<void> {
    return runWebhookCommand({ carrier: this.#carrier, callId, command, logger: this.#logger }, run);
  }

  /** The instance holding the call's media socket when it is another one; undefined otherwise. */
  async #remoteMediaInstance(callId: string): Promise<string | undefined> {
    const router = this.#router;
    const directory = this.#registry.directory;
    if (router === undefined || directory === undefined) return undefined;
    try {
      const holder = (await directory.get(callId))?.mediaInstance;
      return holder === undefined || holder === '' || holder === router.instanceId ? undefined : holder;
    } catch (error) {
      this.#logger.warn(
        { carrier: this.#carrier, callId, err: toError(error) },
        'the shared call directory is unreachable: the event stays on this instance',
      );
      return undefined;
    }
  }
}
