import {
  CancelFrame,
  createLogger,
  EndFrame,
  type ErrorFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  type FramePushEvent,
  FunctionCallResultFrame,
  InputAudioRawFrame,
  InterruptionFrame,
  InvalidOptionError,
  MetricsFrame,
  OutputAudioRawFrame,
  ParallelPipeline,
  Pipeline,
  PipelineTask,
  StartFrame,
  TextFrame,
  UserStartedSpeakingFrame,
  VirtualClock,
} from '@voxline/core';
import { FrameRecorder, frameNames, runProcessor, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { Mailbox } from '../src/processors/mailbox.js';

const silent = createLogger({ level: 'silent' });

/** Appends a suffix to every TextFrame; inline. */
class Suffix extends FrameProcessor {
  readonly #suffix: string;
  constructor(suffix: string) {
    super();
    this.#suffix = suffix;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof TextFrame) this.pushFrame(new TextFrame(frame.text + this.#suffix), direction);
    else this.pushFrame(frame, direction);
  }
}

/** Takes `delayMs` of pipeline-clock time per TextFrame, honouring its abort signal; queued. */
class SlowText extends FrameProcessor {
  readonly started: string[] = [];
  readonly aborted: string[] = [];
  readonly systemSeenWhileBusy: string[] = [];
  #busy = false;
  readonly #delayMs: number;
  constructor(delayMs: number) {
    super({ mode: 'queued' });
    this.#delayMs = delayMs;
  }
  protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof TextFrame) {
      this.started.push(frame.text);
      this.#busy = true;
      const signal = this.signal;
      try {
        await this.clock.sleep(this.#delayMs, signal);
      } catch (error) {
        this.aborted.push(frame.text);
        throw error;
      } finally {
        this.#busy = false;
      }
      this.pushFrame(frame, direction);
      return;
    }
    if (frame.kind === 'system' && this.#busy) this.systemSeenWhileBusy.push(frame.constructor.name);
    this.pushFrame(frame, direction);
  }
}

function texts(frames: readonly Frame[]): string[] {
  return frames.filter((frame) => frame instanceof TextFrame).map((frame) => (frame as TextFrame).text);
}

describe('frames', () => {
  it('have increasing ids and are stamped with the pipeline clock when they enter', async () => {
    const a = new TextFrame('a');
    const b = new TextFrame('b');
    expect(b.id).toBeGreaterThan(a.id);
    expect(Number.isNaN(a.createdAt)).toBe(true);
    const clock = new VirtualClock(5000);
    const { downstream } = await runProcessor(new FrameRecorder(), { clock, frames: [sleep(250), a] });
    expect(downstream[0]).toBe(a);
    expect(a.createdAt).toBe(5250);
  });

  it('classify scheduling and interruptibility', () => {
    expect(new StartFrame().kind).toBe('system');
    expect(new InputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 }).kind).toBe('system');
    expect(new OutputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 }).kind).toBe('data');
    expect(new EndFrame().kind).toBe('control');
    expect(new EndFrame().uninterruptible).toBe(true);
    expect(new FunctionCallResultFrame('id', 'f', {}, 1).uninterruptible).toBe(true);
    expect(new TextFrame('x').uninterruptible).toBe(false);
  });

  it('reject audio that is not Int16Array PCM', () => {
    expect(() => new OutputAudioRawFrame({ audio: new Float32Array(4) as never, sampleRate: 8000 })).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'audio' }),
    );
    expect(() => new OutputAudioRawFrame({ audio: new Int16Array(4), sampleRate: 0 })).toThrow(
      InvalidOptionError,
    );
    expect(() => new OutputAudioRawFrame({ audio: new Int16Array(4), sampleRate: 0 })).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'sampleRate' }),
    );
  });
});

