/**
 * Paced real-time VAD load: every call receives one 20 ms frame every 20 ms; calls are split
 * into 20 groups whose frames arrive 1 ms apart, as independent calls' packets would. Call i
 * starts its audio 37·i frames in, so the calls' speech is not in step.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { VADAnalyzer } from '@voxline/audio';

const PHASE_GROUPS = 20;

/** What one paced run measured. */
export interface PacedLoadResult {
  /** p99 and maximum event-loop delay in ms (monitorEventLoopDelay, 1 ms resolution). */
  p99DelayMs: number;
  maxDelayMs: number;
  /** Process CPU time (all threads) / wall time: 1 = one core. */
  coreShare: number;
  /**
   * Share of the run's wall time the JavaScript thread was busy (performance.eventLoopUtilization):
   * work a worker thread does is not in it.
   */
  mainThreadBusy: number;
  /** Wall time of the run in s. */
  wallSeconds: number;
  /** Process CPU time of the run in ms. */
  cpuMs: number;
  /** Process CPU ms per second of audio of one call. */
  cpuMsPerCallSecond: number;
  /**
   * Per-window latency in ms: from the `analyze()` call of each frame that completed a 32 ms
   * window to its result, which carries that window's decision.
   */
  windowLatenciesMs: number[];
}

/** Runs `analyzers` paced in real time for `seconds` over `frames` (20 ms each) and closes them. */
export async function pacedLoad(
  analyzers: readonly VADAnalyzer[],
  frames: readonly Int16Array[],
  seconds: number,
): Promise<PacedLoadResult> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const periods = seconds * 50;
  const windowLatenciesMs: number[] = [];
  const record = (start: number) => (result: { windows: number }) => {
    if (result.windows > 0) windowLatenciesMs.push(performance.now() - start);
  };
  // The last result of each call: awaited before the clocks stop, so every window fed is counted.
  const last: Promise<unknown>[] = analyzers.map(() => Promise.resolve());
  const cpuStart = process.cpuUsage();
  const utilizationStart = performance.eventLoopUtilization();
  const wallStart = process.hrtime.bigint();
  histogram.enable();
  await new Promise<void>((resolve) => {
    let groupsLeft = PHASE_GROUPS;
    for (let group = 0; group < PHASE_GROUPS; group++) {
      const members = analyzers
        .map((analyzer, i) => ({ analyzer, i }))
        .filter(({ i }) => i % PHASE_GROUPS === group);
      let sent = 0;
      setTimeout(() => {
        const timer = setInterval(() => {
          for (const { analyzer, i } of members) {
            const frame = frames[(sent + 37 * i) % frames.length]!;
            last[i] = analyzer.analyze(frame).then(record(performance.now()), () => {});
          }
          if (++sent === periods) {
            clearInterval(timer);
            if (--groupsLeft === 0) resolve();
          }
        }, 20);
      }, group);
    }
  });
  await Promise.all(last);
  histogram.disable();
  const cpu = process.cpuUsage(cpuStart);
  const utilization = performance.eventLoopUtilization(utilizationStart);
  const wallMicros = Number(process.hrtime.bigint() - wallStart) / 1000;
  for (const analyzer of analyzers) analyzer.close();
  const cpuMicros = cpu.user + cpu.system;
  return {
    p99DelayMs: histogram.percentile(99) / 1e6,
    maxDelayMs: histogram.max / 1e6,
    coreShare: cpuMicros / wallMicros,
    mainThreadBusy: utilization.utilization,
    wallSeconds: wallMicros / 1e6,
    cpuMs: cpuMicros / 1000,
    cpuMsPerCallSecond: analyzers.length === 0 ? Number.NaN : cpuMicros / 1000 / (analyzers.length * seconds),
    windowLatenciesMs,
  };
}
