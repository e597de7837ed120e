/**
 * Telephony codec paths per 20 ms frame, through the real serializers, against the same paths
 * assembled from the peers' libraries in the same run.
 *
 * - Ingress: a carrier's JSON text `media` message → `TelnyxFrameSerializer` /
 *   `TwilioFrameSerializer` `deserialize` (parse → checks → base64 → G.711 or L16 decode → jitter
 *   buffer → resample → `InputAudioRawFrame`).
 * - Egress: an `OutputAudioRawFrame` at the pipeline rate → `serialize` (resample → encode →
 *   base64 → JSON text).
 * - Peers: `JSON.parse` + `Buffer` base64 + `alawmulaw` + libsamplerate-js / speex-resampler-wasm /
 *   @livekit/rtc-node (see peer-paths.ts, peer-resamplers.ts), building the same frames and
 *   messages. A reference row times `JSON.parse` + `Buffer.from(payload, "base64")` alone.
 *
 * Method: the audio is jfk-16k.wav converted to the carrier's rate; every ingress message is a
 * distinct, pre-built text with increasing chunk numbers (as a carrier sends), so the jitter
 * buffer sees a real stream. Each call is timed on its own with `performance.now()` (less the
 * clock reads' own median cost) after a warm-up; p50/p99 are over all timed calls. Allocation:
 * bytes the heap and ArrayBuffer backing stores grew per call over windows of 200 calls that no
 * garbage collection interrupted (median over windows; needs `--expose-gc`, which
 * benchmarks/run.ts passes).
 *
 * Run: node --expose-gc --conditions=@voxline/source --import tsx benchmarks/telephony-path/run.ts [--quick]
 */
import { type InputAudioRawFrame, OutputAudioRawFrame } from '@voxline/core';
import type { TelephonySerializer } from '@voxline/telephony';
import { TelnyxFrameSerializer } from '@voxline/telnyx';
import { TwilioFrameSerializer } from '@voxline/twilio';
import { type BenchmarkCarrier, type CarrierCodec, CarrierStream } from '../lib/carrier-stream.js';
import { bytesPerCall, loadNote, timeEachCall } from '../lib/measure.js';
import {
  type BenchmarkResampler,
  type BenchmarkResamplerFactory,
  libsamplerateResampler,
  livekitResampler,
  speexResampler,
} from '../lib/peer-resamplers.js';
import { cutFrames, readRecording } from '../lib/recordings.js';
import { type BenchmarkRow, percentile, writeResults } from '../lib/report.js';
import { type G711Law, parseAndDecodeBase64, peerEgress, peerIngress } from './peer-paths.js';

const quick = process.argv.includes('--quick');
const warmupCalls = quick ? 200 : 5_000;
const timedCalls = quick ? 500 : 20_000;
/** Peers with a native or WASM resampler can be two orders of magnitude slower: fewer calls. */
const peerTimedCalls = quick ? 200 : 5_000;
const allocationWindows = quick ? 3 : 20;
const allocationWindowCalls = 200;

interface PathCase {
  carrier: BenchmarkCarrier;
  codec: CarrierCodec;
  carrierRate: number;
  pipelineRate: number;
  /** Also run the peers' path for this case. */
  peers: boolean;
  /** Part of the `--quick` smoke run. */
  quick?: boolean;
}

const cases: PathCase[] = [
  { carrier: 'telnyx', codec: 'PCMU', carrierRate: 8000, pipelineRate: 8000, peers: true, quick: true },
  { carrier: 'telnyx', codec: 'PCMU', carrierRate: 8000, pipelineRate: 16000, peers: true, quick: true },
  { carrier: 'telnyx', codec: 'PCMU', carrierRate: 8000, pipelineRate: 24000, peers: true },
  { carrier: 'telnyx', codec: 'PCMA', carrierRate: 8000, pipelineRate: 8000, peers: false },
  { carrier: 'telnyx', codec: 'PCMA', carrierRate: 8000, pipelineRate: 16000, peers: false },
  { carrier: 'telnyx', codec: 'L16', carrierRate: 16000, pipelineRate: 16000, peers: false },
  { carrier: 'telnyx', codec: 'L16', carrierRate: 16000, pipelineRate: 24000, peers: false },
  { carrier: 'twilio', codec: 'PCMU', carrierRate: 8000, pipelineRate: 8000, peers: false },
  { carrier: 'twilio', codec: 'PCMU', carrierRate: 8000, pipelineRate: 16000, peers: false, quick: true },
  { carrier: 'twilio', codec: 'PCMU', carrierRate: 8000, pipelineRate: 24000, peers: false },
];

