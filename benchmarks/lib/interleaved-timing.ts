/**
 * Timing several implementations of the same per-frame operation side by side: warm-up, then
 * repeated runs in which the implementations take turns, so that a slow spell of a shared machine
 * (other processes, frequency changes) is spread over all of them instead of landing on one.
 *
 * Each sample is one batch of `batch` calls timed with `process.hrtime.bigint()`, divided by the
 * batch size, less the median cost of the two clock reads (measured here, per batch). A batch of 1
 * times every call; operations much cheaper than a clock read (~50 ns) need larger batches.
 */
import { percentile } from './report.js';

/** One implementation to time: `operation(index)` does the work for call number `index`. */
export interface TimedCase {
  readonly name: string;
  readonly operation: (index: number) => void;
}

/** Per-call samples and per-run summaries of one case, in ns per call. */
export interface TimedResult {
  readonly name: string;
  /** Every sample of every run, ns per call. */
  readonly samples: number[];
  /** Median of each run, ns per call. */
  readonly runMedians: number[];
  readonly p50: number;
  readonly p99: number;
  /** Interquartile range of the run medians: how much the median moved between runs. */
  readonly runIqr: number;
}

export interface InterleavedTimingOptions {
  /** Calls per case before any run, unmeasured (JIT warm-up). */
  warmupCalls: number;
  /** Runs; in each, every case is timed once, in turn. */
  runs: number;
  /** Samples per case per run. */
  samplesPerRun: number;
  /** Calls per sample. */
  batch: number;
}

/** Median ns of two back-to-back `hrtime.bigint()` reads. */
export function clockReadCostNs(): number {
  const costs: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const start = process.hrtime.bigint();
    costs.push(Number(process.hrtime.bigint() - start));
  }
  return percentile(costs, 50);
}

/** Times `cases` in interleaved runs; results in the order of `cases`. */
export function timeInterleaved(
  cases: readonly TimedCase[],
  options: InterleavedTimingOptions,
): TimedResult[] {
  const { warmupCalls, runs, samplesPerRun, batch } = options;
  const clockCost = clockReadCostNs();
  const next = cases.map(() => 0);
  for (const [c, timedCase] of cases.entries()) {
    for (let i = 0; i < warmupCalls; i++) timedCase.operation(next[c]!++);
  }
  const samples = cases.map(() => [] as number[]);
  const runMedians = cases.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [c, timedCase] of cases.entries()) {
      const operation = timedCase.operation;
      const runSamples = new Array<number>(samplesPerRun);
      let index = next[c]!;
      for (let s = 0; s < samplesPerRun; s++) {
        const start = process.hrtime.bigint();
        for (let i = 0; i < batch; i++) operation(index++);
        runSamples[s] = (Number(process.hrtime.bigint() - start) - clockCost) / batch;
      }
      next[c] = index;
      samples[c]!.push(...runSamples);
      runMedians[c]!.push(percentile(runSamples, 50));
    }
  }
  return cases.map((timedCase, c) => ({
    name: timedCase.name,
    samples: samples[c]!,
    runMedians: runMedians[c]!,
    p50: percentile(samples[c]!, 50),
    p99: percentile(samples[c]!, 99),
    runIqr: percentile(runMedians[c]!, 75) - percentile(runMedians[c]!, 25),
  }));
}
