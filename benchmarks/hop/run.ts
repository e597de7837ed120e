/**
 * Hop cost: what one processor-to-processor hop costs for a 20 ms audio frame, through chains of
 * 1, 10 and 50 pass-through processors, for Voxline's inline and queued modes and, in the same
 * run, for the same chain built from WHATWG TransformStreams (what LiveKit agents-js uses) and
 * Node object-mode Transform streams.
 *
 * Method: a hop is too cheap to time alone (a timer read costs more), so each sample times a batch
 * of frames through the whole chain and divides by frames × hops. Samples are repeated after a
 * warm-up; the report gives the median (p50) and p99 of the samples in ns per hop.
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/hop/run.ts [--quick]
 */
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline as pipelineStreams } from 'node:stream/promises';
import {
  createLogger,
  type Frame,
  type FrameDirection,
  FrameProcessor,
  OutputAudioRawFrame,
  Pipeline,
  realClock,
} from '@voxline/core';
import { type BenchmarkRow, percentile, writeResults } from '../lib/report.js';
import { telemetryRows } from './telemetry-rows.js';

const quick = process.argv.includes('--quick');
const chainLengths = [1, 10, 50];
const samples = quick ? 5 : 60;
const warmupSamples = quick ? 1 : 10;
const frame = new OutputAudioRawFrame({ audio: new Int16Array(320), sampleRate: 16000 });
const logger = createLogger({ level: 'silent' });
const setup = { clock: realClock, logger, observers: [] };

class PassThrough extends FrameProcessor {}

class QueuedPassThrough extends FrameProcessor {
  constructor() {
    super({ mode: 'queued' });
  }
}

/** The end of the chain: counts arrivals and wakes the driver when a batch is through. */
class Arrivals extends FrameProcessor {
  count = 0;
  #target = 0;
  #wake: (() => void) | undefined;
  protected override processFrame(_frame: Frame, _direction: FrameDirection): void {
    this.count++;
    if (this.count === this.#target) this.#wake?.();
  }
  until(target: number): Promise<void> {
    this.#target = target;
    if (this.count >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }
}

async function measureInline(length: number, batch: number): Promise<number[]> {
  const arrivals = new Arrivals();
  const chain = new Pipeline([...Array.from({ length }, () => new PassThrough()), arrivals]);
  await chain.setup(setup);
  const perHop: number[] = [];
  for (let sample = 0; sample < warmupSamples + samples; sample++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) chain.receiveFrame(frame, 'downstream');
    const elapsed = Number(process.hrtime.bigint() - start);
    // Hops: into each processor plus into the arrival counter; the pipeline's own entry and exit
    // pass-throughs are hops too and are counted, as a user's nested pipelines would be.
    if (sample >= warmupSamples) perHop.push(elapsed / batch / (length + 3));
  }
  if (arrivals.count !== batch * (warmupSamples + samples)) throw new Error('inline chain lost frames');
  await chain.cleanup();
  return perHop;
}

async function measureQueued(length: number, batch: number): Promise<number[]> {
  const arrivals = new Arrivals();
  const chain = new Pipeline([...Array.from({ length }, () => new QueuedPassThrough()), arrivals]);
  await chain.setup(setup);
  const perHop: number[] = [];
  let expected = 0;
  for (let sample = 0; sample < warmupSamples + samples; sample++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) chain.receiveFrame(frame, 'downstream');
    expected += batch;
    await arrivals.until(expected);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (sample >= warmupSamples) perHop.push(elapsed / batch / (length + 3));
  }
  await chain.cleanup();
  return perHop;
}

async function measureTransformStreams(length: number, batch: number): Promise<number[]> {
  const perHop: number[] = [];
  for (let sample = 0; sample < warmupSamples + samples; sample++) {
    let readable: ReadableStream<Frame> = new ReadableStream<Frame>({
      start(controller) {
        for (let i = 0; i < batch; i++) controller.enqueue(frame);
        controller.close();
      },
    });
    for (let i = 0; i < length; i++) readable = readable.pipeThrough(new TransformStream<Frame, Frame>());
    const start = process.hrtime.bigint();
    let count = 0;
    for await (const _ of readable) count++;
    const elapsed = Number(process.hrtime.bigint() - start);
    if (count !== batch) throw new Error('transform stream chain lost frames');
    if (sample >= warmupSamples) perHop.push(elapsed / batch / length);
  }
  return perHop;
}

