/**
 * How a {@link CallDirectory} merges a `put` into the record it already has. Shared by every
 * directory so that the in-memory and Redis ones agree: a carrier's first webhook can arrive
 * before the answer to our dial request, and the two writes may come from different instances.
 */
import type { SharedCallRecord } from './call-directory.js';

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
