/**
 * The output half of a telephony transport: what comes before it is what the caller hears. It takes
 * the agent's audio, re-chunks it into frames of `mediaMessageMs` (default 20 ms), one per `media`
 * message, sends them to the carrier at real time with a small lead, follows playback with marks,
 * and turns interruptions into a `clear`.
 *
 * The parts: {@link PacedAudioSender} owns the outgoing queue and the pacing schedule (at most
 * `leadMs` of audio queued at the carrier after each send; see its module comment),
 * {@link PlaybackTracker} follows playback from mark echoes, and `resolveOutputOptions` checks
 * the options. This processor wires them and keeps the call's speaking state.
 *
 * Speaking state follows playback (Pipecat issue #5662):
 * - `BotStartedSpeakingFrame` when the first frame of an utterance is sent;
 * - `BotSpeakingFrame` with it and then every `speakingIntervalMs` (200) of audio sent;
 * - a mark every `markIntervalMs` (1000) of audio, and one at the end of each utterance;
 * - `BotStoppedSpeakingFrame` when the carrier echoes the utterance's last mark, i.e. when the
 *   caller has heard the end, or `markEchoTimeoutMs` after the scheduled end if no echo comes.
 * All three are pushed both upstream (turn taking, idle detection) and downstream.
 *
 * An utterance ends at a `TTSStoppedFrame` or an End/Stop frame (exactly where its audio ends), or
 * at a gap: when the carrier has had nothing to play for `utteranceGapMs` (300) and no audio came
 * (then `BotStoppedSpeakingFrame` comes that much after the audio ended: a gap is only known once
 * it has lasted). At the end, the buffered tail (under one frame) is zero-padded to a frame, sent,
 * and followed by the end mark. A shorter gap (a producer briefly slower than real time) is an
 * underrun within the utterance: the tail waits for the next audio rather than being padded with
 * silence.
 *
 * Gaps and missing echoes are found by a playback watcher, outside the mailbox loop: while an
 * utterance is open it waits for the next deadline (`utteranceGapMs` or `markEchoTimeoutMs` after
 * the scheduled end of playback) and, when it wakes to find the deadline moved on because more
 * audio was sent, waits again for the difference. Audio arriving frame by frame therefore costs no
 * timer per frame: at most one wake-up per `utteranceGapMs` of speech. The watcher and the paced
 * frames wait in the `PacingScheduler` of the pipeline clock, which serves every call of the
 * process from one timer; the processor arms no timer of its own.
 *
 * Interruption (an {@link InterruptionFrame}): queued audio is dropped (the mailbox drops it; the
 * framer and the encoded frames waiting to be paced are discarded here), a `clear` is sent, echoes
 * of marks sent before it are ignored (the carrier returns them on clear), and a
 * {@link BotInterruptedFrame} saying how much of the utterance the caller heard goes both ways
 * before the interruption is forwarded, followed by `BotStoppedSpeakingFrame`.
 */
import {
  BotInterruptedFrame,
  BotSpeakingFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  CancelFrame,
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  InterruptionFrame,
  isAbortError,
  OutputAudioRawFrame,
  StopFrame,
  TTSAudioRawFrame,
  TTSStoppedFrame,
} from '@voxline/core';
import { SerializerError, type TelephonySerializer } from '@voxline/telephony';
import { PacedAudioSender } from './paced-audio-sender.js';
import { type CorkableWriter, type PacingSlot, type PacingTask, slotOnClock } from './pacing-scheduler.js';
import { PlaybackTracker } from './playback-tracker.js';
import {
  OUTPUT_FRAME_MS,
  type ResolvedOutputOptions,
  resolveOutputOptions,
  type TelephonyOutputOptions,
} from './telephony-output-options.js';
import type { TransportCounters } from './transport-counters.js';

/** What the output processor needs from its transport. */
export interface OutputChannel {
  /** The call's serializer; undefined until the carrier is known. */
  readonly serializer: TelephonySerializer | undefined;
  /** The connection's counters, updated in place. */
  readonly counters: TransportCounters;
  /** Sends one text message to the carrier; false when the socket is closed. Never throws. */
  send(message: string): boolean;
  /** Called on each interruption of playing audio, with the frame pushed into the pipeline. */
  onInterrupted(frame: BotInterruptedFrame): void;
  /**
   * The socket under {@link OutputChannel.send}, if it can batch writes (a `ws` WebSocket's
   * `net.Socket`): corked while the call's turn in a pass of the pacing scheduler sends its due
   * frames (and a mark that goes with one), so they leave in one write. Optional; without it each
   * message is written on its own.
   */
  readonly writer?: CorkableWriter;
}

