/**
 * Concurrency: the largest number of simultaneous calls one server process holds at real time,
 * for (a) the echo pipeline, (b) echo + Silero VAD and (c) echo + RNNoiseFilter (one filter per
 * call, denoising the caller's audio before the echo).
 *
 * Server: this process (fastify + `voxlineTelephony`, benchmarks/lib/echo-server.ts), Telnyx PCMU
 * 8 kHz, pipeline at 16 kHz both ways (so every frame is decoded, resampled up, resampled down and
 * encoded). Carrier: a second process (benchmarks/lib/carrier-load-client.ts) streaming
 * jfk-16k.wav in 20 ms frames at real time on every call, spread evenly over the 20 ms period,
 * and echoing marks — so the callers' traffic does not take the server's CPU, though both
 * processes share the machine's 2 cores.
 *
 * A step holds real time when every call stays up, no caller frame in the measured window is dropped
 * or overdue at the hang-up, and the p99 of the latency the server adds beyond the pacing
 * schedule is ≤ 20 ms (load-step.ts, benchmarks/lib/echo-latency.ts). Search: the number of calls
 * doubles until a step fails (or halves until one holds, when the first step fails), then bisects
 * between the last step that held and the first that failed; a failed step is repeated once and
 * fails only if it fails again.
 *
 * Run: node --expose-gc --conditions=@voxline/source --import tsx benchmarks/concurrency/run.ts [--quick]
 * (`--quick`: one small step per pipeline, a few seconds each.)
 *
 * Hold mode, for profiling (`node --cpu-prof`): `--hold <calls> --seconds <s> [--vad]` runs one
 * step of exactly that many calls streaming for that long (echo, or echo + Silero VAD), prints
 * what it measured and writes no results; summarise the profile with
 * benchmarks/lib/cpu-profile-summary.ts.
 */
import { type EchoServer, startEchoServer } from '../lib/echo-server.js';
import { epochMs, loadNote } from '../lib/measure.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';
import { ADDED_LATENCY_LIMIT_MS, runLoadStep, type StepResult, stepRow } from './load-step.js';
import { runScaleOutRows, scaleOutNotes } from './scale-out.js';

const quick = process.argv.includes('--quick');
const holdCalls = numberArgument('--hold');
const holdSeconds = numberArgument('--seconds') ?? 20;

