/**
 * Soak: does `voxline serve --agent offline` hold its resources flat over thousands of calls?
 *
 * The server runs in its own process (agent-server-process.ts: the offline agent — Silero VAD,
 * pocketsphinx, the deterministic responder, Flite — behind the same server `voxline serve` runs),
 * and this process plays the carriers (soak-call.ts) and reads the server's resources from /proc
 * (RSS, threads, open file descriptors, descendant processes) and, over IPC, its V8 heap.
 *
 * 1. Silent calls: S calls (default 50) that send `start` and then only silence. While all are
 *    open, the server must have no child process: a recognizer is started by speech, not by a call.
 * 2. Sequential: N calls (default 2000), one after another; each says one sentence, waits for the
 *    audible reply and hangs up. Every few calls, with no call in progress and after a full garbage
 *    collection, the resources are read; the rule in growth-rule.ts decides whether each grows.
 * 3. Concurrent: M calls at a time (default 100) for a duration (default 10 min), each slot calling
 *    again as soon as its call ends, the turn at real time; resources are read every 10 s (after a
 *    full garbage collection), judged by the growth rule over the calls finished, and once all
 *    calls have ended they must be back at the level before the phase.
 *
 * The benchmark exits non-zero with a message saying what grew (or that the server died, and how)
 * when a check fails; the results are written first.
 *
 * Run: node --expose-gc --conditions=@voxline/source --import tsx benchmarks/soak/run.ts [--quick]
 *   [--calls=N] [--concurrent=M] [--duration=SECONDS] [--sample-every=SECONDS] [--silent=S]
 *   [--speed=X] [--results=NAME]       (results file name, default soak)
 *   [--vad-isolation]                  (the agent's Silero VAD in a child process)
 *   [--no-speech-recognition]          (the agent without pocketsphinx: the lightest real agent)
 *   [--abort-on-uncaught-exception]   (given to the server process; with `ulimit -c unlimited`
 *                                      a crash leaves a core file in the server's directory)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNote, summarize } from '../lib/measure.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';
import type { AgentServerMessage, AgentServerRequest } from './agent-server-process.js';
import { type GrowthPoint, judgeGrowth, warmUpCalls } from './growth-rule.js';
import { type ProcessResources, readProcessResources } from './process-resources.js';
import { runSoakCall, SilentCall, type SoakCallResult } from './soak-call.js';

const quick = process.argv.includes('--quick');
function option(name: string, fallback: number): number {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  if (given === undefined) return fallback;
  const value = Number(given.slice(name.length + 3));
  if (!(value >= 0)) throw new RangeError(`--${name} must be a number >= 0, got ${given}`);
  return value;
}
const sequentialCalls = option('calls', quick ? 4 : 2000);
const concurrentCalls = option('concurrent', quick ? 2 : 100);
const concurrentMs = option('duration', quick ? 5 : 600) * 1000;
const silentCalls = option('silent', quick ? 5 : 50);
const speed = option('speed', 4);
const abortOnUncaughtException = process.argv.includes('--abort-on-uncaught-exception');
const vadIsolation = process.argv.includes('--vad-isolation');
const withSpeechRecognition = !process.argv.includes('--no-speech-recognition');
const resultsName = process.argv.find((arg) => arg.startsWith('--results='))?.slice(10) || 'soak';
const sampleEvery = Math.max(1, Math.round(sequentialCalls / 40));
const liveSampleEveryMs = option('sample-every', quick ? 1 : 10) * 1000;
/** Children the server keeps with no call in progress: the Silero child with --vad-isolation. */
const persistentChildren = vadIsolation ? 1 : 0;
const MiB = 2 ** 20;
/** The esbuild service tsx runs beside a process that loads TypeScript sources: not the server's. */
const IGNORED_COMMANDS = ['esbuild'];