/**
 * The output processor; see the module comment. Place it (`transport.output()`) after every
 * processor whose audio the caller must hear. It forwards each downstream frame once sent, so
 * processors after it see playback as it happens; upstream frames pass straight through.
 */
export class TelephonyOutputProcessor extends FrameProcessor {
  readonly #settings: ResolvedOutputOptions;
  readonly #tracker = new PlaybackTracker();
  readonly #sender: PacedAudioSender;

  #utteranceOpen = false;
  /** The frame being sent starts an utterance: its watcher starts once the frame is accounted for. */
  #utteranceStarting = false;
  #utteranceStartMs = 0;
  /** The TTS context whose audio is playing, and where its audio starts in sent ms. */
  #playingContextId: string | undefined;
  #contextStartMs = 0;
  #nextSpeakingReportMs = 0;
  #nextPositionMarkMs = 0;
  /** Audio was sent after the latest mark. */
  #unmarkedAudio = false;
  /** The playback watcher's place in the pacing scheduler (see `#watchPlayback`). */
  #watcherSlot: PacingSlot | undefined;
  /** True while the playback watcher of the open utterance runs. */
  #watching = false;
  /** Counts watcher starts, so a watcher stopped while it awaited a drain does not go on. */
  #watcherGeneration = 0;
  /** Resolves the End/Stop frame's wait for the caller to have heard the end. */
  #playbackEnded: (() => void) | undefined;