describe('inline processors and pipelines', () => {
  it('keep order through a nested chain', async () => {
    const pipeline = new Pipeline([
      new Suffix('1'),
      new Pipeline([new Suffix('2'), new Suffix('3')]),
      new Suffix('4'),
    ]);
    const frames = ['a', 'b', 'c'].map((text) => new TextFrame(text));
    const { downstream } = await runProcessor(pipeline, { frames });
    expect(texts(downstream)).toEqual(['a1234', 'b1234', 'c1234']);
  });

  it('send upstream frames out of the top', async () => {
    const { upstream } = await runProcessor(new Pipeline([new Suffix('x'), new Suffix('y')]), {
      upstreamFrames: [new TextFrame('u')],
    });
    expect(texts(upstream)).toEqual(['uyx']);
  });

  it('refuse a processor placed twice', () => {
    const same = new Suffix('');
    expect(() => new Pipeline([same, same])).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'processors' }),
    );
  });
});

describe('queued processors', () => {
  it('process data in order and let system frames jump the queue', async () => {
    const slow = new SlowText(100);
    const clock = new VirtualClock();
    const recorder = new FrameRecorder();
    const task = new PipelineTask(new Pipeline([slow, recorder]), { clock, logger: silent });
    const done = task.run();
    task.queueFrames([new TextFrame('1'), new TextFrame('2'), new TextFrame('3')]);
    await clock.advance(10);
    task.queueFrame(new UserStartedSpeakingFrame());
    await clock.advance(0);
    // The system frame overtook the two queued texts while the first was still in flight.
    expect(frameNames(recorder.downstream)).toEqual(['StartFrame', 'UserStartedSpeakingFrame']);
    expect(slow.systemSeenWhileBusy).toEqual(['UserStartedSpeakingFrame']);
    task.stopWhenDone();
    await clock.runUntil(done);
    expect(texts(recorder.downstream)).toEqual(['1', '2', '3']);
    expect(recorder.recorded.find((entry) => (entry.frame as TextFrame).text === '3')?.at).toBe(300);
    expect(frameNames(recorder.downstream).at(-1)).toBe('EndFrame');
  });

  it('on interruption abort work in flight, drop queued data, keep uninterruptible frames', async () => {
    const slow = new SlowText(100);
    const clock = new VirtualClock();
    const recorder = new FrameRecorder();
    const task = new PipelineTask(new Pipeline([slow, recorder]), { clock, logger: silent });
    const errors: ErrorFrame[] = [];
    task.on('error', (frame) => errors.push(frame));
    const done = task.run();
    const result = new FunctionCallResultFrame('call-1', 'lookup', {}, { ok: true });
    task.queueFrames([new TextFrame('a'), new TextFrame('b'), result, new TextFrame('c')]);
    await clock.advance(50);
    task.queueFrame(new InterruptionFrame());
    await clock.advance(0);
    task.queueFrame(new TextFrame('after'));
    task.stopWhenDone();
    await clock.runUntil(done);

    expect(slow.aborted).toEqual(['a']);
    expect(slow.started).toEqual(['a', 'after']);
    const names = frameNames(recorder.downstream);
    expect(names).toEqual([
      'StartFrame',
      'InterruptionFrame',
      'FunctionCallResultFrame',
      'TextFrame',
      'EndFrame',
    ]);
    expect(texts(recorder.downstream)).toEqual(['after']);
    expect(errors).toEqual([]); // an abort caused by an interruption is not an error
  });

  it('apply the overflow policy: drop the oldest audio, count it and report a metric', async () => {
    const mailbox = new Mailbox(4, 'drop-oldest-audio');
    const audio = () => new OutputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 });
    const first = audio();
    mailbox.push(new TextFrame('t'), FrameDirection.Downstream);
    mailbox.push(first, FrameDirection.Downstream);
    mailbox.push(audio(), FrameDirection.Downstream);
    mailbox.push(new EndFrame(), FrameDirection.Downstream);
    expect(mailbox.push(audio(), FrameDirection.Downstream)).toBe(false);
    expect(mailbox.size).toBe(4);
    expect(mailbox.droppedFrames).toBe(1);
    const left: Frame[] = [];
    for (let frame = mailbox.shift(); frame; frame = mailbox.shift()) left.push(frame);
    expect(left).not.toContain(first);
    expect(frameNames(left)).toEqual(['TextFrame', 'OutputAudioRawFrame', 'EndFrame', 'OutputAudioRawFrame']);

    // Control and uninterruptible frames are never dropped: the mailbox grows for them.
    const full = new Mailbox(2);
    full.push(new EndFrame(), FrameDirection.Downstream);
    full.push(new EndFrame(), FrameDirection.Downstream);
    expect(full.push(new EndFrame(), FrameDirection.Downstream)).toBe(true);
    expect(full.size).toBe(3);

    // Through a processor: a stalled consumer with capacity 8 and 20 audio frames queued.
    const stalled = new SlowText(1_000_000);
    const small = new (class extends FrameProcessor {
      constructor() {
        super({ mode: 'queued', mailboxCapacity: 8 });
      }
      protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
        if (frame instanceof OutputAudioRawFrame) await this.clock.sleep(1_000_000, this.signal);
        this.pushFrame(frame, direction);
      }
    })();
    const clock = new VirtualClock();
    const task = new PipelineTask(new Pipeline([small, stalled]), { clock, logger: silent });
    const metrics: MetricsFrame[] = [];
    task.on('frame', (frame) => {
      if (frame instanceof MetricsFrame) metrics.push(frame);
    });
    const done = task.run();
    for (let i = 0; i < 20; i++) task.queueFrame(audio());
    await clock.advance(0);
    // All twenty arrive before the loop wakes: eight fit, twelve are dropped oldest-first, then the
    // loop takes one into flight.
    expect(small.queuedFrames).toBe(7);
    expect(small.droppedFrames).toBe(12);
    expect(metrics[0]?.data[0]).toMatchObject({ type: 'mailbox-overflow', droppedFrames: 1 });
    task.cancel();
    await clock.runUntil(done);
  });
});

