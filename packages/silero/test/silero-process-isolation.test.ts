/**
 * Silero inference in a child process (`isolation: 'process'`, `SileroBatchScheduler` with
 * `inference: 'process'`): the real model in a real child on the shared recordings gives the
 * speech segments of in-process inference; a child killed mid-call (SIGKILL, SIGSEGV) fails only
 * the windows it held, is replaced, and leaves no process, pipe or listener behind.
 */
import { RecordingLogger } from '@voxline/core/testing';
import { SileroBatchScheduler, SileroVADAnalyzer } from '@voxline/silero';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type DetectedSegment,
  detectSegments,
  loadRecording,
  type RecordingName,
} from '../../audio/test/vad-speech-fixtures.js';

const schedulers: SileroBatchScheduler[] = [];
function processScheduler(options: ConstructorParameters<typeof SileroBatchScheduler>[0] = {}) {
  const scheduler = new SileroBatchScheduler({ inference: 'process', ...options });
  schedulers.push(scheduler);
  return scheduler;
}
afterAll(async () => {
  await Promise.all(schedulers.map((scheduler) => scheduler.close()));
});

/** Handles of child processes and pipes (the kinds a leaked child would leave), by kind. */
function processHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'ProcessWrap' || kind === 'PipeWrap') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const FRAME_MS = 20;

describe('Silero in a child process on real speech', () => {
  const cases: [RecordingName, 8000 | 16000][] = [
    ['jfk-16k.wav', 16000],
    ['spacewalk-44k.wav', 16000],
    ['spacewalk-44k.wav', 8000],
  ];
  for (const [name, sampleRate] of cases) {
    it(`${name} at ${sampleRate} Hz: 3 concurrent calls find the segments of in-process inference`, async () => {
      const pcm = loadRecording(name, sampleRate);
      const expected = await detectSegments(await SileroVADAnalyzer.create({ sampleRate }), pcm);
      expect(expected.length).toBeGreaterThanOrEqual(3);
      const scheduler = processScheduler({ maxWaitMs: 5 });
      const analyzers = await Promise.all(
        [0, 1, 2].map(() =>
          SileroVADAnalyzer.create({ sampleRate, batching: scheduler, isolation: 'process' }),
        ),
      );
      const pid = scheduler.childPid!;
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(process.pid);
      const segments: DetectedSegment[][] = await Promise.all(
        analyzers.map((analyzer) => detectSegments(analyzer, pcm)),
      );
      for (const found of segments) expect(found).toEqual(expected);
      // The windows of the three calls were batched in the child, and no restart happened.
      expect(scheduler.windowsRun).toBe(3 * Math.floor(pcm.length / analyzers[0]!.windowSize));
      expect(scheduler.windowsRun / scheduler.batchesRun).toBeGreaterThan(1.5);
      expect(scheduler.childrenStarted).toBe(1);
      for (const analyzer of analyzers) analyzer.close();
    });
  }

  it(`isolation: 'process' alone uses the process's shared 'process' scheduler`, async () => {
    const a = await SileroVADAnalyzer.create({ sampleRate: 16000, isolation: 'process' });
    const b = await SileroVADAnalyzer.create({ sampleRate: 16000, isolation: 'process' });
    const shared = SileroBatchScheduler.shared(undefined, 'process');
    expect(shared.inference).toBe('process');
    expect(shared).not.toBe(SileroBatchScheduler.shared());
    const pcm = loadRecording('jfk-16k.wav', 16000).subarray(16000, 16512);
    const before = shared.windowsRun;
    const [first, second] = await Promise.all([a.analyze(pcm), b.analyze(pcm)]);
    expect(first.confidence).toBeCloseTo(second.confidence, 6);
    expect(shared.windowsRun - before).toBe(2);
    a.close();
    b.close();
    await shared.close();
    await SileroBatchScheduler.shared().close();
  });
});

