/** Turns in-band DTMF tones in the caller's audio into `InputDTMFFrame`s. */

import {
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  type FrameProcessorOptions,
  InputAudioRawFrame,
  InputDTMFFrame,
} from '@voxline/core';
import { DTMFDetector } from '../dtmf/dtmf-detector.js';
import { InvalidAudioArgumentError } from '../errors.js';
import { isResamplerSampleRate, RESAMPLER_SAMPLE_RATES } from '../resampler/resampler-design.js';
import { StreamResampler } from '../resampler/stream-resampler.js';

const NO_DIGITS: readonly string[] = Object.freeze([]);

/** Options of {@link DTMFDetectorProcessor}. */
export interface DTMFDetectorProcessorOptions extends Pick<FrameProcessorOptions, 'name'> {
  /** Minimum level of each tone, RMS dBFS; default -36. See {@link DTMFDetector}. */
  minToneLevelDbfs?: number;
}

/**
 * Inline processor that runs a {@link DTMFDetector} on every `InputAudioRawFrame` travelling
 * downstream and pushes an `InputDTMFFrame` (one per key, `digit` is `'0'`-`'9'`, `'*'`, `'#'` or
 * `'A'`-`'D'`) downstream right after the audio frame in which the key press ended, 25-38 ms
 * after the tone stops (see {@link DTMFDetector} for the rules).
 *
 * Audio is forwarded unchanged, and first. Audio at 8000 or 16000 Hz is analysed directly;
 * other rates supported by {@link StreamResampler} are resampled to 16000 Hz for analysis only;
 * audio at any other rate is reported once as a non-fatal error and passes unanalysed.
 * Multi-channel input is analysed on its first channel. On `EndFrame` a key still held is
 * reported before the `EndFrame` is forwarded.
 *
 * Use it for carriers that send DTMF in-band; carriers that send DTMF as events (Telnyx and
 * Twilio media streams do) get `InputDTMFFrame`s from their serializer instead.
 */
export class DTMFDetectorProcessor extends FrameProcessor {
  readonly #minToneLevelDbfs: number | undefined;
  #detector: DTMFDetector | undefined;
  /** Rate of the audio seen last, and the resampler used for it when needed. */
  #inputRate = 0;
  #resampler: StreamResampler | undefined;
  #firstChannel: Int16Array | undefined;

  constructor(options: DTMFDetectorProcessorOptions = {}) {
    super({ name: options.name, mode: 'inline' });
    this.#minToneLevelDbfs = options.minToneLevelDbfs;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame && direction === FrameDirection.Downstream) {
      this.pushFrame(frame, direction);
      const digits = this.#analyse(frame);
      for (const digit of digits) this.pushFrame(new InputDTMFFrame(digit), FrameDirection.Downstream);
      return;
    }
    if (
      frame instanceof EndFrame &&
      direction === FrameDirection.Downstream &&
      this.#detector !== undefined
    ) {
      for (const digit of this.#detector.flush()) this.pushFrame(new InputDTMFFrame(digit), direction);
    }
    this.pushFrame(frame, direction);
  }

  #analyse(frame: InputAudioRawFrame): readonly string[] {
    if (frame.sampleRate !== this.#inputRate) this.#configure(frame.sampleRate);
    const detector = this.#detector;
    if (detector === undefined) return NO_DIGITS;
    let pcm = frame.audio;
    if (frame.numChannels > 1) pcm = this.#takeFirstChannel(pcm, frame.numChannels);
    if (this.#resampler !== undefined) pcm = this.#resampler.process(pcm);
    return detector.process(pcm);
  }

  /** Prepares detection for a new input rate; an unsupported rate is reported once and not analysed. */
  #configure(sampleRate: number): void {
    this.#inputRate = sampleRate;
    this.#detector = undefined;
    this.#resampler = undefined;
    const analysisRate = sampleRate === 8000 ? 8000 : 16000;
    if (sampleRate !== analysisRate) {
      if (!isResamplerSampleRate(sampleRate)) {
        this.pushError(
          new InvalidAudioArgumentError(
            `DTMF detection cannot analyse ${sampleRate} Hz audio (supported: ${RESAMPLER_SAMPLE_RATES.join(', ')} Hz); it passes through unanalysed`,
          ),
        );
        return;
      }
      this.#resampler = new StreamResampler({ inputRate: sampleRate, outputRate: analysisRate });
    }
    this.#detector = new DTMFDetector({ sampleRate: analysisRate, minToneLevelDbfs: this.#minToneLevelDbfs });
  }

  #takeFirstChannel(pcm: Int16Array, numChannels: number): Int16Array {
    const length = Math.floor(pcm.length / numChannels);
    if (this.#firstChannel === undefined || this.#firstChannel.length !== length) {
      this.#firstChannel = new Int16Array(length);
    }
    const out = this.#firstChannel;
    for (let i = 0; i < length; i++) out[i] = pcm[i * numChannels]!;
    return out;
  }
}