describe('errors', () => {
  class Failing extends FrameProcessor {
    readonly #failOn: 'text' | 'start';
    constructor(failOn: 'text' | 'start') {
      super();
      this.#failOn = failOn;
    }
    protected override processFrame(frame: Frame, direction: FrameDirection): void {
      if (this.#failOn === 'text' && frame instanceof TextFrame) throw new Error(`bad text ${frame.text}`);
      if (this.#failOn === 'start' && frame instanceof StartFrame) throw new Error('cannot start');
      this.pushFrame(frame, direction);
    }
  }

  it('become non-fatal ErrorFrames pushed upstream; the pipeline goes on', async () => {
    const { upstream, downstream, errors, reason } = await runProcessor(
      new Pipeline([new Suffix('!'), new Failing('text')]),
      { frames: [new TextFrame('x'), new TextFrame('y')] },
    );
    expect(frameNames(upstream)).toEqual(['ErrorFrame', 'ErrorFrame']);
    expect((upstream[0] as ErrorFrame).message).toBe('bad text x!');
    expect((upstream[0] as ErrorFrame).processor).toMatch(/^Failing#/);
    expect(errors).toHaveLength(2);
    expect(downstream).toEqual([]);
    expect(reason).toBe('end');
  });

  it('are fatal when starting fails: the task is cancelled', async () => {
    const clock = new VirtualClock();
    const task = new PipelineTask(new Pipeline([new Failing('start')]), { clock, logger: silent });
    const errors: ErrorFrame[] = [];
    task.on('error', (frame) => errors.push(frame));
    const reason = await clock.runUntil(task.run());
    expect(reason).toBe('cancel');
    expect(errors[0]?.fatal).toBe(true);
  });

  it('in a queued processor reject without crashing and are reported', async () => {
    const failing = new (class extends FrameProcessor {
      constructor() {
        super({ mode: 'queued' });
      }
      protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
        if (frame instanceof TextFrame) throw Object.assign(new Error('provider down'), { fatal: true });
        this.pushFrame(frame, direction);
      }
    })();
    const { errors, reason } = await runProcessor(failing, { frames: [new TextFrame('x')] });
    expect(errors.map((frame) => [frame.message, frame.fatal])).toEqual([['provider down', true]]);
    expect(reason).toBe('cancel');
  });
});

describe('graceful end and cancel', () => {
  it('end processes everything queued before it; cancel drops it', async () => {
    const endClock = new VirtualClock();
    const endRecorder = new FrameRecorder();
    const endTask = new PipelineTask(new Pipeline([new SlowText(100), endRecorder]), {
      clock: endClock,
      logger: silent,
    });
    const ending = endTask.run();
    endTask.queueFrames([new TextFrame('1'), new TextFrame('2')]);
    endTask.stopWhenDone();
    expect(await endClock.runUntil(ending)).toBe('end');
    expect(texts(endRecorder.downstream)).toEqual(['1', '2']);
    expect(endClock.now()).toBe(200);

    const cancelClock = new VirtualClock();
    const cancelRecorder = new FrameRecorder();
    const slow = new SlowText(100);
    const cancelTask = new PipelineTask(new Pipeline([slow, cancelRecorder]), {
      clock: cancelClock,
      logger: silent,
    });
    const cancelling = cancelTask.run();
    cancelTask.queueFrames([new TextFrame('1'), new TextFrame('2')]);
    await cancelClock.advance(10);
    cancelTask.cancel('caller hung up');
    expect(await cancelClock.runUntil(cancelling)).toBe('cancel');
    expect(texts(cancelRecorder.downstream)).toEqual([]);
    expect(slow.aborted).toEqual(['1']);
    expect(frameNames(cancelRecorder.downstream)).toEqual(['StartFrame', 'CancelFrame']);
    expect(cancelClock.now()).toBe(10);
  });

  it('emits started and ended events and runs cleanup once', async () => {
    let cleanups = 0;
    const processor = new (class extends FrameProcessor {
      override async cleanup(): Promise<void> {
        cleanups++;
        await super.cleanup();
      }
    })();
    const clock = new VirtualClock();
    const task = new PipelineTask(new Pipeline([processor]), { clock, logger: silent });
    const events: string[] = [];
    task.on('started', () => events.push('started'));
    task.on('ended', (reason) => events.push(`ended:${reason}`));
    const run = task.run();
    task.stopWhenDone();
    await clock.runUntil(run);
    expect(events).toEqual(['started', 'ended:end']);
    expect(cleanups).toBe(1);
    await expect(task.run()).rejects.toThrow(/runs once/);
    await expect(task.run()).rejects.toMatchObject({ name: 'VoxlineError', code: 'task-already-run' });
  });

  it('an upstream EndTaskFrame or CancelTaskFrame ends the task', async () => {
    const { EndTaskFrame, CancelTaskFrame } = await import('@voxline/core');
    const ender = new (class extends FrameProcessor {
      protected override processFrame(frame: Frame, direction: FrameDirection): void {
        this.pushFrame(frame, direction);
        if (frame instanceof TextFrame && frame.text === 'bye')
          this.pushFrame(new EndTaskFrame('done'), 'upstream');
        if (frame instanceof TextFrame && frame.text === 'abort')
          this.pushFrame(new CancelTaskFrame(), 'upstream');
      }
    })();
    const clock = new VirtualClock();
    const task = new PipelineTask(new Pipeline([ender]), { clock, logger: silent });
    const run = task.run();
    task.queueFrame(new TextFrame('bye'));
    expect(await clock.runUntil(run)).toBe('end');
  });
});

describe('parallel pipelines', () => {
  it('fan out, merge, and pass lifecycle frames once every branch has', async () => {
    const slowBranch = new SlowText(100);
    const parallel = new ParallelPipeline([[new Suffix('-a')], [slowBranch, new Suffix('-b')]]);
    const clock = new VirtualClock();
    const recorder = new FrameRecorder();
    const task = new PipelineTask(new Pipeline([parallel, recorder]), { clock, logger: silent });
    const run = task.run();
    task.queueFrame(new TextFrame('x'));
    task.stopWhenDone();
    await clock.runUntil(run);
    const names = frameNames(recorder.downstream);
    expect(names.filter((name) => name === 'StartFrame')).toHaveLength(1);
    expect(names.filter((name) => name === 'EndFrame')).toHaveLength(1);
    expect(texts(recorder.downstream)).toEqual(['x-a', 'x-b']);
    // End waited for the slow branch.
    const endAt = recorder.recorded.find((entry) => entry.frame instanceof EndFrame)?.at;
    expect(endAt).toBe(100);
  });

  it('pass a frame that both branches forward unchanged only once', async () => {
    const parallel = new ParallelPipeline([[new Suffix('')], [new Suffix('')]]);
    const frame = new InputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 });
    const { downstream } = await runProcessor(parallel, { frames: [frame] });
    // Suffix forwards non-text frames unchanged, so both branches emit the same frame.
    expect(downstream).toEqual([frame]);
  });

  it('cancel crosses every branch once', async () => {
    const parallel = new ParallelPipeline([[new SlowText(1000)], [new Suffix('')]]);
    const clock = new VirtualClock();
    const recorder = new FrameRecorder();
    const task = new PipelineTask(new Pipeline([parallel, recorder]), { clock, logger: silent });
    const run = task.run();
    task.queueFrame(new TextFrame('x'));
    await clock.advance(5);
    task.cancel();
    expect(await clock.runUntil(run)).toBe('cancel');
    expect(frameNames(recorder.downstream).filter((name) => name === 'CancelFrame')).toHaveLength(1);
  });
});

