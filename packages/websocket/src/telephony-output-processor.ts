/**
 * The output half of a telephony transport: the last processor of a call's pipeline. It takes
 * the agent's audio, re-chunks it into frames of `mediaMessageMs` (default 20 ms), one per `media`
 * message, sends them to the carrier at real time with a small lead, follows playback with marks,
 * and turns interruptions into a `clear`.
 *
 * Pacing. Each frame is sent when the audio already queued at the carrier has shrunk to
 * `leadMs - mediaMessageMs`, so after every send at most `leadMs` of audio waits at the carrier
 * (defaults 60 and 20: three frames go at once when an utterance starts, then one every 20 ms).
 * The schedule is absolute: `playoutEndAt`, the clock time at which the carrier will have played
 * everything sent, grows by exactly one frame's duration per frame, and the one sleep before a
 * frame lasts until `playoutEndAt + mediaMessageMs - leadMs`; late wake-ups do not accumulate into
 * drift. Pacing counts the audio written, not the bytes the serializer produced, so a serializer
 * that resamples or encodes cannot make output drain faster than real time (Pipecat issue #5592),
 * and a producer that falls behind costs a gap at the carrier, counted as an underrun, never a
 * burst (issue #3315).
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
 * Gaps and missing echoes are found by one playback watcher per utterance, outside the mailbox
 * loop: it sleeps until the next deadline (`utteranceGapMs` or `markEchoTimeoutMs` after the
 * scheduled end of playback) and, when it wakes to find the deadline moved on because more audio
 * was sent, sleeps again for the difference. Audio arriving frame by frame therefore costs no
 * timer per frame: at most one wake-up per `utteranceGapMs` of speech.
 *
 * Interruption (an {@link InterruptionFrame}): queued audio is dropped (the mailbox drops it; the
 * framer and the encoded frames waiting to be paced are discarded here), a `clear` is sent, echoes
 * of marks sent before it are ignored (the carrier returns them on clear), and a
 * {@link BotInterruptedFrame} saying how much of the utterance the caller heard goes both ways
 * before the interruption is forwarded, followed by `BotStoppedSpeakingFrame`.
 */
import { AudioFramer } from '@voxline/audio';
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
  InvalidOptionError,
  isAbortError,
  OutputAudioRawFrame,
  StopFrame,
  TTSAudioRawFrame,
  TTSStoppedFrame,
} from '@voxline/core';
import { SerializerError, type TelephonySerializer } from '@voxline/telephony';
import { PlaybackTracker } from './playback-tracker.js';
import type { TransportCounters } from './transport-counters.js';

/** Default duration in ms of the audio in each `media` message sent to the carrier. */
export const OUTPUT_FRAME_MS = 20;

/** Largest `mediaMessageMs` accepted, in ms. */
const MAX_MEDIA_MESSAGE_MS = 200;

