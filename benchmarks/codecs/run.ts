/**
 * Codec paths per 20 ms frame, Voxline against its peers in the same process and the same run:
 *
 * - G.711: `@voxline/audio` µ-law and A-law encode and decode against `alawmulaw`;
 * - G.722: `@voxline/audio` encode and decode of 20 ms at 16000 Hz (no in-process peer; the tests
 *   check bit-exact agreement with ffmpeg);
 * - Opus: `OpusEncoder`/`OpusDecoder` (libopus) on the same frames, one packet per frame;
 * - resampling at 8000 → 16000, 16000 → 8000, 24000 → 8000 and 48000 → 16000 Hz: `StreamResampler`
 *   (`'telephony'` and `'high'`) against libsamplerate (WASM; sinc fastest, medium, best), the Speex
 *   resampler (WASM SIMD; qualities 3, 5, 7, 10) and LiveKit's `AudioResampler` (native libsoxr;
 *   MEDIUM, its default, and HIGH), with each one's quality figures beside its speed.
 *
 * Method:
 * - time: the implementations of one operation take turns in `runs` interleaved runs after a warm-up
 *   (benchmarks/lib/interleaved-timing.ts); each sample is `process.hrtime.bigint()` around one call
 *   (resamplers) or a batch of 25 calls (G.711, cheaper than a clock read), less the clock's own cost.
 *   Reported: median (p50) and p99 over all samples in ns per frame, the interquartile range of the
 *   per-run medians (how much the median moved between runs), and ratios to the peers measured in
 *   the same run. Frames are 20 ms of real speech (JFK, or the spacewalk recording at 24 and 48 kHz).
 * - allocation: bytes per frame from the growth of the JavaScript heap plus ArrayBuffer backing
 *   stores over windows of 200 calls that no garbage collection interrupted (benchmarks/lib/measure.ts;
 *   needs `--expose-gc`, which this script switches on itself when it was not given). Memory inside a
 *   WASM instance or native library is not counted.
 * - quality (resamplers): benchmarks/codecs/resampler-quality.ts, streamed in 20 ms chunks.
 *
 * Benchmarks report; they never gate anything.
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/codecs/run.ts [--quick]
 * (`--quick`: a few iterations only, a smoke test, written to codecs.quick.*).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type TimedCase, type TimedResult, timeInterleaved } from '../lib/interleaved-timing.js';
import { bytesPerCall, loadNote } from '../lib/measure.js';
import {
  type BenchmarkResamplerFactory,
  libsamplerateResampler,
  livekitResampler,
  speexResampler,
  voxlineResampler,
} from '../lib/peer-resamplers.js';
import { cutFrames, readRecording } from '../lib/recordings.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';
import { alawmulawVersion, g711Comparisons } from './g711-cases.js';
import { g722Cases } from './g722-cases.js';
import { opusCases } from './opus-cases.js';
import { measureResamplerQuality } from './resampler-quality.js';

const quick = process.argv.includes('--quick');
const settings = quick
  ? {
      warmupCalls: 200,
      runs: 2,
      samplesPerRun: 50,
      codecBatch: 25,
      qualitySeconds: 0.5,
      allocationWindows: 3,
    }
  : {
      warmupCalls: 3000,
      runs: 7,
      samplesPerRun: 1500,
      codecBatch: 25,
      qualitySeconds: 2,
      allocationWindows: 20,
    };

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  // Allocation figures need a full collection before each window.
  setFlagsFromString('--expose-gc');
  (globalThis as { gc?: unknown }).gc = runInNewContext('gc');
}

const notes: string[] = [loadNote('at the start')];
// What the measuring loop itself allocates per call, subtracted from every figure.
const allocationBaseline = bytesPerCall(() => {}, 200, settings.allocationWindows);
const allocationPerFrame = (operation: (index: number) => void) =>
  Math.max(0, bytesPerCall(operation, 200, settings.allocationWindows) - allocationBaseline);
const rows: BenchmarkRow[] = [];
const format = (value: number, digits = 1) =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value);

function timingExtra(result: TimedResult, allocation: number): Record<string, string | number> {
  return { 'run IQR (ns)': result.runIqr, 'bytes/frame': Math.round(allocation) };
}

// G.711 ----------------------------------------------------------------------------------------------

const speech8k = readRecording('jfk-16k.wav', 8000);
const codecFrames = cutFrames(speech8k, 8000).map((frame) => frame.slice());
for (const comparison of g711Comparisons(codecFrames)) {
  const cases: TimedCase[] = [comparison.voxline, comparison.alawmulaw];
  const [ours, theirs] = timeInterleaved(cases, {
    warmupCalls: settings.warmupCalls * 10,
    runs: settings.runs,
    samplesPerRun: settings.samplesPerRun,
    batch: settings.codecBatch,
  }) as [TimedResult, TimedResult];
  const allocation = (timedCase: TimedCase) => allocationPerFrame(timedCase.operation);
  rows.push({
    benchmark: 'codecs',
    case: `G.711 ${comparison.operation}: voxline`,
    unit: 'ns/frame',
    p50: ours.p50,
    p99: ours.p99,
    samples: ours.samples.length,
    ratio: `${format(theirs.p50 / ours.p50)}× faster than alawmulaw`,
    extra: { ...timingExtra(ours, allocation(comparison.voxline)), agreement: comparison.agreement },
  });
  rows.push({
    benchmark: 'codecs',
    case: `G.711 ${comparison.operation}: alawmulaw ${alawmulawVersion}`,
    unit: 'ns/frame',
    p50: theirs.p50,
    p99: theirs.p99,
    samples: theirs.samples.length,
    extra: { ...timingExtra(theirs, allocation(comparison.alawmulaw)), agreement: comparison.agreement },
  });
}

// G.722 and Opus ------------------------------------------------------------------------------------

const speech16k = readRecording('jfk-16k.wav', 16000);
const wideFrames = cutFrames(speech16k, 16000).map((frame) => frame.slice());
const wideCases = [
  ...g722Cases(wideFrames).map((timed) => ({
    ...timed,
    codec: 'G.722',
    agreement: 'bit-exact with ffmpeg g722 (packages/audio/test/g722.test.ts)',
  })),
  ...opusCases(wideFrames.slice(0, 100)).map((timed) => ({
    ...timed,
    codec: 'Opus',
    agreement: 'libopus itself (no peer); one packet per frame, 24 kbit/s wideband',
  })),
];
for (const { operation, voxline, codec, agreement } of wideCases) {
  const [result] = timeInterleaved([voxline], {
    warmupCalls: settings.warmupCalls,
    runs: settings.runs,
    samplesPerRun: settings.samplesPerRun,
    batch: 1,
  }) as [TimedResult];
  rows.push({
    benchmark: 'codecs',
    case: `${codec} ${operation}: voxline`,
    unit: 'ns/frame',
    p50: result.p50,
    p99: result.p99,
    samples: result.samples.length,
    extra: {
      ...timingExtra(result, allocationPerFrame(voxline.operation)),
      agreement,
    },
  });
}

// Resamplers -----------------------------------------------------------------------------------------

const factories: BenchmarkResamplerFactory[] = [
  voxlineResampler('telephony'),
  voxlineResampler('high'),
  speexResampler(3),
  speexResampler(5),
  speexResampler(7),
  speexResampler(10),
  libsamplerateResampler('fastest'),
  libsamplerateResampler('medium'),
  libsamplerateResampler('best'),
  livekitResampler('MEDIUM'),
  livekitResampler('HIGH'),
];
const pairs: ReadonlyArray<[number, number]> = [
  [8000, 16000],
  [16000, 8000],
  [24000, 8000],
  [48000, 16000],
];

for (const [inputRate, outputRate] of pairs) {
  const recording =
    inputRate <= 16000
      ? readRecording('jfk-16k.wav', inputRate)
      : readRecording('spacewalk-44k.wav', inputRate);
  // Separate arrays, as frames arrive from a transport; LiveKit's adapter copies them again.
  const frames = cutFrames(recording, inputRate).map((frame) => frame.slice());
  const resamplers = await Promise.all(factories.map((factory) => factory.create(inputRate, outputRate)));
  const cases: TimedCase[] = resamplers.map((resampler) => ({
    name: resampler.name,
    operation: (n) => resampler.process(frames[n % frames.length]!),
  }));
  const results = timeInterleaved(cases, {
    warmupCalls: settings.warmupCalls,
    runs: settings.runs,
    samplesPerRun: settings.samplesPerRun,
    batch: 1,
  });
  const allocations = cases.map((timedCase) => allocationPerFrame(timedCase.operation));
  for (const resampler of resamplers) resampler.close();
  const reference = results[0]!;
  for (const [index, factory] of factories.entries()) {
    const result = results[index]!;
    const quality = await measureResamplerQuality(factory, inputRate, outputRate, settings.qualitySeconds);
    rows.push({
      benchmark: 'codecs',
      case: `${inputRate} → ${outputRate} Hz: ${factory.name}`,
      unit: 'ns/frame',
      p50: result.p50,
      p99: result.p99,
      samples: result.samples.length,
      ratio: index === 0 ? 'reference' : `${format(result.p50 / reference.p50)}× voxline telephony's time`,
      extra: {
        ...timingExtra(result, allocations[index]!),
        'SINAD 0.25 fN (dB)': format(quality.sinadLowDb),
        'SINAD 0.85 fN (dB)': format(quality.sinadEdgeDb),
        'gain 0.85 fN (dB)': format(quality.gainEdgeDb, 3),
        'alias/image rejection (dB)': `${format(quality.spuriousRejectionDb)} (${quality.spurious})`,
        'delay (ms)': format(quality.delayMs, 2),
        'held back (ms)': format(quality.heldBackMs, 1),
        'output per call (samples)':
          quality.minOutputPerCall === quality.maxOutputPerCall
            ? String(quality.minOutputPerCall)
            : `${quality.minOutputPerCall}–${quality.maxOutputPerCall} (${Math.round(100 * quality.nominalCallShare)} % nominal)`,
        library: factory.library,
      },
    });
  }
}

notes.push(
  `Time: ${settings.runs} interleaved runs × ${settings.samplesPerRun} samples per case after ${settings.warmupCalls} warm-up calls (G.711: ${settings.warmupCalls * 10}); a sample is one call for resamplers, a batch of ${settings.codecBatch} calls for G.711, one call for G.722 and Opus; ns per frame, clock-read cost subtracted. "run IQR" is the interquartile range of the per-run medians.`,
  `Allocation: bytes per frame as heap plus ArrayBuffer growth over GC-free windows of 200 calls (median of ${settings.allocationWindows}), less the ${allocationBaseline.toFixed(1)} bytes per call the measuring loop allocates by itself; WASM and native memory not counted.`,
  'Quality: SINAD of a −0.2 dBFS tone at 25 % and 85 % of the lower Nyquist frequency fN (free amplitude and phase fit); gain at 85 % fN; alias (downsampling) or image (upsampling) of a −6 dBFS tone beside a −6 dBFS in-band carrier, fitted jointly; delay of an impulse; "held back": most signal owed after any 20 ms call; output sizes per 20 ms call.',
  'Peers: libsamplerate converts Int16 ↔ Float32 around its Float32 API; Speex gets 16-bit samples copied into and out of WASM memory; LiveKit gets a fresh copy of each frame in a new AudioFrame (it ignores byteOffset) and returns zero or more frames. Those conversions and copies are part of their cost, as in an application.',
  loadNote('at the end'),
);

await writeResults('codecs', {
  title: 'Codec paths per 20 ms frame: G.711, G.722, Opus and resampling, Voxline and peers in the same run',
  notes,
  rows,
  quick,
});
// LiveKit's FFI keeps the event loop alive.
process.exit(0);
