import {
  SILERO_GEOMETRY,
  SILERO_STATE_WIDTH,
  SILERO_STREAM_STATE_SIZE,
  type SileroSampleRate,
} from './silero-model-interface.js';

/** The per-stream data a batch reads and writes: the stream's context and recurrent state. */
export interface SileroBatchMember {
  /** The last `contextSize` samples of the stream's previous window, float32 in [-1, 1). */
  readonly context: Float32Array;
  /** The stream's recurrent state, `[2, 128]`: layer 0 then layer 1. */
  readonly state: Float32Array;
}

let lastBatchId = 0;

/**
 * The buffers of one batched inference at one sample rate, allocated once for `capacity` rows and
 * reused batch after batch: `input` `[B, context + window]`, `state` and `stateN` `[2, B, 128]`,
 * `output` `[B, 1]`, with B the number of rows filled (at most `capacity`). Row b is the b-th
 * member: its input row holds the member's context followed by its window; its state is at
 * `b * 128` (layer 0) and `(B + b) * 128` (layer 1) of `state`, so the state layout depends on B
 * and is written once the batch is complete ({@link packState}).
 *
 * With `shared`, the buffers live in `SharedArrayBuffer`s so that a worker thread can run the
 * batch on them without a copy.
 */
export class SileroBatch<Member extends SileroBatchMember = SileroBatchMember> {
  /** Unique in the process; names the batch's buffers to a worker. */
  readonly id = ++lastBatchId;
  readonly sampleRate: SileroSampleRate;
  readonly capacity: number;
  /** Samples per input row: context + window. */
  readonly rowSize: number;
  readonly contextSize: number;
  readonly input: Float32Array;
  readonly state: Float32Array;
  readonly output: Float32Array;
  readonly stateN: Float32Array;
  /** The streams of the rows filled so far, in row order. */
  readonly members: Member[] = [];

  constructor(sampleRate: SileroSampleRate, capacity: number, shared: boolean) {
    const { windowSize, contextSize } = SILERO_GEOMETRY[sampleRate];
    this.sampleRate = sampleRate;
    this.capacity = capacity;
    this.contextSize = contextSize;
    this.rowSize = contextSize + windowSize;
    const floats = (length: number) =>
      shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
    this.input = floats(capacity * this.rowSize);
    this.state = floats(capacity * SILERO_STREAM_STATE_SIZE);
    this.output = floats(capacity);
    this.stateN = floats(capacity * SILERO_STREAM_STATE_SIZE);
  }

  /** Rows filled. */
  get size(): number {
    return this.members.length;
  }

  /**
   * Fills the next row with `member`'s context and `window` (16-bit PCM, exactly one window),
   * scaled to float32 in [-1, 1) as the reference wrapper does (divide by 32768).
   */
  add(member: Member, window: Int16Array): void {
    const row = this.members.length * this.rowSize;
    const input = this.input;
    input.set(member.context, row);
    const windowStart = row + this.contextSize;
    for (let i = 0; i < window.length; i++) input[windowStart + i] = window[i]! / 32768;
    this.members.push(member);
  }

  /** Writes each member's state into `state` in the `[2, B, 128]` layout of the batch size B. */
  packState(): void {
    const rows = this.members.length;
    const layer1 = rows * SILERO_STATE_WIDTH;
    const state = this.state;
    for (let b = 0; b < rows; b++) {
      const memberState = this.members[b]!.state;
      const at = b * SILERO_STATE_WIDTH;
      for (let i = 0; i < SILERO_STATE_WIDTH; i++) {
        state[at + i] = memberState[i]!;
        state[layer1 + at + i] = memberState[SILERO_STATE_WIDTH + i]!;
      }
    }
  }

  /**
   * After a successful run: copies row `b`'s next state (`stateN`) and the tail of its input (the
   * context of the member's next window) into the member, and returns its speech probability.
   */
  advanceMember(b: number): number {
    const member = this.members[b]!;
    const layer1 = this.members.length * SILERO_STATE_WIDTH;
    const at = b * SILERO_STATE_WIDTH;
    const { state, context } = member;
    const stateN = this.stateN;
    for (let i = 0; i < SILERO_STATE_WIDTH; i++) {
      state[i] = stateN[at + i]!;
      state[SILERO_STATE_WIDTH + i] = stateN[layer1 + at + i]!;
    }
    const tail = (b + 1) * this.rowSize - this.contextSize;
    for (let i = 0; i < this.contextSize; i++) context[i] = this.input[tail + i]!;
    return this.output[b]!;
  }

  /** Empties the batch for reuse. */
  clear(): void {
    this.members.length = 0;
  }
}