/** Pacing and playback-tracking options of a {@link TelephonyOutputProcessor}. */
export interface TelephonyOutputOptions {
  /**
   * Most audio in ms queued at the carrier after each send: the margin that absorbs network jitter
   * without gaps. Default 60; at least 20 (one frame), at most 1000. More lead means more audio
   * already at the carrier when the caller barges in (a `clear` discards it, so it is not heard).
   */
  leadMs?: number;
  /**
   * Duration in ms of the audio in each `media` message: a multiple of 20 from 20 to 200, at most
   * `leadMs`; default 20 (what both carriers send). Longer messages cost fewer messages, socket
   * writes and pacing wake-ups per second of speech — 40 halves them, and is what Pipecat's output
   * transports send by default (`audio_out_10ms_chunks = 4`, `pipecat/transports/base_output.py`)
   * — at the price of up to one message's worth of extra latency for live (non-TTS) audio, which
   * waits for a whole message to fill. Telnyx accepts 20 ms to 30 s per message in RTP mode
   * (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket);
   * Twilio documents no limit.
   */
  mediaMessageMs?: number;
  /** A playback-position mark is sent every this many ms of audio; default 1000. */
  markIntervalMs?: number;
  /** A `BotSpeakingFrame` goes out every this many ms of audio sent; default 200. */
  speakingIntervalMs?: number;
  /**
   * How long the carrier must have had nothing to play, with no new audio, before the utterance is
   * taken to have ended (without a `TTSStoppedFrame`), in ms; default 300.
   */
  utteranceGapMs?: number;
  /**
   * How long after the scheduled end of playback the last mark's echo may take before the bot is
   * declared stopped anyway (and `markEchoTimeouts` counted), in ms; default 1500.
   */
  markEchoTimeoutMs?: number;
  /**
   * Frames the output mailbox holds before dropping the oldest audio; default 4096 (over 80 s of
   * TTS audio in 20 ms chunks, more in larger chunks).
   */
  queueCapacity?: number;
  /**
   * For live audio only — `OutputAudioRawFrame`s that are not `TTSAudioRawFrame`s, such as an echo
   * or a bridged call's audio — the most audio in ms that may wait in the output queue: beyond it
   * the oldest live frames are dropped (`counters.liveAudioDroppedMs`) until the stream is back
   * within it, so a stall (a garbage-collection pause, a slow producer catching up) does not stay
   * in the call as permanent delay. Default: off (never drop), because a burst of prerecorded
   * audio pushed as plain `OutputAudioRawFrame`s is meant to be played whole. Must be at least 20.
   */
  liveAudioMaxBacklogMs?: number;
}

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
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** The output processor; see the module comment. Put it last in the pipeline (`transport.output()`). */
export class TelephonyOutputProcessor extends FrameProcessor {
  private readonly leadMs: number;
  private readonly mediaMessageMs: number;
  private readonly markIntervalMs: number;
  private readonly speakingIntervalMs: number;
  private readonly utteranceGapMs: number;
  private readonly markEchoTimeoutMs: number;
  private readonly liveAudioMaxBacklogMs: number;
  private readonly tracker = new PlaybackTracker();

  private framer: AudioFramer | undefined;
  /** Wraps the framer's reused frame buffer, so encoding a frame allocates no frame object. */
  private framedAudio: OutputAudioRawFrame | undefined;
  /** Encoded frames of the chunk being paced (reused array; entries cleared once sent). */
  private readonly outbox: (string | undefined)[] = [];
  private outboxRead = 0;
  private outboxLength = 0;

  /** Clock time in ms at which the carrier will have played everything sent. */
  private playoutEndAt = 0;
  /** Audio sent on this connection, in ms (the audio position). */
  private totalSentMs = 0;
  private utteranceOpen = false;
  private utteranceStartMs = 0;
  /** The TTS context whose audio is playing, and where its audio starts in sent ms. */
  private playingContextId: string | undefined;
  private contextStartMs = 0;
  private nextSpeakingReportMs = 0;
  private nextPositionMarkMs = 0;
  /** Audio was sent after the latest mark. */
  private unmarkedAudio = false;
  /** Stops the playback watcher of the open utterance (see `watchPlayback`). */
  private watcherStop: AbortController | undefined;
  /** Resolves the End/Stop frame's wait for the caller to have heard the end. */
  private playbackEnded: (() => void) | undefined;