describe('idle timeout and heartbeats', () => {
  it('goes idle after the timeout without activity, and not before', async () => {
    const clock = new VirtualClock();
    const task = new PipelineTask(new Pipeline([new Suffix('')]), {
      clock,
      logger: silent,
      idleTimeoutMs: 60_000,
    });
    let idleAt: number | undefined;
    task.on('idle', () => {
      idleAt = clock.now();
    });
    const run = task.run();
    await clock.advance(50_000);
    task.queueFrame(new UserStartedSpeakingFrame()); // activity at 50 s
    await clock.advance(100_000);
    expect(await clock.runUntil(run)).toBe('cancel');
    expect(idleAt).toBe(110_000);
  });

  it('can stay up when idle and only report it', async () => {
    const clock = new VirtualClock();
    const task = new PipelineTask(new Pipeline([new Suffix('')]), {
      clock,
      logger: silent,
      idleTimeoutMs: 1000,
      cancelOnIdleTimeout: false,
    });
    let idles = 0;
    task.on('idle', () => idles++);
    const run = task.run();
    await clock.advance(3500);
    expect(idles).toBe(3);
    task.stopWhenDone();
    expect(await clock.runUntil(run)).toBe('end');
  });

  it('measures heartbeat latency through queued processors', async () => {
    const clock = new VirtualClock();
    const task = new PipelineTask(new Pipeline([new SlowText(0), new Suffix('')]), {
      clock,
      logger: silent,
      heartbeatIntervalMs: 1000,
    });
    const latencies: number[] = [];
    task.on('heartbeat', (latencyMs) => latencies.push(latencyMs));
    const run = task.run();
    await clock.advance(3000);
    task.stopWhenDone();
    await clock.runUntil(run);
    expect(latencies).toEqual([0, 0, 0]);
  });
});

