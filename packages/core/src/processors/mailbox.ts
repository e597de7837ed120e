/**
 * The bounded queue in front of a queued processor's loop.
 *
 * A ring buffer of (frame, direction) pairs in two parallel arrays, so enqueueing allocates
 * nothing. When it is full, the overflow policy decides what goes:
 *
 * - `'drop-oldest-audio'` (default): drop the oldest queued audio frame (output audio goes stale
 *   first in a voice pipeline); if no audio is queued, drop the oldest interruptible data frame;
 *   if every queued frame is a control or uninterruptible frame, grow instead, since those
 *   (End, function-call results) must never be lost;
 * - `'drop-newest'`: refuse the incoming frame if it is interruptible data, otherwise grow;
 * - `'grow'`: never drop; the queue doubles. Only for processors whose producers are bounded.
 *
 * Every drop is counted; the processor reports the count as a `mailbox-overflow` metric.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { isAudioFrame } from '../frames/audio.js';
import type { Frame, FrameDirection } from '../frames/frame.js';

/**
 * What a full mailbox does:
 * - `'drop-oldest-audio'` (default): drop the oldest queued audio frame; if no audio is queued,
 *   the oldest interruptible data frame; if every queued frame is a control or uninterruptible
 *   frame, grow instead;
 * - `'drop-newest'`: refuse the incoming frame if it is interruptible data, otherwise grow;
 * - `'grow'`: never drop; the queue doubles.
 *
 * Every drop is counted and reported as a `mailbox-overflow` metric.
 */
export type MailboxOverflowPolicy = 'drop-oldest-audio' | 'drop-newest' | 'grow';

/**
 * Default mailbox capacity in frames: about 20 s of 20 ms audio.
 * @internal
 */
export const DEFAULT_MAILBOX_CAPACITY = 1024;

/**
 * The queue itself; see the module comment. Not exported from the package: processors reach it
 * through `FrameProcessorOptions` (`mailboxCapacity`, `overflowPolicy`).
 * @internal
 */
export class Mailbox {
  #frames: (Frame | undefined)[];
  #directions: FrameDirection[];
  #head = 0;
  #count = 0;
  /** Frames dropped by the overflow policy since creation. */
  droppedFrames = 0;

  constructor(
    /** Capacity in frames before the overflow policy applies. */
    readonly capacity: number = DEFAULT_MAILBOX_CAPACITY,
    readonly overflowPolicy: MailboxOverflowPolicy = 'drop-oldest-audio',
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new InvalidOptionError('capacity', 'mailbox capacity must be a positive integer');
    this.#frames = new Array(capacity);
    this.#directions = new Array(capacity);
  }

  /** Number of queued frames. */
  get size(): number {
    return this.#count;
  }

  /** Appends a frame. Returns false when the overflow policy dropped something (this or another). */
  push(frame: Frame, direction: FrameDirection): boolean {
    let dropped = false;
    if (this.#count >= this.capacity) {
      dropped = this.#makeRoom(frame);
      if (dropped && this.overflowPolicy === 'drop-newest') return false;
    }
    if (this.#count === this.#frames.length) this.#grow();
    const tail = (this.#head + this.#count) % this.#frames.length;
    this.#frames[tail] = frame;
    this.#directions[tail] = direction;
    this.#count++;
    return !dropped;
  }

  /** The direction of the frame {@link shift} would return next; only valid when size > 0. */
  peekDirection(): FrameDirection {
    return this.#directions[this.#head] as FrameDirection;
  }

  /** Removes and returns the oldest frame, or undefined when empty. */
  shift(): Frame | undefined {
    if (this.#count === 0) return undefined;
    const frame = this.#frames[this.#head];
    this.#frames[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#frames.length;
    this.#count--;
    return frame;
  }

  /**
   * Drops every queued frame for which `keep` returns false, preserving the order of the rest.
   * Returns how many were dropped.
   */
  retain(keep: (frame: Frame) => boolean): number {
    const length = this.#frames.length;
    let kept = 0;
    for (let i = 0; i < this.#count; i++) {
      const from = (this.#head + i) % length;
      const frame = this.#frames[from] as Frame;
      if (keep(frame)) {
        const to = (this.#head + kept) % length;
        this.#frames[to] = frame;
        this.#directions[to] = this.#directions[from] as FrameDirection;
        kept++;
      }
    }
    for (let i = kept; i < this.#count; i++) this.#frames[(this.#head + i) % length] = undefined;
    const dropped = this.#count - kept;
    this.#count = kept;
    return dropped;
  }

  /** Empties the mailbox. */
  clear(): void {
    this.retain(() => false);
  }

  #makeRoom(incoming: Frame): boolean {
    if (this.overflowPolicy === 'grow') return false;
    if (this.overflowPolicy === 'drop-newest') {
      if (incoming.kind === 'data' && !incoming.uninterruptible) {
        this.droppedFrames++;
        return true;
      }
      return false;
    }
    const length = this.#frames.length;
    let candidate = -1;
    for (let i = 0; i < this.#count; i++) {
      const frame = this.#frames[(this.#head + i) % length] as Frame;
      if (frame.kind !== 'data' || frame.uninterruptible) continue;
      if (isAudioFrame(frame)) {
        candidate = i;
        break;
      }
      if (candidate < 0) candidate = i;
    }
    if (candidate < 0) return false;
    this.#removeAt(candidate);
    this.droppedFrames++;
    return true;
  }

  #removeAt(offset: number): void {
    const length = this.#frames.length;
    for (let i = offset; i < this.#count - 1; i++) {
      const to = (this.#head + i) % length;
      const from = (this.#head + i + 1) % length;
      this.#frames[to] = this.#frames[from];
      this.#directions[to] = this.#directions[from] as FrameDirection;
    }
    this.#frames[(this.#head + this.#count - 1) % length] = undefined;
    this.#count--;
  }

  #grow(): void {
    const length = this.#frames.length;
    const frames: (Frame | undefined)[] = new Array(length * 2);
    const directions: FrameDirection[] = new Array(length * 2);
    for (let i = 0; i < this.#count; i++) {
      frames[i] = this.#frames[(this.#head + i) % length];
      directions[i] = this.#directions[(this.#head + i) % length] as FrameDirection;
    }
    this.#frames = frames;
    this.#directions = directions;
    this.#head = 0;
  }
}