describe('a crash of the inference child', () => {
  it('SIGKILL then SIGSEGV mid-call: the test process lives, the held windows fail, a new child serves the next frames, one log record, no leak', async () => {
    const handlesBefore = processHandles();
    const exitListenersBefore = process.listenerCount('exit');
    const logger = new RecordingLogger();
    const scheduler = processScheduler({ logger, restart: { initialBackoffMs: 50 } });
    const sampleRate = 16000;
    const calls = await Promise.all(
      [0, 1, 2].map(() => SileroVADAnalyzer.create({ sampleRate, batching: scheduler })),
    );
    const pcm = loadRecording('jfk-16k.wav', sampleRate);
    const frame = (sampleRate * FRAME_MS) / 1000;
    const failures: unknown[] = [];
    let served = 0;
    const killedPids: number[] = [];
    const killAt = new Map<number, NodeJS.Signals>([
      [100, 'SIGKILL'],
      [300, 'SIGSEGV'],
    ]);
    // Frames of 20 ms, the three calls in step; the child is killed while a batch is in it.
    for (let index = 0; (index + 1) * frame <= pcm.length; index++) {
      const audio = pcm.subarray(index * frame, (index + 1) * frame);
      const results = calls.map((call) => call.analyze(audio));
      const signal = killAt.get(index);
      if (signal !== undefined) {
        const pid = scheduler.childPid!;
        killedPids.push(pid);
        process.kill(pid, signal);
      }
      for (const outcome of await Promise.allSettled(results)) {
        if (outcome.status === 'rejected') failures.push(outcome.reason);
        else if (outcome.value.windows > 0) served++;
      }
    }
    // Only the windows the dying child held failed: at most one per call per crash.
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.length).toBeLessThanOrEqual(2 * calls.length);
    for (const failure of failures) {
      expect(failure).toMatchObject({
        code: 'vad-inference-failed',
        cause: expect.objectContaining({ message: expect.stringMatching(/killed by SIG(KILL|SEGV)/) }),
      });
    }
    const windows = Math.floor(pcm.length / 512);
    expect(served).toBeGreaterThan(calls.length * (windows - 10));
    // Two restarts; the dead children are gone (reaped), the third serves.
    expect(scheduler.childrenStarted).toBe(3);
    for (const pid of killedPids) expect(isAlive(pid)).toBe(false);
    const lastPid = scheduler.childPid!;
    expect(killedPids).not.toContain(lastPid);
    // The calls still decide speech after the crashes.
    const after = await detectSegments(calls[0]!, pcm);
    expect(after.length).toBeGreaterThanOrEqual(3);
    // One error record for both crashes (rate-limited to one a minute).
    const errors = logger.records.filter((record) => record.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fields).toMatchObject({ error: expect.stringMatching(/killed by SIGKILL/) });

    for (const call of calls) call.close();
    await scheduler.close();
    expect(isAlive(lastPid)).toBe(false);
    expect(scheduler.childPid).toBeUndefined();
    // Let the closed pipes' handles go.
    await new Promise((resolve) => setImmediate(resolve));
    expect(processHandles()).toEqual(handlesBefore);
    expect(process.listenerCount('exit')).toBe(exitListenersBefore);
  });

  it('restarts wait out the backoff, and past the cap of restarts a minute windows fail at once', async () => {
    const logger = new RecordingLogger();
    const scheduler = processScheduler({
      logger,
      restart: { initialBackoffMs: 300, maxRestartsPerMinute: 1 },
    });
    const call = await SileroVADAnalyzer.create({ sampleRate: 8000, batching: scheduler });
    const window = loadRecording('jfk-16k.wav', 8000).subarray(8000, 8256);
    await call.analyze(window);
    const first = scheduler.childPid!;
    process.kill(first, 'SIGKILL');
    // Wait for the exit to be seen, so the next window is served by a restart, not the dying child.
    while (scheduler.childPid !== undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    let start = performance.now();
    await call.analyze(window);
    expect(performance.now() - start).toBeGreaterThanOrEqual(290);
    expect(scheduler.childrenStarted).toBe(2);
    process.kill(scheduler.childPid!, 'SIGKILL');
    while (scheduler.childPid !== undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    // A second restart within the minute is over the cap of 1: the window fails at once.
    start = performance.now();
    await expect(call.analyze(window)).rejects.toMatchObject({
      code: 'vad-inference-failed',
      cause: expect.objectContaining({ message: expect.stringMatching(/crashed 1 times in a minute/) }),
    });
    expect(performance.now() - start).toBeLessThan(200);
    expect(scheduler.childrenStarted).toBe(2);
    call.close();
  });
});

describe('process isolation options', () => {
  it('rejects bad restart options, an unknown isolation, and a non-process scheduler for isolation', async () => {
    for (const restart of [
      { initialBackoffMs: -1 },
      { maxBackoffMs: 10, initialBackoffMs: 20 },
      { maxRestartsPerMinute: 0 },
      { stableAfterMs: Number.NaN },
    ]) {
      expect(
        () => new SileroBatchScheduler({ inference: 'process', restart }),
        JSON.stringify(restart),
      ).toThrow(expect.objectContaining({ code: 'invalid-vad-params' }));
    }
    await expect(
      SileroVADAnalyzer.create({ sampleRate: 8000, isolation: 'thread' as 'process' }),
    ).rejects.toMatchObject({ code: 'invalid-vad-params' });
    const inProcess = new SileroBatchScheduler({ inference: 'main-thread' });
    await expect(
      SileroVADAnalyzer.create({ sampleRate: 8000, batching: inProcess, isolation: 'process' }),
    ).rejects.toMatchObject({ code: 'invalid-vad-params' });
    await inProcess.close();
  });
});
