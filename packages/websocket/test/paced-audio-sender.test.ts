/**
 * The paced sender on its own, on the VirtualClock, with the JFK recording at 8000 Hz: when each
 * frame leaves, that the audio leaves whole and in order, the padded tail, the carrier running dry,
 * and an interrupted drain.
 */
import { OutputAudioRawFrame, VirtualClock } from '@voxline/core';
import { describe, expect, it } from 'vitest';
import { PacedAudioSender, type PacedAudioSink } from '../src/paced-audio-sender.js';
import { concat, jfkAt8k } from './support/audio.js';

/** A sink that "encodes" a frame as its index in `frames` and records when each was sent. */
class RecordingSink implements PacedAudioSink {
  readonly frames: Int16Array[] = [];
  readonly sent: { frame: number; at: number; ranDry: boolean }[] = [];
  #ranDry = false;
  constructor(readonly clock: VirtualClock) {}
  encode(frame: OutputAudioRawFrame): string | undefined {
    this.frames.push(frame.audio.slice());
    return String(this.frames.length - 1);
  }
  frameDue(carrierRanDry: boolean): void {
    this.#ranDry = carrierRanDry;
  }
  sendFrame(message: string): void {
    this.sent.push({ frame: Number(message), at: this.clock.now(), ranDry: this.#ranDry });
  }
  /** The audio sent, in send order. */
  sentAudio(): Int16Array {
    return concat(this.sent.map((entry) => this.frames[entry.frame] as Int16Array));
  }
}

function audioFrame(samples: Int16Array): OutputAudioRawFrame {
  return new OutputAudioRawFrame({ audio: samples, sampleRate: 8000 });
}

/** A sender with the default pacing (60 ms lead, 20 ms messages) on a VirtualClock at 0. */
function startSender(): { clock: VirtualClock; sink: RecordingSink; sender: PacedAudioSender } {
  const clock = new VirtualClock();
  const sink = new RecordingSink(clock);
  return { clock, sink, sender: new PacedAudioSender({ leadMs: 60, mediaMessageMs: 20 }, sink) };
}

describe('PacedAudioSender', () => {
  it('sends a burst as three frames at once, then one per 20 ms, the audio whole and in order', async () => {
    const { clock, sink, sender } = startSender();
    const speech = jfkAt8k(0.2);
    expect(sender.enqueue(audioFrame(speech))).toBe(0);
    const sending = sender.drain(new AbortController().signal);
    expect(sending).toBeInstanceOf(Promise);
    await clock.runUntil(sending as Promise<void>);
    expect(sink.sent.map((entry) => entry.at)).toEqual([0, 0, 0, 20, 40, 60, 80, 100, 120, 140]);
    expect(sink.sentAudio()).toEqual(speech);
    expect(sender.sentMs).toBe(200);
    expect(sender.playoutEndAt).toBe(200);
    expect(sender.hasQueuedFrames).toBe(false);
  });

  it('sends what is due at once without a promise, keeps the partial frame, and pads it on request', () => {
    const { sink, sender } = startSender();
    const speech = jfkAt8k(0.03);
    sender.enqueue(audioFrame(speech));
    expect(sender.drain(new AbortController().signal)).toBeUndefined();
    expect(sink.sent).toHaveLength(1);
    expect(sender.hasPartialFrame).toBe(true);
    // The next frame's first sample leaves after the 10 ms the framer holds.
    expect(sender.enqueue(audioFrame(new Int16Array(0)))).toBe(30);
    expect(sender.enqueueTail()).toBe(true);
    expect(sender.drain(new AbortController().signal)).toBeUndefined();
    const tail = sink.frames[1] as Int16Array;
    expect(tail).toHaveLength(160);
    expect(tail.subarray(0, 80)).toEqual(speech.subarray(160));
    expect(tail.subarray(80).every((sample) => sample === 0)).toBe(true);
    expect(sender.enqueueTail()).toBe(false);
    expect(sender.sentMs).toBe(40);
  });

  it('reports the carrier running dry and restarts playout from now', async () => {
    const { clock, sink, sender } = startSender();
    sender.enqueue(audioFrame(jfkAt8k(0.04)));
    sender.drain(new AbortController().signal);
    await clock.advance(500);
    sender.enqueue(audioFrame(jfkAt8k(0.02)));
    sender.drain(new AbortController().signal);
    expect(sink.sent.map(({ at, ranDry }) => ({ at, ranDry }))).toEqual([
      { at: 0, ranDry: false },
      { at: 0, ranDry: false },
      { at: 500, ranDry: true },
    ]);
    expect(sender.playoutEndAt).toBe(520);
  });

  it('rejects an interrupted drain with the abort reason, and discard drops what was queued', async () => {
    const { clock, sink, sender } = startSender();
    sender.enqueue(audioFrame(jfkAt8k(0.5)));
    const interruption = new AbortController();
    const sending = sender.drain(interruption.signal) as Promise<void>;
    await clock.advance(30);
    interruption.abort(new DOMException('barge-in', 'AbortError'));
    await expect(sending).rejects.toThrow('barge-in');
    expect(sink.sent).toHaveLength(4);
    expect(sender.hasQueuedFrames).toBe(true);
    sender.discard();
    sender.cutPlayout(clock.now());
    expect(sender.hasQueuedFrames).toBe(false);
    expect(sender.hasPartialFrame).toBe(false);
    expect(sender.playoutEndAt).toBe(30);
  });
});
