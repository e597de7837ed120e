import { describe, expect, it } from 'vitest';
import { FrameProcessor, VirtualClock } from '../src/index.js';
import { RepeatedLogLimiter } from '../src/repeated-log-limiter.js';
import { RecordingLogger } from '../src/testing/index.js';

describe('RepeatedLogLimiter', () => {
  it('logs the first records in full, then one summary per interval with the count held back', () => {
    const limiter = new RepeatedLogLimiter({ firstCount: 3, intervalMs: 1000 });
    const verdicts = [];
    for (let index = 0; index < 60; index++) verdicts.push(limiter.admit('carrier-error', index * 50));
    expect(verdicts.slice(0, 3)).toEqual(['log', 'log', 'log']);
    const summaries = verdicts.filter((verdict) => typeof verdict === 'object');
    // 57 held back over 2.85 s: a summary at 1 s and at 2 s after the last full record.
    expect(summaries).toEqual([{ suppressed: 20 }, { suppressed: 20 }]);
    expect(verdicts.filter((verdict) => verdict === 'skip')).toHaveLength(60 - 3 - 2);
  });

  it('keys are independent, and keys beyond the limit share one', () => {
    const limiter = new RepeatedLogLimiter({ firstCount: 1, maxKeys: 2 });
    expect(limiter.admit('a', 0)).toBe('log');
    expect(limiter.admit('b', 0)).toBe('log');
    expect(limiter.admit('a', 1)).toBe('skip');
    expect(limiter.admit('c', 1)).toBe('log');
    expect(limiter.admit('d', 1)).toBe('skip');
  });
});

class FailingProcessor extends FrameProcessor {
  #samples = 100_000;
  fail(): void {
    // The same failure with another number each time, as a growing backlog reports it.
    this.pushError(new Error(`VAD backlog would reach ${this.#samples++} samples`));
  }
}

describe('FrameProcessor.pushError', () => {
  it('logs a repeating error three times in full, then a count per 10 s', async () => {
    const clock = new VirtualClock();
    const logger = new RecordingLogger();
    const processor = new FailingProcessor();
    await processor.setup({ clock, logger, observers: [] });
    for (let index = 0; index < 1000; index++) {
      processor.fail();
      await clock.advance(20);
    }
    const errors = logger.records.filter((record) => record.level === 'error');
    // 3 in full (t = 0-40 ms), then one summary 10 s later; the next would be due at 20.04 s.
    expect(errors).toHaveLength(4);
    expect(errors[3]?.message).toMatch(/repeated 500 more times/);
  });
});
