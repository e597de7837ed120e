/**
 * The outgoing audio queue of a telephony output and its playout clock: it cuts the agent's audio
 * into frames of `mediaMessageMs`, has each encoded as one `media` message, and hands each message
 * to its sink when the pacing schedule says it is due.
 *
 * Pacing. Each frame is due when the audio already queued at the carrier has shrunk to
 * `leadMs - mediaMessageMs`, so after every send at most `leadMs` of audio waits at the carrier
 * (defaults 60 and 20: three frames go at once when an utterance starts, then one every 20 ms).
 * The schedule is absolute: `playoutEndAt`, the clock time at which the carrier will have played
 * everything sent, grows by exactly one frame's duration per frame, and the one sleep before a
 * frame lasts until `playoutEndAt + mediaMessageMs - leadMs`; late wake-ups do not accumulate into
 * drift. Pacing counts the audio written, not the bytes the serializer produced, so a serializer
 * that resamples or encodes cannot make output drain faster than real time (Pipecat issue #5592),
 * and a producer that falls behind costs a gap at the carrier (reported to the sink as the carrier
 * having run dry), never a burst (Pipecat issue #3315).
 *
 * Timing. A sender arms no timer of its own: when its next frame is not due yet it puts its one
 * {@link PacingSlot} in the {@link PacingScheduler} of its clock (one per clock, so one per
 * process on the real clock), whose single timer wakes a pass that sends the due frames of every
 * call at once, each call's socket corked while its turn in the pass runs
 * ({@link PacedAudioSink.writer}).
 *
 * Hot path: the framer reuses its frame buffer, one `OutputAudioRawFrame` wraps it for encoding,
 * and the encoded messages wait in a reused array, so a frame costs no allocation here beyond the
 * message the serializer makes; a frame that is due at once costs no promise and no timer, and a
 * drain that waits costs its one promise (the slot and the abort listener are reused).
 */
import { AudioFramer } from '@voxline/audio';
import { type Clock, OutputAudioRawFrame, VoxlineError } from '@voxline/core';
import { type CorkableWriter, type PacingSlot, type PacingTask, slotOnClock } from './pacing-scheduler.js';

/** Where a {@link PacedAudioSender} gets its clock and encoding, and where its frames go. */
export interface PacedAudioSink {
  /** The clock of the pacing schedule (read on every frame: it may change when the pipeline sets up). */
  readonly clock: Clock;
  /**
   * Encodes one frame of audio (mono or interleaved 16-bit PCM at the frame's rate) as a `media`
   * message; undefined when it cannot be encoded (the frame is then skipped).
   */
  encode(frame: OutputAudioRawFrame): string | undefined;
  /**
   * A frame is due: called just before it is handed to {@link PacedAudioSink.sendFrame}, while
   * {@link PacedAudioSender.sentMs} and {@link PacedAudioSender.playoutEndAt} do not count it yet.
   * `carrierRanDry` is true when the carrier had played everything sent before (playout restarts
   * from now).
   */
  frameDue(carrierRanDry: boolean): void;
  /** Sends the due frame's message; the playout clock already counts it. */
  sendFrame(message: string): void;
  /**
   * The socket the messages go out on, if it can batch writes: corked while the sender's turn in a
   * pass of the scheduler sends its due frames (and what goes with them, such as a mark), so they
   * leave in one write. Optional.
   */
  readonly writer?: CorkableWriter;
}

/** Pacing settings of a {@link PacedAudioSender}, in ms; checked by `resolveOutputOptions`. */
export interface PacedAudioSettings {
  /** Most audio queued at the carrier after each send. */
  readonly leadMs: number;
  /** Duration of the audio in each message (each frame). */
  readonly mediaMessageMs: number;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** The paced outgoing queue of one connection; see the module comment. */
export class PacedAudioSender implements PacingTask {
  readonly #leadMs: number;
  readonly #mediaMessageMs: number;
  #framer: AudioFramer | undefined;
  /** Wraps the framer's reused frame buffer, so encoding a frame allocates no frame object. */
  #framedAudio: OutputAudioRawFrame | undefined;
  /** Encoded frames waiting for their send time (reused array; entries cleared once sent). */
  readonly #outbox: (string | undefined)[] = [];
  #outboxRead = 0;
  #outboxLength = 0;
  #scheduledPlayoutEndAt = 0;
  #totalSentMs = 0;
  /** This sender's place in its clock's scheduler (replaced if the sink's clock changes). */
  #slot: PacingSlot | undefined;
  /** The signal of the drains, listened to once for all of them (see `#followSignal`). */
  #drainSignal: AbortSignal | undefined;
  /** The waiting drain's promise and its settlers; undefined when no drain waits. */
  #waitingDrain: Promise<void> | undefined;
  #resolveDrain: (() => void) | undefined;
  #rejectDrain: ((reason: unknown) => void) | undefined;

