/**
 * Scale-out: the same N echo calls against one server process and against two `node:cluster`
 * workers sharing one port (as `voxline serve --workers 2` runs), in the same run, taking turns so
 * both see the same machine. Both servers run in processes of their own
 * (benchmarks/lib/forked-echo-server.ts) and are measured the same way from outside: whether the
 * calls held real time, from the carrier's records and those the servers send over, and the CPU
 * of every server process from /proc (scale-out-step.ts).
 */
import { type ForkedEchoServer, startForkedEchoServer } from '../lib/forked-echo-server.js';
import { summarize } from '../lib/measure.js';
import type { BenchmarkRow } from '../lib/report.js';
import { ADDED_LATENCY_LIMIT_MS, runScaleOutStep, type ScaleOutStep } from './scale-out-step.js';

/** The two shapes compared. */
const SETUPS = [
  { name: 'one process', workers: 0 },
  { name: '2 workers (node:cluster)', workers: 2 },
] as const;

type SetupName = (typeof SETUPS)[number]['name'];

/** Steps, rounds and stream length of a full or quick run. */
export function scaleOutPlan(quick: boolean): {
  calls: number[];
  rounds: number;
  streamMs: number;
  warmupMs: number;
} {
  return quick
    ? { calls: [20], rounds: 1, streamMs: 2_000, warmupMs: 500 }
    : { calls: [50, 100, 200, 300, 400], rounds: 2, streamMs: 12_000, warmupMs: 3_000 };
}

/** What the rows of {@link runScaleOutRows} measure, as sentences for a result's notes. */
export function scaleOutNotes(quick: boolean): string[] {
  const plan = scaleOutPlan(quick);
  return [
    `Scale-out: the same echo pipeline (Telnyx PCMU 8 kHz, pipeline at 16 kHz both ways) served by one process, and by a node:cluster primary with 2 workers sharing one port (as \`voxline serve --workers 2\`), each in processes of their own; N = ${plan.calls.join(' / ')} calls from the carrier process, ${plan.rounds} round(s), the two shapes taking turns at each N (which goes first alternates). Each step streams ${plan.streamMs / 1000} s; the first ${plan.warmupMs / 1000} s and the last 0.3 s are not measured.`,
    `Held real time, as in the concurrency benchmark's one-process search, from the carrier's records and those each serving process sends over after the step: every call connected and stayed up (seen by the carrier), no caller frame dropped (the servers' jitter buffer, input and mailbox counters) or left without its echo although its pacing slot came more than ${ADDED_LATENCY_LIMIT_MS} ms before the hang-up, and the p99 of added latency (echo handed to the server's socket − max(caller frame written by the carrier, the echo's pacing slot)) ≤ ${ADDED_LATENCY_LIMIT_MS} ms. Arrival wait = caller frame reached a server's transport − written by the carrier.`,
    'CPU: user + system time of every server process (the cluster primary included) from /proc/<pid>/stat over the window, summed, per wall second (1.00 = one core); CPU ms per call-second = that / N × 1000. The carrier process runs on the same cores.',
  ];
}

/**
 * Runs the scale-out comparison and returns its rows: one per step (setup, N, round), one summary
 * per setup (the largest N held in every round) and the ratio of CPU per call-second, 2 workers
 * over one process, at the same N and round.
 *
 * @param options.quick - one step of 20 calls streaming 2 s per setup (a smoke run, ~20 s).
 */
