/**
 * The {@link CallDirectory} of one process: a Map, bounded in size and age. The default; enough
 * whenever a call's webhooks and media stream reach the same process.
 */
import { InvalidOptionError } from '@voxline/core';
import type { CallDirectory, SharedCallRecord, SharedCallUpdate } from './call-directory.js';
import { mergeCallRecord } from './merge-call-record.js';

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
    this.#capacity = positiveInteger('capacity', options.capacity ?? 10_000);
    this.#ttlMs = positiveInteger('ttlMs', options.ttlMs ?? 4 * 3_600_000);
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
    const stored = { ...existing, ...definedFields(update), updatedAt: this.#now() };
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

function definedFields(update: SharedCallUpdate): SharedCallUpdate {
  return Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined));
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(option, `${option} must be a positive integer, got ${value}`);
  }
  return value;
}
