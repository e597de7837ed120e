// #region test
import { TranscriptionFrame, type TTSSpeakFrame } from '@voxline/core';
import { frameNames, runProcessor, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { GoodbyeDetector, OrderStatusProcessor } from './write-a-processor.js';

describe('GoodbyeDetector', () => {
  it('says goodbye and asks the task to end', async () => {
    const { downstream, upstream, errors, reason } = await runProcessor(new GoodbyeDetector(), {
      frames: [new TranscriptionFrame('I need my balance'), sleep(500), new TranscriptionFrame('OK, bye!')],
    });
    expect(frameNames(downstream)).toEqual(['TranscriptionFrame', 'TranscriptionFrame', 'TTSSpeakFrame']);
    expect((downstream[2] as TTSSpeakFrame).text).toBe('Thank you for calling. Goodbye!');
    expect(frameNames(upstream)).toEqual(['EndTaskFrame']);
    expect(reason).toBe('end');
    expect(errors).toEqual([]);
  });
});
// #endregion test

describe('OrderStatusProcessor', () => {
  it('answers from the back end, on the virtual clock', async () => {
    const processor = new OrderStatusProcessor(async (order, signal) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      signal.throwIfAborted();
      return order === '1234' ? 'out for delivery' : 'unknown';
    });
    const { downstream, errors } = await runProcessor(processor, {
      frames: [new TranscriptionFrame('Where is order 1234?')],
      ioWaitMs: 1000,
    });
    expect(downstream.map((frame) => (frame as TTSSpeakFrame).text)).toEqual([
      'Where is order 1234?',
      'Order 1234 is out for delivery.',
    ]);
    expect(errors).toEqual([]);
  });
});