describe('observers', () => {
  it('see every hop with source, destination, direction and time', async () => {
    const events: FramePushEvent[] = [];
    const a = new Suffix('a');
    const b = new Suffix('b');
    const clock = new VirtualClock(1000);
    const task = new PipelineTask(new Pipeline([a, b]), {
      clock,
      logger: silent,
      observers: [{ onPushFrame: (event) => events.push(event) }],
    });
    const run = task.run();
    const frame = new TextFrame('x');
    task.queueFrame(frame);
    task.stopWhenDone();
    await clock.runUntil(run);
    const hopsOfInput = events.filter((event) => event.frame === frame);
    expect(hopsOfInput.map((event) => `${event.source.name}>${event.destination.name}`)).toContain(
      `${a.previous?.name}>${a.name}`,
    );
    expect(hopsOfInput.every((event) => event.direction === 'downstream' && event.timestamp === 1000)).toBe(
      true,
    );
    const fromA = events.find((event) => event.source === a && event.frame instanceof TextFrame);
    expect(fromA?.destination).toBe(b);
  });
});

describe('cancel frames reach processors that are blocked', () => {
  it('a queued processor stuck in a long await is aborted by CancelFrame', async () => {
    const slow = new SlowText(10_000_000);
    const { reason } = await runProcessor(slow, { frames: [new TextFrame('x')], sendEndFrame: false });
    expect(reason).toBe('cancel');
    expect(slow.aborted).toEqual(['x']);
    expect(new CancelFrame('r').reason).toBe('r');
  });
});
