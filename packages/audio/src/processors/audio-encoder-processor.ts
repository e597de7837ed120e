/** Encodes PCM audio frames into wire-format frames, at the output edge of a pipeline. */

import {
  type Frame,
  type FrameDirection,
  FrameProcessor,
  type FrameProcessorOptions,
  InputAudioRawFrame,
  OutputAudioRawFrame,
} from '@voxline/core';
import { type AudioEncoding, assertAudioEncoding, encodeAudio } from '../encoding/audio-encoding.js';
import { InputEncodedAudioFrame, OutputEncodedAudioFrame } from '../frames/encoded-audio-frames.js';

/** Options of {@link AudioEncoderProcessor}. */
export interface AudioEncoderProcessorOptions extends Pick<FrameProcessorOptions, 'name'> {
  /** The wire encoding to produce. */
  encoding: AudioEncoding;
}

/**
 * Inline processor: replaces each `InputAudioRawFrame` with an {@link InputEncodedAudioFrame}
 * and each `OutputAudioRawFrame` (including `TTSAudioRawFrame`) with an
 * {@link OutputEncodedAudioFrame}, in either direction, keeping sample rate, channel count and
 * pts. The sample rate is not changed: resample first (G.711 peers expect 8000 Hz). Every other
 * frame is forwarded untouched.
 *
 * Allocates the encoded payload per frame (the frame owns it). A `TTSAudioRawFrame`'s
 * `contextId` is not carried over.
 */
export class AudioEncoderProcessor extends FrameProcessor {
  readonly encoding: AudioEncoding;

  /** @throws {@link InvalidAudioArgumentError} for an unknown encoding. */
  constructor(options: AudioEncoderProcessorOptions) {
    super({ name: options.name, mode: 'inline' });
    assertAudioEncoding(options.encoding);
    this.encoding = options.encoding;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame) {
      this.pushFrame(new InputEncodedAudioFrame(this.#encode(frame)), direction);
    } else if (frame instanceof OutputAudioRawFrame) {
      this.pushFrame(new OutputEncodedAudioFrame(this.#encode(frame)), direction);
    } else {
      this.pushFrame(frame, direction);
    }
  }

  #encode(frame: InputAudioRawFrame | OutputAudioRawFrame) {
    return {
      payload: encodeAudio(frame.audio, this.encoding),
      encoding: this.encoding,
      sampleRate: frame.sampleRate,
      numChannels: frame.numChannels,
      pts: frame.pts,
    };
  }
}
