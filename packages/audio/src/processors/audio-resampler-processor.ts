/** Resamples the audio frames of a pipeline to one sample rate, e.g. a TTS's output to the output rate. */

import {
  EndFrame,
  type Frame,
  type FrameDirection,
  FrameProcessor,
  type FrameProcessorOptions,
  InputAudioRawFrame,
  InterruptionFrame,
  OutputAudioRawFrame,
  TTSAudioRawFrame,
} from '@voxline/core';
import { InvalidAudioArgumentError } from '../errors.js';
import { isResamplerSampleRate, RESAMPLER_SAMPLE_RATES } from '../resampler/resampler-design.js';
import type { ResamplerQuality } from '../resampler/resampler-quality.js';
import { StreamResampler } from '../resampler/stream-resampler.js';

/** Options of {@link AudioResamplerProcessor}. */
export interface AudioResamplerProcessorOptions extends Pick<FrameProcessorOptions, 'name'> {
  /** The sample rate of the frames it pushes, in Hz: one of {@link RESAMPLER_SAMPLE_RATES}. */
  targetSampleRate: number;
  /** Filter of each {@link StreamResampler}; default `'telephony'`. */
  quality?: ResamplerQuality;
}

/** One audio stream: the resampler for its current input rate. */
interface ResampledStream {
  inputRate: number;
  resampler: StreamResampler | undefined;
}

/**
 * Inline processor: replaces each mono `InputAudioRawFrame` and `OutputAudioRawFrame` (including
 * `TTSAudioRawFrame`, whose `contextId` is kept) whose rate is not `targetSampleRate` with a frame
 * of the same class at `targetSampleRate`, keeping `pts`. Frames already at the target rate, and
 * every other frame, are forwarded untouched, in order.
 *
 * Input audio and output audio are two streams, each with its own {@link StreamResampler}, so the
 * filter state of one never leaks into the other, and a stream's audio comes out the same, sample
 * for sample, however it is cut into frames (20 ms in gives 20 ms out for every supported pair).
 * The audio is delayed by the filter's group delay (2.75 ms at 16000 → 8000 Hz with
 * `'telephony'`; see {@link StreamResampler}). A resampler is made when a stream's rate is first
 * seen or changes; after that the only allocation per frame is the output frame and its samples.
 *
 * An `InterruptionFrame` starts the output stream afresh (the audio in the filter belongs to the
 * reply that was cut). An `EndFrame` pushes the tail still inside each filter as a last frame of
 * its stream, then forwards the `EndFrame`.
 *
 * Errors: the constructor throws {@link InvalidAudioArgumentError} when `targetSampleRate` is not
 * one of {@link RESAMPLER_SAMPLE_RATES}. A frame at another unsupported rate, or with more than one
 * channel, cannot be resampled: it is dropped and reported upstream as a non-fatal
 * `InvalidAudioArgumentError` (once for a run of such frames in a stream), since forwarding it at
 * the wrong rate would play it at the wrong speed.
 */
export class AudioResamplerProcessor extends FrameProcessor {
  readonly targetSampleRate: number;
  readonly #quality: ResamplerQuality | undefined;
  readonly #input: ResampledStream = { inputRate: 0, resampler: undefined };
  readonly #output: ResampledStream = { inputRate: 0, resampler: undefined };
  /** The format last refused per stream, so that a stream of bad frames is reported once. */
  #refusedInput = '';
  #refusedOutput = '';
  /** The class and context of the last output frame, for the frame that carries the flushed tail. */
  #lastOutputContextId: string | undefined;
  #lastOutputWasTTS = false;
  #lastOutputDirection: FrameDirection | undefined;
  #lastInputDirection: FrameDirection | undefined;

