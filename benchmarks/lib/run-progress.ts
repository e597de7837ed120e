/**
 * The benchmark runner's progress lines (on stderr, so the results on stdout stay clean): which
 * benchmark, i of n, and how long it and the whole run have taken.
 */

/** `45 s`, `3 min 05 s`, `1 h 02 min`: whole seconds, as a person reads a stopwatch. */
export function formatElapsed(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Where the run is: one benchmark of `count`, numbered from 1. */
export interface RunPosition {
  name: string;
  /** 1-based. */
  index: number;
  count: number;
}

const prefix = (position: RunPosition) => `[${position.index}/${position.count}] ${position.name}`;

/** When a benchmark starts: `[3/9] hop: starting (run 4 min 10 s so far)`. */
export function startedLine(position: RunPosition, runElapsedMs: number): string {
  return `${prefix(position)}: starting (run ${formatElapsed(runElapsedMs)} so far)`;
}

/** While it runs, now and then: `[3/9] hop: running for 1 min 00 s (run 5 min 10 s)`. */
export function runningLine(position: RunPosition, benchmarkElapsedMs: number, runElapsedMs: number): string {
  return `${prefix(position)}: running for ${formatElapsed(benchmarkElapsedMs)} (run ${formatElapsed(runElapsedMs)})`;
}

/** When it ends: `[3/9] hop: done in 1 min 12 s (run 5 min 22 s)`, or `failed (exit 1) after …`. */
export function finishedLine(
  position: RunPosition,
  exitCode: number | null,
  benchmarkElapsedMs: number,
  runElapsedMs: number,
): string {
  const outcome = exitCode === 0 ? 'done in' : `failed (exit ${exitCode ?? 'by signal'}) after`;
  return `${prefix(position)}: ${outcome} ${formatElapsed(benchmarkElapsedMs)} (run ${formatElapsed(runElapsedMs)})`;
}
