/**
 * What this process holds, to check that hostile clients leave nothing behind: the heap after a
 * full garbage collection, and the open file descriptors.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * A full garbage collection. Vitest's workers do not run with `--expose-gc`; the flag can be set
 * at run time, and a new context then sees `gc`.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  collect();
}

/** Heap used after a full collection, in bytes. */
export function heapUsedAfterGc(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Open file descriptors of this process (Linux: the entries of /proc/self/fd). */
export function openFileDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}
