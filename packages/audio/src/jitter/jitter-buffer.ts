/**
 * Reorders audio frames that arrive out of order (Telnyx media streams say they may) by their
 * sequence or chunk number, within a bounded window, and conceals frames that never arrive.
 */

import { InvalidAudioArgumentError } from '../errors.js';

/** How a lost frame is replaced. */
export type JitterConcealment = 'silence' | 'repeat';

/** Options of {@link JitterBuffer}. */
export interface JitterBufferOptions {
  /**
   * How many frames after a missing one may arrive before the missing one is declared lost and
   * concealed. This bounds both reordering and added latency (see {@link JitterBuffer}).
   * Default 3 (60 ms of 20 ms frames). 0 disables reordering.
   */
  depth?: number;
  /**
   * `'silence'` (default) replaces a lost frame with zeros; `'repeat'` repeats the last
   * frame released, for at most `maxRepeatFrames` consecutive lost frames, then falls back to
   * silence (repeating a frame for long sounds like a buzz).
   */
  concealment?: JitterConcealment;
  /** Consecutive lost frames that `'repeat'` repeats before switching to silence. Default 2. */
  maxRepeatFrames?: number;
  /**
   * A sequence jump of at least this many frames, forward or backward, is a resynchronisation
   * (a restarted stream or a carrier-side reset), not a loss: the buffer releases what it holds
   * and continues from the new number without concealing the gap. Default 50 (1 s of 20 ms frames).
   */
  resyncThreshold?: number;
  /**
   * Sequence numbers wrap at this modulus (65536 for RTP). Default: no wrapping (carriers'
   * JSON sequence and chunk numbers are ever-increasing decimal strings; parse them to numbers).
   */
  sequenceModulus?: number;
}

/** Counters kept by {@link JitterBuffer}, all in frames, since construction or `reset()`. */
export interface JitterBufferStats {
  /** Frames passed to `push`, including late and duplicate ones. */
  received: number;
  /** Real frames released in order. */
  released: number;
  /** Frames that arrived after their slot had been concealed or skipped; dropped. */
  late: number;
  /** Frames whose sequence number had already been received; dropped. */
  duplicate: number;
  /** Frames declared lost and replaced by a concealment frame. */
  lost: number;
  /** Sequence jumps of at least `resyncThreshold` treated as a restart. */
  resyncs: number;
}

/**
 * Receives frames in sequence order: `frame` is the pushed `Int16Array` for a real frame (the
 * same object), or a new `Int16Array` the caller owns for a concealed one. `sequenceNumber` is in
 * the caller's numbering (reduced modulo `sequenceModulus` when set).
 */
export type JitterFrameCallback = (frame: Int16Array, sequenceNumber: number, concealed: boolean) => void;

interface Slot {
  sequence: number;
  frame: Int16Array | undefined;
}

/**
 * A deterministic jitter buffer for 16-bit PCM frames: no timers, no clock. Frames are released
 * from `push` and `drain` through a callback, in sequence order.
 *
 * Rules:
 * - **Start.** The first `depth + 1` frames are held, and the stream starts at the lowest
 *   sequence number among them, so a first frame that is not 1 (or that arrives second) is fine.
 * - **In order.** A frame that continues the sequence is released at once: in-order streams
 *   get no added latency after the start.
 * - **Gap.** While a frame is missing, up to `depth` later frames are held. When one more
 *   arrives (the window is full), the missing frame is declared lost, a concealment frame is
 *   released in its place, then the held frames. Added latency is at most
 *   `depth × frame duration` (60 ms by default with 20 ms frames), only while a frame is missing.
 * - **Late / duplicate.** A frame older than the next expected one is dropped and counted as
 *   late (its slot was concealed) or duplicate (it was already received), as is a second copy
 *   of a held frame.
 * - **Jump.** A jump of `resyncThreshold` frames or more, either way, releases what is held
 *   and restarts the sequence at the new number (counted in `resyncs`, not in `lost`).
 * - **Drain.** `drain()` releases everything held (concealing interior gaps), for the end of a
 *   stream; the buffer then continues after the last released number.
 *
 * Concealment frames have the length of the last frame released (or the first frame received).
 * The buffer holds at most `depth + 1` frames.
 */
export class JitterBuffer {
  readonly depth: number;
  readonly concealment: JitterConcealment;
  readonly maxRepeatFrames: number;
  readonly resyncThreshold: number;
  readonly sequenceModulus: number | undefined;

