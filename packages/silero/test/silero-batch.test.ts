/**
 * Batched Silero inference (SileroBatchScheduler) against the unbatched analyzer: the same
 * probabilities (within 1e-5) and the same speech edges on the shared recordings, for many calls
 * on different stretches of audio fed in shuffled order, joining and leaving while batches are
 * filling, at 8 and 16 kHz, with inference in a worker thread and on the main thread.
 *
 * The recordings are resampled with @voxline/audio's StreamResampler (jfk-16k.wav to 8 kHz,
 * spacewalk-44k.wav to 16 and 8 kHz).
 */
import path from 'node:path';
import { readWav, StreamResampler, type VADSpeechEvent } from '@voxline/audio';
import { type SileroBatchInference, SileroBatchScheduler, SileroVADAnalyzer } from '@voxline/silero';
import { afterAll, describe, expect, it } from 'vitest';
import { type RecordingName, SHARED_DATA_DIR } from '../../audio/test/vad-speech-fixtures.js';

type Rate = 8000 | 16000;

const recordings = new Map<string, Int16Array>();

/** A shared recording at `sampleRate`, resampled with StreamResampler (cached). */
function recording(name: RecordingName, sampleRate: Rate): Int16Array {
  const key = `${name}@${sampleRate}`;
  let pcm = recordings.get(key);
  if (pcm === undefined) {
    const wav = readWav(path.join(SHARED_DATA_DIR, name));
    if (wav.sampleRate === sampleRate) pcm = wav.samples;
    else {
      const resampler = new StreamResampler({ inputRate: wav.sampleRate, outputRate: sampleRate });
      const body = resampler.process(wav.samples);
      const tail = resampler.flush();
      pcm = new Int16Array(body.length + tail.length);
      pcm.set(body);
      pcm.set(tail, body.length);
    }
    recordings.set(key, pcm);
  }
  return pcm;
}

/** Deterministic Fisher-Yates shuffle (xorshift32), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = items.slice();
  let state = seed >>> 0 || 1;
  for (let i = result.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/** One call of a test: its audio and the round (of windows or frames) at which it joins. */
interface Call {
  pcm: Int16Array;
  joinsAt: number;
}

/** Per-window probabilities of `pcm` from an unbatched analyzer, fed one window at a time. */
async function unbatchedProbabilities(pcm: Int16Array, sampleRate: Rate): Promise<number[]> {
  const analyzer = await SileroVADAnalyzer.create({ sampleRate });
  const windowSize = analyzer.windowSize;
  const probabilities: number[] = [];
  for (let offset = 0; offset + windowSize <= pcm.length; offset += windowSize) {
    probabilities.push((await analyzer.analyze(pcm.subarray(offset, offset + windowSize))).confidence);
  }
  analyzer.close();
  return probabilities;
}

/**
 * Feeds every call's windows through batched analyzers, round by round: in each round, every
 * call that has joined and not finished submits its next window, in a shuffled order, and the
 * round's results are awaited together. A call joins at its `joinsAt` round (its analyzer is
 * created then) and leaves (is closed) after its last window, while the others go on.
 */
async function batchedProbabilities(
  calls: readonly Call[],
  sampleRate: Rate,
  scheduler: SileroBatchScheduler,
): Promise<number[][]> {
  const windowSize = sampleRate === 16000 ? 512 : 256;
  const results: number[][] = calls.map(() => []);
  const analyzers: (SileroVADAnalyzer | undefined)[] = calls.map(() => undefined);
  const windowCounts = calls.map((call) => Math.floor(call.pcm.length / windowSize));
  const lastRound = Math.max(...calls.map((call, i) => call.joinsAt + windowCounts[i]!));
  for (let round = 0; round < lastRound; round++) {
    for (const [i, call] of calls.entries()) {
      if (call.joinsAt === round)
        analyzers[i] = await SileroVADAnalyzer.create({ sampleRate, batching: scheduler });
    }
    const pending: Promise<void>[] = [];
    for (const i of shuffled(
      calls.map((_, i) => i),
      round + 1,
    )) {
      const call = calls[i]!;
      const index = round - call.joinsAt;
      if (index < 0 || index >= windowCounts[i]!) continue;
      const analyzer = analyzers[i]!;
      const window = call.pcm.subarray(index * windowSize, (index + 1) * windowSize);
      pending.push(
        analyzer.analyze(window).then((result) => {
          results[i]!.push(result.confidence);
          if (index === windowCounts[i]! - 1) analyzer.close();
        }),
      );
    }
    await Promise.all(pending);
  }
  return results;
}

