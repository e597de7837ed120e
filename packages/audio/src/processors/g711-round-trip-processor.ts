/** Passes PCM audio through a G.711 encode/decode round trip, as a phone line does. */

import {
  type Frame,
  type FrameDirection,
  FrameProcessor,
  type FrameProcessorOptions,
  InputAudioRawFrame,
  OutputAudioRawFrame,
} from '@voxline/core';
import { InvalidAudioArgumentError } from '../errors.js';
import { decodeALawSample, encodeALawSample } from '../g711/a-law.js';
import { decodeMuLawSample, encodeMuLawSample } from '../g711/mu-law.js';

/** Options of {@link G711RoundTripProcessor}. */
export interface G711RoundTripProcessorOptions extends Pick<FrameProcessorOptions, 'name'> {
  /** `'pcmu'` (µ-law) or `'pcma'` (A-law). */
  law: 'pcmu' | 'pcma';
  /** Which audio to degrade: `'input'` frames, `'output'` frames, or `'both'` (default). */
  audio?: 'input' | 'output' | 'both';
}

/**
 * Inline processor that quantizes audio frames to G.711 and back, so a local pipeline (a
 * simulation, a test of an STT service) hears what a phone call would carry. It does not change
 * the sample rate: resample to 8000 Hz first for the full telephone effect.
 *
 * The frame's samples are replaced in place (no allocation): the same frame object is forwarded,
 * with the same id, class and fields. Every other frame is forwarded untouched.
 */
export class G711RoundTripProcessor extends FrameProcessor {
  readonly law: 'pcmu' | 'pcma';
  readonly #input: boolean;
  readonly #output: boolean;
  readonly #table: Int16Array;

  /** @throws {@link InvalidAudioArgumentError} for an unknown law or audio selection. */
  constructor(options: G711RoundTripProcessorOptions) {
    super({ name: options.name, mode: 'inline' });
    const { law, audio = 'both' } = options;
    if (law !== 'pcmu' && law !== 'pcma') {
      throw new InvalidAudioArgumentError(`law must be 'pcmu' or 'pcma', got ${String(law)}`);
    }
    if (audio !== 'input' && audio !== 'output' && audio !== 'both') {
      throw new InvalidAudioArgumentError(`audio must be 'input', 'output' or 'both', got ${String(audio)}`);
    }
    this.law = law;
    this.#input = audio !== 'output';
    this.#output = audio !== 'input';
    this.#table = roundTripTable(law);
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (
      (this.#input && frame instanceof InputAudioRawFrame) ||
      (this.#output && frame instanceof OutputAudioRawFrame)
    ) {
      const audio = frame.audio;
      const table = this.#table;
      for (let i = 0; i < audio.length; i++) audio[i] = table[audio[i]! & 0xffff]!;
    }
    this.pushFrame(frame, direction);
  }
}

/** sample & 0xFFFF → decode(encode(sample)), 128 KiB per law, built on first use and shared. */
const roundTripTables = new Map<'pcmu' | 'pcma', Int16Array>();

function roundTripTable(law: 'pcmu' | 'pcma'): Int16Array {
  let table = roundTripTables.get(law);
  if (table === undefined) {
    table = new Int16Array(65536);
    for (let index = 0; index < 65536; index++) {
      const sample = index >= 32768 ? index - 65536 : index;
      table[index] =
        law === 'pcmu'
          ? decodeMuLawSample(encodeMuLawSample(sample))
          : decodeALawSample(encodeALawSample(sample));
    }
    roundTripTables.set(law, table);
  }
  return table;
}
