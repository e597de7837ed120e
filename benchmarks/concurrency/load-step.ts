/**
 * One step of the concurrency search: N simultaneous echo calls against the server in this
 * process, from a carrier process (benchmarks/lib/carrier-load-client.ts), for a fixed time; then
 * what held and what it cost.
 *
 * "Holds real time" means: every call connected and stayed up, no caller frame in the measured
 * window was dropped (jitter buffer concealment, inbound drops, output mailbox) or left unsent
 * although its pacing slot came more than 20 ms before the hang-up, and the p99 of the latency the
 * server added beyond the pacing schedule is at most 20 ms (definitions in
 * benchmarks/lib/echo-latency.ts). Frames still queued for a later slot at the hang-up are not a
 * failure: a burst of arrivals (a late timer in the carrier process) fills the carrier's queue,
 * and an echo, whose input never pauses, keeps that backlog to the end by design.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AllocationMeter } from '../lib/allocation-meter.js';
import { runCarrierLoad } from '../lib/carrier-load.js';
import { DEFAULT_LEAD_MS, echoLatency } from '../lib/echo-latency.js';
import { type EchoServer, jitterStatsOf } from '../lib/echo-server.js';
import { collectGarbage, cpuTimeMs, epochMs, summarize } from '../lib/measure.js';
import type { BenchmarkRow } from '../lib/report.js';

/** Limit on the p99 of added latency for a step to hold real time, in ms. */
export const ADDED_LATENCY_LIMIT_MS = 20;

/** What one step measured. */
export interface StepResult {
  calls: number;
  held: boolean;
  /** Why it did not hold, in words; empty when it held. */
  failures: string[];
  added: { p50: number; p99: number; max: number };
  endToEnd: { p50: number; p99: number };
  arrivalWait: { p50: number; p99: number; max: number };
  /** Arrival jitter: |interval between consecutive arrivals of a call − 20 ms|, p99 over all calls. */
  arrivalJitterP99: number;
  framesMeasured: number;
  /** Caller frames dropped: concealed by the jitter buffer, dropped at input or by a full mailbox. */
  framesLost: number;
  /** Caller frames never echoed although their pacing slot came well before the hang-up. */
  framesOverdue: number;
  /** Caller frames never echoed because the hang-up came before their slot (a pacing backlog). */
  framesQueued: number;
  /** Server process CPU while streaming, in cores (1 = one core busy). */
  serverCores: number;
  /** Carrier process CPU while streaming, in cores. */
  carrierCores: number;
  /** Server resident memory growth over its idle baseline, per call, in MiB. */
  rssPerCallMiB: number;
  rssMiB: number;
  /** Server event-loop delay: median of the p99s of 250 ms intervals, and the largest delay, in ms. */
  eventLoopDelay: { p99: number; max: number };
  /**
   * Share of wall time the main thread was busy while streaming (`performance.eventLoopUtilization`):
   * near 1 the thread itself is saturated; well below 1 with late frames, the process was kept
   * from running (other processes on the machine).
   */
  eventLoopUtilization: number;
  carrierSendLatenessP99Ms: number;
  /**
   * Bytes the server process allocated per caller frame in the window (one 20 ms frame in and its
   * echo out, everything included: socket, parsing, pipeline, pacing, the benchmark's own timing).
   */
  bytesPerFrame: number;
  /** The measured window, in epoch ms. */
  window: { startEpochMs: number; endEpochMs: number };
}

function loopTimes(): { loopActiveMs: number; loopIdleMs: number } {
  const { active, idle } = performance.eventLoopUtilization();
  return { loopActiveMs: active, loopIdleMs: idle };
}

interface Sample {
  at: number;
  cpuMs: number;
  rss: number;
  /** Event-loop delay over the 250 ms before the sample, in ms. */
  loopDelayP99: number;
  loopDelayMax: number;
  /** Cumulative event-loop active and idle time, ms. */
  loopActiveMs: number;
  loopIdleMs: number;
  /** Bytes allocated by the process since the step started. */
  allocatedBytes: number;
}