  /**
   * @throws {InvalidOptionError} if `leadMs` is outside 20..1000, `mediaMessageMs` is not a multiple of 20
   *   from 20 to 200 or exceeds `leadMs`, an interval is not positive, or `liveAudioMaxBacklogMs`
   *   is below 20.
   */
  constructor(
    private readonly channel: OutputChannel,
    options: TelephonyOutputOptions = {},
  ) {
    super({ name: 'TelephonyOutput', mode: 'queued', mailboxCapacity: options.queueCapacity ?? 4096 });
    this.leadMs = options.leadMs ?? 60;
    this.mediaMessageMs = options.mediaMessageMs ?? OUTPUT_FRAME_MS;
    this.markIntervalMs = options.markIntervalMs ?? 1000;
    this.speakingIntervalMs = options.speakingIntervalMs ?? 200;
    this.utteranceGapMs = options.utteranceGapMs ?? 300;
    this.markEchoTimeoutMs = options.markEchoTimeoutMs ?? 1500;
    this.liveAudioMaxBacklogMs = options.liveAudioMaxBacklogMs ?? Number.POSITIVE_INFINITY;
    if (!(this.liveAudioMaxBacklogMs >= OUTPUT_FRAME_MS)) {
      throw new InvalidOptionError(
        'liveAudioMaxBacklogMs',
        `liveAudioMaxBacklogMs must be at least ${OUTPUT_FRAME_MS}, got ${options.liveAudioMaxBacklogMs}`,
      );
    }
    if (!(this.leadMs >= OUTPUT_FRAME_MS && this.leadMs <= 1000)) {
      throw new InvalidOptionError(
        'leadMs',
        `leadMs must be between ${OUTPUT_FRAME_MS} and 1000, got ${this.leadMs}`,
      );
    }
    const messageMs = this.mediaMessageMs;
    if (
      !Number.isInteger(messageMs / OUTPUT_FRAME_MS) ||
      messageMs < OUTPUT_FRAME_MS ||
      messageMs > MAX_MEDIA_MESSAGE_MS
    ) {
      throw new InvalidOptionError(
        'mediaMessageMs',
        `mediaMessageMs must be a multiple of ${OUTPUT_FRAME_MS} from ${OUTPUT_FRAME_MS} to ${MAX_MEDIA_MESSAGE_MS}, got ${messageMs}`,
      );
    }
    if (messageMs > this.leadMs) {
      throw new InvalidOptionError(
        'mediaMessageMs',
        `mediaMessageMs (${messageMs}) must not exceed leadMs (${this.leadMs})`,
      );
    }
    for (const [name, value] of [
      ['markIntervalMs', this.markIntervalMs],
      ['speakingIntervalMs', this.speakingIntervalMs],
      ['utteranceGapMs', this.utteranceGapMs],
      ['markEchoTimeoutMs', this.markEchoTimeoutMs],
    ] as const) {
      if (!(value > 0)) throw new InvalidOptionError(name, `${name} must be positive, got ${value}`);
    }
  }

  /** True from the first frame of an utterance until the caller has heard its end. */
  get speaking(): boolean {
    return this.utteranceOpen;
  }

  /** Audio sent and not yet played by the carrier at this moment, in ms (per the pacing schedule). */
  get queuedAtCarrierMs(): number {
    return Math.max(0, this.playoutEndAt - this.clock.now());
  }

  /** Audio sent on this connection so far, in ms. */
  get sentMs(): number {
    return this.totalSentMs;
  }

  /**
   * Reads a mark echo from the carrier (the transport calls this for each `mark` event). Ends the
   * utterance when it is the echo of the latest mark and nothing was sent after it.
   */
  handleMarkEcho(name: string): void {
    const counters = this.channel.counters;
    const result = this.tracker.onEcho(name, this.clock.now());
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
    const nothingAfter =
      result.latest &&
      result.audioMs === this.totalSentMs &&
      this.outboxRead === this.outboxLength &&
      (this.framer?.bufferedSamples ?? 0) === 0;
    if (this.utteranceOpen && nothingAfter) this.stopSpeaking();
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (direction === FrameDirection.Upstream) {
      this.pushFrame(frame, direction);
      return;
    }
    if (frame.kind !== 'system') return this.processOrdered(frame);
    if (frame instanceof InterruptionFrame) this.interrupt(frame);
    else {
      if (frame instanceof CancelFrame) this.reset();
      this.pushFrame(frame, direction);
    }
  }

