/**
 * The runtime's concepts in a few lines each, run by concepts.test.ts: frames, an inline and a
 * queued processor, a pipeline in a task, interruption, and the virtual clock.
 */
// #region processors
import {
  type Frame,
  FrameDirection,
  FrameProcessor,
  InterruptionFrame,
  Pipeline,
  PipelineTask,
  TextFrame,
  VirtualClock,
} from '@voxline/core';

/** Inline (the default): runs synchronously inside the previous processor's pushFrame. */
class Uppercase extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof TextFrame) this.pushFrame(new TextFrame(frame.text.toUpperCase()), direction);
    else this.pushFrame(frame, direction); // forward everything you do not consume
  }
}

/** Queued: a mailbox and one async loop, so processFrame may await. */
class SlowEcho extends FrameProcessor {
  constructor() {
    super({ mode: 'queued' });
  }
  protected override async processFrame(frame: Frame, direction: FrameDirection): Promise<void> {
    if (frame instanceof TextFrame) {
      // this.signal aborts when an InterruptionFrame arrives: hand it to whatever you await.
      await this.clock.sleep(1000, this.signal);
    }
    this.pushFrame(frame, direction);
  }
}
// #endregion processors

/** Runs the pipeline of the concepts page; returns the texts that came out, and when. */
export async function runConcepts(): Promise<{ texts: string[]; times: number[] }> {
  // #region task
  const clock = new VirtualClock(); // tests: time moves only when told; production: the real clock
  const task = new PipelineTask(new Pipeline([new Uppercase(), new SlowEcho()]), { clock });
  const texts: string[] = [];
  const times: number[] = [];
  task.on('frame', (frame, direction) => {
    if (frame instanceof TextFrame && direction === FrameDirection.Downstream) {
      texts.push(frame.text);
      times.push(clock.now());
    }
  });
  const running = task.run();

  task.queueFrame(new TextFrame('hello')); // data: in order, behind queued work
  await clock.advance(1000); // 'HELLO' comes out after SlowEcho's 1 s
  task.queueFrame(new TextFrame('interrupted'));
  await clock.advance(300);
  task.queueFrame(new InterruptionFrame()); // system: jumps the mailbox, aborts the sleep
  task.queueFrame(new TextFrame('again'));
  task.stopWhenDone(); // an EndFrame after everything queued: a graceful end
  await clock.runUntil(running);
  // texts: ['HELLO', 'AGAIN'] at 1000 and 2300 ms; 'INTERRUPTED' was cut off
  // #endregion task
  return { texts, times };
}
