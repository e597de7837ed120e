/**
 * The calls in progress, keyed by the carrier's call id. Carrier call flows open a session when a
 * call starts (an inbound `call.initiated`, or our dial request), deliver events to it, and remove it
 * after the hang-up; the pipeline looks its call up with {@link CallRegistry.get}.
 *
 * With a shared {@link CallDirectory} (several instances behind a load balancer), each call opened
 * here is also written to the directory, and {@link CallRegistry.lookup} finds a call another
 * instance opened: a webhook handled on instance A and a media stream connected to instance B then
 * meet on the same call. Without one, the registry knows this process's calls only.
 */
import { defaultLogger, InvalidOptionError, type Logger } from '@voxline/core';
import { TypedEventEmitter } from '@voxline/core/processor-kit';
import type { CallControlEvent, CallHangupEvent, StoredRecording } from './call-control-events.js';
import { CallControlSession, type CallControlSessionInit, type CallState } from './call-control-session.js';
import type { CallDirectory, SharedCallRecord } from './shared-state/call-directory.js';

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
  /**
   * The calls shared with the deployment's other instances (`SharedState.calls`). Default none:
   * this process's calls only.
   */
  directory?: CallDirectory;
  /** This instance's id (`SharedState.instanceId`), logged with directory failures. */
  instanceId?: string;
}

/** The open calls; see the module comment. */
export class CallRegistry extends TypedEventEmitter<CallRegistryEvents> {
  readonly #sessions = new Map<string, CallControlSession>();
  readonly #capacity: number;
  readonly #logger: Logger;
  readonly #directory: CallDirectory | undefined;
  /** This instance's id, when given. */
  readonly instanceId: string | undefined;

  /** @throws {InvalidOptionError} if `capacity` is not a positive integer. */
  constructor(options: CallRegistryOptions = {}) {
    super();
    const capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('capacity', `capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
    this.#logger = options.logger ?? defaultLogger();
    this.#directory = options.directory;
    this.instanceId = options.instanceId;
  }

  /** The shared directory, when the registry has one. */
  get directory(): CallDirectory | undefined {
    return this.#directory;
  }

  /** The session of a call in progress in this process, by the carrier's call id (`CallInfo.callId`). */
  get(callId: string): CallControlSession | undefined {
    return this.#sessions.get(callId);
  }

  /**
   * The session of a call in progress anywhere in the deployment: this process's, else one opened
   * here from the shared directory's record (announced with `call-started`); undefined when
   * neither knows the call.
   *
   * @throws whatever the directory throws when it is unreachable (no local session then).
   */
  async lookup(callId: string): Promise<CallControlSession | undefined> {
    const local = this.#sessions.get(callId);
    if (local !== undefined || this.#directory === undefined) return local;
    const record = await this.#directory.get(callId);
    if (record === undefined) return undefined;
    return this.#sessions.get(callId) ?? this.#openFromRecord(record);
  }

  /**
   * The session with this {@link CallControlSession.reference}, if its call is in progress in this
   * process. See {@link lookupByReference} for the deployment's calls.
   */
  findByReference(reference: string): CallControlSession | undefined {
    for (const session of this.#sessions.values()) if (session.reference === reference) return session;
    return undefined;
  }

  /**
   * {@link findByReference}, falling back to the shared directory (the session is then opened
   * here from its record).
   *
   * @throws whatever the directory throws when it is unreachable (no local session then).
   */
  async lookupByReference(reference: string): Promise<CallControlSession | undefined> {
    const local = this.findByReference(reference);
    if (local !== undefined || this.#directory === undefined) return local;
    const record = await this.#directory.findByReference(reference);
    if (record === undefined) return undefined;
    return this.#sessions.get(record.callId) ?? this.#openFromRecord(record);
  }

  /**
   * {@link open}, resolving once the call's record is in the shared directory: call flows await
   * it before they answer or dial, so a media stream that reaches another instance finds the call.
   *
   * @throws whatever the directory throws when it is unreachable (the session is open here anyway).
   */
  async register(init: CallControlSessionInit): Promise<CallControlSession> {
    const session = this.#openLocal(init);
    await this.#directory?.put(recordOf(session));
    return session;
  }

  /**
   * The session of `init.callId`: the existing one (numbers and context it lacked are filled in: a
   * carrier's first webhook can arrive before the answer to our dial request), or a new one,
   * announced with `call-started`. With a shared directory, a new call's record is written in the
   * background (a failure is logged); use {@link register} to wait for it.
   */
  open(init: CallControlSessionInit): CallControlSession {
    const known = this.#sessions.has(init.callId);
    const session = this.#openLocal(init);
    if (this.#directory !== undefined && !known) {
      this.#background(session.callId, 'put', this.#directory.put(recordOf(session)));
    }
    return session;
  }

  #openFromRecord(record: SharedCallRecord): CallControlSession {
    const session = this.#openLocal({
      carrier: record.carrier,
      callId: record.callId,
      reference: record.reference,
      direction: record.direction,
      ...(record.from !== undefined ? { from: record.from } : {}),
      ...(record.to !== undefined ? { to: record.to } : {}),
      context: record.context,
    });
    if (session.state === 'initiated' && record.state !== 'ended') session.state = record.state;
    return session;
  }

  #openLocal(init: CallControlSessionInit): CallControlSession {
    const existing = this.#sessions.get(init.callId);
    if (existing !== undefined) {
      existing.from ??= init.from;
      existing.to ??= init.to;
      if (init.context !== undefined) existing.context = { ...init.context, ...existing.context };
      return existing;
    }
    const session = new CallControlSession({ logger: this.#logger, ...init });
    if (this.#directory !== undefined) this.#shareStateChanges(session, this.#directory);
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
      if (this.#directory !== undefined) {
        this.#background(event.callId, 'remove', this.#directory.remove(event.callId));
      }
      this.emit('call-ended', session, event);
    }
    return session;
  }

  /**
   * Writes each state change of `session` to the shared directory (in the background), so that an
   * instance opening the call from its record later sees it ringing or answered. The end is not
   * written: the hang-up removes the record.
   */
  #shareStateChanges(session: CallControlSession, directory: CallDirectory): void {
    let shared: CallState = session.state;
    session.on('event', () => {
      const state = session.state;
      if (state === shared || state === 'ended') return;
      shared = state;
      this.#background(session.callId, 'update', directory.update(session.callId, { state }));
    });
  }

  /** Logs a failed directory write instead of throwing it: the local session is what this call uses. */
  #background(callId: string, operation: string, write: Promise<unknown>): void {
    write.catch((error: unknown) =>
      this.#logger.warn(
        { err: error, callId, operation, instance: this.instanceId },
        'the shared call directory could not be written',
      ),
    );
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

/** The directory record of a session. */
function recordOf(session: CallControlSession): Omit<SharedCallRecord, 'updatedAt'> {
  return {
    carrier: session.carrier,
    callId: session.callId,
    reference: session.reference,
    direction: session.direction,
    ...(session.from !== undefined ? { from: session.from } : {}),
    ...(session.to !== undefined ? { to: session.to } : {}),
    context: session.context,
    state: session.state,
  };
}
