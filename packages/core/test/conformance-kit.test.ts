/**
 * The conformance kit itself: registering a suite with a test framework, running one without, and
 * the processor suite on processors that keep and that break the forwarding rules.
 */
import { CancelFrame, type Frame, type FrameDirection, FrameProcessor, TextFrame } from '@voxline/core';
import {
  ConformanceError,
  ConformanceProbeFrame,
  describeConformance,
  frameProcessorConformance,
  runConformanceSuite,
} from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

class Uppercase extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof TextFrame) this.pushFrame(new TextFrame(frame.text.toUpperCase()), direction);
    else this.pushFrame(frame, direction);
  }
}

/** Queued and slow on data and control frames: must still forward everything. */
class SlowQueued extends FrameProcessor {
  constructor() {
    super({ mode: 'queued' });
  }
  protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame.kind !== 'system') await this.clock.sleep(5);
    this.pushFrame(frame, direction);
  }
}

/** Broken: drops frames it does not know. */
class DropsUnknown extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof ConformanceProbeFrame) return;
    this.pushFrame(frame, direction);
  }
}

/** Broken: keeps the CancelFrame to itself. */
class SwallowsCancel extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof CancelFrame) return;
    this.pushFrame(frame, direction);
  }
}

async function failures(create: () => FrameProcessor) {
  const results = await runConformanceSuite(
    frameProcessorConformance({ create, input: () => [new TextFrame('hi')] }),
  );
  return results.filter((result) => !result.passed);
}

describe('describeConformance', () => {
  it('registers one describe block named after the suite, with one test per check and the check timeout', () => {
    const registered: string[] = [];
    describeConformance(
      {
        name: 'Toy suite',
        checkTimeoutMs: 1234,
        checks: [
          { name: 'first', run: async () => {} },
          { name: 'second', run: async () => {} },
        ],
      },
      {
        describe: (name, body) => {
          registered.push(`describe ${name}`);
          body();
        },
        it: (name, _body, timeoutMs) => registered.push(`it ${name} ${timeoutMs}`),
      },
    );
    expect(registered).toEqual(['describe Toy suite', 'it first 1234', 'it second 1234']);
  });
});

describe('runConformanceSuite', () => {
  it('runs every check in order and reports each, never throwing', async () => {
    const order: string[] = [];
    const results = await runConformanceSuite({
      name: 'Toy suite',
      checkTimeoutMs: 1000,
      checks: [
        { name: 'passes', run: async () => void order.push('passes') },
        {
          name: 'fails',
          run: async () => {
            order.push('fails');
            throw new ConformanceError('contract-violated', 'no');
          },
        },
        { name: 'passes too', run: async () => void order.push('passes too') },
      ],
    });
    expect(order).toEqual(['passes', 'fails', 'passes too']);
    expect(results.map((result) => [result.name, result.passed])).toEqual([
      ['passes', true],
      ['fails', false],
      ['passes too', true],
    ]);
    expect(results[1]?.error).toMatchObject({ name: 'ConformanceError', code: 'contract-violated' });
  });
});

describe('frameProcessorConformance', () => {
  it('passes an inline processor and a slow queued one', async () => {
    expect(await failures(() => new Uppercase())).toEqual([]);
    expect(await failures(() => new SlowQueued())).toEqual([]);
  });

  it('catches a processor that drops frames it does not know', async () => {
    const failed = await failures(() => new DropsUnknown());
    expect(failed.map((result) => result.name)).toEqual([
      'forwards frames it does not know, each way, unchanged and in order',
    ]);
    expect(failed[0]?.error).toMatchObject({
      code: 'contract-violated',
      message: expect.stringContaining('down-1'),
    });
  });

  it('catches a processor that keeps the CancelFrame', async () => {
    const failed = await failures(() => new SwallowsCancel());
    expect(failed.map((result) => result.name)).toEqual([
      'forwards a CancelFrame: a cancelled pipeline ends at once',
    ]);
  });
});
