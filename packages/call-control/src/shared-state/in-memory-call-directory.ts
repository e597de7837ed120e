/**
 * The {@link CallDirectory} of one process: a Map, bounded in size and age. The default; enough
 * whenever a call's webhooks and media stream reach the same process.
 */
import type { CallDirectory, SharedCallRecord, SharedCallUpdate } from './call-directory.js';
import { mergeCallRecord, updateCallRecord } from './merge-call-record.js';
import { positiveIntegerOption } from './positive-integer-option.js';

/** Options of an {@link InMemoryCallDirectory}. */
export interface InMemoryCallDirectoryOptions {
  /** Most calls kept; the oldest is forgotten first. Default 10,000. */
  capacity?: number;
  /** How long a call is kept after its last write, in ms; default 14,400,000 (4 h). */
  ttlMs?: number;
  /** Time source, in ms since the epoch; default `Date.now`. */
  now?: () => number;
}

/** The in-memory {@link CallDirectory}; see the module comment. */
export class InMemoryCallDirectory implements CallDirectory {
  /** Records by call id, least recently written first (re-inserted on every write). */
  readonly #calls = new Map<string, SharedCallRecord>();
  readonly #capacity: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** @throws {InvalidOptionError} if `capacity` or `ttlMs` is not a positive integer. */
  constructor(options: InMemoryCallDirectoryOptions = {}) {
    this.#capacity = positiveIntegerOption('capacity', options.capacity ?? 10_000);
    this.#ttlMs = positiveIntegerOption('ttlMs', options.ttlMs ?? 4 * 3_600_000);
    this.#now = options.now ?? Date.now;
  }

  async put(record: Omit<SharedCallRecord, 'updatedAt'>): Promise<SharedCallRecord> {
    const stored = mergeCallRecord(this.#live(record.callId), record, this.#now());
    this.#write(stored);
    return stored;
  }

  async get(callId: string): Promise<SharedCallRecord | undefined> {
    return this.#live(callId);
  }

  async findByReference(reference: string): Promise<SharedCallRecord | undefined> {
    for (const record of this.#calls.values()) {
      if (record.reference === reference) return this.#live(record.callId);
    }
    return undefined;
  }

  async update(callId: string, update: SharedCallUpdate): Promise<SharedCallRecord | undefined> {
    const existing = this.#live(callId);
    if (existing === undefined) return undefined;
    const stored = updateCallRecord(existing, update, this.#now());
    this.#write(stored);
    return stored;
  }

  async remove(callId: string): Promise<void> {
    this.#calls.delete(callId);
  }

  async size(): Promise<number> {
    return this.#calls.size;
  }

  async close(): Promise<void> {}

  /** The record of `callId` unless it expired (an expired one is dropped). */
  #live(callId: string): SharedCallRecord | undefined {
    const record = this.#calls.get(callId);
    if (record === undefined) return undefined;
    if (this.#now() - record.updatedAt <= this.#ttlMs) return record;
    this.#calls.delete(callId);
    return undefined;
  }

  #write(record: SharedCallRecord): void {
    this.#calls.delete(record.callId);
    this.#calls.set(record.callId, record);
    if (this.#calls.size > this.#capacity) {
      this.#calls.delete(this.#calls.keys().next().value as string);
    }
  }
}