function maxDifference(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** `count` calls on different stretches of `pcm`, `seconds` long each, joining at staggered rounds. */
function callsOn(pcm: Int16Array, sampleRate: Rate, count: number, seconds: number, stagger: number): Call[] {
  const length = Math.round(seconds * sampleRate);
  const span = pcm.length - length;
  return Array.from({ length: count }, (_, i) => {
    // Offsets spread over the recording and off any window grid.
    const offset = Math.floor((span * i) / count) + 37 * i;
    return { pcm: pcm.subarray(offset, offset + length), joinsAt: i * stagger };
  });
}

const schedulers: SileroBatchScheduler[] = [];
function newScheduler(
  inference: SileroBatchInference,
  options: { maxBatchSize?: number; maxWaitMs?: number } = {},
) {
  const scheduler = new SileroBatchScheduler({ inference, ...options });
  schedulers.push(scheduler);
  return scheduler;
}
afterAll(async () => {
  await Promise.all(schedulers.map((scheduler) => scheduler.close()));
});

const CASES: [RecordingName, Rate][] = [
  ['jfk-16k.wav', 16000],
  ['jfk-16k.wav', 8000],
  ['spacewalk-44k.wav', 16000],
  ['spacewalk-44k.wav', 8000],
];
const INFERENCES: SileroBatchInference[] = ['worker', 'main-thread', 'process'];

describe('SileroBatchScheduler probabilities equal the unbatched ones', () => {
  for (const inference of INFERENCES) {
    for (const [name, sampleRate] of CASES) {
      it(`${name} at ${sampleRate} Hz, ${inference}: 10 calls on different offsets, shuffled, joining and leaving, within 1e-5`, async () => {
        // Calls join 7 rounds apart and all last 4 s, so they leave at different rounds too;
        // a batch cap of 4 splits the larger rounds into several batches.
        const calls = callsOn(recording(name, sampleRate), sampleRate, 10, 4, 7);
        const scheduler = newScheduler(inference, { maxBatchSize: 4 });
        const batched = await batchedProbabilities(calls, sampleRate, scheduler);
        for (const [i, call] of calls.entries()) {
          const alone = await unbatchedProbabilities(call.pcm, sampleRate);
          expect(alone.length).toBe(125);
          expect(maxDifference(batched[i]!, alone), `call ${i}`).toBeLessThanOrEqual(1e-5);
        }
        // The stretches differ, so a row given another call's state or audio would show.
        const speechWindows = batched.map((probabilities) => probabilities.filter((p) => p > 0.5).length);
        expect(new Set(speechWindows).size).toBeGreaterThan(3);
        // The batch dimension was used: several calls per run, never more than the cap.
        expect(scheduler.windowsRun).toBe(10 * 125);
        expect(scheduler.windowsRun / scheduler.batchesRun).toBeGreaterThan(2.5);
      });
    }
  }

  it('one scheduler serves 8 and 16 kHz calls at once, in separate batches', async () => {
    const scheduler = newScheduler('worker');
    const [calls8, calls16] = [8000, 16000].map((rate) =>
      callsOn(recording('spacewalk-44k.wav', rate as Rate), rate as Rate, 3, 2, 0),
    ) as [Call[], Call[]];
    const [batched8, batched16] = await Promise.all([
      batchedProbabilities(calls8, 8000, scheduler),
      batchedProbabilities(calls16, 16000, scheduler),
    ]);
    for (const [i, call] of calls8.entries()) {
      expect(maxDifference(batched8[i]!, await unbatchedProbabilities(call.pcm, 8000))).toBeLessThanOrEqual(
        1e-5,
      );
    }
    for (const [i, call] of calls16.entries()) {
      expect(maxDifference(batched16[i]!, await unbatchedProbabilities(call.pcm, 16000))).toBeLessThanOrEqual(
        1e-5,
      );
    }
  });
});

/** The speech events of `pcm` fed in 20 ms frames to `analyzer`. */
async function eventsOf(analyzer: SileroVADAnalyzer, pcm: Int16Array): Promise<VADSpeechEvent[]> {
  const frame = analyzer.sampleRate / 50;
  const events: VADSpeechEvent[] = [];
  for (let offset = 0; offset + frame <= pcm.length; offset += frame) {
    events.push(...(await analyzer.analyze(pcm.subarray(offset, offset + frame))).events);
  }
  return events;
}

describe('SileroBatchScheduler speech edges', () => {
  for (const [name, sampleRate] of CASES) {
    it(`${name} at ${sampleRate} Hz: 6 concurrent calls fed 20 ms frames decide start and stop at the same sample as unbatched`, async () => {
      const pcm = recording(name, sampleRate);
      // Whole recording, shifted by a different number of 20 ms frames per call (the shifted-out
      // head is appended), so the calls' windows are out of step.
      const frame = sampleRate / 50;
      const inputs = Array.from({ length: 6 }, (_, i) => {
        const shift = i * 7 * frame;
        const rotated = new Int16Array(pcm.length);
        rotated.set(pcm.subarray(shift));
        rotated.set(pcm.subarray(0, shift), pcm.length - shift);
        return rotated;
      });
      const scheduler = newScheduler('worker', { maxWaitMs: 5 });
      const analyzers = await Promise.all(
        inputs.map(() => SileroVADAnalyzer.create({ sampleRate, batching: scheduler })),
      );
      const batched = await Promise.all(analyzers.map((analyzer, i) => eventsOf(analyzer, inputs[i]!)));
      for (const [i, input] of inputs.entries()) {
        const alone = await eventsOf(await SileroVADAnalyzer.create({ sampleRate }), input);
        expect(alone.length).toBeGreaterThanOrEqual(6);
        expect(batched[i], `call ${i}`).toEqual(alone);
      }
      expect(scheduler.windowsRun / scheduler.batchesRun).toBeGreaterThan(1.5);
      for (const analyzer of analyzers) analyzer.close();
    });
  }
});

describe('SileroBatchScheduler timing', () => {
  it(`a window waits for the other calls' windows at most maxWaitMs, and not at all once every call has one`, async () => {
    const scheduler = newScheduler('main-thread', { maxWaitMs: 40 });
    const a = await SileroVADAnalyzer.create({ sampleRate: 16000, batching: scheduler });
    const b = await SileroVADAnalyzer.create({ sampleRate: 16000, batching: scheduler });
    const window = recording('jfk-16k.wav', 16000).subarray(16000, 16512);
    // Only a has a window: it runs when the 40 ms are up.
    let start = performance.now();
    await a.analyze(window);
    const alone = performance.now() - start;
    expect(alone).toBeGreaterThanOrEqual(39);
    expect(alone).toBeLessThan(40 + 200);
    // Both have one: the batch runs at once.
    start = performance.now();
    await Promise.all([a.analyze(window), b.analyze(window)]);
    expect(performance.now() - start).toBeLessThan(30);
    // b leaves while a waits: a no longer waits for it.
    start = performance.now();
    const waiting = a.analyze(window);
    b.close();
    await waiting;
    expect(performance.now() - start).toBeLessThan(30);
    expect(scheduler.batchesRun).toBe(3);
    expect(scheduler.windowsRun).toBe(4);
    a.close();
  });

  it('maxWaitMs 0 batches the windows submitted in the same turn of the event loop', async () => {
    const scheduler = newScheduler('worker', { maxWaitMs: 0 });
    const analyzers = await Promise.all(
      Array.from({ length: 5 }, () => SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler })),
    );
    const window = recording('jfk-16k.wav', 8000).subarray(8000, 8256);
    // Four of five submit together: one batch of four, without waiting for the fifth.
    await Promise.all(analyzers.slice(0, 4).map((analyzer) => analyzer.analyze(window)));
    expect([scheduler.batchesRun, scheduler.windowsRun]).toEqual([1, 4]);
    for (const analyzer of analyzers) analyzer.close();
  });

  for (const [inference, maxBatchSize] of [
    ['worker', 64],
    ['process', 64],
    ['process', 3],
  ] as const) {
    it(`${inference}, maxBatchSize ${maxBatchSize}: windows that come while a batch runs wait and join the next batch, not a queue of batches`, async () => {
      const pcm = recording('spacewalk-44k.wav', 8000);
      const windowAt = (i: number) => pcm.subarray(8000 + i * 4000, 8256 + i * 4000);
      const expected = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => (await unbatchedProbabilities(windowAt(i), 8000))[0]!),
      );
      for (const mode of ['main-thread', inference] as const) {
        const scheduler = newScheduler(mode, { maxWaitMs: 0, maxBatchSize });
        const analyzers = await Promise.all(
          Array.from({ length: 9 }, () =>
            SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler }),
          ),
        );
        // Eight of nine calls submit one window each, one turn of the event loop apart (the ninth
        // never does, so no batch is complete before its turn ends).
        const results: Promise<number>[] = [];
        for (let i = 0; i < 8; i++) {
          results.push(analyzers[i]!.analyze(windowAt(i)).then((result) => result.confidence));
          await new Promise((resolve) => setImmediate(resolve));
        }
        const probabilities = await Promise.all(results);
        for (let i = 0; i < 8; i++)
          expect(Math.abs(probabilities[i]! - expected[i]!)).toBeLessThanOrEqual(1e-5);
        expect(scheduler.windowsRun).toBe(8);
        if (mode === 'main-thread') {
          // Each turn's window runs at once on the JavaScript thread: one batch per window.
          expect(scheduler.batchesRun).toBe(8);
        } else {
          // The first window's batch is in the worker or child while the others arrive; they wait
          // for it and run together (in batches of at most maxBatchSize).
          expect(scheduler.batchesRun).toBeLessThanOrEqual(Math.max(4, 1 + Math.ceil(7 / maxBatchSize) + 1));
        }
        for (const analyzer of analyzers) analyzer.close();
      }
    });
  }
});