const recording16k = readRecording('jfk-16k.wav', 16000);
const recordingsByRate = new Map<number, Int16Array>();
function recordingAt(rate: number): Int16Array {
  let pcm = recordingsByRate.get(rate);
  if (pcm === undefined) {
    pcm = rate === 16000 ? recording16k : readRecording('jfk-16k.wav', rate);
    recordingsByRate.set(rate, pcm);
  }
  return pcm;
}

function caseName(path: PathCase): string {
  const carrier = path.carrier === 'telnyx' ? 'Telnyx' : 'Twilio';
  return `${carrier} ${path.codec} ${path.carrierRate / 1000}k ↔ pipeline ${path.pipelineRate / 1000}k`;
}

/** `count` distinct media messages of the recording (looped), numbered on from the stream's last. */
function mediaMessages(stream: CarrierStream, count: number): string[] {
  const frames = cutFrames(recordingAt(stream.sampleRate), stream.sampleRate);
  const messages = new Array<string>(count);
  // JSON.stringify returns a rope (cons) string, which the first read flattens into a copy; text
  // from a WebSocket is already flat (ws decodes each message from one Buffer), so the messages
  // are flattened here, before anything is timed or counted.
  for (let i = 0; i < count; i++) {
    messages[i] = Buffer.from(stream.media(frames[i % frames.length] as Int16Array)).toString();
  }
  return messages;
}

function outputFrames(rate: number): OutputAudioRawFrame[] {
  return cutFrames(recordingAt(rate), rate).map(
    (audio) => new OutputAudioRawFrame({ audio, sampleRate: rate }),
  );
}

function startedSerializer(path: PathCase, stream: CarrierStream): TelephonySerializer {
  const serializer: TelephonySerializer =
    path.carrier === 'telnyx' ? new TelnyxFrameSerializer() : new TwilioFrameSerializer();
  serializer.setup({ inputSampleRate: path.pipelineRate, outputSampleRate: path.pipelineRate });
  serializer.deserialize(stream.connected());
  serializer.deserialize(stream.start());
  return serializer;
}

/** Keeps results observable so the optimizer cannot drop the work. */
let sink = 0;

interface Measured {
  durations: number[];
  bytesPerFrame: number;
}

/**
 * Calls `call(index)` `warmup` times, then times `timed` calls, then measures the bytes allocated
 * per call over the allocation windows. The index keeps counting across the three phases, so a
 * call that consumes input `index` (a prepared carrier message) never sees one twice.
 */
function measureCalls(call: (index: number) => void, timed = timedCalls, warmup = warmupCalls): Measured {
  timeEachCall(call, warmup);
  const durations = timeEachCall(call, timed, warmup);
  const offset = warmup + timed;
  const bytesPerFrame = bytesPerCall(
    (index) => call(offset + index),
    allocationWindowCalls,
    allocationWindows,
  );
  return { durations, bytesPerFrame };
}

function measureVoxlineIngress(path: PathCase): Measured {
  const stream = new CarrierStream(path.carrier, path.codec, path.carrierRate);
  const serializer = startedSerializer(path, stream);
  const messages = mediaMessages(
    stream,
    warmupCalls + timedCalls + allocationWindows * allocationWindowCalls,
  );
  const deserialize = (index: number) => {
    const { frames } = serializer.deserialize(messages[index] as string);
    sink += frames.length;
  };
  return measureCalls(deserialize);
}

function measureVoxlineEgress(path: PathCase): Measured {
  const stream = new CarrierStream(path.carrier, path.codec, path.carrierRate);
  const serializer = startedSerializer(path, stream);
  const frames = outputFrames(path.pipelineRate);
  const serialize = (index: number) => {
    sink += serializer.serialize(frames[index % frames.length] as OutputAudioRawFrame)?.length ?? 0;
  };
  return measureCalls(serialize);
}

