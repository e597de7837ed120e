/**
 * The calls in progress, keyed by the carrier's call id. Carrier call flows open a session when a
 * call starts (an inbound `call.initiated`, or our dial request), deliver events to it, and remove it
 * after the hang-up; the pipeline looks its call up with {@link CallRegistry.get}.
 */
import { defaultLogger, InvalidOptionError, type Logger } from '@voxline/core';
import { TypedEventEmitter } from '@voxline/core/processor-kit';
import type { CallControlEvent, CallHangupEvent, StoredRecording } from './call-control-events.js';
import { CallControlSession, type CallControlSessionInit } from './call-control-session.js';

/** Events of a {@link CallRegistry}. */
export type CallRegistryEvents = {
  /** A session was opened. */
  'call-started': [CallControlSession];
  /** A call ended; its session was removed from the registry just before. */
  'call-ended': [CallControlSession, CallHangupEvent];
  /** A recording was stored (usually after the call ended, when its session is gone). */
  'recording-stored': [StoredRecording];
};

/** Options of a {@link CallRegistry}. */
export interface CallRegistryOptions {
  /**
   * Most calls kept at once. When a carrier never reports a hang-up (a lost webhook), the oldest
   * session is dropped (with a warning) once this many are open. Default 10,000.
   */
  capacity?: number;
  /** Where warnings go; default the shared Voxline logger. */
  logger?: Logger;
}

/** The open calls; see the module comment. */
export class CallRegistry extends TypedEventEmitter<CallRegistryEvents> {
  readonly #sessions = new Map<string, CallControlSession>();
  readonly #capacity: number;
  readonly #logger: Logger;

  /** @throws {InvalidOptionError} if `capacity` is not a positive integer. */
  constructor(options: CallRegistryOptions = {}) {
    super();
    const capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('capacity', `capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
    this.#logger = options.logger ?? defaultLogger();
  }

  /** The session of a call in progress, by the carrier's call id (`CallInfo.callId`). */
  get(callId: string): CallControlSession | undefined {
    return this.#sessions.get(callId);
  }

  /** The session with this {@link CallControlSession.reference}, if its call is in progress. */
  findByReference(reference: string): CallControlSession | undefined {
    for (const session of this.#sessions.values()) if (session.reference === reference) return session;
    return undefined;
  }

  /**
   * The session of `init.callId`: the existing one (numbers and context it lacked are filled in: a
   * carrier's first webhook can arrive before the answer to our dial request), or a new one,
   * announced with `call-started`.
   */
  open(init: CallControlSessionInit): CallControlSession {
    const existing = this.#sessions.get(init.callId);
    if (existing !== undefined) {
      existing.from ??= init.from;
      existing.to ??= init.to;
      if (init.context !== undefined) existing.context = { ...init.context, ...existing.context };
      return existing;
    }
    const session = new CallControlSession({ logger: this.#logger, ...init });
    this.#sessions.set(init.callId, session);
    if (this.#sessions.size > this.#capacity) {
      const [oldestId, oldest] = this.#sessions.entries().next().value as [string, CallControlSession];
      this.#sessions.delete(oldestId);
      this.#logger.warn(
        { carrier: oldest.carrier, callId: oldestId, capacity: this.#capacity },
        'call registry full: dropping the oldest call (its hang-up was never reported)',
      );
    }
    this.emit('call-started', session);
    return session;
  }

  /**
   * Delivers an event to its call's session, if the call is known; after a `hangup` the session is
   * removed and `call-ended` emitted. Returns the session.
   */
  deliver(event: CallControlEvent): CallControlSession | undefined {
    const session = this.#sessions.get(event.callId);
    if (session === undefined) return undefined;
    session.deliver(event);
    if (event.type === 'hangup') {
      this.#sessions.delete(event.callId);
      this.emit('call-ended', session, event);
    }
    return session;
  }

  /** Announces a stored recording: `recording-stored` here, and on the session if it is still open. */
  recordingStored(recording: StoredRecording): void {
    this.#sessions.get(recording.callId)?.deliver({
      type: 'recording-stored',
      callId: recording.callId,
      recording,
    });
    this.emit('recording-stored', recording);
  }

  /** Calls in progress. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The sessions of the calls in progress, oldest first. */
  sessions(): IterableIterator<CallControlSession> {
    return this.#sessions.values();
  }

  protected override onListenerError(error: unknown, eventName: string): void {
    this.#logger.error({ err: error, event: eventName }, 'call registry listener threw');
  }
}
