import {
  DEFAULT_VAD_PARAMS,
  resolveVADParams,
  VADAnalyzer,
  type VADAnalyzerOptions,
  VADError,
  type VADParams,
  type VADResult,
  type VADSpeechEvent,
} from '@voxline/audio';
import { describe, expect, it } from 'vitest';

/**
 * A test analyzer whose confidence is the window's peak magnitude over 10 000 (clamped to 1), so
 * a test controls the verdict of every window through the signal it feeds. It records the
 * windows it saw, and can answer asynchronously (after a macrotask, like onnxruntime) or fail.
 */
class PeakAnalyzer extends VADAnalyzer {
  readonly windowsSeen: number[][] = [];
  asynchronous = false;
  failAtWindow = -1;
  resets = 0;

  constructor(options: Partial<VADAnalyzerOptions> = {}, windowSize = 80) {
    super({ sampleRate: 8000, ...options }, { windowSize });
  }

  protected override voiceConfidence(window: Int16Array): number | Promise<number> {
    const index = this.windowsSeen.length;
    this.windowsSeen.push(Array.from(window));
    let peak = 0;
    for (const s of window) peak = Math.max(peak, Math.abs(s));
    const confidence = Math.min(1, peak / 10_000);
    if (index === this.failAtWindow) {
      if (this.asynchronous) return new Promise((_, reject) => setImmediate(() => reject(new Error('boom'))));
      throw new Error('boom');
    }
    if (!this.asynchronous) return confidence;
    return new Promise((resolve) => setImmediate(() => resolve(confidence)));
  }

  protected override resetModel(): void {
    this.resets++;
  }
}

/** `windows` windows of 80 samples: loud (speech) where the pattern has 'S', silent ('.') elsewhere. */
function pattern(spec: string, windowSize = 80): Int16Array {
  const pcm = new Int16Array(spec.length * windowSize);
  for (let w = 0; w < spec.length; w++) {
    if (spec[w] !== 'S') continue;
    for (let i = 0; i < windowSize; i++) pcm[w * windowSize + i] = i % 2 === 0 ? 12_000 : -12_000;
  }
  return pcm;
}

async function feed(analyzer: VADAnalyzer, pcm: Int16Array, chunk: number): Promise<VADSpeechEvent[]> {
  const events: VADSpeechEvent[] = [];
  for (let offset = 0; offset < pcm.length; offset += chunk) {
    events.push(...(await analyzer.analyze(pcm.subarray(offset, offset + chunk))).events);
  }
  return events;
}

// 80-sample windows at 8000 Hz are 10 ms; startSecs/stopSecs of 0.03 s are 3 windows.
const params: Partial<VADParams> = { startSecs: 0.03, stopSecs: 0.03 };

describe('VADParams', () => {
  it('fills defaults and validates ranges', () => {
    expect(resolveVADParams()).toEqual({ confidence: 0.7, startSecs: 0.2, stopSecs: 0.2, minVolume: -45 });
    expect(resolveVADParams({ confidence: 0.5, minVolume: undefined })).toEqual({
      ...DEFAULT_VAD_PARAMS,
      confidence: 0.5,
    });
    expect(resolveVADParams({ minVolume: Number.NEGATIVE_INFINITY }).minVolume).toBe(
      Number.NEGATIVE_INFINITY,
    );
    for (const bad of [
      { confidence: 1.5 },
      { confidence: Number.NaN },
      { startSecs: -0.1 },
      { stopSecs: 200 },
      { minVolume: 3 },
      { minVolume: Number.NaN },
    ]) {
      expect(() => resolveVADParams(bad)).toThrow(expect.objectContaining({ code: 'invalid-vad-params' }));
    }
  });

  it('setParams rejects bad values without changing anything', () => {
    const analyzer = new PeakAnalyzer({ params });
    expect(() => analyzer.setParams({ confidence: 2 })).toThrow(VADError);
    expect(analyzer.params).toEqual({ ...DEFAULT_VAD_PARAMS, ...params });
    analyzer.setParams({ confidence: 0.3 });
    expect(analyzer.params.confidence).toBe(0.3);
  });
});