  readonly #slots: Slot[];
  /** Sequence numbers of recently released real frames, to tell duplicates from late frames. */
  readonly #history: Float64Array;
  readonly #startup: { sequence: number; frame: Int16Array }[] = [];
  #started = false;
  /** Next sequence number to release, in extended (unwrapped) numbering. */
  #next = 0;
  /** Highest extended sequence number received, the reference for unwrapping. */
  #highest = Number.NEGATIVE_INFINITY;
  #held = 0;
  #frameLength = 0;
  #lastFrame: Int16Array | undefined;
  #consecutiveLost = 0;
  #stats: JitterBufferStats = { received: 0, released: 0, late: 0, duplicate: 0, lost: 0, resyncs: 0 };

  /** @throws {@link InvalidAudioArgumentError} for a negative or non-integer option. */
  constructor(options: JitterBufferOptions = {}) {
    const {
      depth = 3,
      concealment = 'silence',
      maxRepeatFrames = 2,
      resyncThreshold = 50,
      sequenceModulus,
    } = options;
    requireInteger('depth', depth, 0);
    requireInteger('maxRepeatFrames', maxRepeatFrames, 0);
    requireInteger('resyncThreshold', resyncThreshold, depth + 2);
    if (sequenceModulus !== undefined)
      requireInteger('sequenceModulus', sequenceModulus, 2 * resyncThreshold);
    if (concealment !== 'silence' && concealment !== 'repeat') {
      throw new InvalidAudioArgumentError(
        `concealment must be 'silence' or 'repeat', got ${String(concealment)}`,
      );
    }
    this.depth = depth;
    this.concealment = concealment;
    this.maxRepeatFrames = maxRepeatFrames;
    this.resyncThreshold = resyncThreshold;
    this.sequenceModulus = sequenceModulus;
    this.#slots = Array.from({ length: depth + 1 }, () => ({ sequence: Number.NaN, frame: undefined }));
    this.#history = new Float64Array(resyncThreshold).fill(Number.NaN);
  }

