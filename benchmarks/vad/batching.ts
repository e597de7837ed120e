/**
 * Batched against unbatched Silero VAD, in the same run: N calls (10, 50, 100) paced in real
 * time (paced-load.ts), each analyzer unbatched (one onnxruntime run per window on the main
 * thread), batched on the main thread, or batched in a worker thread (SileroBatchScheduler,
 * default maxWaitMs and maxBatchSize). The modes take turns: every repetition runs every mode at
 * every N, in a rotated order, so load from other processes falls on all of them alike. Calls'
 * windows are out of step (see the warm-up), as for calls that started at different times.
 *
 * Reported per mode and N: CPU ms per call-second (process CPU time, all threads, over N × audio
 * seconds; median of the repetitions; also less what the paced timers cost with no call, a
 * fixed cost that would otherwise be spread over the calls), per-window latency p50/p99 (the
 * frames' analyze() calls that completed a window; the median over repetitions of each
 * repetition's p50 and p99, so one repetition stalled by other processes does not decide them),
 * event-loop delay p99, the share of time the JavaScript thread was busy (a worker's inference is
 * not in it), mean batch size, and the CPU ratio to unbatched at the same N.
 */
import type { VADAnalyzer } from '@voxline/audio';
// The benchmarks package does not depend on @voxline/silero; its public entry is imported by path.
import { SileroBatchScheduler, SileroVADAnalyzer } from '../../packages/silero/src/index.js';
import { type BenchmarkRow, percentile } from '../lib/report.js';
import { pacedLoad } from './paced-load.js';

type Rate = 8000 | 16000;

interface Mode {
  name: string;
  scheduler: SileroBatchScheduler | undefined;
}

interface Measured {
  cpuMsPerCallSecond: number[];
  /** The same, less what the paced timers cost with no call over the run's wall time. */
  netCpuMsPerCallSecond: number[];
  /** Per repetition: p50 and p99 of the window latencies, and their count. */
  latencyP50Ms: number[];
  latencyP99Ms: number[];
  latencySamples: number;
  loopDelayP99Ms: number[];
  mainThreadBusy: number[];
  windows: number;
  batches: number;
}

function framesOf(pcm: Int16Array, size: number): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let offset = 0; offset + size <= pcm.length; offset += size)
    frames.push(pcm.subarray(offset, offset + size));
  return frames;
}