export async function runScaleOutRows(options: { quick: boolean }): Promise<BenchmarkRow[]> {
  const plan = scaleOutPlan(options.quick);
  const rows: BenchmarkRow[] = [];
  const steps = new Map<SetupName, ScaleOutStep[]>(SETUPS.map((setup) => [setup.name, []]));
  const servers: ForkedEchoServer[] = [];
  try {
    for (const setup of SETUPS) servers.push(await startForkedEchoServer(setup.workers));
    for (let round = 1; round <= plan.rounds; round++) {
      for (const [callsIndex, calls] of plan.calls.entries()) {
        const firstSetup = (round + callsIndex) % 2 === 1 ? 0 : 1;
        for (const index of [firstSetup, 1 - firstSetup]) {
          const setup = SETUPS[index] as (typeof SETUPS)[number];
          const step = await runScaleOutStep(
            servers[index] as ForkedEchoServer,
            calls,
            plan.streamMs,
            plan.warmupMs,
          );
          steps.get(setup.name)?.push(step);
          rows.push(stepRow(`${setup.name}, ${calls} calls, round ${round}`, step));
          console.log(
            `scale-out ${setup.name}: ${calls} calls ${step.held ? 'held' : `failed (${step.failures.join('; ')})`}, p99 added ${step.added.p99.toFixed(1)} ms, ${step.serverCores.toFixed(2)} cores`,
          );
        }
      }
    }
  } finally {
    for (const server of servers) await server.close();
  }
  const largestHeld = new Map<SetupName, number>();
  for (const setup of SETUPS) {
    const setupSteps = steps.get(setup.name) ?? [];
    const largest = largestHeldInEveryRound(setupSteps);
    largestHeld.set(setup.name, largest);
    rows.push({
      benchmark: 'concurrency',
      case: `scale-out, ${setup.name}: largest N held in every round`,
      unit: 'calls',
      p50: largest,
      p99: largest,
      samples: setupSteps.length,
      extra: {
        'held real time': `${setupSteps.filter((step) => step.held).length} of ${setupSteps.length} steps`,
        'CPU ms per call-second': `median ${summarize(setupSteps.map(cpuPerCallSecond)).p50.toFixed(2)}`,
      },
    });
  }
  const [single, cluster] = SETUPS.map((setup) => steps.get(setup.name) ?? []) as [
    ScaleOutStep[],
    ScaleOutStep[],
  ];
  // Steps of both setups are pushed in the same (N, round) order, so index i is the same N and round.
  const ratios = cluster.map(
    (step, index) => cpuPerCallSecond(step) / cpuPerCallSecond(single[index] as ScaleOutStep),
  );
  const ratio = summarize(ratios);
  const byCalls = plan.calls.map((calls) => {
    const atCalls = ratios.filter((_, index) => cluster[index]?.calls === calls);
    return `${calls}: ${summarize(atCalls).p50.toFixed(2)}`;
  });
  rows.push({
    benchmark: 'concurrency',
    case: 'scale-out: CPU per call-second, 2 workers / one process (same N and round)',
    unit: 'ratio',
    p50: ratio.p50,
    p99: ratio.max,
    samples: ratios.length,
    extra: { 'median by N': byCalls.join('; ') },
    ratio: `2 workers held ${largestHeld.get('2 workers (node:cluster)')} calls in every round, one process ${largestHeld.get('one process')}; a call costs ×${ratio.p50.toFixed(2)} the CPU (median)`,
  });
  return rows;
}

function cpuPerCallSecond(step: ScaleOutStep): number {
  return (step.serverCores * 1000) / step.calls;
}

/** The largest N whose steps all held, or 0 when none did. */
function largestHeldInEveryRound(steps: readonly ScaleOutStep[]): number {
  let largest = 0;
  for (const calls of new Set(steps.map((step) => step.calls))) {
    if (steps.filter((step) => step.calls === calls).every((step) => step.held))
      largest = Math.max(largest, calls);
  }
  return largest;
}

function stepRow(label: string, step: ScaleOutStep): BenchmarkRow {
  const cores = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
  return {
    benchmark: 'concurrency',
    case: `scale-out, ${label}`,
    unit: 'ms added',
    p50: step.added.p50,
    p99: step.added.p99,
    samples: step.framesMeasured,
    extra: {
      'held real time': step.held ? 'yes' : `no: ${step.failures.join('; ')}`,
      'end-to-end p50/p99 ms': `${step.endToEnd.p50.toFixed(1)} / ${step.endToEnd.p99.toFixed(1)}`,
      'calls per serving process': step.callsPerProcess.join(' / '),
      'server cores (per process)': `${cores(step.serverCores)} (${step.coresPerProcess.map(cores).join(' + ')})`,
      'CPU ms per call-second': cpuPerCallSecond(step).toFixed(2),
      'server RSS MiB': step.rssMiB.toFixed(0),
      'arrival wait p99 ms': step.arrivalWait.p99.toFixed(1),
      'queued behind the pacing backlog at hang-up (frames)': step.framesQueued,
      'carrier cores, send lateness p99 ms': `${step.carrierCores.toFixed(2)}, ${step.carrierSendLatenessP99Ms.toFixed(1)}`,
    },
  };
}
