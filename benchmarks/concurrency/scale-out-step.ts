/**
 * One step of the scale-out comparison: N simultaneous echo calls from the carrier process
 * (benchmarks/lib/carrier-load-client.ts) against an echo server running in processes of its own
 * (benchmarks/lib/forked-echo-server.ts), and what held and what it cost.
 *
 * The server's per-call records are in other processes, so whether a step **held** is decided on
 * what the carrier observes alone:
 * - every call connected and stayed up until the carrier hung up;
 * - no caller frame in the measured window went without its echo although its pacing slot came
 *   more than {@link CARRIER_ECHO_DELAY_LIMIT_MS} before the hang-up (frames still queued for a
 *   later slot, behind a pacing backlog, are by design, as in load-step.ts);
 * - the p99 of the **carrier-side echo delay** is at most {@link CARRIER_ECHO_DELAY_LIMIT_MS}: the
 *   echo's arrival at the carrier − max(caller frame written by the carrier, the echo's pacing
 *   slot), the slot recomputed from the arrival times exactly as the output's `PacedAudioSender`
 *   computes it from its send times (benchmarks/lib/echo-latency.ts). It is the concurrency
 *   benchmark's added latency plus the loopback and the carrier's own wait for its event loop.
 *
 * CPU is the sum of user + system time in `/proc/<pid>/stat` of every server process (the cluster
 * primary included) over the measured window, read from this process.
 */
import { runCarrierLoad } from '../lib/carrier-load.js';
import { DEFAULT_LEAD_MS, echoLatency } from '../lib/echo-latency.js';
import type { ForkedEchoServer } from '../lib/forked-echo-server.js';
import { epochMs, summarize } from '../lib/measure.js';
import { readProcessCpu } from '../lib/process-cpu.js';

/** Limit on the p99 of the carrier-side echo delay for a step to hold, in ms. */
export const CARRIER_ECHO_DELAY_LIMIT_MS = 20;
/** How often the server processes' CPU is read, in ms. */
const SAMPLE_INTERVAL_MS = 250;
/** The end of the stream left out of the window, in ms (the carrier's last sends). */
const TAIL_MS = 300;

/** What one step measured. */
export interface ScaleOutStep {
  calls: number;
  held: boolean;
  /** Why it did not hold, in words; empty when it held. */
  failures: string[];
  /** Carrier-side echo delay (see the module comment), ms. */
  echoDelay: { p50: number; p99: number; max: number };
  /** Echo arrived at the carrier − caller frame written, pacing wait included, ms. */
  endToEnd: { p50: number; p99: number };
  framesMeasured: number;
  /** Caller frames never echoed although their slot came well before the hang-up. */
  framesOverdue: number;
  /** Caller frames never echoed because the hang-up came before their slot (a pacing backlog). */
  framesQueued: number;
  /** Calls that failed to connect or closed before the carrier hung up. */
  failedCalls: number;
  /** CPU of all server processes together over the window, in cores (1 = one core busy). */
  serverCores: number;
  /** The same per process, in the server's `pids` order (primary first under a cluster). */
  coresPerProcess: number[];
  /** Mean resident memory of all server processes together over the window, MiB. */
  rssMiB: number;
  /** Calls each serving process accepted (one entry per worker under a cluster). */
  callsPerProcess: number[];
  /** Caller frames the serving processes report dropped (jitter buffer, input, mailbox). */
  framesDroppedByServer: number;
  carrierCores: number;
  carrierSendLatenessP99Ms: number;
}

interface Sample {
  at: number;
  cpuMs: number[];
  rssBytes: number;
}

/**
 * Runs `calls` simultaneous calls streaming for `streamMs` and measures the middle of the stream
 * (the first `warmupMs` and the last 300 ms are left out).
 */
