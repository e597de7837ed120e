/**
 * How a {@link CallDirectory} merges a `put` into the record it already has. Shared by every
 * directory so that the in-memory and Redis ones agree: a carrier's first webhook can arrive
 * before the answer to our dial request, and the two writes may come from different instances.
 */
import type { SharedCallRecord, SharedCallUpdate } from './call-directory.js';

/**
 * The record after writing `incoming` over `existing` at `now` (ms since the epoch): fields
 * `existing` lacked are filled in, its own `state` and `mediaInstance` are kept, and context fields
 * already set win over incoming ones.
 */
export function mergeCallRecord(
  existing: SharedCallRecord | undefined,
  incoming: Omit<SharedCallRecord, 'updatedAt'>,
  now: number,
): SharedCallRecord {
  if (existing === undefined) return { ...incoming, updatedAt: now };
  return {
    ...existing,
    from: existing.from ?? incoming.from,
    to: existing.to ?? incoming.to,
    tenant: existing.tenant ?? incoming.tenant,
    mediaInstance: existing.mediaInstance ?? incoming.mediaInstance,
    context: { ...incoming.context, ...existing.context },
    updatedAt: now,
  } as SharedCallRecord;
}

/**
 * The record after applying `update` to `existing` at `now` (ms since the epoch): the fields
 * `update` sets replace the record's; fields it leaves undefined are kept.
 */
export function updateCallRecord(
  existing: SharedCallRecord,
  update: SharedCallUpdate,
  now: number,
): SharedCallRecord {
  const changes = Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined));
  return { ...existing, ...changes, updatedAt: now };
}