async function measureNodeStreams(length: number, batch: number): Promise<number[]> {
  const perHop: number[] = [];
  for (let sample = 0; sample < warmupSamples + samples; sample++) {
    const transforms = Array.from(
      { length },
      () =>
        new Transform({
          objectMode: true,
          transform(chunk, _encoding, callback) {
            callback(null, chunk);
          },
        }),
    );
    let count = 0;
    const frames = Readable.from(
      (function* () {
        for (let i = 0; i < batch; i++) yield frame;
      })(),
    );
    const sink = new Writable({
      objectMode: true,
      write(_chunk, _encoding, callback) {
        count++;
        callback();
      },
    });
    const start = process.hrtime.bigint();
    await pipelineStreams([frames, ...transforms, sink]);
    const elapsed = Number(process.hrtime.bigint() - start);
    if (count !== batch) throw new Error('node stream chain lost frames');
    if (sample >= warmupSamples) perHop.push(elapsed / batch / length);
  }
  return perHop;
}

const rows: BenchmarkRow[] = [];
const implementations = [
  { name: 'Voxline inline', measure: measureInline, batch: quick ? 200 : 5000 },
  { name: 'Voxline queued', measure: measureQueued, batch: quick ? 100 : 1000 },
  { name: 'WHATWG TransformStream', measure: measureTransformStreams, batch: quick ? 50 : 500 },
  { name: 'Node Transform (objectMode)', measure: measureNodeStreams, batch: quick ? 50 : 500 },
];
for (const length of chainLengths) {
  for (const implementation of implementations) {
    const perHop = await implementation.measure(length, implementation.batch);
    rows.push({
      benchmark: 'hop',
      case: `${implementation.name}, chain of ${length}`,
      unit: 'ns/hop',
      p50: percentile(perHop, 50),
      p99: percentile(perHop, 99),
      samples: perHop.length,
    });
  }
}
for (const length of chainLengths) {
  const inline = rows.find((row) => row.case === `Voxline inline, chain of ${length}`) as BenchmarkRow;
  const queued = rows.find((row) => row.case === `Voxline queued, chain of ${length}`) as BenchmarkRow;
  const web = rows.find((row) => row.case === `WHATWG TransformStream, chain of ${length}`) as BenchmarkRow;
  inline.ratio = `${(web.p50 / inline.p50).toFixed(0)}× cheaper than TransformStream`;
  queued.ratio = `${(web.p50 / queued.p50).toFixed(1)}× cheaper than TransformStream`;
}
// Telemetry on and off in the same run (see telemetry-rows.ts).
const telemetry = await telemetryRows({ samples, warmupSamples, batch: quick ? 200 : 5000 });
if (telemetry.spansDuringAudio !== 0)
  throw new Error(`audio frames started ${telemetry.spansDuringAudio} spans`);
rows.push(...telemetry.rows);
await writeResults('hop', {
  title: 'Hop cost per 20 ms frame (pass-through processors)',
  notes: [
    'Each sample pushes a batch of frames through the chain and divides by frames × hops.',
    'Voxline chains count the pipeline entry/exit pass-throughs and the final consumer as hops.',
    'Targets: inline p50 ≤ 25 ns/hop, queued p50 ≤ 500 ns/hop.',
    'Telemetry rows: call audio (caller and bot frames alternating, in an open turn) with no observer, a do-nothing observer, and the CallTelemetryObserver with an SDK tracer and metrics; bytes/frame over GC-free windows of 200 frames. Any observer costs the event object the pipeline passes per hop; the observer-alone row is the cost of the telemetry itself.',
  ],
  rows,
  quick,
});
