/**
 * VAD cost per call: what voice activity detection costs per 20 ms frame of one call, for the
 * WebRTC VAD (libfvad in WebAssembly) and Silero VAD (onnxruntime-node) at 8 and 16 kHz, and
 * how many calls' VAD one core keeps up with in real time.
 *
 * Method, per analyzer:
 * - per frame: the spacewalk recording (resampled by sox) is fed in 20 ms frames, one call
 *   awaiting each `analyze()`; each sample is the wall time of one call in µs (Silero frames that
 *   complete no 32 ms window cost almost nothing). The mean CPU time per frame comes from
 *   process.cpuUsage over the run.
 * - per window (Silero): one 32 ms window per call; this is how long one inference holds the
 *   JavaScript thread.
 * - capacity: N calls fed round-robin as fast as possible; calls per core = N × audio seconds
 *   processed per CPU second (measured rather than extrapolated, so per-call scheduling costs
 *   count; CPU rather than wall time, so other load on the machine does not count).
 * - event-loop delay: a tenth of the measured capacity paced in real time (each call receives a
 *   20 ms frame every 20 ms, arrivals spread over the period), with `monitorEventLoopDelay`,
 *   next to the same timers with no call.
 * - batched against unbatched Silero (batching.ts): 10, 50 and 100 calls paced in real time,
 *   unbatched, batched on the main thread and batched in a worker (SileroBatchScheduler), taking
 *   turns; CPU ms per call-second and per-window latency.
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/vad/run.ts [--quick]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type VADAnalyzer, WebRTCVADAnalyzer } from '@voxline/audio';
// The benchmarks package does not depend on @voxline/silero; its public entry is imported by path.
import { SileroVADAnalyzer } from '../../packages/silero/src/index.js';
import { type BenchmarkRow, percentile, writeResults } from '../lib/report.js';
import { batchingRows } from './batching.js';
import { pacedLoad } from './paced-load.js';

const quick = process.argv.includes('--quick');
const repeats = quick ? 1 : 5;
const pacedSeconds = quick ? 1 : 5;
const dataDir = join(fileURLToPath(new URL('../../', import.meta.url)), '../shared/data');

const spacewalk = new Map<number, Int16Array>();

/** The spacewalk recording at `sampleRate`, resampled by sox once per rate. */
function loadSpacewalk(sampleRate: number): Int16Array {
  let pcm = spacewalk.get(sampleRate);
  if (pcm === undefined) {
    pcm = resampleSpacewalk(sampleRate);
    spacewalk.set(sampleRate, pcm);
  }
  return pcm;
}

function resampleSpacewalk(sampleRate: number): Int16Array {
  const raw = execFileSync(
    'sox',
    [
      join(dataDir, 'spacewalk-44k.wav'),
      '-t',
      'raw',
      '-r',
      String(sampleRate),
      '-e',
      'signed-integer',
    ].concat(['-b', '16', '-c', '1', '--endian', 'little', '-']),
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return new Int16Array(new Uint8Array(raw).buffer);
}

interface Case {
  name: string;
  sampleRate: 8000 | 16000;
  create: () => Promise<VADAnalyzer>;
}

const cases: Case[] = [
  {
    name: 'WebRTC VAD 8 kHz',
    sampleRate: 8000,
    create: () => WebRTCVADAnalyzer.create({ sampleRate: 8000 }),
  },
  {
    name: 'WebRTC VAD 16 kHz',
    sampleRate: 16000,
    create: () => WebRTCVADAnalyzer.create({ sampleRate: 16000 }),
  },
  {
    name: 'Silero VAD 8 kHz',
    sampleRate: 8000,
    create: () => SileroVADAnalyzer.create({ sampleRate: 8000 }),
  },
  {
    name: 'Silero VAD 16 kHz',
    sampleRate: 16000,
    create: () => SileroVADAnalyzer.create({ sampleRate: 16000 }),
  },
];

function framesOf(pcm: Int16Array, size: number): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let offset = 0; offset + size <= pcm.length; offset += size)
    frames.push(pcm.subarray(offset, offset + size));
  return frames;
}

/** Wall time of each awaited analyze() in µs, and mean CPU µs per call. */
async function timeCalls(analyzer: VADAnalyzer, frames: Int16Array[], rounds: number) {
  for (const frame of frames) await analyzer.analyze(frame); // warm-up: one pass
  const wall: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    analyzer.reset();
    for (const frame of frames) {
      const start = process.hrtime.bigint();
      await analyzer.analyze(frame);
      wall.push(Number(process.hrtime.bigint() - start) / 1000);
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpuPerCall: (cpu.user + cpu.system) / wall.length };
}

/**
 * Runs `calls` analyzers flat out, round-robin, one frame each per round. Returns seconds of
 * audio each call got through per second of CPU time of this process (robust to other load on
 * the machine) and per second of wall time.
 */
async function concurrentThroughput(testCase: Case, calls: number, frames: Int16Array[]) {
  const analyzers = await Promise.all(Array.from({ length: calls }, () => testCase.create()));
  for (const frame of frames.slice(0, 50))
    await Promise.all(analyzers.map((analyzer) => analyzer.analyze(frame)));
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const frame of frames) await Promise.all(analyzers.map((analyzer) => analyzer.analyze(frame)));
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  for (const analyzer of analyzers) analyzer.close();
  const audioSeconds = frames.length * 0.02;
  return {
    perCpuSecond: audioSeconds / ((cpu.user + cpu.system) / 1e6),
    perWallSecond: audioSeconds / wallSeconds,
  };
}

