/**
 * Detects DTMF key presses in 16-bit PCM with the Goertzel algorithm.
 *
 * Sources: ITU-T Q.23 (keypad frequencies), ITU-T Q.24 "Multifrequency push-button signal
 * reception" (acceptance of duration, twist and level, which varies by administration); the
 * block size and twist limits follow the common practice of spandsp's `dtmf.c`.
 */

import { InvalidAudioArgumentError } from '../errors.js';
import { DTMF_COLUMN_FREQUENCIES, DTMF_KEYS, DTMF_ROW_FREQUENCIES, type DTMFDigit } from './dtmf-keypad.js';

/** Options of {@link DTMFDetector}. */
export interface DTMFDetectorOptions {
  /** Sample rate of the input in Hz: 8000 or 16000. */
  sampleRate: 8000 | 16000;
  /** Minimum level of each of the two tones, RMS dBFS (full scale 32768). Default -36 (about -30 dBm0). */
  minToneLevelDbfs?: number;
  /** How much louder the low-group tone may be than the high-group tone, in dB. Default 8. */
  maxNormalTwistDb?: number;
  /** How much louder the high-group tone may be than the low-group tone, in dB. Default 4. */
  maxReverseTwistDb?: number;
}

/** Block duration: 102 samples at 8000 Hz, 204 at 16000 Hz. */
const BLOCK_MS = 12.75;
/** Consecutive blocks a key must be seen in to count as pressed (25.5 ms of blocks). */
const PRESS_BLOCKS = 2;
/** Consecutive blocks without the key that end a press (25.5 ms of blocks). */
const RELEASE_BLOCKS = 2;
/** To start a press, the two tones must hold this share of a block's energy (speech spreads wider). */
const PRESS_ENERGY_SHARE = 0.8;
/** To start a press, each group's strongest frequency must exceed the other three by this factor (8 dB). */
const PRESS_GROUP_PEAK_RATIO = 10 ** (8 / 10);
/** To continue a press, a lower share is enough, so speech or noise over a tone does not split it. */
const CONTINUE_ENERGY_SHARE = 0.4;

const NO_DIGITS: readonly DTMFDigit[] = Object.freeze([]);

/**
 * Streaming DTMF detector: feed PCM chunks of any length to `process` and get back the keys
 * whose press ended in that chunk.
 *
 * Per block of 12.75 ms (102 samples at 8 kHz, 204 at 16 kHz), Goertzel filters measure the 8
 * DTMF frequencies. A block shows key K when:
 * - **level**: each of K's two tones is at least `minToneLevelDbfs` (default -36 dBFS RMS);
 * - **twist**: the low-group tone is at most `maxNormalTwistDb` (8 dB) louder than the
 *   high-group tone, and at most `maxReverseTwistDb` (4 dB) quieter;
 * - **energy share**: K's two tones carry at least 40 % of the block's energy.
 *
 * It shows K *clearly* when, in addition, K's two tones carry at least 80 % of the block's
 * energy and each is at least 8 dB stronger than the other three frequencies of its group.
 * Speech and music spread their energy over many frequencies and fail these tests (on the
 * JFK and spacewalk recordings no two consecutive blocks of speech come close). The price:
 * speech or noise mixed over a tone at nearly its level can mask it (the tests pass with
 * speech 15 dB and white noise 15 dB below the tones).
 *
 * Timing (ITU-T Q.24 asks receivers to accept tones and pauses of 40 ms): a press starts when
 * K shows clearly in 2 consecutive blocks, and ends after 2 consecutive blocks that do not
 * show K (silence or another key); one stray block in the middle of a tone is bridged.
 * Measured over every alignment against the blocks: tones of 34 ms or more are always
 * recognised and tones of 20 ms or less never are; pauses of 30 ms or more always separate two
 * presses of the same key and pauses of 14 ms or less never do. A key is reported when its
 * press ends, 25-38 ms after its tone stops.
 *
 * State is a few numbers; `process` allocates nothing unless a key is reported.
 */
export class DTMFDetector {
  readonly sampleRate: 8000 | 16000;
  /** Samples per analysis block. */
  readonly blockSize: number;

  readonly #coefficients: Float64Array;
  /** Goertzel state s[n-1] and s[n-2] for the 8 frequencies (rows then columns). */
  readonly #previous = new Float64Array(8);
  readonly #beforePrevious = new Float64Array(8);
  /** Scratch for one block's 8 tone powers. */
  readonly #tonePowers = new Float64Array(8);
  readonly #minTonePower: number;
  readonly #maxNormalTwist: number;
  readonly #maxReverseTwist: number;
  #blockFill = 0;
  #blockEnergy = 0;
  /** Key shown clearly by the latest blocks, and by how many consecutive ones. */
  #candidate: DTMFDigit | undefined;
  #candidateBlocks = 0;
  /** Key being pressed, and how many consecutive blocks have lacked it. */
  #pressed: DTMFDigit | undefined;
  #missingBlocks = 0;
  /** Classification of the latest block. */
  #blockKey: DTMFDigit | undefined;
  #blockIsClear = false;

