/**
 * Records both sides of a call (the caller's input audio and the bot's output audio), aligned
 * on the pipeline clock, as a mono mix or as stereo, with bounded memory.
 */

import {
  CancelFrame,
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  type FrameProcessorOptions,
  InputAudioRawFrame,
  OutputAudioRawFrame,
  StartFrame,
} from '@voxline/core';
import { InvalidAudioArgumentError } from '../errors.js';
import { WavFileWriter } from '../wav/wav-file-writer.js';
import { RecordingTrack } from './recording-track.js';

/** A piece of the recording, handed to `onChunk`. */
export interface RecordingChunk {
  /** 16-bit PCM: mono mix, or stereo interleaved with the user left and the bot right. Owned by the callee. */
  audio: Int16Array;
  /** Sample rate in Hz (the recording's). */
  sampleRate: number;
  /** 1 (mono mix) or 2 (stereo). */
  numChannels: 1 | 2;
  /** Timeline position of the first sample, in ms from the start of the recording. */
  startMs: number;
  /** Duration in ms (`chunkMs`, except for the last chunk). */
  durationMs: number;
}

/** Options of {@link AudioBufferProcessor}. */
export interface AudioBufferProcessorOptions extends Pick<FrameProcessorOptions, 'name'> {
  /**
   * Recording sample rate in Hz; default 16000. Audio at other rates is resampled with
   * {@link StreamResampler} (8000, 16000, 22050, 24000, 44100 and 48000 Hz are supported).
   */
  sampleRate?: number;
  /** `'mono'` (default): user and bot mixed; `'stereo'`: user on the left channel, bot on the right. */
  channels?: 'mono' | 'stereo';
  /** Stream the recording to this WAV file (16-bit PCM, opened on `StartFrame`, completed on `EndFrame`/`CancelFrame`). */
  wavPath?: string;
  /** Receives the recording in aligned chunks as the call goes on. */
  onChunk?: (chunk: RecordingChunk) => void;
  /** Length of each chunk of timeline in ms; default 1000. Memory held is about one chunk per track. */
  chunkMs?: number;
  /**
   * A frame that starts up to this many ms after the end of its track continues the track without
   * a gap (timing jitter does not insert silence into continuous audio); a later frame starts at
   * its own time, after silence. Default 60. It is also how far behind the clock the recording is
   * emitted.
   */
  gapToleranceMs?: number;
}

/**
 * Inline processor that records a call; frames pass through untouched.
 *
 * Place it after the output transport, where it sees both the caller's `InputAudioRawFrame`s and
 * the bot's `OutputAudioRawFrame`s (including `TTSAudioRawFrame`) travelling downstream, at the
 * pace the bot is heard.
 *
 * **Alignment.** Both tracks share one timeline, sample-accurate, starting at the `StartFrame`
 * (the pipeline clock's time then is 0 ms). A frame is placed at its `pts` when it has one, or at
 * the time it reaches this processor; if that is within `gapToleranceMs` of the end of its track,
 * it continues the track instead, so continuous audio stays continuous and audio that arrives
 * faster than real time (an unpaced TTS burst) is laid end to end from its first frame. Gaps are
 * kept: silence between two bot utterances, or while the caller's audio is muted, appears in the
 * recording as long as it was on the clock, even when neither side sends audio in between. The
 * lagging track is padded with silence, so stereo channels always have the same length and a
 * chunk covers the same stretch of time on both. (Resampling delays a track by its filter's
 * group delay, 1-3 ms.)
 *
 * **Memory.** Audio is emitted in `chunkMs` pieces, to `onChunk` and/or the WAV file, once both
 * tracks are known past the piece's end (a track is known up to its last audio, and known to be
 * silent up to `gapToleranceMs` before the clock), and then forgotten: memory is about one chunk
 * per track, plus any audio that arrived ahead of the clock. Long silences are never stored.
 * Emission happens when audio frames arrive and at the end, not on a timer.
 *
 * **End.** On `EndFrame` or `CancelFrame` both tracks are padded to the longer one (or to the
 * clock, if later), the rest is emitted and the WAV file is completed; the pipeline's cleanup
 * waits for the file to be closed. {@link stop} does the same on demand.
 *
 * Errors (an unsupported sample rate, a failing disk) are reported upstream as non-fatal
 * `ErrorFrame`s; frames always pass through.
 */