/**
 * Runs `calls` simultaneous calls streaming for `streamMs` and measures the middle of the stream
 * (the first `warmupMs` and the last 300 ms are left out).
 */
export async function runLoadStep(
  server: EchoServer,
  calls: number,
  streamMs: number,
  warmupMs: number,
): Promise<StepResult> {
  server.clearCalls();
  collectGarbage();
  const baselineRss = process.memoryUsage().rss;
  const samples: Sample[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const allocation = new AllocationMeter();
  const sampler = setInterval(() => {
    samples.push({
      at: epochMs(),
      cpuMs: cpuTimeMs(),
      rss: process.memoryUsage().rss,
      loopDelayP99: loopDelay.percentile(99) / 1e6,
      loopDelayMax: loopDelay.max / 1e6,
      ...loopTimes(),
      allocatedBytes: allocation.allocatedBytes(),
    });
    loopDelay.reset();
  }, 250);
  const carrier = await runCarrierLoad({
    url: server.url,
    calls,
    streamMs,
    connectSpreadMs: Math.min(3000, calls * 5),
  });
  clearInterval(sampler);
  allocation.stop();
  loopDelay.disable();
  const deadline = Date.now() + 10_000;
  while (server.openSessions.size > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));

  const windowStart = carrier.streamStartedAt + warmupMs;
  const windowEnd = carrier.streamEndedAt - 300;
  const inWindow = samples.filter((sample) => sample.at >= windowStart && sample.at <= windowEnd);
  const first = inWindow[0];
  const last = inWindow.at(-1);
  const serverCores =
    first !== undefined && last !== undefined && last.at > first.at
      ? (last.cpuMs - first.cpuMs) / (last.at - first.at)
      : Number.NaN;
  const rss =
    inWindow.length > 0
      ? inWindow.reduce((sum, sample) => sum + sample.rss, 0) / inWindow.length
      : Number.NaN;
  const loopDelayP99 = summarize(inWindow.map((sample) => sample.loopDelayP99)).p50;
  const loopDelayMax = summarize(inWindow.map((sample) => sample.loopDelayMax)).max;
  const eventLoopUtilization =
    first !== undefined && last !== undefined
      ? (last.loopActiveMs - first.loopActiveMs) /
        (last.loopActiveMs - first.loopActiveMs + last.loopIdleMs - first.loopIdleMs)
      : Number.NaN;

  let framesInWindow = 0;
  for (const call of server.calls) {
    for (const at of call.receivedAt) if (at >= (first?.at ?? 0) && at <= (last?.at ?? 0)) framesInWindow++;
  }
  const bytesPerFrame =
    first !== undefined && last !== undefined && framesInWindow > 0
      ? (last.allocatedBytes - first.allocatedBytes) / framesInWindow
      : Number.NaN;

  const failures: string[] = [];
  const added: number[] = [];
  const endToEnd: number[] = [];
  const arrivalWait: number[] = [];
  const jitter: number[] = [];
  let framesMeasured = 0;
  let framesLost = 0;
  let framesOverdue = 0;
  let framesQueued = 0;
  const byStream = new Map(server.calls.map((call) => [call.streamId, call]));
  const failedCalls = carrier.calls.filter((call) => call.failed).length;
  if (failedCalls > 0) failures.push(`${failedCalls} calls failed or were closed early`);
  const skipFrames = Math.ceil(warmupMs / 20);
  for (const carrierCall of carrier.calls) {
    const call = byStream.get(carrierCall.streamId);
    if (call === undefined) {
      framesLost += carrierCall.sentAt.length;
      continue;
    }
    const paired = echoLatency(
      call,
      carrierCall,
      skipFrames,
      windowEnd,
      carrier.streamEndedAt + 300,
      ADDED_LATENCY_LIMIT_MS,
      DEFAULT_LEAD_MS,
      server.mediaMessageMs,
    );
    framesMeasured += paired.frames;
    framesOverdue += paired.overdue;
    framesQueued += paired.queued;
    for (const value of paired.added) added.push(value);
    for (const value of paired.endToEnd) endToEnd.push(value);
    for (const value of paired.arrivalWait) arrivalWait.push(value);
    for (let k = skipFrames + 1; k < call.receivedAt.length; k++) {
      if ((call.receivedAt[k] as number) > windowEnd) break;
      jitter.push(Math.abs((call.receivedAt[k] as number) - (call.receivedAt[k - 1] as number) - 20));
    }
    const counters = call.transport.counters;
    framesLost += counters.inboundFramesDropped + (jitterStatsOf(call.transport)?.lost ?? 0);
    framesLost += call.processors.reduce((sum, processor) => sum + processor.droppedFrames, 0);
  }
  if (framesLost > 0) failures.push(`${framesLost} frames dropped`);
  if (framesOverdue > 0) failures.push(`${framesOverdue} frames overdue at the hang-up`);
  const addedSummary = summarize(added);
  if (!(addedSummary.p99 <= ADDED_LATENCY_LIMIT_MS)) {
    failures.push(`p99 added latency ${addedSummary.p99.toFixed(1)} ms > ${ADDED_LATENCY_LIMIT_MS} ms`);
  }
  const endToEndSummary = summarize(endToEnd);
  const arrivalSummary = summarize(arrivalWait);
  const streamedMs = carrier.streamEndedAt - carrier.streamStartedAt;
  return {
    calls,
    held: failures.length === 0,
    failures,
    added: { p50: addedSummary.p50, p99: addedSummary.p99, max: addedSummary.max },
    endToEnd: { p50: endToEndSummary.p50, p99: endToEndSummary.p99 },
    arrivalWait: { p50: arrivalSummary.p50, p99: arrivalSummary.p99, max: arrivalSummary.max },
    arrivalJitterP99: summarize(jitter).p99,
    framesMeasured,
    framesLost,
    framesOverdue,
    framesQueued,
    serverCores,
    carrierCores: carrier.cpuMs / streamedMs,
    rssPerCallMiB: (rss - baselineRss) / calls / 2 ** 20,
    rssMiB: rss / 2 ** 20,
    eventLoopDelay: { p99: loopDelayP99, max: loopDelayMax },
    eventLoopUtilization,
    carrierSendLatenessP99Ms: carrier.sendLateness.p99,
    bytesPerFrame,
    window: { startEpochMs: windowStart, endEpochMs: windowEnd },
  };
}