async function measurePeerIngress(
  path: PathCase,
  factory: BenchmarkResamplerFactory | undefined,
): Promise<Measured> {
  const stream = new CarrierStream(path.carrier, path.codec, path.carrierRate);
  const resampler: BenchmarkResampler | undefined =
    path.pipelineRate === path.carrierRate
      ? undefined
      : await factory?.create(path.carrierRate, path.pipelineRate);
  const ingress = peerIngress(path.codec as G711Law, resampler, path.pipelineRate);
  const calls = factory === undefined ? timedCalls : peerTimedCalls;
  const warmup = Math.min(warmupCalls, calls);
  const messages = mediaMessages(stream, warmup + calls + allocationWindows * allocationWindowCalls);
  const run = (index: number) => {
    const frame: InputAudioRawFrame | undefined = ingress(messages[index] as string);
    sink += frame?.audio.length ?? 0;
  };
  const measured = measureCalls(run, calls, warmup);
  resampler?.close();
  return measured;
}

async function measurePeerEgress(
  path: PathCase,
  factory: BenchmarkResamplerFactory | undefined,
): Promise<Measured> {
  const stream = new CarrierStream(path.carrier, path.codec, path.carrierRate);
  const resampler: BenchmarkResampler | undefined =
    path.pipelineRate === path.carrierRate
      ? undefined
      : await factory?.create(path.pipelineRate, path.carrierRate);
  const egress = peerEgress(path.carrier, path.codec as G711Law, resampler, stream.streamId);
  const frames = outputFrames(path.pipelineRate);
  const calls = factory === undefined ? timedCalls : peerTimedCalls;
  const warmup = Math.min(warmupCalls, calls);
  const run = (index: number) => {
    sink += egress(frames[index % frames.length] as OutputAudioRawFrame)?.length ?? 0;
  };
  const measured = measureCalls(run, calls, warmup);
  resampler?.close();
  return measured;
}

function measureFloor(): Measured {
  const stream = new CarrierStream('telnyx', 'PCMU', 8000);
  const messages = mediaMessages(
    stream,
    warmupCalls + timedCalls + allocationWindows * allocationWindowCalls,
  );
  const run = (index: number) => {
    sink += parseAndDecodeBase64(messages[index] as string);
  };
  return measureCalls(run);
}

function targetOf(path: PathCase): number {
  return path.pipelineRate === path.carrierRate ? 2 : 6;
}

/** Target for the bytes a Voxline row allocates per 20 ms frame, each direction. */
const ALLOCATION_TARGET_BYTES = 200;

function row(caseLabel: string, measured: Measured, target?: number): BenchmarkRow {
  const p50 = percentile(measured.durations, 50);
  const extra: Record<string, string | number> = {
    'bytes allocated/frame': Number.isNaN(measured.bytesPerFrame)
      ? 'n/a'
      : Math.round(measured.bytesPerFrame),
    'frames/s per core (at p50)': Math.round(1e6 / Math.max(p50, 0.001)),
  };
  if (target !== undefined) {
    extra['target p50'] = `≤ ${target} µs: ${p50 <= target ? 'met' : 'missed'}`;
    extra['target allocation'] =
      `≤ ${ALLOCATION_TARGET_BYTES} B: ${measured.bytesPerFrame <= ALLOCATION_TARGET_BYTES ? 'met' : 'missed'}`;
  }
  return {
    benchmark: 'telephony-path',
    case: caseLabel,
    unit: 'µs/frame',
    p50,
    p99: percentile(measured.durations, 99),
    samples: measured.durations.length,
    extra,
  };
}

/** The peer resamplers that load on this machine (LiveKit's native binary may be missing). */
async function availablePeers(factories: BenchmarkResamplerFactory[]): Promise<BenchmarkResamplerFactory[]> {
  const available: BenchmarkResamplerFactory[] = [];
  for (const factory of factories) {
    try {
      (await factory.create(8000, 16000)).close();
      available.push(factory);
    } catch (error) {
      notes.push(`${factory.name} could not run here: ${(error as Error).message}`);
    }
  }
  return available;
}

/** "Voxline 3.2× faster" or "Voxline 1.4× slower", at p50. */
function compare(voxline: number, peer: number): string {
  return voxline <= peer
    ? `Voxline ${(peer / voxline).toFixed(1)}× faster (p50)`
    : `Voxline ${(voxline / peer).toFixed(1)}× slower (p50)`;
}

