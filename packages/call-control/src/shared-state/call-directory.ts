/**
 * The calls of a deployment, shared by every instance that serves it: which call is ours, its
 * reference and context, its state, and which instance holds its media socket.
 *
 * One process keeps each call's `CallControlSession` (with its event listeners) in its own
 * `CallRegistry`; the directory is what the instances share, so that a webhook handled on instance
 * A and a media stream connected to instance B find the same call. With one process, the in-memory
 * directory (the default) is enough; with several, a Redis directory (`redisSharedState`) is.
 */
import type { Carrier } from '@voxline/telephony';
import type { CallDirection } from '../call-control-events.js';
import type { CallContext, CallState } from '../call-control-session.js';

/** What the directory keeps of one call (small JSON; no secrets). */
export interface SharedCallRecord {
  carrier: Carrier;
  /** The carrier's call id (Telnyx `call_control_id`, Twilio `CallSid`, Plivo `CallUUID`). */
  callId: string;
  /** Our id of the call (a UUID): carried in Telnyx `client_state`, names recordings. */
  reference: string;
  direction: CallDirection;
  /** Caller number (E.164), when known. */
  from?: string;
  /** Callee number (E.164), when known. */
  to?: string;
  context: CallContext;
  /** The tenant the call belongs to, when the deployment has several. */
  tenant?: string;
  state: CallState;
  /**
   * Id of the instance whose process holds the call's media socket, once a stream connected; `''`
   * after that instance released it (the stream closed).
   */
  mediaInstance?: string;
  /** When the record was last written, in ms since the epoch. */
  updatedAt: number;
}

/** The fields {@link CallDirectory.update} may change. */
export type SharedCallUpdate = Partial<Pick<SharedCallRecord, 'state' | 'mediaInstance' | 'from' | 'to'>>;

/**
 * The shared calls; see the module comment. Every method may reject when the store is unreachable
 * (a Redis directory rejects with the client's error while it reconnects); callers decide whether
 * to fail the request or go on with what they know locally.
 */
export interface CallDirectory {
  /**
   * Records a call; when it exists, fills in what it lacked (`from`, `to`, context fields) and
   * keeps its state and media instance. Resolves with the record as stored.
   */
  put(record: Omit<SharedCallRecord, 'updatedAt'>): Promise<SharedCallRecord>;
  /** The call, by the carrier's call id; undefined when unknown or expired. */
  get(callId: string): Promise<SharedCallRecord | undefined>;
  /** The call with this reference; undefined when unknown or expired. */
  findByReference(reference: string): Promise<SharedCallRecord | undefined>;
  /** Changes a known call; resolves with the new record, or undefined when the call is unknown. */
  update(callId: string, update: SharedCallUpdate): Promise<SharedCallRecord | undefined>;
  /** Forgets a call (after its hang-up). */
  remove(callId: string): Promise<void>;
  /** Calls recorded (an in-memory directory: this process's; Redis: counted by a scan, slow). */
  size(): Promise<number>;
  /** Releases the connection, if the directory owns one. */
  close(): Promise<void>;
}