/** One result row for a step: added latency as p50/p99, everything else the step measured as columns. */
export function stepRow(benchmark: string, label: string, step: StepResult): BenchmarkRow {
  const mib = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
  return {
    benchmark,
    case: label,
    unit: 'ms added',
    p50: step.added.p50,
    p99: step.added.p99,
    samples: step.framesMeasured,
    extra: {
      'held real time': step.held ? 'yes' : `no: ${step.failures.join('; ')}`,
      'end-to-end p50/p99 ms': `${step.endToEnd.p50.toFixed(1)} / ${step.endToEnd.p99.toFixed(1)}`,
      'arrival wait p99 ms': step.arrivalWait.p99.toFixed(1),
      'queued behind the pacing backlog at hang-up (frames)': step.framesQueued,
      'arrival jitter p99 ms': step.arrivalJitterP99.toFixed(1),
      'server cores': step.serverCores.toFixed(2),
      'CPU ms per call-second': ((step.serverCores * 1000) / step.calls).toFixed(2),
      'RSS MiB (per call)': `${step.rssMiB.toFixed(0)} (${mib(step.rssPerCallMiB)})`,
      'loop delay p99/max ms': `${step.eventLoopDelay.p99.toFixed(1)} / ${step.eventLoopDelay.max.toFixed(1)}`,
      'loop utilization': step.eventLoopUtilization.toFixed(2),
      'bytes allocated per frame (in + echo out, whole process)': Number.isFinite(step.bytesPerFrame)
        ? Math.round(step.bytesPerFrame)
        : 'n/a',
      'carrier cores, send lateness p99 ms': `${step.carrierCores.toFixed(2)}, ${step.carrierSendLatenessP99Ms.toFixed(1)}`,
    },
  };
}