/** Limits of growth-rule.ts: growth per call, and floor movement accepted without a leak. */
const LIMITS = {
  // 10 descriptors or threads over 2,000 calls; a leak is one or more per call.
  openFds: { perCall: 0.005, noiseAllowance: 2 },
  threads: { perCall: 0.005, noiseAllowance: 1 },
  // 2 KiB per call, 4 MiB over 2,000 calls; read after a full collection, the heap hardly moves.
  heapUsed: { perCall: 2 * 1024, noiseAllowance: 1 * MiB },
  // 16 KiB per call; RSS swings by tens of MiB without a leak, so only a floor rise over 64 MiB counts.
  rssBytes: { perCall: 16 * 1024, noiseAllowance: 64 * MiB },
} as const;
/** After the concurrent phase, against before it, at quiescence. */
const AFTER_CONCURRENT_ALLOWANCE = { openFds: 4, threads: 2, heapUsedBytes: 16 * MiB };
/**
 * During the concurrent phase, read while calls come and go: the same limits per call, with noise
 * allowances widened by what the calls in progress hold, since a reading may find any number of
 * the slots between calls: a socket each (the descriptors swung between 37 and 133 with 0 to 100
 * calls in progress in the first run) and their state (the heap between 37 and 124 MiB, about
 * 1 MiB a call). The tight check is the one at quiescence after the phase.
 */
const CONCURRENT_LIMITS = {
  ...LIMITS,
  openFds: { perCall: LIMITS.openFds.perCall, noiseAllowance: concurrentCalls + 4 },
  heapUsed: { perCall: LIMITS.heapUsed.perCall, noiseAllowance: (concurrentCalls + 4) * MiB },
} as const;

interface Reading extends ProcessResources {
  /** Calls finished (sequential) or ms since the phase started (concurrent). */
  at: number;
  /** Calls finished in the phase when it was read. */
  callsDone: number;
  heapUsed: number;
  activeCalls: number;
}

// ---- the server process ---------------------------------------------------------------------------

const here = dirname(fileURLToPath(import.meta.url));
const serverDirectory = mkdtempSync(join(tmpdir(), 'voxline-soak-'));
const server: ChildProcess = fork(join(here, 'agent-server-process.ts'), [], {
  // In its own directory, so a core dump (named `core` by the default kernel pattern) lands there.
  cwd: serverDirectory,
  execArgv: [
    '--expose-gc',
    '--conditions=@voxline/source',
    '--import',
    import.meta.resolve('tsx'),
    ...(abortOnUncaughtException ? ['--abort-on-uncaught-exception'] : []),
  ],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  env: {
    ...process.env,
    VOXLINE_VAD_ISOLATION: vadIsolation ? 'process' : 'none',
    VOXLINE_SOAK_SPEECH_RECOGNITION: withSpeechRecognition ? 'true' : 'false',
  },
});
const serverPid = server.pid as number;
let callsStarted = 0;
let serverExit: string | undefined;
server.on('exit', (code, signal) => {
  serverExit = `the agent server (pid ${serverPid}) exited ${signal ? `on ${signal}` : `with code ${code}`} during call ${callsStarted}`;
});

function ask(request: AgentServerRequest): void {
  if (serverExit === undefined) server.send(request);
}

function nextSample(collect: boolean): Promise<Extract<AgentServerMessage, { type: 'sample' }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: AgentServerMessage) => {
      if (message.type !== 'sample') return;
      server.off('message', onMessage);
      server.off('exit', onExit);
      resolve(message);
    };
    const onExit = () => reject(new Error(serverExit));
    server.on('message', onMessage);
    server.once('exit', onExit);
    ask({ type: 'sample', collect });
  });
}