  readonly #sink: PacedAudioSink;
  constructor(settings: PacedAudioSettings, sink: PacedAudioSink) {
    this.#sink = sink;
    this.#leadMs = settings.leadMs;
    this.#mediaMessageMs = settings.mediaMessageMs;
  }

  /** Clock time in ms at which the carrier will have played everything sent. */
  get playoutEndAt(): number {
    return this.#scheduledPlayoutEndAt;
  }

  /** Audio sent on this connection so far, in ms (the audio position). */
  get sentMs(): number {
    return this.#totalSentMs;
  }

  /** True while encoded frames wait for their send time. */
  get hasQueuedFrames(): boolean {
    return this.#outboxRead < this.#outboxLength;
  }

  /** True while the framer holds audio short of a whole frame (the tail of what was written). */
  get hasPartialFrame(): boolean {
    return (this.#framer?.bufferedSamples ?? 0) > 0;
  }

  /**
   * Frames `frame`'s audio into the queue (a change of rate or channels first queues the old
   * format's padded tail). Returns the audio position, in ms sent on the connection, at which the
   * frame's first sample will leave (to within one frame). Send the queue with {@link drain}.
   */
  enqueue(frame: OutputAudioRawFrame): number {
    this.#emptyOutbox();
    const framer = this.#framerFor(frame);
    // Everything framed before this frame has been queued but the framer's partial frame.
    const startsAtMs = this.#totalSentMs + (framer.bufferedSamples / framer.sampleRate) * 1000;
    framer.write(frame.audio, this.#onFramedAudio);
    return startsAtMs;
  }

  /**
   * Queues the partial frame the framer holds, zero-padded to a whole frame; false when it holds
   * none. Send it with {@link drain}.
   */
  enqueueTail(): boolean {
    const framer = this.#framer;
    if (framer === undefined || framer.bufferedSamples === 0) return false;
    this.#emptyOutbox();
    this.#enqueueFlushedTail(framer);
    return true;
  }

  /**
   * Sends the queued frames, each at its time on the pacing schedule. Returns undefined when all
   * were due at once (no promise, no timer), else a promise that settles once all were sent, or
   * rejects with `signal`'s abort reason (the frames not sent stay queued). A drain called while
   * another waits sends what is due and returns the waiting drain's promise.
   */
  drain(signal: AbortSignal): Promise<void> | undefined {
    const wait = this.#sendDueFrames();
    if (wait === 0) return undefined;
    if (signal.aborted) return Promise.reject(abortError(signal));
    this.#followSignal(signal);
    const clock = this.#sink.clock;
    this.#slotOn(clock).schedule(clock.now() + wait);
    this.#waitingDrain ??= new Promise<void>(this.#holdSettlers);
    return this.#waitingDrain;
  }

  /** Drops the queued frames and the partial frame; the playout clock is left as it is. */
  discard(): void {
    this.#framer?.reset();
    for (let i = this.#outboxRead; i < this.#outboxLength; i++) this.#outbox[i] = undefined;
    this.#emptyOutbox();
  }

  /**
   * The carrier discarded what it held (a `clear` at clock time `now`): playout ends no later
   * than now.
   */
  cutPlayout(now: number): void {
    this.#scheduledPlayoutEndAt = Math.min(this.#scheduledPlayoutEndAt, now);
  }

  /**
   * The waiting drain's next frame is due (called by the scheduler): sends the frames due, then
   * schedules the next one or settles the drain.
   */
  runDue(): void {
    if (this.#waitingDrain === undefined) return;
    const signal = this.#drainSignal as AbortSignal;
    if (signal.aborted) {
      this.#settleDrain(abortError(signal));
      return;
    }
    const writer = this.#sink.writer;
    if (writer !== undefined) (this.#slot as PacingSlot).scheduler.corkForPass(writer);
    const wait = this.#sendDueFrames();
    if (wait === 0) {
      this.#settleDrain(undefined);
      return;
    }
    const clock = this.#sink.clock;
    this.#slotOn(clock).schedule(clock.now() + wait);
  }

  /** Sending a due frame threw: the waiting drain rejects with the error. */
  failed(error: unknown): void {
    this.#settleDrain(
      error ?? new VoxlineError('pacing-send-failed', 'PacedAudioSender: sending a frame failed'),
    );
  }

  /** The slot of this sender in the scheduler of `clock`. */
  #slotOn(clock: Clock): PacingSlot {
    this.#slot = slotOnClock(this.#slot, clock, this);
    return this.#slot;
  }

  /**
   * Listens for the abort of `signal`, the signal of the drains from now on. A processor keeps one
   * signal until an interruption, so the listener is added once per interruption, not per drain.
   */
  #followSignal(signal: AbortSignal): void {
    const previous = this.#drainSignal;
    if (previous === signal) return;
    previous?.removeEventListener('abort', this.#onAbort);
    signal.addEventListener('abort', this.#onAbort, { once: true });
    this.#drainSignal = signal;
  }

  readonly #onAbort = (): void => {
    const signal = this.#drainSignal as AbortSignal;
    this.#drainSignal = undefined;
    this.#settleDrain(abortError(signal));
  };

  readonly #holdSettlers = (resolve: () => void, reject: (reason: unknown) => void): void => {
    this.#resolveDrain = resolve;
    this.#rejectDrain = reject;
  };

  /** Settles the waiting drain: resolves it when `error` is undefined, else rejects with it. */
  #settleDrain(error: unknown): void {
    if (this.#waitingDrain === undefined) return;
    this.#slot?.cancel();
    const resolve = this.#resolveDrain as () => void;
    const reject = this.#rejectDrain as (reason: unknown) => void;
    this.#waitingDrain = undefined;
    this.#resolveDrain = undefined;
    this.#rejectDrain = undefined;
    if (error === undefined) resolve();
    else reject(error);
  }

  /**
   * Sends the queued frames that are due now; returns 0 when the queue is empty, else the ms to
   * wait before the next one is due.
   */
  #sendDueFrames(): number {
    const clock = this.#sink.clock;
    while (this.#outboxRead < this.#outboxLength) {
      const wait = this.#scheduledPlayoutEndAt + this.#mediaMessageMs - this.#leadMs - clock.now();
      if (wait > 0) return wait;
      const message = this.#outbox[this.#outboxRead] as string;
      this.#outbox[this.#outboxRead++] = undefined;
      this.#sendFrame(message, clock.now());
    }
    this.#emptyOutbox();
    return 0;
  }

  #sendFrame(message: string, now: number): void {
    const carrierRanDry = this.#scheduledPlayoutEndAt < now;
    if (carrierRanDry) this.#scheduledPlayoutEndAt = now;
    this.#sink.frameDue(carrierRanDry);
    this.#scheduledPlayoutEndAt += this.#mediaMessageMs;
    this.#totalSentMs += this.#mediaMessageMs;
    this.#sink.sendFrame(message);
  }

