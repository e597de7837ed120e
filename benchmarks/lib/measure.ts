/**
 * Measuring helpers shared by the benchmarks: summaries of samples, bytes allocated per operation,
 * CPU time, and a note on how loaded the machine was (a shared 2-core machine inflates wall times).
 */
import { cpus, loadavg } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { percentile } from './report.js';

/** p50, p99, max and mean of some samples. */
export interface Summary {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  count: number;
}

/** Summarises `values` (NaN fields for none). */
export function summarize(values: readonly number[]): Summary {
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const value of values) {
    if (value > max) max = value;
    sum += value;
  }
  return {
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : max,
    mean: values.length === 0 ? Number.NaN : sum / values.length,
    count: values.length,
  };
}

/** Runs a full garbage collection when the process has `--expose-gc` (benchmarks/run.ts gives it). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Whether `--expose-gc` is on (allocation figures need it). */
export function canCollectGarbage(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/** Bytes held by the JavaScript heap plus the off-heap backing stores of ArrayBuffers and Buffers. */
function allocatedNow(): number {
  return getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;
}

/**
 * Bytes allocated per call of `operation`, measured as the growth of the heap (plus ArrayBuffer
 * backing stores) over windows of `perWindow` calls that no garbage collection interrupted. A
 * full collection runs before each window so the young generation starts empty; a window whose
 * total shrank (a scavenge ran inside it) is discarded. Returns the median over the kept windows,
 * or NaN when every window was interrupted (or without `--expose-gc`).
 *
 * @param operation - called with the call index; must do one unit of work (one frame).
 * @param perWindow - calls per window; small enough that a window fits in the young generation.
 * @param windows - windows to measure.
 */
export function bytesPerCall(operation: (index: number) => void, perWindow = 200, windows = 20): number {
  if (!canCollectGarbage()) return Number.NaN;
  const perCall: number[] = [];
  let index = 0;
  for (let window = 0; window < windows; window++) {
    collectGarbage();
    const before = allocatedNow();
    for (let i = 0; i < perWindow; i++) operation(index++);
    const grown = allocatedNow() - before;
    if (grown >= 0) perCall.push(grown / perWindow);
  }
  return perCall.length === 0 ? Number.NaN : percentile(perCall, 50);
}

/** The 1-minute load average and the core count, as a sentence for a result's notes. */
export function loadNote(when: string): string {
  const [load1] = loadavg();
  return `Machine load average (1 min) ${(load1 ?? 0).toFixed(1)} ${when} on ${cpus().length} cores`;
}

/** Process CPU time (user + system) in ms. */
export function cpuTimeMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

let timerOverheadMicroseconds: number | undefined;

/** Median cost in µs of the two clock reads that bracket one timed call. */
function timerOverhead(): number {
  if (timerOverheadMicroseconds === undefined) {
    const samples: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const start = performance.now();
      samples.push(performance.now() - start);
    }
    timerOverheadMicroseconds = percentile(samples, 50) * 1000;
  }
  return timerOverheadMicroseconds;
}

/**
 * Times each of `count` calls of `operation` with `performance.now()` and returns the durations in
 * µs, less the median cost of the clock reads themselves (so a result can be slightly negative
 * for a call cheaper than the reads' jitter).
 */
export function timeEachCall(operation: (index: number) => void, count: number, firstIndex = 0): number[] {
  const overhead = timerOverhead();
  const durations = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    operation(firstIndex + i);
    durations[i] = (performance.now() - start) * 1000 - overhead;
  }
  return durations;
}

/**
 * Wall-clock time in ms since the Unix epoch with sub-millisecond resolution, comparable between
 * processes on the same machine (both read the same system clock at their time origin and add a
 * monotonic offset).
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
