/**
 * Frames that carry encoded (wire-format) audio, for the edges of a pipeline: a transport that
 * receives or sends G.711 or L16 payloads can push these and let {@link AudioDecoderProcessor}
 * and {@link AudioEncoderProcessor} convert, instead of decoding itself. Everything between the
 * edges works on PCM audio frames.
 */

import { DataFrame, SystemFrame } from '@voxline/core';
import { type AudioEncoding, assertAudioEncoding } from '../encoding/audio-encoding.js';
import { InvalidAudioArgumentError } from '../errors.js';

/** What an encoded audio frame carries. */
export interface EncodedAudioInit {
  /** Encoded audio bytes (not copied). */
  payload: Uint8Array;
  /** Their encoding. */
  encoding: AudioEncoding;
  /** Sample rate in Hz (8000 for G.711 from carriers). */
  sampleRate: number;
  /** Interleaved channels; default 1. */
  numChannels?: number;
  /** Presentation time in ms on the pipeline clock of the first sample, if known. */
  pts?: number;
}

function validate(init: EncodedAudioInit): number {
  assertAudioEncoding(init.encoding);
  if (!(init.payload instanceof Uint8Array))
    throw new InvalidAudioArgumentError('payload must be a Uint8Array');
  if (!(init.sampleRate > 0))
    throw new InvalidAudioArgumentError(`sampleRate must be positive, got ${init.sampleRate}`);
  const numChannels = init.numChannels ?? 1;
  if (!Number.isInteger(numChannels) || numChannels < 1) {
    throw new InvalidAudioArgumentError(`numChannels must be a positive integer, got ${numChannels}`);
  }
  return numChannels;
}

/**
 * Encoded audio from the caller. A system frame, like `InputAudioRawFrame`: never delayed
 * behind queued work, never dropped by an interruption.
 *
 * @throws {@link InvalidAudioArgumentError} for an unknown encoding, a non-`Uint8Array` payload,
 *   or a non-positive sample rate or channel count.
 */
export class InputEncodedAudioFrame extends SystemFrame {
  readonly payload: Uint8Array;
  readonly encoding: AudioEncoding;
  readonly sampleRate: number;
  readonly numChannels: number;
  pts: number | undefined;
  constructor(init: EncodedAudioInit) {
    super();
    this.numChannels = validate(init);
    this.payload = init.payload;
    this.encoding = init.encoding;
    this.sampleRate = init.sampleRate;
    this.pts = init.pts;
  }
}

/**
 * Encoded audio for the caller. A data frame, like `OutputAudioRawFrame`: dropped by an
 * interruption.
 *
 * @throws {@link InvalidAudioArgumentError} as {@link InputEncodedAudioFrame} does.
 */
export class OutputEncodedAudioFrame extends DataFrame {
  readonly payload: Uint8Array;
  readonly encoding: AudioEncoding;
  readonly sampleRate: number;
  readonly numChannels: number;
  pts: number | undefined;
  constructor(init: EncodedAudioInit) {
    super();
    this.numChannels = validate(init);
    this.payload = init.payload;
    this.encoding = init.encoding;
    this.sampleRate = init.sampleRate;
    this.pts = init.pts;
  }
}