  #emptyOutbox(): void {
    this.#outboxRead = 0;
    this.#outboxLength = 0;
  }

  /** The framer for the frame's format; a format change queues the old framer's tail first. */
  #framerFor(frame: OutputAudioRawFrame): AudioFramer {
    const current = this.#framer;
    if (
      current !== undefined &&
      current.sampleRate === frame.sampleRate &&
      current.numChannels === frame.numChannels
    ) {
      return current;
    }
    if (current !== undefined) this.#enqueueFlushedTail(current);
    const framer = new AudioFramer({
      sampleRate: frame.sampleRate,
      numChannels: frame.numChannels,
      frameMs: this.#mediaMessageMs,
      reuseFrameBuffer: true,
    });
    this.#framer = framer;
    return framer;
  }

  /** Encodes each complete frame as it leaves the framer (the buffer is reused by the framer). */
  readonly #onFramedAudio = (pcm: Int16Array): void => {
    let frame = this.#framedAudio;
    if (frame === undefined || frame.audio !== pcm) {
      const framer = this.#framer as AudioFramer;
      frame = new OutputAudioRawFrame({
        audio: pcm,
        sampleRate: framer.sampleRate,
        numChannels: framer.numChannels,
      });
      this.#framedAudio = frame;
    }
    this.#enqueueEncoded(frame);
  };

  #enqueueFlushedTail(framer: AudioFramer): void {
    const tail = framer.flush();
    if (tail === undefined) return;
    this.#enqueueEncoded(
      new OutputAudioRawFrame({
        audio: tail,
        sampleRate: framer.sampleRate,
        numChannels: framer.numChannels,
      }),
    );
  }

  #enqueueEncoded(frame: OutputAudioRawFrame): void {
    const message = this.#sink.encode(frame);
    if (message !== undefined) this.#outbox[this.#outboxLength++] = message;
  }
}