export async function runScaleOutStep(
  server: ForkedEchoServer,
  calls: number,
  streamMs: number,
  warmupMs: number,
): Promise<ScaleOutStep> {
  await server.clearCalls();
  const samples: Sample[] = [];
  const sample = () => {
    const readings = server.pids.map((pid) => readProcessCpu(pid));
    samples.push({
      at: epochMs(),
      cpuMs: readings.map((reading) => reading.cpuMs),
      rssBytes: readings.reduce((sum, reading) => sum + reading.rssBytes, 0),
    });
  };
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS);
  let carrier: Awaited<ReturnType<typeof runCarrierLoad>>;
  try {
    carrier = await runCarrierLoad({
      url: server.url,
      calls,
      streamMs,
      connectSpreadMs: Math.min(3000, calls * 5),
    });
  } finally {
    clearInterval(sampler);
  }
  let processes = await server.report();
  const deadline = Date.now() + 10_000;
  while (processes.some((served) => served.openCalls > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    processes = await server.report();
  }

  const windowStart = carrier.streamStartedAt + warmupMs;
  const windowEnd = carrier.streamEndedAt - TAIL_MS;
  const inWindow = samples.filter((entry) => entry.at >= windowStart && entry.at <= windowEnd);
  const first = inWindow[0];
  const last = inWindow.at(-1);
  const wallMs = first !== undefined && last !== undefined ? last.at - first.at : 0;
  const coresPerProcess = server.pids.map((_, index) =>
    first !== undefined && last !== undefined && wallMs > 0
      ? ((last.cpuMs[index] as number) - (first.cpuMs[index] as number)) / wallMs
      : Number.NaN,
  );

  const failures: string[] = [];
  const failedCalls = carrier.calls.filter((call) => call.failed).length;
  if (failedCalls > 0) failures.push(`${failedCalls} calls failed or were closed early`);
  const delay: number[] = [];
  const endToEnd: number[] = [];
  let framesMeasured = 0;
  let framesOverdue = 0;
  let framesQueued = 0;
  const skipFrames = Math.ceil(warmupMs / 20);
  for (const call of carrier.calls) {
    const paired = echoLatency(
      { sentAt: Array.from(call.receivedAt), receivedAt: [] },
      call,
      skipFrames,
      windowEnd,
      carrier.streamEndedAt + TAIL_MS,
      CARRIER_ECHO_DELAY_LIMIT_MS,
      DEFAULT_LEAD_MS,
    );
    framesMeasured += paired.frames;
    framesOverdue += paired.overdue;
    framesQueued += paired.queued;
    for (const value of paired.added) delay.push(value);
    for (const value of paired.endToEnd) endToEnd.push(value);
  }
  if (framesOverdue > 0) failures.push(`${framesOverdue} frames never echoed`);
  const delaySummary = summarize(delay);
  if (!(delaySummary.p99 <= CARRIER_ECHO_DELAY_LIMIT_MS)) {
    failures.push(`p99 echo delay ${delaySummary.p99.toFixed(1)} ms > ${CARRIER_ECHO_DELAY_LIMIT_MS} ms`);
  }
  const endToEndSummary = summarize(endToEnd);
  return {
    calls,
    held: failures.length === 0,
    failures,
    echoDelay: { p50: delaySummary.p50, p99: delaySummary.p99, max: delaySummary.max },
    endToEnd: { p50: endToEndSummary.p50, p99: endToEndSummary.p99 },
    framesMeasured,
    framesOverdue,
    framesQueued,
    failedCalls,
    serverCores: coresPerProcess.reduce((sum, cores) => sum + cores, 0),
    coresPerProcess,
    rssMiB:
      inWindow.length > 0
        ? inWindow.reduce((sum, entry) => sum + entry.rssBytes, 0) / inWindow.length / 2 ** 20
        : Number.NaN,
    callsPerProcess: processes.map((served) => served.calls),
    framesDroppedByServer: processes.reduce((sum, served) => sum + served.framesDropped, 0),
    carrierCores: carrier.cpuMs / (carrier.streamEndedAt - carrier.streamStartedAt),
    carrierSendLatenessP99Ms: carrier.sendLateness.p99,
  };
}