const loadBefore = loadavg()[0]!;
// The same paced timers with no call: the event-loop delay the machine itself adds.
const baseline = await pacedLoad([], [], pacedSeconds);
const rows: BenchmarkRow[] = [];
for (const testCase of cases) {
  const pcm = loadSpacewalk(testCase.sampleRate);
  const frames = framesOf(pcm, testCase.sampleRate / 50);
  const analyzer = await testCase.create();
  const perFrame = await timeCalls(analyzer, frames, repeats);
  // Capacity is measured, not extrapolated: run half the single-call estimate concurrently and
  // scale by the audio processed per CPU second (per-call scheduling costs show up here).
  const estimate = 20_000 / perFrame.cpuPerCall;
  const concurrent = Math.max(1, Math.floor(estimate / 2));
  const throughput = await concurrentThroughput(testCase, concurrent, frames.slice(0, quick ? 50 : 500));
  const callsPerCore = Math.floor(concurrent * throughput.perCpuSecond);
  const pacedCalls = Math.max(1, Math.floor(callsPerCore / 10));
  const pacedAnalyzers = await Promise.all(Array.from({ length: pacedCalls }, () => testCase.create()));
  const paced = await pacedLoad(pacedAnalyzers, frames, pacedSeconds);
  rows.push({
    benchmark: 'vad',
    case: `${testCase.name}, per 20 ms frame`,
    unit: 'µs',
    p50: percentile(perFrame.wall, 50),
    p99: percentile(perFrame.wall, 99),
    samples: perFrame.wall.length,
    extra: {
      'CPU µs/frame, 1 call': perFrame.cpuPerCall,
      'calls per core (measured)': callsPerCore,
      'measured with': `${concurrent} calls: ${throughput.perCpuSecond.toFixed(2)}× real time per CPU s, ${throughput.perWallSecond.toFixed(2)}× per wall s`,
      'paced: calls': pacedCalls,
      'paced: loop delay p99 / max ms': `${paced.p99DelayMs.toFixed(1)} / ${paced.maxDelayMs.toFixed(1)}`,
      'paced: core used': `${(paced.coreShare * 100).toFixed(0)}%`,
    },
  });
  if (analyzer instanceof SileroVADAnalyzer) {
    const windows = framesOf(pcm, analyzer.windowSize);
    const perWindow = await timeCalls(analyzer, windows, repeats);
    rows.push({
      benchmark: 'vad',
      case: `${testCase.name}, per 32 ms window (one inference)`,
      unit: 'µs',
      p50: percentile(perWindow.wall, 50),
      p99: percentile(perWindow.wall, 99),
      samples: perWindow.wall.length,
      extra: { 'CPU µs/frame, 1 call': perWindow.cpuPerCall },
    });
  }
  analyzer.close();
}
rows.push(
  ...(await batchingRows({ quick, load: loadSpacewalk, idleCpuMsPerSecond: baseline.coreShare * 1000 })),
);

await writeResults('vad', {
  title: 'VAD cost per call',
  quick,
  notes: [
    'Input: spacewalk-44k.wav resampled by sox to 8 or 16 kHz, fed in 20 ms frames; default parameters (WebRTC mode 3 with 30 ms frames; Silero 32 ms windows, one shared onnxruntime session, 1 intra-op and 1 inter-op thread).',
    'p50/p99: wall time of one awaited analyze() call of one call. A Silero frame completes a window only every 1.6 frames, so its median is the no-inference case and its p99 is one inference plus the setImmediate turn onnxruntime-node schedules it on.',
    'CPU µs/frame, 1 call: process CPU time over the single-call run divided by frames (for the window rows: per window).',
    'calls per core (measured): N calls (half of 20 ms / CPU per frame) fed round-robin as fast as possible on the one JavaScript thread; N × audio seconds per CPU second of the process (the wall-time factor is shown too; it is lower when other work shares the machine).',
    'paced: a tenth of that many calls fed in real time (one frame per call every 20 ms, arrivals spread over the period in 20 groups), to see what the inferences add to event-loop delay; delay from monitorEventLoopDelay; core used = CPU time / wall time.',
    'Batched rows ("N calls paced"): N calls paced as above (calls 37 frames apart in the audio, their 32 ms windows ending in different 20 ms frames as for calls that started at different times), unbatched, batched on the main thread and batched in a worker thread (SileroBatchScheduler defaults: maxWaitMs 10, maxBatchSize 64), the modes taking turns over 5 repetitions of 5 s. p50/p99: latency of a window (analyze() of the frame that completed it → its result), median over the repetitions of each one\'s p50 and p99. CPU ms per call-second: process CPU time (all threads, the worker included) / (N × 5 s), median of the repetitions; "less idle timers" subtracts what the paced timers cost with no call over the same wall time. JavaScript thread busy: performance.eventLoopUtilization over the run (a worker thread\'s inference is not in it). Comparison: CPU ratio to unbatched at the same N and rate.',
    `Event-loop delay of the paced timers alone, with no call: p99 ${baseline.p99DelayMs.toFixed(1)} ms, max ${baseline.maxDelayMs.toFixed(1)} ms (what the machine adds).`,
    `Machine load average (1 min) ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end of the run: above the core count, other processes competed for the CPU, which inflates wall times, p99s and event-loop delays but not CPU-time figures much.`,
  ],
  rows,
});