describe('SileroBatchScheduler streams', () => {
  it('reset() while a window waits in a batch: the stream replays identically', async () => {
    const scheduler = newScheduler('worker', { maxWaitMs: 20 });
    const pcm = recording('spacewalk-44k.wav', 8000).subarray(8000 * 5, 8000 * 8);
    const expected = await unbatchedProbabilities(pcm, 8000);
    const analyzer = await SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler });
    // A second stream that never submits keeps the first one's window waiting for the timer.
    const idle = await SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler });
    for (let offset = 0; offset < 8000; offset += 256)
      await analyzer.analyze(pcm.subarray(offset, offset + 256));
    const inFlight = analyzer.analyze(pcm.subarray(0, 256));
    analyzer.reset();
    expect((await inFlight).events).toEqual([]);
    idle.close();
    const replay: number[] = [];
    for (let offset = 0; offset + 256 <= pcm.length; offset += 256) {
      replay.push((await analyzer.analyze(pcm.subarray(offset, offset + 256))).confidence);
    }
    expect(maxDifference(replay, expected)).toBeLessThanOrEqual(1e-5);
    analyzer.close();
  });

  it('batching: true uses the process scheduler for the model, the same for every call', async () => {
    const a = await SileroVADAnalyzer.create({ sampleRate: 16000, batching: true });
    const b = await SileroVADAnalyzer.create({ sampleRate: 16000, batching: true });
    const shared = SileroBatchScheduler.shared();
    const before = shared.windowsRun;
    const window = recording('jfk-16k.wav', 16000).subarray(0, 512);
    await Promise.all([a.analyze(window), b.analyze(window)]);
    expect(shared.windowsRun - before).toBe(2);
    a.close();
    b.close();
    await shared.close();
    expect(SileroBatchScheduler.shared()).not.toBe(shared);
    await SileroBatchScheduler.shared().close();
  });
});