/** The positive integer after `flag` on the command line, or undefined without the flag. */
function numberArgument(flag: string): number | undefined {
  const at = process.argv.indexOf(flag);
  if (at < 0) return undefined;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${flag} takes a positive integer, got ${process.argv[at + 1]}`);
    process.exit(2);
  }
  return value;
}
const streamMs = quick ? 2_000 : 12_000;
const warmupMs = quick ? 500 : 3_000;

interface Variant {
  name: string;
  vad: boolean;
  noiseFilter: boolean;
  firstCalls: number;
  maxCalls: number;
  /** Calls the variant should hold on a 2-core machine (reported, not enforced); none for (c). */
  target: number | undefined;
}

const variants: Variant[] = [
  {
    name: '(a) echo',
    vad: false,
    noiseFilter: false,
    firstCalls: quick ? 10 : 50,
    maxCalls: 3200,
    target: 500,
  },
  {
    name: '(b) echo + Silero VAD',
    vad: true,
    noiseFilter: false,
    firstCalls: quick ? 5 : 20,
    maxCalls: 1280,
    target: 150,
  },
  // No target of its own: the row says what denoising every call costs next to (a) and (b).
  {
    name: '(c) echo + RNNoiseFilter',
    vad: false,
    noiseFilter: true,
    firstCalls: quick ? 5 : 20,
    maxCalls: 1280,
    target: undefined,
  },
];
/** Bisection stops when the gap is at most this fraction of the last step that held. */
const RESOLUTION = 0.1;
const MAX_BISECTIONS = 3;

const notes: string[] = [loadNote('at the start of the run')];
const rows: BenchmarkRow[] = [];

async function search(variant: Variant, server: EchoServer): Promise<void> {
  const steps: StepResult[] = [];
  const measure = async (calls: number) => {
    const step = await runLoadStep(server, calls, streamMs, warmupMs);
    steps.push(step);
    rows.push(stepRow('concurrency', `${variant.name}, ${step.calls} calls`, step));
    console.log(
      `${variant.name}: ${calls} calls ${step.held ? 'held' : `failed (${step.failures.join('; ')})`}, p99 added ${step.added.p99.toFixed(1)} ms, ${step.serverCores.toFixed(2)} cores`,
    );
    return step;
  };
  // On a shared machine another process can stall this one for 100 ms or more at any moment,
  // which alone fails a step; a failed step is run once more and fails only if it fails again.
  const run = async (calls: number) => {
    const step = await measure(calls);
    return step.held ? step : measure(calls);
  };
  if (quick) {
    await measure(variant.firstCalls);
    return;
  }
  let held: StepResult | undefined;
  let failed: StepResult | undefined;
  const first = await run(variant.firstCalls);
  if (first.held) {
    held = first;
    for (let calls = first.calls * 2; calls <= variant.maxCalls; calls *= 2) {
      const step = await run(calls);
      if (!step.held) {
        failed = step;
        break;
      }
      held = step;
    }
  } else {
    // Even the first step failed (a loaded machine): halve until one holds.
    failed = first;
    for (let calls = Math.floor(first.calls / 2); calls >= 1; calls = Math.floor(calls / 2)) {
      const step = await run(calls);
      if (step.held) {
        held = step;
        break;
      }
      failed = step;
    }
  }
  for (
    let bisection = 0;
    bisection < MAX_BISECTIONS && held !== undefined && failed !== undefined;
    bisection++
  ) {
    if (failed.calls - held.calls <= Math.max(2, held.calls * RESOLUTION)) break;
    const step = await run(Math.round((held.calls + failed.calls) / 2));
    if (step.held) held = step;
    else failed = step;
  }
  const best = held;
  const marginal = marginalCoresPerCall(steps);
  rows.push({
    benchmark: 'concurrency',
    case: `${variant.name}: largest number of calls that held real time`,
    unit: 'calls',
    p50: best?.calls ?? 0,
    p99: best?.calls ?? 0,
    samples: steps.length,
    extra: {
      'held real time': `${targetVerdict(variant.target, best?.calls ?? 0)}${failed ? `; failed at ${failed.calls}` : ''}`,
      'CPU ms per call-second': best ? ((best.serverCores * 1000) / best.calls).toFixed(2) : 'n/a',
      'RSS MiB (per call)': best ? `${best.rssMiB.toFixed(0)} (${best.rssPerCallMiB.toFixed(2)})` : 'n/a',
      'marginal CPU ms per call-second (fit over all steps)': Number.isFinite(marginal)
        ? (marginal * 1000).toFixed(2)
        : 'n/a',
    },
    ratio: Number.isFinite(marginal)
      ? `~${Math.floor(1 / marginal)} calls per core at the marginal CPU cost, if the core were free`
      : undefined,
  });
}

/** "target ≥ N: met" or "missed"; "no target" for a variant measured for its cost only. */
function targetVerdict(target: number | undefined, held: number): string {
  if (target === undefined) return 'no target';
  return `target ≥ ${target}: ${held >= target ? 'met' : 'missed'}`;
}

/**
 * Server cores each added call costs: the slope of a least-squares line through (calls, cores) of
 * every step. The line's intercept is what the process costs with no call (timers, garbage
 * collection, the sampler), which a per-call average at a small N would wrongly spread over calls.
 */
function marginalCoresPerCall(steps: readonly StepResult[]): number {
  const points = steps.filter((step) => Number.isFinite(step.serverCores));
  if (new Set(points.map((step) => step.calls)).size < 2) return Number.NaN;
  const meanCalls = points.reduce((sum, step) => sum + step.calls, 0) / points.length;
  const meanCores = points.reduce((sum, step) => sum + step.serverCores, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const step of points) {
    covariance += (step.calls - meanCalls) * (step.serverCores - meanCores);
    variance += (step.calls - meanCalls) ** 2;
  }
  return covariance / variance;
}

if (holdCalls !== undefined) {
  const vad = process.argv.includes('--vad');
  const server = await startEchoServer({ vad, pipelineRate: 16000 });
  try {
    const step = await runLoadStep(server, holdCalls, holdSeconds * 1000, Math.min(3000, holdSeconds * 250));
    console.log(
      `${vad ? 'echo + Silero VAD' : 'echo'}: ${holdCalls} calls held for ${holdSeconds} s: ${step.held ? 'held real time' : `did not hold (${step.failures.join('; ')})`}; p99 added ${step.added.p99.toFixed(1)} ms; ${step.serverCores.toFixed(2)} server cores = ${((step.serverCores * 1000) / holdCalls).toFixed(2)} ms CPU per call-second; ${Math.round(step.bytesPerFrame)} bytes allocated per frame (in + echo out)`,
    );
    // The window in the clock of V8's CPU profiles (CLOCK_MONOTONIC in µs, as process.hrtime).
    const monotonicMinusEpochUs = Number(process.hrtime.bigint() / 1000n) - epochMs() * 1000;
    console.log(
      `measured window for cpu-profile-summary.ts: --from-us ${Math.round(step.window.startEpochMs * 1000 + monotonicMinusEpochUs)} --to-us ${Math.round(step.window.endEpochMs * 1000 + monotonicMinusEpochUs)}`,
    );
  } finally {
    await server.close();
  }
  process.exit(0);
}

for (const variant of variants) {
  const server = await startEchoServer({
    vad: variant.vad,
    noiseFilter: variant.noiseFilter,
    pipelineRate: 16000,
  });
  try {
    await search(variant, server);
  } finally {
    await server.close();
  }
}

// Scale-out: one process against 2 node:cluster workers, in this same run (scale-out.ts).
rows.push(...(await runScaleOutRows({ quick })));
notes.push(...scaleOutNotes(quick));

notes.push(
  `Each step: N calls connect (spread over up to 3 s), stream ${streamMs / 1000} s of audio at real time, hang up; the first ${warmupMs / 1000} s and the last 0.3 s are not measured. Server: one Node process (this one); carrier: a second process on the same 2 cores.`,
  `Added latency = echo handed to the server's socket − max(caller frame written by the carrier, the frame's pacing slot), from both processes' wall clocks (benchmarks/lib/echo-latency.ts); a step holds real time when all calls stay up, no frame in the window is dropped (jitter buffer concealment, input or mailbox drops) or left unsent although its slot came more than 20 ms before the hang-up (frames queued for later slots, behind a pacing backlog, are by design), and the p99 of added latency is ≤ ${ADDED_LATENCY_LIMIT_MS} ms. End-to-end includes the pacing wait by design (up to the 60 ms lead).`,
  "Bytes allocated per frame: what the whole server process allocated over the window (heap and ArrayBuffer bytes in use, plus what each garbage collection freed, from v8.GCProfiler; benchmarks/lib/allocation-meter.ts) over the caller frames that arrived in it; each frame is one 20 ms frame in and its echo out, with the socket, parsing, pipeline, pacing and the benchmark's own timing records included. Arrival wait = caller frame reached the transport − written by the carrier (loopback plus waiting for the event loop); arrival jitter = |interval between a call’s consecutive arrivals − 20 ms|. CPU: server process CPU time / wall time while streaming (1.00 = one core; JavaScript runs on one core, onnxruntime inference included; garbage collection and compilation threads add to it). Loop utilization: share of the time the main thread was busy (performance.eventLoopUtilization); near 1 the thread is saturated, well below 1 with late frames the process was kept from running by others. RSS per call: mean RSS while streaming minus the idle RSS before the step, over N.",
  'Search: calls double until a step fails (or halve until one holds when the first fails), then bisect (at most 3 times, to 10%). A failed step is run once more and counts as failed only if it fails again (another process can stall this one at any moment on a shared machine); both runs are listed.',
  loadNote('at the end of the run'),
);
await writeResults('concurrency', {
  title:
    'Concurrent calls at real time on one server process (echo, echo + Silero VAD, echo + RNNoiseFilter)',
  notes,
  rows,
  quick,
});