describe('VADAnalyzer windowing', () => {
  it('analyses the same windows whatever the frame size, and counts audio time in samples', async () => {
    const pcm = pattern('....SSSSSS....SS......SSSS...');
    const runs: { events: VADSpeechEvent[]; windows: number[][] }[] = [];
    for (const chunk of [1, 7, 80, 160, 333, pcm.length]) {
      const analyzer = new PeakAnalyzer({ params });
      runs.push({ events: await feed(analyzer, pcm, chunk), windows: analyzer.windowsSeen });
      expect(analyzer.fedMs).toBe(290);
      expect(analyzer.analyzedMs).toBe(290);
    }
    for (const run of runs) expect(run).toEqual(runs[0]);
    expect(runs[0]!.windows).toHaveLength(29);
    expect(runs[0]!.events).toEqual([
      { type: 'started', startMs: 40, decidedAtMs: 70 },
      { type: 'stopped', startMs: 40, stopMs: 100, decidedAtMs: 130 },
      { type: 'started', startMs: 220, decidedAtMs: 250 },
      { type: 'stopped', startMs: 220, stopMs: 260, decidedAtMs: 290 },
    ]);
  });

  it('a synchronous subclass has done the work when analyze() returns', async () => {
    const analyzer = new PeakAnalyzer({ params });
    const first = analyzer.analyze(pattern('.SSS'));
    expect(analyzer.state).toBe('speaking');
    const second = analyzer.analyze(pattern('...'));
    expect(analyzer.state).toBe('quiet');
    expect(analyzer.analyzedMs).toBe(70);
    expect((await first).events).toEqual([{ type: 'started', startMs: 10, decidedAtMs: 40 }]);
    expect((await second).events).toEqual([{ type: 'stopped', startMs: 10, stopMs: 40, decidedAtMs: 70 }]);
  });

  it('keeps an incomplete window until it is completed', async () => {
    const analyzer = new PeakAnalyzer({ params });
    const first = await analyzer.analyze(new Int16Array(50));
    expect(first).toMatchObject({ windows: 0, state: 'quiet', analyzedMs: 0, events: [] });
    expect(first.confidence).toBeNaN();
    expect(first.volumeDbfs).toBeNaN();
    const second = await analyzer.analyze(pattern('S').subarray(0, 30));
    expect(second.windows).toBe(1);
    // 50 zeros then 30 samples at ±12 000.
    expect(second.volumeDbfs).toBeCloseTo(10 * Math.log10((30 * 12_000 ** 2) / (80 * 32768 ** 2)), 9);
    expect(analyzer.windowsSeen[0]!.slice(48, 52)).toEqual([0, 0, 12_000, -12_000]);
  });

  it('copies the caller’s audio: reusing the buffer after analyze() returns changes nothing', async () => {
    const analyzer = new PeakAnalyzer({ params });
    analyzer.asynchronous = true;
    const buffer = pattern('SSSS');
    const pending = analyzer.analyze(buffer);
    buffer.fill(0);
    const result = await pending;
    expect(result.windows).toBe(4);
    expect(result.state).toBe('speaking');
  });

  it('reports the level gate: loud-enough confidence on quiet audio is not speech', async () => {
    const analyzer = new PeakAnalyzer({ params: { ...params, confidence: 0.001 } });
    const quiet = pattern('SSSSSS').map((s) => s / 200); // ±60 of 32768: about -55 dBFS
    const result = await analyzer.analyze(quiet);
    expect(result.confidence).toBeCloseTo(0.006, 9);
    expect(result.volumeDbfs).toBeCloseTo(20 * Math.log10(60 / 32768), 5);
    expect(result.state).toBe('quiet');
    analyzer.setParams({ minVolume: -60 });
    expect((await analyzer.analyze(quiet)).state).toBe('speaking');
  });
});

describe('VADAnalyzer state machine and edges', () => {
  it('a single silent window resets a start in progress; a single speech window cancels a stop', async () => {
    const analyzer = new PeakAnalyzer({ params });
    const events = await feed(analyzer, pattern('.SS.SSS..S..S...'), 80);
    expect(events).toEqual([
      { type: 'started', startMs: 40, decidedAtMs: 70 },
      { type: 'stopped', startMs: 40, stopMs: 130, decidedAtMs: 160 },
    ]);
  });

  it('durations round to whole windows, at least one', async () => {
    const analyzer = new PeakAnalyzer({ params: { startSecs: 0, stopSecs: 0.014 } });
    const events = await feed(analyzer, pattern('S.S'), 80);
    expect(events).toEqual([
      { type: 'started', startMs: 0, decidedAtMs: 10 },
      { type: 'stopped', startMs: 0, stopMs: 10, decidedAtMs: 20 },
      { type: 'started', startMs: 20, decidedAtMs: 30 },
    ]);
  });

  it('returns the shared empty event list when nothing happened', async () => {
    const analyzer = new PeakAnalyzer({ params });
    const a = await analyzer.analyze(pattern('..'));
    const b = await analyzer.analyze(pattern('..'));
    expect(a.events).toBe(b.events);
    expect(Object.isFrozen(a.events)).toBe(true);
  });
});