  /** A snapshot of the counters. */
  get stats(): JitterBufferStats {
    return { ...this.#stats };
  }

  /** Frames currently held (waiting for a missing frame, or for the start). */
  get heldFrames(): number {
    return this.#started ? this.#held : this.#startup.length;
  }

  /**
   * Accepts one frame and releases every frame that has become due, in order.
   *
   * @param sequenceNumber - the frame's sequence or chunk number, an integer (parse carriers'
   *   strings first). Consecutive frames differ by 1.
   * @param frame - 16-bit PCM; held by reference until released (do not reuse it before).
   * @param onFrame - receives released frames.
   * @throws {@link InvalidAudioArgumentError} if `sequenceNumber` is not a finite integer
   *   (nothing is changed).
   */
  push(sequenceNumber: number, frame: Int16Array, onFrame: JitterFrameCallback): void {
    if (!Number.isInteger(sequenceNumber)) {
      throw new InvalidAudioArgumentError(`sequenceNumber must be an integer, got ${sequenceNumber}`);
    }
    this.#stats.received++;
    if (this.#frameLength === 0) this.#frameLength = frame.length;
    const sequence = this.#unwrap(sequenceNumber);
    if (!this.#started) {
      if (this.#startup.some((held) => held.sequence === sequence)) {
        this.#stats.duplicate++;
        return;
      }
      this.#startup.push({ sequence, frame });
      if (this.#startup.length > this.depth) this.#start(onFrame);
      return;
    }
    this.#accept(sequence, frame, onFrame);
  }

  /**
   * Releases every held frame in order, concealing gaps between them, for the end of a stream
   * or a pause. Later pushes continue after the last released number.
   */
  drain(onFrame: JitterFrameCallback): void {
    if (!this.#started) {
      if (this.#startup.length === 0) return;
      this.#start(onFrame);
    }
    this.#releaseAllHeld(onFrame);
  }

  /** Forgets all frames and counters; the next push starts a new stream. */
  reset(): void {
    for (const slot of this.#slots) {
      slot.sequence = Number.NaN;
      slot.frame = undefined;
    }
    this.#history.fill(Number.NaN);
    this.#startup.length = 0;
    this.#started = false;
    this.#next = 0;
    this.#highest = Number.NEGATIVE_INFINITY;
    this.#held = 0;
    this.#frameLength = 0;
    this.#lastFrame = undefined;
    this.#consecutiveLost = 0;
    this.#stats = { received: 0, released: 0, late: 0, duplicate: 0, lost: 0, resyncs: 0 };
  }

  #unwrap(sequenceNumber: number): number {
    const modulus = this.sequenceModulus;
    if (modulus === undefined) {
      if (sequenceNumber > this.#highest) this.#highest = sequenceNumber;
      return sequenceNumber;
    }
    const reduced = ((sequenceNumber % modulus) + modulus) % modulus;
    if (this.#highest === Number.NEGATIVE_INFINITY) {
      this.#highest = reduced;
      return reduced;
    }
    const reference = this.#highest;
    const referenceReduced = ((reference % modulus) + modulus) % modulus;
    let delta = reduced - referenceReduced;
    if (delta >= modulus / 2) delta -= modulus;
    else if (delta < -modulus / 2) delta += modulus;
    const extended = reference + delta;
    if (extended > this.#highest) this.#highest = extended;
    return extended;
  }

  #start(onFrame: JitterFrameCallback): void {
    const startup = this.#startup.sort((a, b) => a.sequence - b.sequence);
    this.#started = true;
    this.#next = startup[0]!.sequence;
    for (const { sequence, frame } of startup) this.#accept(sequence, frame, onFrame);
    startup.length = 0;
  }

  #accept(sequence: number, frame: Int16Array, onFrame: JitterFrameCallback): void {
    const distance = sequence - this.#next;
    if (distance >= this.resyncThreshold || distance <= -this.resyncThreshold) {
      this.#resync(sequence, onFrame);
    } else if (distance < 0) {
      if (this.#history[this.#historyIndex(sequence)] === sequence) this.#stats.duplicate++;
      else this.#stats.late++;
      return;
    }
    // The window holds next..next+depth; a frame beyond it means the oldest missing frames are lost.
    while (sequence > this.#next + this.depth) this.#releaseNext(onFrame);
    const slot = this.#slots[this.#slotIndex(sequence)]!;
    if (slot.frame !== undefined && slot.sequence === sequence) {
      this.#stats.duplicate++;
      return;
    }
    slot.sequence = sequence;
    slot.frame = frame;
    this.#held++;
    this.#releaseContiguous(onFrame);
  }

  #resync(sequence: number, onFrame: JitterFrameCallback): void {
    this.#releaseAllHeld(onFrame);
    this.#stats.resyncs++;
    this.#next = sequence;
    this.#consecutiveLost = 0;
    // After a backward restart, unwrap later numbers against the new position.
    this.#highest = sequence;
  }

  #releaseContiguous(onFrame: JitterFrameCallback): void {
    for (;;) {
      const slot = this.#slots[this.#slotIndex(this.#next)]!;
      if (slot.frame === undefined || slot.sequence !== this.#next) return;
      this.#releaseNext(onFrame);
    }
  }

  #releaseAllHeld(onFrame: JitterFrameCallback): void {
    while (this.#held > 0) this.#releaseNext(onFrame);
  }

  /** Releases the frame numbered `#next` (real or concealed) and advances. */
  #releaseNext(onFrame: JitterFrameCallback): void {
    const sequence = this.#next;
    const slot = this.#slots[this.#slotIndex(sequence)]!;
    this.#next = sequence + 1;
    const reported = this.#reportedNumber(sequence);
    if (slot.frame !== undefined && slot.sequence === sequence) {
      const frame = slot.frame;
      slot.frame = undefined;
      this.#held--;
      this.#stats.released++;
      this.#consecutiveLost = 0;
      this.#history[this.#historyIndex(sequence)] = sequence;
      if (this.concealment === 'repeat') this.#rememberLastFrame(frame);
      onFrame(frame, reported, false);
      return;
    }
    this.#stats.lost++;
    this.#consecutiveLost++;
    onFrame(this.#concealmentFrame(), reported, true);
  }

  #concealmentFrame(): Int16Array {
    const last = this.#lastFrame;
    if (
      this.concealment === 'repeat' &&
      last !== undefined &&
      this.#consecutiveLost <= this.maxRepeatFrames
    ) {
      return last.slice();
    }
    return new Int16Array(last?.length ?? this.#frameLength);
  }

  #rememberLastFrame(frame: Int16Array): void {
    // A copy, because the caller may reuse the released frame's memory.
    if (this.#lastFrame === undefined || this.#lastFrame.length !== frame.length) {
      this.#lastFrame = new Int16Array(frame.length);
    }
    this.#lastFrame.set(frame);
  }

  #reportedNumber(sequence: number): number {
    const modulus = this.sequenceModulus;
    return modulus === undefined ? sequence : ((sequence % modulus) + modulus) % modulus;
  }

  #slotIndex(sequence: number): number {
    const size = this.#slots.length;
    return ((sequence % size) + size) % size;
  }

  #historyIndex(sequence: number): number {
    const size = this.#history.length;
    return ((sequence % size) + size) % size;
  }
}

function requireInteger(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new InvalidAudioArgumentError(`${name} must be an integer ≥ ${minimum}, got ${value}`);
  }
}