describe('SileroBatchScheduler errors', () => {
  it('rejects invalid options, rates and model paths with typed errors', async () => {
    for (const options of [
      { maxBatchSize: 0 },
      { maxBatchSize: 2.5 },
      { maxWaitMs: -1 },
      { maxWaitMs: Infinity },
    ]) {
      expect(() => new SileroBatchScheduler(options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'invalid-vad-params' }),
      );
    }
    expect(() => new SileroBatchScheduler({ inference: 'gpu' as SileroBatchInference })).toThrow(
      expect.objectContaining({ code: 'invalid-vad-params' }),
    );
    const scheduler = newScheduler('main-thread', { maxWaitMs: 5000 });
    await expect(scheduler.openStream(44_100)).rejects.toMatchObject({
      code: 'unsupported-vad-sample-rate',
    });
    await expect(
      SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler, modelPath: '/elsewhere/model.onnx' }),
    ).rejects.toMatchObject({ code: 'invalid-vad-params' });
    // Invalid VAD params: the stream opened for the analyzer is released again.
    await expect(
      SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler, params: { confidence: 2 } }),
    ).rejects.toMatchObject({ code: 'invalid-vad-params' });
    const lone = await SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler });
    const start = performance.now();
    await lone.analyze(new Int16Array(256));
    // Alone in the scheduler, its window does not wait for the 5 s.
    expect(performance.now() - start).toBeLessThan(1000);
    lone.close();
  });

  for (const inference of INFERENCES) {
    it(`${inference}: a missing model fails to load with vad-load-failed`, async () => {
      const scheduler = new SileroBatchScheduler({ inference, modelPath: '/nonexistent/model.onnx' });
      await expect(
        SileroVADAnalyzer.create({ sampleRate: 16000, batching: scheduler }),
      ).rejects.toMatchObject({ code: 'vad-load-failed' });
      await scheduler.close();
    });
  }

  it('close() fails the windows waiting (vad-inference-failed) and later streams (vad-closed)', async () => {
    const scheduler = new SileroBatchScheduler({ inference: 'worker', maxWaitMs: 1000 });
    const a = await SileroVADAnalyzer.create({ sampleRate: 16000, batching: scheduler });
    await SileroVADAnalyzer.create({ sampleRate: 16000, batching: scheduler });
    const waiting = a.analyze(new Int16Array(512));
    await scheduler.close();
    await expect(waiting).rejects.toMatchObject({
      code: 'vad-inference-failed',
      cause: expect.objectContaining({ code: 'vad-closed' }),
    });
    await expect(a.analyze(new Int16Array(512))).rejects.toMatchObject({ code: 'vad-inference-failed' });
    await expect(SileroVADAnalyzer.create({ sampleRate: 16000, batching: scheduler })).rejects.toMatchObject({
      code: 'vad-closed',
    });
  });
});