  /** Data and control frames, in mailbox order. */
  private async processOrdered(frame: Frame): Promise<void> {
    const signal = this.signal;
    try {
      if (frame instanceof OutputAudioRawFrame) {
        if (this.isLiveAudioBehind(frame)) return;
        await this.playAudio(frame, signal);
      } else if (frame instanceof TTSStoppedFrame) await this.finishUtterance(signal);
      else if (frame instanceof EndFrame || frame instanceof StopFrame) {
        await this.finishUtterance(signal);
        await this.waitForPlaybackEnd();
      } else if (frame.kind === 'data') this.sendMessageFrame(frame);
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
  private isLiveAudioBehind(frame: OutputAudioRawFrame): boolean {
    if (this.liveAudioMaxBacklogMs === Number.POSITIVE_INFINITY || frame instanceof TTSAudioRawFrame) {
      return false;
    }
    const frameMs = (frame.audio.length / frame.numChannels / frame.sampleRate) * 1000;
    if (this.queuedFrames * frameMs <= this.liveAudioMaxBacklogMs) return false;
    this.channel.counters.liveAudioDroppedMs += frameMs;
    return true;
  }

  private async playAudio(frame: OutputAudioRawFrame, signal: AbortSignal): Promise<void> {
    this.outboxRead = 0;
    this.outboxLength = 0;
    const framer = this.framerFor(frame);
    if (frame instanceof TTSAudioRawFrame && frame.contextId !== this.playingContextId) {
      // Everything framed before this frame has been sent but the framer's partial frame, so the
      // context's first sample leaves at this position (to within one frame).
      this.playingContextId = frame.contextId;
      this.contextStartMs = this.totalSentMs + (framer.bufferedSamples / framer.sampleRate) * 1000;
    }
    framer.write(frame.audio, this.onFramedAudio);
    await this.sendOutbox(signal);
  }

  /** The framer for the frame's format; a format change flushes the old framer's tail first. */
  private framerFor(frame: OutputAudioRawFrame): AudioFramer {
    const current = this.framer;
    if (
      current !== undefined &&
      current.sampleRate === frame.sampleRate &&
      current.numChannels === frame.numChannels
    ) {
      return current;
    }
    if (current !== undefined) this.enqueueTail(current);
    const framer = new AudioFramer({
      sampleRate: frame.sampleRate,
      numChannels: frame.numChannels,
      frameMs: this.mediaMessageMs,
      reuseFrameBuffer: true,
    });
    this.framer = framer;
    return framer;
  }

  /** Encodes each complete frame as it leaves the framer (the buffer is reused by the framer). */
  private readonly onFramedAudio = (pcm: Int16Array): void => {
    let frame = this.framedAudio;
    if (frame === undefined || frame.audio !== pcm) {
      const framer = this.framer as AudioFramer;
      frame = new OutputAudioRawFrame({
        audio: pcm,
        sampleRate: framer.sampleRate,
        numChannels: framer.numChannels,
      });
      this.framedAudio = frame;
    }
    this.enqueueEncoded(frame);
  };

  private enqueueTail(framer: AudioFramer): void {
    const tail = framer.flush();
    if (tail === undefined) return;
    this.enqueueEncoded(
      new OutputAudioRawFrame({
        audio: tail,
        sampleRate: framer.sampleRate,
        numChannels: framer.numChannels,
      }),
    );
  }

  private enqueueEncoded(frame: OutputAudioRawFrame): void {
    const message = this.requireSerializer().serialize(frame);
    if (message === undefined) {
      this.channel.counters.unserializableFrames++;
      return;
    }
    this.outbox[this.outboxLength++] = message;
  }

  /** Sends the encoded frames waiting in the outbox, each at its time on the pacing schedule. */
  private async sendOutbox(signal: AbortSignal): Promise<void> {
    for (;;) {
      const wait = this.sendDueFrames();
      if (wait === 0) return;
      await this.clock.sleep(wait, signal);
      // The sleep may have ended just before an interruption was handled.
      if (signal.aborted) throw abortError(signal);
    }
  }

  /**
   * Sends the outbox frames that are due now; returns 0 when the outbox is empty, else the ms to
   * wait before the next one is due.
   */
  private sendDueFrames(): number {
    while (this.outboxRead < this.outboxLength) {
      const wait = this.playoutEndAt + this.mediaMessageMs - this.leadMs - this.clock.now();
      if (wait > 0) return wait;
      const message = this.outbox[this.outboxRead] as string;
      this.outbox[this.outboxRead++] = undefined;
      this.sendAudioMessage(message);
    }
    this.outboxRead = 0;
    this.outboxLength = 0;
    return 0;
  }

  private sendAudioMessage(message: string): void {
    const now = this.clock.now();
    const counters = this.channel.counters;
    if (this.playoutEndAt < now) {
      if (this.utteranceOpen) counters.underruns++;
      this.playoutEndAt = now;
    }
    const startsUtterance = !this.utteranceOpen;
    if (startsUtterance) this.startUtterance();
    this.playoutEndAt += this.mediaMessageMs;
    this.totalSentMs += this.mediaMessageMs;
    this.channel.send(message);
    counters.audioFramesSent++;
    counters.audioMsSent += this.mediaMessageMs;
    this.unmarkedAudio = true;
    const utteranceMs = this.totalSentMs - this.utteranceStartMs;
    if (utteranceMs > this.nextSpeakingReportMs) {
      this.nextSpeakingReportMs += this.speakingIntervalMs;
      this.pushBothWays(BotSpeakingFrame);
    }
    if (utteranceMs >= this.nextPositionMarkMs) {
      this.nextPositionMarkMs += this.markIntervalMs;
      this.sendMark();
    }
    // Started once the frame is accounted for: the watcher reads the state on its first step.
    if (startsUtterance) this.startWatcher();
  }

  private startUtterance(): void {
    this.utteranceOpen = true;
    this.utteranceStartMs = this.totalSentMs;
    // The carrier plays this audio once what it holds has played (at once when it holds nothing).
    this.tracker.anchor(this.totalSentMs, this.playoutEndAt);
    this.nextSpeakingReportMs = 0;
    this.nextPositionMarkMs = this.markIntervalMs;
    this.pushBothWays(BotStartedSpeakingFrame);
  }

  private sendMark(): void {
    const name = this.tracker.addMark(this.totalSentMs);
    this.channel.send(this.requireSerializer().serializeMark(name));
    this.channel.counters.marksSent++;
    this.unmarkedAudio = false;
  }

  /** Ends the utterance's audio: sends the padded tail, then the end mark. */
  private async finishUtterance(signal: AbortSignal): Promise<void> {
    if (this.framer !== undefined && this.framer.bufferedSamples > 0) {
      this.outboxRead = 0;
      this.outboxLength = 0;
      this.enqueueTail(this.framer);
      await this.sendOutbox(signal);
    }
    if (this.unmarkedAudio) this.sendMark();
  }

  /** True while audio of the open utterance waits for its end (a padded tail or the end mark). */
  private get utteranceAudioUnfinished(): boolean {
    return this.unmarkedAudio || (this.framer?.bufferedSamples ?? 0) > 0;
  }

  private startWatcher(): void {
    this.watcherStop?.abort();
    const stop = new AbortController();
    this.watcherStop = stop;
    this.watchPlayback(stop.signal).catch((error: unknown) => {
      if (!isAbortError(error)) this.pushError(error);
    });
  }

  private stopWatcher(): void {
    const stop = this.watcherStop;
    if (stop === undefined) return;
    this.watcherStop = undefined;
    stop.abort();
  }

  /**
   * Watches the open utterance until it stops: ends its audio after a gap of `utteranceGapMs`, and
   * declares the bot stopped `markEchoTimeoutMs` after the end of playback if the last mark's echo
   * has not come. Sleeps until the next deadline and re-reads it on waking, since audio sent in
   * the meantime moves it.
   */
  private async watchPlayback(signal: AbortSignal): Promise<void> {
    while (this.utteranceOpen && !signal.aborted) {
      const now = this.clock.now();
      if (this.utteranceAudioUnfinished) {
        const gapEndsAt = this.playoutEndAt + this.utteranceGapMs;
        if (now < gapEndsAt) await this.clock.sleep(gapEndsAt - now, signal);
        // Audio waiting in the mailbox or the outbox is on its way: the gap is not over.
        else if (this.queuedFrames > 0 || this.outboxRead < this.outboxLength) {
          await this.clock.sleep(OUTPUT_FRAME_MS, signal);
        } else this.finishUtteranceNow();
        continue;
      }
      const echoDueBy = this.playoutEndAt + this.markEchoTimeoutMs;
      if (now < echoDueBy) {
        await this.clock.sleep(echoDueBy - now, signal);
        continue;
      }
      this.channel.counters.markEchoTimeouts++;
      this.logger.warn(
        { markEchoTimeoutMs: this.markEchoTimeoutMs, pendingMarks: this.tracker.pendingMarks },
        'the last mark was not echoed in time: bot declared stopped',
      );
      this.stopSpeaking();
    }
  }

  /**
   * Ends the utterance's audio after a gap: the padded tail and the end mark. Sent at once, since
   * the carrier has had nothing to play for `utteranceGapMs`, far past the tail's send time.
   */
  private finishUtteranceNow(): void {
    if (this.framer !== undefined && this.framer.bufferedSamples > 0) {
      this.outboxRead = 0;
      this.outboxLength = 0;
      this.enqueueTail(this.framer);
      this.sendDueFrames();
    }
    if (this.unmarkedAudio) this.sendMark();
  }

  /** For End/Stop: waits until the caller has heard the end (last mark echoed), or the timeout. */
  private waitForPlaybackEnd(): Promise<void> {
    if (!this.utteranceOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.playbackEnded = resolve;
    });
  }

  private stopSpeaking(): void {
    this.utteranceOpen = false;
    this.stopWatcher();
    this.pushBothWays(BotStoppedSpeakingFrame);
    this.endPlaybackWait();
  }

  private endPlaybackWait(): void {
    const resolve = this.playbackEnded;
    this.playbackEnded = undefined;
    resolve?.();
  }

  private interrupt(frame: InterruptionFrame): void {
    const now = this.clock.now();
    const wasSpeaking = this.utteranceOpen;
    let interrupted: BotInterruptedFrame | undefined;
    try {
      this.stopWatcher();
      this.discardPendingAudio();
      if (wasSpeaking) {
        // Count from the start of the playing TTS context when there is one (word timestamps count
        // from there too), else from the start of the utterance.
        const origin =
          this.playingContextId !== undefined && this.contextStartMs >= this.utteranceStartMs
            ? this.contextStartMs
            : this.utteranceStartMs;
        const sentMs = Math.max(0, Math.round(this.totalSentMs - origin));
        const scheduled = this.totalSentMs - Math.max(0, this.playoutEndAt - now);
        const heard = this.tracker.heardAudioMs(now, this.totalSentMs, scheduled) - origin;
        interrupted = new BotInterruptedFrame(
          Math.min(sentMs, Math.max(0, Math.round(heard))),
          sentMs,
          origin === this.contextStartMs ? this.playingContextId : undefined,
        );
      }
      if (wasSpeaking || this.playoutEndAt > now) {
        this.tracker.clear();
        this.channel.counters.clearsSent++;
        this.channel.send(this.requireSerializer().serializeClear());
      }
      this.utteranceOpen = false;
      this.unmarkedAudio = false;
      this.playoutEndAt = Math.min(this.playoutEndAt, now);
    } finally {
      if (interrupted !== undefined) {
        this.pushFrame(interrupted, FrameDirection.Upstream);
        this.pushFrame(
          new BotInterruptedFrame(interrupted.heardMs, interrupted.sentMs, interrupted.contextId),
          FrameDirection.Downstream,
        );
        this.channel.onInterrupted(interrupted);
      }
      this.pushFrame(frame, FrameDirection.Downstream);
      if (wasSpeaking) this.pushBothWays(BotStoppedSpeakingFrame);
      this.endPlaybackWait();
    }
  }

  /** Cancel: drop everything, send nothing more. */
  private reset(): void {
    this.stopWatcher();
    this.discardPendingAudio();
    this.utteranceOpen = false;
    this.unmarkedAudio = false;
    this.endPlaybackWait();
  }

  private discardPendingAudio(): void {
    this.framer?.reset();
    for (let i = this.outboxRead; i < this.outboxLength; i++) this.outbox[i] = undefined;
    this.outboxRead = 0;
    this.outboxLength = 0;
  }

  /** Sends what the serializer makes of a non-audio data frame (e.g. `OutputTransportMessageFrame`). */
  private sendMessageFrame(frame: Frame): void {
    const serializer = this.channel.serializer;
    if (serializer === undefined) return;
    const message = serializer.serialize(frame);
    if (message !== undefined) this.channel.send(message);
  }

  private pushBothWays(type: new () => Frame): void {
    this.pushFrame(new type(), FrameDirection.Upstream);
    this.pushFrame(new type(), FrameDirection.Downstream);
  }

  private requireSerializer(): TelephonySerializer {
    const serializer = this.channel.serializer;
    if (serializer === undefined)
      throw new SerializerError(
        'not-started',
        'TelephonyOutput: no carrier serializer (the call has not started)',
      );
    return serializer;
  }
}