  /** @throws {@link InvalidAudioArgumentError} for a sample rate other than 8000 or 16000 Hz. */
  constructor(options: DTMFDetectorOptions) {
    const { sampleRate, minToneLevelDbfs = -36, maxNormalTwistDb = 8, maxReverseTwistDb = 4 } = options;
    if (sampleRate !== 8000 && sampleRate !== 16000) {
      throw new InvalidAudioArgumentError(
        `DTMFDetector supports 8000 or 16000 Hz, got ${String(sampleRate)}`,
      );
    }
    this.sampleRate = sampleRate;
    this.blockSize = Math.round((sampleRate * BLOCK_MS) / 1000);
    const frequencies = [...DTMF_ROW_FREQUENCIES, ...DTMF_COLUMN_FREQUENCIES];
    this.#coefficients = Float64Array.from(frequencies, (f) => 2 * Math.cos((2 * Math.PI * f) / sampleRate));
    // A sine of RMS level L (full scale 1) over N samples has energy N·L²; tone powers below are
    // normalised to that scale.
    this.#minTonePower = this.blockSize * 10 ** (minToneLevelDbfs / 10);
    this.#maxNormalTwist = 10 ** (maxNormalTwistDb / 10);
    this.#maxReverseTwist = 10 ** (maxReverseTwistDb / 10);
  }

  /**
   * Analyses a chunk of PCM (continuing from the previous chunk).
   *
   * @param pcm - mono 16-bit PCM at `sampleRate`, any length.
   * @returns the keys whose press ended within this chunk, in order (usually empty; the empty
   *   result is a shared read-only array).
   */
  process(pcm: Int16Array): readonly DTMFDigit[] {
    let ended: DTMFDigit[] | undefined;
    const coefficients = this.#coefficients;
    const previous = this.#previous;
    const beforePrevious = this.#beforePrevious;
    const blockSize = this.blockSize;
    let energy = this.#blockEnergy;
    let fill = this.#blockFill;
    for (let i = 0; i < pcm.length; i++) {
      const x = pcm[i]! / 32768;
      energy += x * x;
      for (let k = 0; k < 8; k++) {
        const s = x + coefficients[k]! * previous[k]! - beforePrevious[k]!;
        beforePrevious[k] = previous[k]!;
        previous[k] = s;
      }
      if (++fill === blockSize) {
        this.#classifyBlock(energy);
        const release = this.#advance();
        if (release !== undefined) (ended ??= []).push(release);
        energy = 0;
        fill = 0;
        previous.fill(0);
        beforePrevious.fill(0);
      }
    }
    this.#blockEnergy = energy;
    this.#blockFill = fill;
    return ended ?? NO_DIGITS;
  }

  /**
   * Ends the stream: reports a key still being pressed (as if released now) and clears all
   * state, including a partial block.
   *
   * @returns the key pressed at the end of the stream, if any.
   */
  flush(): readonly DTMFDigit[] {
    const pressed = this.#pressed;
    this.reset();
    return pressed === undefined ? NO_DIGITS : [pressed];
  }

  /** Clears all state without reporting anything. */
  reset(): void {
    this.#previous.fill(0);
    this.#beforePrevious.fill(0);
    this.#blockFill = 0;
    this.#blockEnergy = 0;
    this.#candidate = undefined;
    this.#candidateBlocks = 0;
    this.#pressed = undefined;
    this.#missingBlocks = 0;
    this.#blockKey = undefined;
    this.#blockIsClear = false;
  }

  /**
   * Classifies a finished block: sets `#blockKey` to the key whose tones dominate it (level,
   * twist and a loose energy share), and `#blockIsClear` when it also passes the strict purity
   * and energy-share tests a new press needs.
   */
  #classifyBlock(energy: number): void {
    this.#blockKey = undefined;
    this.#blockIsClear = false;
    const n = this.blockSize;
    const powers = this.#tonePowers;
    for (let k = 0; k < 8; k++) {
      const s1 = this.#previous[k]!;
      const s2 = this.#beforePrevious[k]!;
      // |X(f)|² scaled so that a sine of RMS level L gives N·L², comparable with `energy`.
      powers[k] = ((s1 * s1 + s2 * s2 - this.#coefficients[k]! * s1 * s2) * 2) / n;
    }
    let bestRow = 0;
    let bestColumn = 4;
    for (let k = 1; k < 4; k++) if (powers[k]! > powers[bestRow]!) bestRow = k;
    for (let k = 5; k < 8; k++) if (powers[k]! > powers[bestColumn]!) bestColumn = k;
    const row = powers[bestRow]!;
    const column = powers[bestColumn]!;
    if (row < this.#minTonePower || column < this.#minTonePower) return;
    if (row > column * this.#maxNormalTwist || column > row * this.#maxReverseTwist) return;
    const share = (row + column) / energy;
    if (share < CONTINUE_ENERGY_SHARE) return;
    this.#blockKey = DTMF_KEYS[bestRow]![bestColumn - 4]!;
    if (share < PRESS_ENERGY_SHARE) return;
    for (let k = 0; k < 4; k++) if (k !== bestRow && powers[k]! * PRESS_GROUP_PEAK_RATIO > row) return;
    for (let k = 4; k < 8; k++) if (k !== bestColumn && powers[k]! * PRESS_GROUP_PEAK_RATIO > column) return;
    this.#blockIsClear = true;
  }

  /** Advances the press state machine by one classified block; returns a key whose press just ended. */
  #advance(): DTMFDigit | undefined {
    const key = this.#blockKey;
    const clearKey = this.#blockIsClear ? key : undefined;
    if (clearKey !== undefined && clearKey === this.#candidate) this.#candidateBlocks++;
    else {
      this.#candidate = clearKey;
      this.#candidateBlocks = clearKey === undefined ? 0 : 1;
    }
    let released: DTMFDigit | undefined;
    if (this.#pressed !== undefined) {
      if (key === this.#pressed) this.#missingBlocks = 0;
      else if (++this.#missingBlocks >= RELEASE_BLOCKS) {
        released = this.#pressed;
        this.#pressed = undefined;
      }
    }
    if (
      this.#pressed === undefined &&
      this.#candidate !== undefined &&
      this.#candidateBlocks >= PRESS_BLOCKS
    ) {
      this.#pressed = this.#candidate;
      this.#missingBlocks = 0;
    }
    return released;
  }
}