const notes = [
  'Ingress = carrier JSON text media message → InputAudioRawFrame (through the serializer’s deserialize, jitter buffer included); egress = OutputAudioRawFrame → carrier JSON text (serialize).',
  `Each call timed on its own with performance.now() after ${warmupCalls} warm-up calls, less the median cost of the two clock reads; ${timedCalls} calls per Voxline row, ${peerTimedCalls} per peer row with a resampler. Audio: jfk-16k.wav at the carrier's rate, one distinct message per call with increasing chunk numbers.`,
  `bytes allocated/frame: growth of the V8 heap plus ArrayBuffer backing stores over windows of 200 calls with no garbage collection inside (full GC before each window, --expose-gc), median over windows. Voxline ingress allocates the frame, its one Int16Array (owned by the frame) and the frames array of the result: an ordinary media message is read in place (no JSON.parse, no payload string); egress allocates the message text, once, flat. Target: ≤ ${ALLOCATION_TARGET_BYTES} B per frame each way. The messages are flattened before the run, as text from a socket is (JSON.stringify returns a rope that the first read would copy).`,
  'Peers: JSON.parse + Buffer base64 + alawmulaw 6.0.0 (+ libsamplerate-js sinc-fastest / speex-resampler-wasm quality 4, its default / @livekit/rtc-node MEDIUM, its default; adapters in benchmarks/lib/peer-resamplers.ts; quality compared in benchmarks/codecs), producing the same frames and messages, without a jitter buffer. @livekit/rtc-node releases resampled audio in ~100 ms blocks, so its per-frame figures are the mean cost of a call and p50 is a call that returned nothing.',
  'Targets (p50): ≤ 2 µs per frame for an 8 kHz pipeline, ≤ 6 µs when resampling, which include JSON.parse + base64 of the message: the reference row measures those alone on the machine of the run.',
  loadNote('at the start of the run'),
];

const rows: BenchmarkRow[] = [];
rows.push(
  row('reference: JSON.parse + Buffer.from(payload, base64) only (Telnyx PCMU message)', measureFloor()),
);
const peers = await availablePeers([
  libsamplerateResampler('fastest'),
  speexResampler(4),
  livekitResampler('MEDIUM'),
]);
for (const path of quick ? cases.filter((candidate) => candidate.quick) : cases) {
  const name = caseName(path);
  const ingress = row(`${name}, ingress`, measureVoxlineIngress(path), targetOf(path));
  const egress = row(`${name}, egress`, measureVoxlineEgress(path), targetOf(path));
  rows.push(ingress, egress);
  if (!path.peers) continue;
  const peerSets: (BenchmarkResamplerFactory | undefined)[] =
    path.pipelineRate === path.carrierRate ? [undefined] : peers;
  for (const [direction, voxline] of [
    ['ingress', ingress],
    ['egress', egress],
  ] as const) {
    for (const factory of peerSets) {
      const measured =
        direction === 'ingress'
          ? await measurePeerIngress(path, factory)
          : await measurePeerEgress(path, factory);
      const label = factory === undefined ? 'alawmulaw' : `alawmulaw + ${factory.name}`;
      const peerRow = row(`peer ${label}: ${name}, ${direction}`, measured);
      rows.push(peerRow);
      peerRow.ratio = compare(voxline.p50, peerRow.p50);
    }
  }
}
// A loaded machine slows everything alike; a path's cost relative to parsing its message is steadier.
const reference = rows[0] as BenchmarkRow;
for (const pathRow of rows.slice(1)) {
  if (pathRow.case.endsWith('ingress')) {
    (pathRow.extra as Record<string, string | number>)['p50 / reference p50'] = pathRow.p50 / reference.p50;
  }
}
notes.push(
  'p50 / reference p50: an ingress row’s p50 over the reference row’s (JSON.parse + Buffer.from(payload, "base64"), what a naive ingress does first), from the same run. It is steadier than absolute times under load; Voxline’s ingress can come out below 1 because it decodes base64 into a reused buffer instead of allocating one.',
  loadNote('at the end of the run'),
);
if (sink === -1) console.log('unreachable');

await writeResults('telephony-path', {
  title: 'Telephony codec paths per 20 ms frame (serializer ingress and egress) vs peers',
  notes,
  rows,
  quick,
});
// @livekit/rtc-node's FFI keeps native handles open after its resamplers are closed.
process.exit(0);