export class AudioBufferProcessor extends FrameProcessor {
  readonly sampleRate: number;
  readonly numChannels: 1 | 2;
  readonly chunkMs: number;

  readonly #wavPath: string | undefined;
  readonly #onChunk: ((chunk: RecordingChunk) => void) | undefined;
  readonly #chunkSamples: number;
  readonly #toleranceSamples: number;
  #user: RecordingTrack;
  #bot: RecordingTrack;
  #recording = false;
  #originMs = 0;
  /** Timeline position (samples) emitted so far, the same for both tracks. */
  #emitted = 0;
  #writer: WavFileWriter | undefined;
  /** Set after a disk write failed (already reported): stop writing, still close the file. */
  #writeFailed = false;
  #writerOpening: Promise<void> | undefined;
  /** Chunks emitted while the WAV file was still opening. */
  #unwritten: Int16Array[] = [];
  #closing: Promise<void> | undefined;

  /**
   * @throws {@link InvalidAudioArgumentError} if `sampleRate`, `chunkMs` or `gapToleranceMs` is
   *   out of range, or `chunkMs` is not a whole number of samples.
   */
  constructor(options: AudioBufferProcessorOptions = {}) {
    super({ name: options.name, mode: 'inline' });
    const { sampleRate = 16000, channels = 'mono', chunkMs = 1000, gapToleranceMs = 60 } = options;
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
      throw new InvalidAudioArgumentError(`sampleRate must be a positive integer in Hz, got ${sampleRate}`);
    }
    if (channels !== 'mono' && channels !== 'stereo') {
      throw new InvalidAudioArgumentError(`channels must be 'mono' or 'stereo', got ${String(channels)}`);
    }
    const chunkSamples = (chunkMs * sampleRate) / 1000;
    if (!Number.isInteger(chunkSamples) || chunkSamples <= 0) {
      throw new InvalidAudioArgumentError(
        `chunkMs ${chunkMs} at ${sampleRate} Hz is not a whole number of samples`,
      );
    }
    if (!(gapToleranceMs >= 0)) {
      throw new InvalidAudioArgumentError(`gapToleranceMs must be 0 or more, got ${gapToleranceMs}`);
    }
    this.sampleRate = sampleRate;
    this.numChannels = channels === 'stereo' ? 2 : 1;
    this.chunkMs = chunkMs;
    this.#chunkSamples = chunkSamples;
    this.#toleranceSamples = Math.round((gapToleranceMs * sampleRate) / 1000);
    this.#wavPath = options.wavPath;
    this.#onChunk = options.onChunk;
    this.#user = new RecordingTrack(sampleRate, 2 * chunkSamples);
    this.#bot = new RecordingTrack(sampleRate, 2 * chunkSamples);
  }

  /** Whether a recording is in progress (between `StartFrame` and the end). */
  get recording(): boolean {
    return this.#recording;
  }

  /** Duration emitted so far, in ms of timeline. */
  get emittedMs(): number {
    return (this.#emitted * 1000) / this.sampleRate;
  }

  /** Samples held in memory, both tracks together (for monitoring the memory bound). */
  get heldSamples(): number {
    return this.#user.heldSamples + this.#bot.heldSamples;
  }

  /**
   * Ends the recording now: pads, emits the rest, and completes the WAV file. Idempotent; audio
   * frames after it pass through unrecorded.
   *
   * @returns resolves when the WAV file (if any) is closed; rejects with its disk error.
   */
  stop(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (!this.#recording) return Promise.resolve();
    this.#recording = false;
    const now = this.#timelinePosition(this.clock.now());
    const end = Math.max(this.#user.end, this.#bot.end, now);
    this.#emitUpTo(end, true);
    this.#closing = this.#closeWriter();
    return this.#closing;
  }

  override async cleanup(): Promise<void> {
    await this.stop().catch(() => {});
    await super.cleanup();
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (direction !== FrameDirection.Downstream) return;
    if (frame instanceof InputAudioRawFrame || frame instanceof OutputAudioRawFrame) {
      if (this.#recording) this.#record(frame);
    } else if (frame instanceof StartFrame) {
      this.#start();
    } else if (frame instanceof EndFrame || frame instanceof CancelFrame) {
      this.stop().catch(() => {});
    }
  }

  #start(): void {
    if (this.#recording || this.#closing !== undefined) return;
    this.#recording = true;
    this.#originMs = this.clock.now();
    if (this.#wavPath !== undefined) {
      this.#writerOpening = WavFileWriter.open(this.#wavPath, {
        sampleRate: this.sampleRate,
        numChannels: this.numChannels,
      }).then(
        (writer) => {
          this.#writer = writer;
          for (const chunk of this.#unwritten) this.#write(chunk);
          this.#unwritten = [];
        },
        (error: unknown) => {
          this.#unwritten = [];
          this.pushError(error);
        },
      );
    }
  }

  #record(frame: InputAudioRawFrame | OutputAudioRawFrame): void {
    const now = this.#timelinePosition(this.clock.now());
    // First emit what the clock has settled, so silence is never stored.
    this.#emitSettled(now);
    const track = frame instanceof InputAudioRawFrame ? this.#user : this.#bot;
    const position = frame.pts === undefined ? now : this.#timelinePosition(frame.pts);
    try {
      track.place(frame.audio, frame.sampleRate, frame.numChannels, position, this.#toleranceSamples);
    } catch (error) {
      this.pushError(error);
    }
  }

  #timelinePosition(timeMs: number): number {
    return Math.max(0, Math.round(((timeMs - this.#originMs) * this.sampleRate) / 1000));
  }

  /**
   * Emits whole chunks up to the point both tracks are known: each track is known up to its end,
   * and up to `gapToleranceMs` before now (a later frame cannot land earlier than that).
   */
  #emitSettled(now: number): void {
    const settledUntil = now - this.#toleranceSamples;
    const limit = Math.min(Math.max(this.#user.end, settledUntil), Math.max(this.#bot.end, settledUntil));
    this.#emitUpTo(limit, false);
  }

  /** Emits chunks up to timeline position `limit`: whole chunks only, unless `final`. */
  #emitUpTo(limit: number, final: boolean): void {
    const chunk = this.#chunkSamples;
    while (this.#emitted + chunk <= limit || (final && this.#emitted < limit)) {
      const count = Math.min(chunk, limit - this.#emitted);
      this.#emitChunk(count);
    }
  }

  #emitChunk(count: number): void {
    const from = this.#emitted;
    const audio = new Int16Array(count * this.numChannels);
    if (this.numChannels === 2) {
      this.#user.take(from, count, audio, 0, 2);
      this.#bot.take(from, count, audio, 1, 2);
    } else {
      this.#user.take(from, count, audio, 0, 1);
      this.#bot.mixInto(from, count, audio);
    }
    this.#emitted = from + count;
    if (this.#wavPath !== undefined) {
      if (this.#writer !== undefined) this.#write(audio);
      else if (this.#writerOpening !== undefined) this.#unwritten.push(audio);
    }
    if (this.#onChunk !== undefined) {
      try {
        this.#onChunk({
          audio,
          sampleRate: this.sampleRate,
          numChannels: this.numChannels,
          startMs: (from * 1000) / this.sampleRate,
          durationMs: (count * 1000) / this.sampleRate,
        });
      } catch (error) {
        this.pushError(error);
      }
    }
  }

  #write(audio: Int16Array): void {
    if (this.#writeFailed) return;
    try {
      this.#writer?.write(audio);
    } catch (error) {
      this.#writeFailed = true;
      this.pushError(error);
    }
  }

  async #closeWriter(): Promise<void> {
    await this.#writerOpening;
    const writer = this.#writer;
    this.#writer = undefined;
    if (writer === undefined) return;
    try {
      await writer.close();
    } catch (error) {
      if (this.#writeFailed) return;
      this.pushError(error);
      throw error;
    }
  }
}
