/**
 * One step of the scale-out comparison: N simultaneous echo calls from the carrier process
 * (benchmarks/lib/carrier-load-client.ts) against an echo server running in processes of its own
 * (benchmarks/lib/forked-echo-server.ts), and what held and what it cost.
 *
 * A step **holds real time** on the concurrency benchmark's definition (load-step.ts), from the
 * carrier's records and those the serving processes send over once the calls have ended:
 * - every call connected and stayed up until the carrier hung up (seen by the carrier);
 * - no caller frame was dropped (the servers' jitter buffer, input and mailbox counters), and no
 *   caller frame in the measured window went without its echo although its pacing slot came more
 *   than {@link ADDED_LATENCY_LIMIT_MS} before the hang-up (frames still queued for a later slot,
 *   behind a pacing backlog, are by design);
 * - the p99 of the **added latency** is at most {@link ADDED_LATENCY_LIMIT_MS}: echo handed to
 *   the server's socket − max(caller frame written by the carrier, the echo's pacing slot), the
 *   slot recomputed from the server's send times as the output's `PacedAudioSender` computes it
 *   (benchmarks/lib/echo-latency.ts).
 * The server's send times are used, not the echoes' arrival at the carrier: when the carrier
 * process is kept from running, it reads a burst of echoes at once, and pacing slots recomputed
 * from such bursts run ahead of the server's real ones and hide later delays.
 *
 * CPU is the sum of user + system time in `/proc/<pid>/stat` of every server process (the cluster
 * primary included) over the measured window, read from this process.
 */
import { runCarrierLoad } from '../lib/carrier-load.js';
import { DEFAULT_LEAD_MS, echoLatency } from '../lib/echo-latency.js';
import type { EchoCallRecord, ForkedEchoServer } from '../lib/forked-echo-server.js';
import { epochMs, summarize } from '../lib/measure.js';
import { readProcessCpu } from '../lib/process-cpu.js';

/** Limit on the p99 of added latency for a step to hold, in ms (as load-step.ts). */
export const ADDED_LATENCY_LIMIT_MS = 20;
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
  /** Added latency (see the module comment), ms. */
  added: { p50: number; p99: number; max: number };
  /** Echo handed to the server's socket − caller frame written, pacing wait included, ms. */
  endToEnd: { p50: number; p99: number };
  /** Caller frame reached the server's transport − written by the carrier, ms. */
  arrivalWait: { p50: number; p99: number };
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
  /** Caller frames dropped: by the servers (jitter buffer, input, mailbox), or sent on a call no server recorded. */
  framesLost: number;
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
  processes = await server.records();

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
  const byStream = new Map<string | undefined, EchoCallRecord>();
  for (const served of processes)
    for (const record of served.records ?? []) byStream.set(record.streamId, record);
  const added: number[] = [];
  const endToEnd: number[] = [];
  const arrivalWait: number[] = [];
  let framesMeasured = 0;
  let framesOverdue = 0;
  let framesQueued = 0;
  let framesLost = processes.reduce((sum, served) => sum + served.framesDropped, 0);
  const skipFrames = Math.ceil(warmupMs / 20);
  for (const call of carrier.calls) {
    const record = byStream.get(call.streamId);
    if (record === undefined) {
      framesLost += call.sentAt.length;
      continue;
    }
    const paired = echoLatency(
      record,
      call,
      skipFrames,
      windowEnd,
      carrier.streamEndedAt + TAIL_MS,
      ADDED_LATENCY_LIMIT_MS,
      DEFAULT_LEAD_MS,
    );
    framesMeasured += paired.frames;
    framesOverdue += paired.overdue;
    framesQueued += paired.queued;
    for (const value of paired.added) added.push(value);
    for (const value of paired.endToEnd) endToEnd.push(value);
    for (const value of paired.arrivalWait) arrivalWait.push(value);
  }
  if (framesLost > 0) failures.push(`${framesLost} frames dropped`);
  if (framesOverdue > 0) failures.push(`${framesOverdue} frames overdue at the hang-up`);
  const addedSummary = summarize(added);
  if (added.length === 0) {
    // Every frame of the window was still queued behind its pacing slot at the hang-up: the
    // server (or the carrier) fell seconds behind.
    failures.push('no caller frame of the window was echoed before the hang-up');
  } else if (!(addedSummary.p99 <= ADDED_LATENCY_LIMIT_MS)) {
    failures.push(`p99 added latency ${addedSummary.p99.toFixed(1)} ms > ${ADDED_LATENCY_LIMIT_MS} ms`);
  }
  const endToEndSummary = summarize(endToEnd);
  const arrivalSummary = summarize(arrivalWait);
  return {
    calls,
    held: failures.length === 0,
    failures,
    added: { p50: addedSummary.p50, p99: addedSummary.p99, max: addedSummary.max },
    endToEnd: { p50: endToEndSummary.p50, p99: endToEndSummary.p99 },
    arrivalWait: { p50: arrivalSummary.p50, p99: arrivalSummary.p99 },
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
    framesLost,
    carrierCores: carrier.cpuMs / (carrier.streamEndedAt - carrier.streamStartedAt),
    carrierSendLatenessP99Ms: carrier.sendLateness.p99,
  };
}