  /**
   * @throws {InvalidOptionError} if `leadMs` is outside 20..1000, `mediaMessageMs` is not a multiple of 20
   *   from 20 to 200 or exceeds `leadMs`, an interval is not positive, or `liveAudioMaxBacklogMs`
   *   is below 20 (see `resolveOutputOptions`).
   */
  readonly #channel: OutputChannel;
  constructor(channel: OutputChannel, options: TelephonyOutputOptions = {}) {
    const settings = resolveOutputOptions(options);
    super({ name: 'TelephonyOutput', mode: 'queued', mailboxCapacity: settings.queueCapacity });
    this.#channel = channel;
    this.#settings = settings;
    const processor = this;
    this.#sender = new PacedAudioSender(settings, {
      get clock() {
        return processor.clock;
      },
      encode: (frame) => this.#encode(frame),
      frameDue: (carrierRanDry) => this.#onFrameDue(carrierRanDry),
      sendFrame: (message) => this.#onFrameSent(message),
      writer: channel.writer,
    });
  }

  /** True from the first frame of an utterance until the caller has heard its end. */
  get speaking(): boolean {
    return this.#utteranceOpen;
  }

  /** Audio sent and not yet played by the carrier at this moment, in ms (per the pacing schedule). */
  get queuedAtCarrierMs(): number {
    return Math.max(0, this.#sender.playoutEndAt - this.clock.now());
  }

  /** Audio sent on this connection so far, in ms. */
  get sentMs(): number {
    return this.#sender.sentMs;
  }

  /**
   * Reads a mark echo from the carrier (the transport calls this for each `mark` event). Ends the
   * utterance when it is the echo of the latest mark and nothing was sent after it.
   */
  handleMarkEcho(name: string): void {
    const counters = this.#channel.counters;
    const result = this.#tracker.onEcho(name, this.clock.now());
    if (result.kind === 'unknown') {
      counters.unknownMarkEchoes++;
      this.logger.debug({ mark: name }, 'echo of a mark this transport did not send: ignored');
      return;
    }
    if (result.kind === 'stale') {
      counters.staleMarkEchoes++;
      return;
    }
    counters.marksEchoed++;
    const sender = this.#sender;
    const nothingAfter =
      result.latest && result.audioMs === sender.sentMs && !sender.hasQueuedFrames && !sender.hasPartialFrame;
    if (this.#utteranceOpen && nothingAfter) this.#stopSpeaking();
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (direction === FrameDirection.Upstream) {
      this.pushFrame(frame, direction);
      return;
    }
    if (frame.kind !== 'system') return this.#processOrdered(frame);
    if (frame instanceof InterruptionFrame) this.#interrupt(frame);
    else {
      if (frame instanceof CancelFrame) this.#reset();
      this.pushFrame(frame, direction);
    }
  }

  /** Data and control frames, in mailbox order. */
  async #processOrdered(frame: Frame): Promise<void> {
    const signal = this.signal;
    try {
      if (frame instanceof OutputAudioRawFrame) {
        if (this.#isLiveAudioBehind(frame)) return;
        await this.#playAudio(frame, signal);
      } else if (frame instanceof TTSStoppedFrame) await this.#finishUtterance(signal);
      else if (frame instanceof EndFrame || frame instanceof StopFrame) {
        await this.#finishUtterance(signal);
        await this.#waitForPlaybackEnd();
      } else if (frame.kind === 'data') this.#sendMessageFrame(frame);
    } catch (error) {
      // Interrupted audio is dropped; any other frame still goes on (End must reach the task).
      if (!isAbortError(error) || frame instanceof OutputAudioRawFrame) throw error;
    }
    this.pushFrame(frame, FrameDirection.Downstream);
  }

  /**
   * True when `frame` is live audio and the live audio queued behind it exceeds
   * `liveAudioMaxBacklogMs`: the frame is then dropped (and counted), the oldest first, until the
   * stream is back within the limit. The backlog is estimated as the frames in the mailbox times
   * this frame's duration: live audio comes in frames of one size.
   */
  #isLiveAudioBehind(frame: OutputAudioRawFrame): boolean {
    const maxBacklogMs = this.#settings.liveAudioMaxBacklogMs;
    if (maxBacklogMs === Number.POSITIVE_INFINITY || frame instanceof TTSAudioRawFrame) return false;
    const frameMs = (frame.audio.length / frame.numChannels / frame.sampleRate) * 1000;
    if (this.queuedFrames * frameMs <= maxBacklogMs) return false;
    this.#channel.counters.liveAudioDroppedMs += frameMs;
    return true;
  }

  #playAudio(frame: OutputAudioRawFrame, signal: AbortSignal): Promise<void> | undefined {
    const startsAtMs = this.#sender.enqueue(frame);
    if (frame instanceof TTSAudioRawFrame && frame.contextId !== this.#playingContextId) {
      this.#playingContextId = frame.contextId;
      this.#contextStartMs = startsAtMs;
    }
    return this.#sender.drain(signal);
  }

  /** Encodes one frame of audio for the sender; counts the frames the serializer cannot encode. */
  #encode(frame: OutputAudioRawFrame): string | undefined {
    const message = this.#requireSerializer().serialize(frame);
    if (message === undefined) this.#channel.counters.unserializableFrames++;
    return message;
  }

  /** A frame is about to go: an underrun within the utterance, or the start of one. */
  #onFrameDue(carrierRanDry: boolean): void {
    if (carrierRanDry && this.#utteranceOpen) this.#channel.counters.underruns++;
    this.#utteranceStarting = !this.#utteranceOpen;
    if (this.#utteranceStarting) this.#startUtterance();
  }

  /** Sends a due frame and keeps the speaking reports and position marks in step with it. */
  #onFrameSent(message: string): void {
    const counters = this.#channel.counters;
    const mediaMessageMs = this.#settings.mediaMessageMs;
    this.#channel.send(message);
    counters.audioFramesSent++;
    counters.audioMsSent += mediaMessageMs;
    this.#unmarkedAudio = true;
    const utteranceMs = this.#sender.sentMs - this.#utteranceStartMs;
    if (utteranceMs > this.#nextSpeakingReportMs) {
      this.#nextSpeakingReportMs += this.#settings.speakingIntervalMs;
      this.#pushBothWays(BotSpeakingFrame);
    }
    if (utteranceMs >= this.#nextPositionMarkMs) {
      this.#nextPositionMarkMs += this.#settings.markIntervalMs;
      this.#sendMark();
    }
    // Started once the frame is accounted for: the watcher reads the state on its first step.
    if (this.#utteranceStarting) {
      this.#utteranceStarting = false;
      this.#startWatcher();
    }
  }

  #startUtterance(): void {
    const sender = this.#sender;
    this.#utteranceOpen = true;
    this.#utteranceStartMs = sender.sentMs;
    // The carrier plays this audio once what it holds has played (at once when it holds nothing).
    this.#tracker.anchor(sender.sentMs, sender.playoutEndAt);
    this.#nextSpeakingReportMs = 0;
    this.#nextPositionMarkMs = this.#settings.markIntervalMs;
    this.#pushBothWays(BotStartedSpeakingFrame);
  }

  #sendMark(): void {
    const name = this.#tracker.addMark(this.#sender.sentMs);
    this.#channel.send(this.#requireSerializer().serializeMark(name));
    this.#channel.counters.marksSent++;
    this.#unmarkedAudio = false;
  }

  /**
   * Ends the utterance's audio: sends the buffered tail padded to a frame, then the end mark. At a
   * `TTSStoppedFrame` or End/Stop the tail waits for its time on the schedule; after a gap (the
   * playback watcher) its time is long past, so it goes at once and no promise is returned.
   */
  #finishUtterance(signal: AbortSignal): Promise<void> | undefined {
    if (this.#sender.enqueueTail()) {
      const sending = this.#sender.drain(signal);
      if (sending !== undefined) return sending.then(() => this.#markEndOfAudio());
    }
    this.#markEndOfAudio();
    return undefined;
  }

  #markEndOfAudio(): void {
    if (this.#unmarkedAudio) this.#sendMark();
  }

  /** True while audio of the open utterance waits for its end (a padded tail or the end mark). */
  get #utteranceAudioUnfinished(): boolean {
    return this.#unmarkedAudio || this.#sender.hasPartialFrame;
  }

  #startWatcher(): void {
    this.#stopWatcher();
    this.#watching = true;
    this.#watcherGeneration++;
    this.#runWatcher();
  }

  #stopWatcher(): void {
    this.#watching = false;
    this.#watcherSlot?.cancel();
  }

  /** The watcher's work when its deadline comes (called by the scheduler). */
  readonly #watcherTask: PacingTask = {
    runDue: (): void => this.#runWatcher(),
    failed: (error: unknown): void => this.#watcherFailed(error),
  };

  #runWatcher(): void {
    try {
      this.#watchPlayback();
    } catch (error) {
      this.#watcherFailed(error);
    }
  }

  #watcherFailed(error: unknown): void {
    this.#watching = false;
    if (!isAbortError(error)) this.pushError(error);
  }

  /** Puts the watcher in the scheduler of the pipeline clock, to run in `ms`. */
  #watchAgainIn(ms: number): void {
    const clock = this.clock;
    const slot = slotOnClock(this.#watcherSlot, clock, this.#watcherTask);
    this.#watcherSlot = slot;
    slot.schedule(clock.now() + Math.max(0, ms));
  }

  /**
   * Watches the open utterance until it stops: ends its audio after a gap of `utteranceGapMs`, and
   * declares the bot stopped `markEchoTimeoutMs` after the end of playback if the last mark's echo
   * has not come. Waits in the scheduler until the next deadline and re-reads it on waking, since
   * audio sent in the meantime moves it.
   */
  #watchPlayback(): void {
    const { utteranceGapMs, markEchoTimeoutMs } = this.#settings;
    while (this.#utteranceOpen && this.#watching) {
      const now = this.clock.now();
      const playoutEndAt = this.#sender.playoutEndAt;
      if (this.#utteranceAudioUnfinished) {
        const gapEndsAt = playoutEndAt + utteranceGapMs;
        if (now < gapEndsAt) this.#watchAgainIn(gapEndsAt - now);
        // Audio waiting in the mailbox or the sender is on its way: the gap is not over.
        else if (this.queuedFrames > 0 || this.#sender.hasQueuedFrames) this.#watchAgainIn(OUTPUT_FRAME_MS);
        else {
          const finishing = this.#finishUtterance(this.signal);
          if (finishing === undefined) continue;
          const generation = this.#watcherGeneration;
          finishing.then(
            () => {
              if (generation === this.#watcherGeneration) this.#runWatcher();
            },
            (error: unknown) => this.#watcherFailed(error),
          );
        }
        return;
      }
      const echoDueBy = playoutEndAt + markEchoTimeoutMs;
      if (now < echoDueBy) {
        this.#watchAgainIn(echoDueBy - now);
        return;
      }
      this.#channel.counters.markEchoTimeouts++;
      this.logger.warn(
        { markEchoTimeoutMs, pendingMarks: this.#tracker.pendingMarks },
        'the last mark was not echoed in time: bot declared stopped',
      );
      this.#stopSpeaking();
    }
  }

  /** For End/Stop: waits until the caller has heard the end (last mark echoed), or the timeout. */
  #waitForPlaybackEnd(): Promise<void> {
    if (!this.#utteranceOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.#playbackEnded = resolve;
    });
  }

  #stopSpeaking(): void {
    this.#utteranceOpen = false;
    this.#stopWatcher();
    this.#pushBothWays(BotStoppedSpeakingFrame);
    this.#endPlaybackWait();
  }

  #endPlaybackWait(): void {
    const resolve = this.#playbackEnded;
    this.#playbackEnded = undefined;
    resolve?.();
  }

  #interrupt(frame: InterruptionFrame): void {
    const now = this.clock.now();
    const wasSpeaking = this.#utteranceOpen;
    const sender = this.#sender;
    let interrupted: BotInterruptedFrame | undefined;
    try {
      this.#stopWatcher();
      sender.discard();
      if (wasSpeaking) interrupted = this.#interruptedAt(now);
      if (wasSpeaking || sender.playoutEndAt > now) {
        this.#tracker.clear();
        this.#channel.counters.clearsSent++;
        this.#channel.send(this.#requireSerializer().serializeClear());
      }
      this.#utteranceOpen = false;
      this.#unmarkedAudio = false;
      sender.cutPlayout(now);
    } finally {
      if (interrupted !== undefined) {
        this.pushFrame(interrupted, FrameDirection.Upstream);
        this.pushFrame(
          new BotInterruptedFrame(interrupted.heardMs, interrupted.sentMs, interrupted.contextId),
          FrameDirection.Downstream,
        );
        this.#channel.onInterrupted(interrupted);
      }
      this.pushFrame(frame, FrameDirection.Downstream);
      if (wasSpeaking) this.#pushBothWays(BotStoppedSpeakingFrame);
      this.#endPlaybackWait();
    }
  }

  /**
   * How much of the interrupted utterance was sent and heard at clock time `now`. Counts from the
   * start of the playing TTS context when there is one (word timestamps count from there too),
   * else from the start of the utterance.
   */
  #interruptedAt(now: number): BotInterruptedFrame {
    const totalSentMs = this.#sender.sentMs;
    const origin =
      this.#playingContextId !== undefined && this.#contextStartMs >= this.#utteranceStartMs
        ? this.#contextStartMs
        : this.#utteranceStartMs;
    const sentMs = Math.max(0, Math.round(totalSentMs - origin));
    const scheduled = totalSentMs - Math.max(0, this.#sender.playoutEndAt - now);
    const heard = this.#tracker.heardAudioMs(now, totalSentMs, scheduled) - origin;
    return new BotInterruptedFrame(
      Math.min(sentMs, Math.max(0, Math.round(heard))),
      sentMs,
      origin === this.#contextStartMs ? this.#playingContextId : undefined,
    );
  }

  /** Cancel: drop everything, send nothing more. */
  #reset(): void {
    this.#stopWatcher();
    this.#sender.discard();
    this.#utteranceOpen = false;
    this.#unmarkedAudio = false;
    this.#endPlaybackWait();
  }

  /** Sends what the serializer makes of a non-audio data frame (e.g. `OutputTransportMessageFrame`). */
  #sendMessageFrame(frame: Frame): void {
    const serializer = this.#channel.serializer;
    if (serializer === undefined) return;
    const message = serializer.serialize(frame);
    if (message !== undefined) this.#channel.send(message);
  }

  #pushBothWays(type: new () => Frame): void {
    this.pushFrame(new type(), FrameDirection.Upstream);
    this.pushFrame(new type(), FrameDirection.Downstream);
  }

  #requireSerializer(): TelephonySerializer {
    const serializer = this.#channel.serializer;
    if (serializer === undefined)
      throw new SerializerError(
        'not-started',
        'TelephonyOutput: no carrier serializer (the call has not started)',
      );
    return serializer;
  }
}