  /** @throws {InvalidAudioArgumentError} if `targetSampleRate` is not a supported rate. */
  constructor(options: AudioResamplerProcessorOptions) {
    super({ name: options.name, mode: 'inline' });
    if (!isResamplerSampleRate(options.targetSampleRate)) {
      throw new InvalidAudioArgumentError(
        `AudioResamplerProcessor cannot resample to ${options.targetSampleRate} Hz (supported: ${RESAMPLER_SAMPLE_RATES.join(', ')} Hz)`,
      );
    }
    this.targetSampleRate = options.targetSampleRate;
    this.#quality = options.quality;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame) {
      this.#lastInputDirection = direction;
      const audio = this.#resample(this.#input, frame, 'input');
      if (audio === frame.audio) this.pushFrame(frame, direction);
      else if (audio !== undefined) {
        this.pushFrame(
          new InputAudioRawFrame({
            audio,
            sampleRate: this.targetSampleRate,
            numChannels: 1,
            pts: frame.pts,
          }),
          direction,
        );
      }
      return;
    }
    if (frame instanceof OutputAudioRawFrame) {
      this.#lastOutputDirection = direction;
      this.#lastOutputWasTTS = frame instanceof TTSAudioRawFrame;
      this.#lastOutputContextId = frame instanceof TTSAudioRawFrame ? frame.contextId : undefined;
      const audio = this.#resample(this.#output, frame, 'output');
      if (audio === frame.audio) this.pushFrame(frame, direction);
      else if (audio !== undefined) this.pushFrame(this.#outputFrame(audio, frame.pts), direction);
      return;
    }
    if (frame instanceof InterruptionFrame) {
      this.#output.resampler?.reset();
    } else if (frame instanceof EndFrame) {
      this.#pushTails();
    }
    this.pushFrame(frame, direction);
  }

  /**
   * The frame's samples at the target rate: the frame's own array when no resampling is needed, a
   * new array otherwise, undefined when the frame cannot be resampled (reported).
   */
  #resample(
    stream: ResampledStream,
    frame: InputAudioRawFrame | OutputAudioRawFrame,
    kind: 'input' | 'output',
  ): Int16Array | undefined {
    if (frame.sampleRate !== stream.inputRate) {
      if (!this.#configure(stream, frame, kind)) return undefined;
    }
    if (frame.numChannels !== 1) {
      this.#refuse(kind, `${frame.numChannels} channels`, 'it resamples mono audio only');
      return undefined;
    }
    if (kind === 'input') this.#refusedInput = '';
    else this.#refusedOutput = '';
    return stream.resampler === undefined ? frame.audio : stream.resampler.process(frame.audio);
  }

  /** Prepares `stream` for a new input rate; false (reported) when the rate is not supported. */
  #configure(
    stream: ResampledStream,
    frame: InputAudioRawFrame | OutputAudioRawFrame,
    kind: 'input' | 'output',
  ) {
    if (!isResamplerSampleRate(frame.sampleRate)) {
      this.#refuse(kind, `${frame.sampleRate} Hz`, `supported: ${RESAMPLER_SAMPLE_RATES.join(', ')} Hz`);
      return false;
    }
    stream.inputRate = frame.sampleRate;
    stream.resampler =
      frame.sampleRate === this.targetSampleRate
        ? undefined
        : new StreamResampler({
            inputRate: frame.sampleRate,
            outputRate: this.targetSampleRate,
            ...(this.#quality === undefined ? {} : { quality: this.#quality }),
          });
    return true;
  }

  #refuse(kind: 'input' | 'output', format: string, reason: string): void {
    const already = kind === 'input' ? this.#refusedInput : this.#refusedOutput;
    if (already === format) return;
    if (kind === 'input') this.#refusedInput = format;
    else this.#refusedOutput = format;
    this.pushError(
      new InvalidAudioArgumentError(
        `AudioResamplerProcessor dropped ${kind} audio of ${format} (${reason}); frames in this format are dropped until it changes`,
      ),
    );
  }

  #outputFrame(audio: Int16Array, pts: number | undefined): OutputAudioRawFrame {
    const init = { audio, sampleRate: this.targetSampleRate, numChannels: 1, pts };
    return this.#lastOutputWasTTS
      ? new TTSAudioRawFrame({ ...init, contextId: this.#lastOutputContextId })
      : new OutputAudioRawFrame(init);
  }

  /** Pushes what is still inside each stream's filter, as the last frame of that stream. */
  #pushTails(): void {
    const inputTail = this.#input.resampler?.flush();
    if (inputTail !== undefined && inputTail.length > 0 && this.#lastInputDirection !== undefined) {
      this.pushFrame(
        new InputAudioRawFrame({
          audio: inputTail,
          sampleRate: this.targetSampleRate,
          numChannels: 1,
          pts: undefined,
        }),
        this.#lastInputDirection,
      );
    }
    const outputTail = this.#output.resampler?.flush();
    if (outputTail !== undefined && outputTail.length > 0 && this.#lastOutputDirection !== undefined) {
      this.pushFrame(this.#outputFrame(outputTail, undefined), this.#lastOutputDirection);
    }
  }
}