describe('VADAnalyzer with an asynchronous subclass', () => {
  it('overlapping calls resolve in call order with the same results as awaited calls', async () => {
    const pcm = pattern('....SSSSSS....SS......SSSS...');
    const awaited = new PeakAnalyzer({ params });
    awaited.asynchronous = true;
    const expected = await feed(awaited, pcm, 100);

    const overlapped = new PeakAnalyzer({ params });
    overlapped.asynchronous = true;
    const order: number[] = [];
    const calls: Promise<VADResult>[] = [];
    for (let offset = 0, i = 0; offset < pcm.length; offset += 100, i++) {
      const index = i;
      calls.push(
        overlapped.analyze(pcm.subarray(offset, offset + 100)).then((result) => {
          order.push(index);
          return result;
        }),
      );
    }
    const results = await Promise.all(calls);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(results.flatMap((r) => r.events)).toEqual(expected);
    // Each call reports the windows its own audio completed.
    const windowsCompleted = (end: number) => Math.floor(Math.min(end, pcm.length) / 80);
    expect(results.map((r) => r.windows)).toEqual(
      results.map((_, i) => windowsCompleted((i + 1) * 100) - windowsCompleted(i * 100)),
    );
  });

  it('a failing window rejects that call with vad-inference-failed and analysis goes on', async () => {
    const analyzer = new PeakAnalyzer({ params });
    analyzer.asynchronous = true;
    analyzer.failAtWindow = 1;
    const first = analyzer.analyze(pattern('SSS'));
    const second = analyzer.analyze(pattern('SSS'));
    const error = await first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VADError);
    expect(error).toMatchObject({ code: 'vad-inference-failed', cause: new Error('boom') });
    const result = await second;
    // Window 1 was skipped; window 2 (left over from the first call) and the second call's three were analysed.
    expect(result.windows).toBe(4);
    expect(analyzer.analyzedMs).toBe(60);
    expect(analyzer.windowsSeen).toHaveLength(6);
  });

  it('reset() while a window is being analysed: pending calls resolve without events, time restarts', async () => {
    const analyzer = new PeakAnalyzer({ params });
    analyzer.asynchronous = true;
    const pending = analyzer.analyze(pattern('SSSSSS'));
    analyzer.reset();
    const result = await pending;
    expect(result.events).toEqual([]);
    expect(analyzer.state).toBe('quiet');
    expect(analyzer.resets).toBe(1);
    const after = await analyzer.analyze(pattern('..SSS'));
    expect(after.events).toEqual([{ type: 'started', startMs: 20, decidedAtMs: 50 }]);
  });
});

describe('VADAnalyzer errors', () => {
  it('rejects non-Int16Array input without taking it', async () => {
    const analyzer = new PeakAnalyzer();
    const bad = new Float32Array(80) as unknown as Int16Array;
    await expect(analyzer.analyze(bad)).rejects.toMatchObject({ code: 'invalid-vad-audio' });
    expect(analyzer.fedMs).toBe(0);
  });

  it('rejects audio beyond maxBacklogMs without taking it, and keeps working', async () => {
    const analyzer = new PeakAnalyzer({ maxBacklogMs: 50 });
    analyzer.asynchronous = true;
    const first = analyzer.analyze(new Int16Array(350));
    await expect(analyzer.analyze(new Int16Array(100))).rejects.toMatchObject({
      code: 'vad-backlog-overflow',
    });
    expect(analyzer.fedMs).toBe(43.75);
    expect((await first).windows).toBe(4);
    expect((await analyzer.analyze(new Int16Array(100))).windows).toBe(1);
  });

  it('grows the ring when the backlog needs it and keeps samples in order across the wrap', async () => {
    const analyzer = new PeakAnalyzer({}, 80);
    analyzer.asynchronous = true;
    const ramp = Int16Array.from({ length: 8000 }, (_, i) => i);
    const calls = [];
    for (let offset = 0; offset < ramp.length; offset += 130)
      calls.push(analyzer.analyze(ramp.subarray(offset, offset + 130)));
    await Promise.all(calls);
    expect(analyzer.windowsSeen.flat()).toEqual(Array.from(ramp));
  });

  it('rejects calls after close(); close() is idempotent', async () => {
    const analyzer = new PeakAnalyzer();
    analyzer.close();
    analyzer.close();
    await expect(analyzer.analyze(new Int16Array(80))).rejects.toMatchObject({ code: 'vad-closed' });
  });

  it('rejects an invalid window size, backlog or sample rate', () => {
    expect(() => new PeakAnalyzer({ sampleRate: 0 })).toThrow(
      expect.objectContaining({ code: 'unsupported-vad-sample-rate' }),
    );
    expect(() => new PeakAnalyzer({}, 0)).toThrow(expect.objectContaining({ code: 'invalid-vad-params' }));
    expect(() => new PeakAnalyzer({ maxBacklogMs: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid-vad-params' }),
    );
  });
});
