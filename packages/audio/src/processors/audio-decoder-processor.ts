/** Decodes wire-format audio frames into PCM audio frames, at the input edge of a pipeline. */

import {
  type Frame,
  type FrameDirection,
  FrameProcessor,
  type FrameProcessorOptions,
  InputAudioRawFrame,
  OutputAudioRawFrame,
} from '@voxline/core';
import { decodeAudio } from '../encoding/audio-encoding.js';
import { InputEncodedAudioFrame, OutputEncodedAudioFrame } from '../frames/encoded-audio-frames.js';

/**
 * Inline processor: replaces each {@link InputEncodedAudioFrame} with an `InputAudioRawFrame`
 * and each {@link OutputEncodedAudioFrame} with an `OutputAudioRawFrame`, in either direction,
 * decoding whatever encoding the frame states and keeping sample rate, channel count and pts.
 * Every other frame is forwarded untouched.
 *
 * Allocates the PCM per frame (the frame owns it). A frame that cannot be decoded (L16 of odd
 * length) is reported as a non-fatal error upstream and dropped.
 */
export class AudioDecoderProcessor extends FrameProcessor {
  constructor(options: Pick<FrameProcessorOptions, 'name'> = {}) {
    super({ name: options.name, mode: 'inline' });
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputEncodedAudioFrame) {
      this.pushFrame(new InputAudioRawFrame(this.#decode(frame)), direction);
    } else if (frame instanceof OutputEncodedAudioFrame) {
      this.pushFrame(new OutputAudioRawFrame(this.#decode(frame)), direction);
    } else {
      this.pushFrame(frame, direction);
    }
  }

  #decode(frame: InputEncodedAudioFrame | OutputEncodedAudioFrame) {
    return {
      audio: decodeAudio(frame.payload, frame.encoding),
      sampleRate: frame.sampleRate,
      numChannels: frame.numChannels,
      pts: frame.pts,
    };
  }
}