async function read(at: number, collect: boolean, callsDone = 0): Promise<Reading> {
  const sample = await nextSample(collect);
  return {
    at,
    callsDone,
    heapUsed: sample.memory.heapUsed,
    activeCalls: sample.activeCalls,
    ...readProcessResources(serverPid, IGNORED_COMMANDS),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A reading with no call in progress: waits (up to 10 s) for calls and their processes to end. */
async function readQuiescent(at: number): Promise<Reading> {
  for (let waited = 0; ; waited += 100) {
    const reading = await read(at, true);
    if ((reading.activeCalls === 0 && reading.descendants <= persistentChildren) || waited >= 10_000)
      return reading;
    await sleep(100);
  }
}

const { url, speechRecognition } = await new Promise<{ url: string; speechRecognition: boolean }>(
  (resolve, reject) => {
    server.once('message', (message: AgentServerMessage) => {
      if (message.type === 'listening') resolve(message);
    });
    server.once('exit', () => reject(new Error(serverExit)));
  },
);

const failures: string[] = [];
const notes: string[] = [loadNote('at the start of the run')];
const rows: BenchmarkRow[] = [];
if (withSpeechRecognition && !speechRecognition) {
  failures.push(
    'pocketsphinx is not installed (apt-get install pocketsphinx pocketsphinx-en-us): the soak would not exercise the recognizer',
  );
}

// ---- 1. silent calls ------------------------------------------------------------------------------

const beforeSilent = await readQuiescent(0);
const silent = Array.from({ length: silentCalls }, () => new SilentCall(url));
await Promise.all(silent.map((call) => call.opened));
await sleep(quick ? 1500 : 5000);
const duringSilent = await read(0, false);
for (const call of silent) call.hangUp();
// The server closes the sockets a moment after the sessions end; the next reading should not see them.
await sleep(2000);
if (duringSilent.descendants > persistentChildren) {
  failures.push(
    `${silentCalls} calls that only sent silence held ${duringSilent.descendants} child processes (${persistentChildren} expected)`,
  );
}
rows.push({
  benchmark: 'soak',
  case: `${silentCalls} open calls sending only silence: child processes of the server`,
  unit: 'count',
  p50: duringSilent.descendants,
  p99: duringSilent.descendants,
  samples: 1,
  extra: {
    'open fds': `${beforeSilent.openFds} → ${duringSilent.openFds}`,
    threads: `${beforeSilent.threads} → ${duringSilent.threads}`,
    verdict:
      duringSilent.descendants <= persistentChildren
        ? vadIsolation
          ? 'at most the Silero child, as required'
          : 'none, as required'
        : 'FAIL',
  },
});

// ---- 2. sequential calls --------------------------------------------------------------------------

const sequential: Reading[] = [await readQuiescent(0)];
const latencies: number[] = [];
const callFailures = new Map<string, number>();
const countResult = (result: SoakCallResult) => {
  if (result.replyLatencyMs !== undefined) latencies.push(result.replyLatencyMs);
  if (result.failure !== undefined)
    callFailures.set(result.failure, (callFailures.get(result.failure) ?? 0) + 1);
};
const sequentialStartedAt = performance.now();
let sequentialDone = 0;
for (let call = 1; call <= sequentialCalls && serverExit === undefined; call++) {
  callsStarted++;
  countResult(await runSoakCall({ url, speed }));
  sequentialDone = call;
  if (call % sampleEvery === 0 || call === sequentialCalls) {
    if (serverExit !== undefined) break;
    const reading = await readQuiescent(call);
    sequential.push(reading);
    if (reading.descendants > persistentChildren)
      failures.push(
        `${reading.descendants} child processes alive with no call in progress, after call ${call} (${persistentChildren} expected)`,
      );
    if (call % (sampleEvery * 5) === 0 || call === sequentialCalls) {
      console.log(
        `call ${call}: rss ${(reading.rssBytes / MiB).toFixed(1)} MiB, heap ${(reading.heapUsed / MiB).toFixed(1)} MiB, fds ${reading.openFds}, threads ${reading.threads}, children ${reading.descendants}`,
      );
    }
  }
}
const sequentialSeconds = (performance.now() - sequentialStartedAt) / 1000;
const answeredSequential = latencies.length;
notes.push(
  `Sequential: ${sequentialDone} calls in ${sequentialSeconds.toFixed(0)} s, ${answeredSequential} answered; the caller's turn sent at ${speed}× real time. Readings every ${sampleEvery} calls at quiescence; the first ${warmUpCalls(sequentialCalls)} calls are warm-up.`,
);

const metrics = [
  { key: 'openFds', label: 'open file descriptors', unit: 'count', scale: 1, memory: false },
  { key: 'threads', label: 'threads', unit: 'count', scale: 1, memory: false },
  { key: 'heapUsed', label: 'V8 heap used', unit: 'MiB', scale: MiB, memory: true },
  { key: 'rssBytes', label: 'RSS', unit: 'MiB', scale: MiB, memory: true },
] as const;

for (const metric of metrics) {
  const points: GrowthPoint[] = sequential.map((reading) => ({ x: reading.at, y: reading[metric.key] }));
  const limits = LIMITS[metric.key];
  const verdict = judgeGrowth(points, sequentialCalls, limits, metric.memory);
  const values = points.map((point) => point.y / metric.scale);
  const perThousand = (value: number) => ((value * 1000) / metric.scale).toFixed(2);
  const inUnit = (value: number) => (value / metric.scale).toFixed(2);
  if (verdict.grows) {
    failures.push(
      `${metric.label} grows over sequential calls: ${perThousand(verdict.slope)} ${metric.unit} per 1000 calls (limit ${perThousand(limits.perCall)}), floor up ${inUnit(verdict.growth)} ${metric.unit} over ${verdict.span} calls (allowed ${inUnit(Math.max((limits.perCall * verdict.span) / 2, limits.noiseAllowance))})`,
    );
  }
  rows.push({
    benchmark: 'soak',
    case: `sequential calls: ${metric.label} at quiescence`,
    unit: metric.unit,
    p50: summarize(values).p50,
    p99: summarize(values).max,
    samples: values.length,
    extra: {
      'before the first call': (points[0]?.y ?? Number.NaN) / metric.scale,
      'after the last call': (points.at(-1)?.y ?? Number.NaN) / metric.scale,
      'slope after warm-up, per 1000 calls': perThousand(verdict.slope),
      'limit per 1000 calls': perThousand(limits.perCall),
      'floor rise after warm-up': inUnit(verdict.growth),
      'floor rise allowed': inUnit(Math.max((limits.perCall * verdict.span) / 2, limits.noiseAllowance)),
      verdict: verdict.grows ? 'GROWS' : verdict.judged ? 'flat' : 'not judged (too few calls)',
      'every reading': values.map((value) => value.toFixed(metric.scale === 1 ? 0 : 1)).join(', '),
    },
  });
}
if (latencies.length > 0) {
  rows.push({
    benchmark: 'soak',
    case: 'sequential calls: end of caller speech → first audible reply',
    unit: 'ms',
    p50: summarize(latencies).p50,
    p99: summarize(latencies).p99,
    samples: latencies.length,
    extra: { verdict: 'reported, not judged' },
  });
}

// ---- 3. concurrent calls --------------------------------------------------------------------------

if (concurrentCalls > 0 && concurrentMs > 0 && serverExit === undefined) {
  const before = await readQuiescent(0);
  const live: Reading[] = [];
  const startedAt = performance.now();
  let concurrentDone = 0;
  let concurrentAnswered = 0;
  const concurrentLatencies: number[] = [];
  const slot = async () => {
    while (performance.now() - startedAt < concurrentMs && serverExit === undefined) {
      callsStarted++;
      const result = await runSoakCall({ url, speed: 1 });
      concurrentDone++;
      if (result.answered) concurrentAnswered++;
      if (result.replyLatencyMs !== undefined) concurrentLatencies.push(result.replyLatencyMs);
      countResult(result);
    }
  };
  // Slots start spread over one turn's length, as independent callers would.
  const slots = Array.from({ length: concurrentCalls }, (_, index) =>
    sleep((index * 4000) / concurrentCalls).then(slot),
  );
  const sampler = (async () => {
    while (performance.now() - startedAt < concurrentMs && serverExit === undefined) {
      await sleep(liveSampleEveryMs);
      if (serverExit === undefined) {
        const reading = await read(Math.round(performance.now() - startedAt), true, concurrentDone);
        live.push(reading);
        console.log(
          `concurrent ${(reading.at / 1000).toFixed(0)} s: ${reading.activeCalls} calls, ${concurrentDone} done, rss ${(reading.rssBytes / MiB).toFixed(1)} MiB, heap ${(reading.heapUsed / MiB).toFixed(1)} MiB, fds ${reading.openFds}, threads ${reading.threads}, children ${reading.descendants} (${(reading.descendantsRssBytes / MiB).toFixed(1)} MiB)`,
        );
      }
    }
  })();
  await Promise.all([...slots, sampler]);
  if (serverExit === undefined) {
    const after = await readQuiescent(0);
    const checks = [
      ['open file descriptors', after.openFds - before.openFds, AFTER_CONCURRENT_ALLOWANCE.openFds],
      ['threads', after.threads - before.threads, AFTER_CONCURRENT_ALLOWANCE.threads],
      ['V8 heap used (bytes)', after.heapUsed - before.heapUsed, AFTER_CONCURRENT_ALLOWANCE.heapUsedBytes],
      ['child processes', after.descendants, persistentChildren],
    ] as const;
    for (const [label, grown, allowed] of checks) {
      if (grown > allowed)
        failures.push(`${label} after the concurrent phase: +${grown} (allowed +${allowed})`);
    }
    notes.push(
      `Concurrent: ${concurrentCalls} calls at a time for ${(concurrentMs / 1000).toFixed(0)} s, the turn at real time: ${concurrentDone} calls, ${concurrentAnswered} answered. After all ended, against before: fds ${before.openFds} → ${after.openFds}, threads ${before.threads} → ${after.threads}, children ${after.descendants}, heap ${(before.heapUsed / MiB).toFixed(1)} → ${(after.heapUsed / MiB).toFixed(1)} MiB, RSS ${(before.rssBytes / MiB).toFixed(1)} → ${(after.rssBytes / MiB).toFixed(1)} MiB.`,
    );
  }
  /** A row of readings taken while the calls ran, with `extra` before the readings themselves. */
  const liveRow = (
    metric: { label: string; unit: string; scale: number },
    values: number[],
    extra: Record<string, string>,
  ): BenchmarkRow => ({
    benchmark: 'soak',
    case: `${concurrentCalls} concurrent calls: ${metric.label} during the calls`,
    unit: metric.unit,
    p50: summarize(values).p50,
    p99: summarize(values).max,
    samples: values.length,
    extra: {
      ...extra,
      'every reading': values.map((value) => value.toFixed(metric.scale === 1 ? 0 : 1)).join(', '),
    },
  });
  // While the calls run: each resource by the growth rule over the calls finished (the first
  // quarter, at least 10 calls, is warm-up), so a leak fails the phase while it is still going.
  for (const metric of metrics) {
    const values = live.map((reading) => reading[metric.key] / metric.scale);
    if (values.length === 0) continue;
    const limits = CONCURRENT_LIMITS[metric.key];
    const verdict = judgeGrowth(
      live.map((reading) => ({ x: reading.callsDone, y: reading[metric.key] })),
      concurrentDone,
      limits,
      metric.memory,
    );
    const perThousand = (value: number) => ((value * 1000) / metric.scale).toFixed(2);
    const inUnit = (value: number) => (value / metric.scale).toFixed(2);
    const allowed = Math.max((limits.perCall * verdict.span) / 2, limits.noiseAllowance);
    if (verdict.grows) {
      failures.push(
        `${metric.label} grows during ${concurrentCalls} concurrent calls: ${perThousand(verdict.slope)} ${metric.unit} per 1000 calls (limit ${perThousand(limits.perCall)}), floor up ${inUnit(verdict.growth)} ${metric.unit} over ${verdict.span} calls (allowed ${inUnit(allowed)})`,
      );
    }
    rows.push(
      liveRow(metric, values, {
        'slope after warm-up, per 1000 calls': perThousand(verdict.slope),
        'limit per 1000 calls': perThousand(limits.perCall),
        'floor rise after warm-up': inUnit(verdict.growth),
        'floor rise allowed': inUnit(allowed),
        verdict: verdict.grows ? 'GROWS' : verdict.judged ? 'flat' : 'not judged (too few calls)',
      }),
    );
  }
  for (const metric of [
    { key: 'descendants', label: 'child processes', unit: 'count', scale: 1 },
    { key: 'descendantsRssBytes', label: 'RSS of the child processes', unit: 'MiB', scale: MiB },
    { key: 'activeCalls', label: 'calls in progress', unit: 'count', scale: 1 },
  ] as const) {
    const values = live.map((reading) => reading[metric.key] / metric.scale);
    if (values.length === 0) continue;
    rows.push(liveRow(metric, values, { verdict: 'reported' }));
  }
  if (concurrentLatencies.length > 0) {
    rows.push({
      benchmark: 'soak',
      case: `${concurrentCalls} concurrent calls: end of caller speech → first audible reply`,
      unit: 'ms',
      p50: summarize(concurrentLatencies).p50,
      p99: summarize(concurrentLatencies).p99,
      samples: concurrentLatencies.length,
      extra: { verdict: 'reported, not judged' },
    });
  }
}

// ---- end ------------------------------------------------------------------------------------------

if (serverExit === undefined) {
  ask({ type: 'close' });
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(serverDirectory, { recursive: true, force: true });
} else {
  failures.unshift(
    `${serverExit}${abortOnUncaughtException ? `; look for a core file in ${serverDirectory}` : ''}`,
  );
}
if (callFailures.size > 0) {
  notes.push(
    `Calls that got no reply, by reason: ${[...callFailures].map(([reason, count]) => `${reason} (${count})`).join('; ')}.`,
  );
}
notes.push(
  "Growth rule (growth-rule.ts): over the readings after the warm-up, a resource grows when its least-squares slope per call exceeds the limit AND its floor (the smallest of the last third of the readings against the smallest of the first third) rose by more than half the limit times the calls between them, or by more than its noise allowance if that is larger (RSS: 64 MiB). Heap and RSS are judged only over at least 100 calls past the warm-up. Child processes must be 0 at every quiescent reading, and while only silent calls are open (1, the Silero child, with --vad-isolation). During the concurrent phase the same rule runs over the calls finished, with the descriptors' and the heap's noise allowances widened to what the slots hold (one socket and about 1 MiB of heap a call); at quiescence after it, 4 descriptors, 2 threads and 16 MiB of heap.",
  `Server: the offline agent (${withSpeechRecognition ? (speechRecognition ? 'pocketsphinx installed' : 'pocketsphinx NOT installed') : 'without speech recognition (--no-speech-recognition): each turn answered without its words'}; Silero VAD ${vadIsolation ? 'in a child process (--vad-isolation)' : 'in the server process'}) behind startAgentServer, in its own process${abortOnUncaughtException ? ' with --abort-on-uncaught-exception' : ''}.`,
  `Verdict: ${failures.length === 0 ? 'no growth, no crash' : `FAILED — ${failures.join('; ')}`}.`,
  loadNote('at the end of the run'),
);

await writeResults(resultsName, {
  title: 'Soak: the offline agent server over sequential, concurrent and silent calls',
  notes,
  rows,
  quick,
});

if (failures.length > 0) {
  console.error(`\nSOAK FAILED:\n${failures.map((failure) => `- ${failure}`).join('\n')}`);
  process.exit(1);
}
console.log('\nsoak: no growth, no crash');