/** Rows comparing batched and unbatched Silero at each rate and call count. */
export async function batchingRows(options: {
  quick: boolean;
  load: (sampleRate: Rate) => Int16Array;
  /** CPU ms per wall second of the paced timers with no call (the harness's own cost). */
  idleCpuMsPerSecond: number;
}): Promise<BenchmarkRow[]> {
  const { quick } = options;
  const callCounts = quick ? [10] : [10, 50, 100];
  const repetitions = quick ? 1 : 5;
  const seconds = quick ? 1 : 5;
  const rows: BenchmarkRow[] = [];
  for (const sampleRate of [8000, 16000] as const) {
    const frames = framesOf(options.load(sampleRate), sampleRate / 50);
    const modes: Mode[] = [
      { name: 'unbatched', scheduler: undefined },
      { name: 'batched, main thread', scheduler: new SileroBatchScheduler({ inference: 'main-thread' }) },
      { name: 'batched, worker', scheduler: new SileroBatchScheduler({ inference: 'worker' }) },
    ];
    const results = new Map<string, Measured>();
    const key = (mode: Mode, calls: number) => `${mode.name}/${calls}`;
    for (let repetition = 0; repetition < repetitions; repetition++) {
      for (const calls of callCounts) {
        for (let turn = 0; turn < modes.length; turn++) {
          const mode = modes[(turn + repetition) % modes.length]!;
          const analyzers: VADAnalyzer[] = await Promise.all(
            Array.from({ length: calls }, () =>
              SileroVADAnalyzer.create({ sampleRate, batching: mode.scheduler ?? false }),
            ),
          );
          // Warm-up, not paced (allocates batches, first runs): 1 s per call plus i mod 8 frames,
          // so that the calls' 32 ms windows end in different 20 ms frames, as for calls that
          // started at different times (5 windows per 8 frames), rather than all in the same frames.
          for (let f = 0; f < 58; f++) {
            await Promise.all(
              analyzers.filter((_, i) => f < 50 + (i % 8)).map((analyzer) => analyzer.analyze(frames[f]!)),
            );
          }
          const windowsBefore = mode.scheduler?.windowsRun ?? 0;
          const batchesBefore = mode.scheduler?.batchesRun ?? 0;
          const paced = await pacedLoad(analyzers, frames, seconds);
          let measured = results.get(key(mode, calls));
          if (measured === undefined) {
            measured = {
              cpuMsPerCallSecond: [],
              netCpuMsPerCallSecond: [],
              latencyP50Ms: [],
              latencyP99Ms: [],
              latencySamples: 0,
              loopDelayP99Ms: [],
              mainThreadBusy: [],
              windows: 0,
              batches: 0,
            };
            results.set(key(mode, calls), measured);
          }
          measured.cpuMsPerCallSecond.push(paced.cpuMsPerCallSecond);
          measured.netCpuMsPerCallSecond.push(
            (paced.cpuMs - options.idleCpuMsPerSecond * paced.wallSeconds) / (calls * seconds),
          );
          measured.latencyP50Ms.push(percentile(paced.windowLatenciesMs, 50));
          measured.latencyP99Ms.push(percentile(paced.windowLatenciesMs, 99));
          measured.latencySamples += paced.windowLatenciesMs.length;
          measured.loopDelayP99Ms.push(paced.p99DelayMs);
          measured.mainThreadBusy.push(paced.mainThreadBusy);
          measured.windows += (mode.scheduler?.windowsRun ?? 0) - windowsBefore;
          measured.batches += (mode.scheduler?.batchesRun ?? 0) - batchesBefore;
          console.log(
            `Silero ${sampleRate} Hz, ${calls} calls, ${mode.name}: ${paced.cpuMsPerCallSecond.toFixed(2)} CPU ms/call-s, window latency p50 ${percentile(paced.windowLatenciesMs, 50).toFixed(2)} ms p99 ${percentile(paced.windowLatenciesMs, 99).toFixed(2)} ms`,
          );
        }
      }
    }
    for (const calls of callCounts) {
      const unbatched = results.get(key(modes[0]!, calls))!;
      const unbatchedCpu = percentile(unbatched.cpuMsPerCallSecond, 50);
      const unbatchedNetCpu = percentile(unbatched.netCpuMsPerCallSecond, 50);
      for (const mode of modes) {
        const measured = results.get(key(mode, calls))!;
        const cpu = percentile(measured.cpuMsPerCallSecond, 50);
        const netCpu = percentile(measured.netCpuMsPerCallSecond, 50);
        rows.push({
          benchmark: 'vad',
          case: `Silero VAD ${sampleRate / 1000} kHz, ${calls} calls paced, ${mode.name}: per-window latency`,
          unit: 'ms',
          p50: percentile(measured.latencyP50Ms, 50),
          p99: percentile(measured.latencyP99Ms, 50),
          samples: measured.latencySamples,
          extra: {
            'CPU ms per call-second (median)': cpu,
            'CPU ms per call-second (runs)': measured.cpuMsPerCallSecond
              .map((value) => value.toFixed(2))
              .join(', '),
            'CPU ms per call-second, less idle timers (median)': netCpu,
            'window latency p99 ms (runs)': measured.latencyP99Ms.map((value) => value.toFixed(1)).join(', '),
            'paced: loop delay p99 ms (median)': percentile(measured.loopDelayP99Ms, 50),
            'JavaScript thread busy (median)': `${(percentile(measured.mainThreadBusy, 50) * 100).toFixed(1)}%`,
            'mean batch size': mode.scheduler === undefined ? 1 : measured.windows / measured.batches,
          },
          ratio:
            mode.scheduler === undefined
              ? undefined
              : `${(unbatchedCpu / cpu).toFixed(2)}× less CPU than unbatched (${(unbatchedNetCpu / netCpu).toFixed(2)}× less idle timers)`,
        });
      }
    }
    for (const mode of modes) await mode.scheduler?.close();
  }
  return rows;
}
