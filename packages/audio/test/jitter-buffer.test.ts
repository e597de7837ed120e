import {
  AudioFramer,
  InvalidAudioArgumentError,
  JitterBuffer,
  type JitterBufferOptions,
} from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { jfkPath } from './support/paths.js';
import { seededRandom } from './support/random.js';
import { soxReadPcm } from './support/tools.js';

/** JFK at 8 kHz in 20 ms frames (160 samples), as a carrier would send it. */
const jfkFrames = new AudioFramer({ sampleRate: 8000, frameMs: 20 }).writeFrames(soxReadPcm(jfkPath, 8000));

/** True when `released` are exactly `expected`, the same objects in the same order. */
function sameFrames(released: readonly Released[], expected: readonly Int16Array[]): boolean {
  return released.length === expected.length && released.every((r, i) => r.frame === expected[i]);
}

interface Released {
  frame: Int16Array;
  sequence: number;
  concealed: boolean;
}

function run(
  arrivals: readonly (readonly [number, Int16Array])[],
  options?: JitterBufferOptions,
): { released: Released[]; buffer: JitterBuffer; maxHeld: number } {
  const buffer = new JitterBuffer(options);
  const released: Released[] = [];
  const collect = (frame: Int16Array, sequence: number, concealed: boolean) =>
    released.push({ frame, sequence, concealed });
  let maxHeld = 0;
  for (const [sequence, frame] of arrivals) {
    buffer.push(sequence, frame, collect);
    maxHeld = Math.max(maxHeld, buffer.heldFrames);
  }
  buffer.drain(collect);
  return { released, buffer, maxHeld };
}

/** Arrivals for JFK frames numbered from `first`, in order. */
function inOrder(first: number): [number, Int16Array][] {
  return jfkFrames.map((frame, index) => [first + index, frame]);
}

describe('JitterBuffer', () => {
  it('passes an in-order stream through unchanged, starting at any number', () => {
    const { released, buffer } = run(inOrder(7001));
    expect(sameFrames(released, jfkFrames)).toBe(true);
    expect(released.map((r) => r.sequence)).toEqual(jfkFrames.map((_, i) => 7001 + i));
    expect(buffer.stats).toEqual({
      received: jfkFrames.length,
      released: jfkFrames.length,
      late: 0,
      duplicate: 0,
      lost: 0,
      resyncs: 0,
    });
  });

  it('releases in-order frames at once after the start (no added latency)', () => {
    const buffer = new JitterBuffer({ depth: 3 });
    const out: number[] = [];
    const arrivals = inOrder(1);
    for (let i = 0; i < 10; i++) {
      buffer.push(arrivals[i]![0], arrivals[i]![1], (_, sequence) => out.push(sequence));
      // The first depth + 1 frames are held to find the start; then each frame leaves on arrival.
      expect(out.length).toBe(i < 3 ? 0 : i + 1);
    }
  });

  it('restores the order of frames shuffled within the window, JFK intact', () => {
    const random = seededRandom(3);
    // Each frame is delayed by up to 3 frame times at random, like a bursty network: a frame
    // is overtaken by at most the 2 frames after it.
    const arrivals = inOrder(1)
      .map(([sequence, frame]) => ({ sequence, frame, arrival: sequence + 3 * random() }))
      .sort((a, b) => a.arrival - b.arrival)
      .map(({ sequence, frame }) => [sequence, frame] as [number, Int16Array]);
    expect(arrivals.map(([sequence]) => sequence)).not.toEqual(jfkFrames.map((_, i) => i + 1));
    const { released, buffer, maxHeld } = run(arrivals, { depth: 3 });
    expect(sameFrames(released, jfkFrames)).toBe(true);
    expect(buffer.stats.lost).toBe(0);
    expect(buffer.stats.late).toBe(0);
    expect(maxHeld).toBeLessThanOrEqual(4);
  });

  it('handles a first frame that arrives second', () => {
    const arrivals = inOrder(1).slice(0, 5);
    [arrivals[0], arrivals[1]] = [arrivals[1]!, arrivals[0]!];
    const { released } = run(arrivals);
    expect(released.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
  });

  it('conceals lost frames with silence after depth later frames, keeping the timeline', () => {
    const lostSequences = new Set([10, 11, 50, 200, 301]);
    const arrivals = inOrder(1).filter(([sequence]) => !lostSequences.has(sequence));
    const { released, buffer } = run(arrivals, { depth: 3 });
    expect(released.length).toBe(jfkFrames.length);
    for (const [index, r] of released.entries()) {
      expect(r.sequence).toBe(index + 1);
      if (lostSequences.has(r.sequence)) {
        expect(r.concealed).toBe(true);
        expect(r.frame.length).toBe(160);
        expect(r.frame.every((sample) => sample === 0)).toBe(true);
      } else {
        expect(r.concealed).toBe(false);
        expect(r.frame).toBe(jfkFrames[index]);
      }
    }
    expect(buffer.stats.lost).toBe(5);
    expect(buffer.stats.released).toBe(jfkFrames.length - 5);
  });

  it('declares a missing frame lost exactly when the window is full', () => {
    const buffer = new JitterBuffer({ depth: 2 });
    const out: [number, boolean][] = [];
    const collect = (_: Int16Array, sequence: number, concealed: boolean) => out.push([sequence, concealed]);
    for (const sequence of [1, 2, 3]) buffer.push(sequence, jfkFrames[sequence]!, collect);
    expect(out).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    buffer.push(5, jfkFrames[5]!, collect);
    buffer.push(6, jfkFrames[6]!, collect);
    expect(out.length).toBe(3); // 4 missing: 5 and 6 wait (depth 2 = 40 ms of 20 ms frames)
    buffer.push(7, jfkFrames[7]!, collect);
    expect(out.slice(3)).toEqual([
      [4, true],
      [5, false],
      [6, false],
      [7, false],
    ]);
  });

  it('repeats the last frame for up to maxRepeatFrames, then silence', () => {
    const arrivals = inOrder(1).filter(([sequence]) => sequence < 20 || sequence > 23);
    const { released } = run(arrivals, { concealment: 'repeat', maxRepeatFrames: 2 });
    const last = jfkFrames[18]!; // sequence 19
    expect(released[19]!.concealed).toBe(true);
    expect(released[19]!.frame).toEqual(last);
    expect(released[19]!.frame).not.toBe(last);
    expect(released[20]!.frame).toEqual(last);
    expect(released[21]!.frame.every((sample) => sample === 0)).toBe(true);
    expect(released[22]!.frame.every((sample) => sample === 0)).toBe(true);
    expect(released[23]!.frame).toBe(jfkFrames[23]);
  });

  it('counts and drops late and duplicate frames', () => {
    const buffer = new JitterBuffer({ depth: 1 });
    const out: number[] = [];
    const collect = (_: Int16Array, sequence: number) => out.push(sequence);
    for (const sequence of [1, 2, 4, 5]) buffer.push(sequence, jfkFrames[sequence]!, collect);
    // 3 was concealed when 5 arrived; now it is late.
    buffer.push(3, jfkFrames[3]!, collect);
    buffer.push(2, jfkFrames[2]!, collect); // already released
    buffer.push(7, jfkFrames[7]!, collect);
    buffer.push(7, jfkFrames[7]!, collect); // held twice
    buffer.drain(collect);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(buffer.stats).toMatchObject({ received: 8, late: 1, duplicate: 2, lost: 2, released: 5 });
  });

  it('treats a big jump as a resync, not thousands of lost frames', () => {
    const arrivals = [...inOrder(1).slice(0, 20), ...inOrder(90_000).slice(20, 40)];
    const { released, buffer } = run(arrivals);
    expect(released.length).toBe(40);
    expect(sameFrames(released, jfkFrames.slice(0, 40))).toBe(true);
    expect(released[20]!.sequence).toBe(90_020);
    expect(buffer.stats).toMatchObject({ lost: 0, resyncs: 1, late: 0 });
  });

  it('treats a restart at a lower number as a resync', () => {
    const arrivals = [...inOrder(5000).slice(0, 20), ...inOrder(1).slice(20, 40)];
    const { released, buffer } = run(arrivals);
    expect(sameFrames(released, jfkFrames.slice(0, 40))).toBe(true);
    expect(buffer.stats).toMatchObject({ lost: 0, resyncs: 1, late: 0 });
  });

  it('follows 16-bit RTP sequence numbers across the wrap, with reordering', () => {
    const arrivals = inOrder(65_530)
      .slice(0, 20)
      .map(([sequence, frame]) => [sequence % 65536, frame] as [number, Int16Array]);
    [arrivals[5], arrivals[6]] = [arrivals[6]!, arrivals[5]!]; // 65535 and 0 swap
    const { released, buffer } = run(arrivals, { sequenceModulus: 65536 });
    expect(sameFrames(released, jfkFrames.slice(0, 20))).toBe(true);
    expect(released.map((r) => r.sequence).slice(4, 8)).toEqual([65534, 65535, 0, 1]);
    expect(buffer.stats).toMatchObject({ lost: 0, resyncs: 0, late: 0 });
  });

  it('drain releases held frames and conceals the gaps between them', () => {
    const buffer = new JitterBuffer({ depth: 5 });
    const out: [number, boolean][] = [];
    const collect = (_: Int16Array, sequence: number, concealed: boolean) => out.push([sequence, concealed]);
    for (const sequence of [1, 2, 3, 4, 5, 6, 8, 10]) buffer.push(sequence, jfkFrames[sequence]!, collect);
    expect(out.length).toBe(6);
    buffer.drain(collect);
    expect(out.slice(6)).toEqual([
      [7, true],
      [8, false],
      [9, true],
      [10, false],
    ]);
    expect(buffer.heldFrames).toBe(0);
    buffer.push(11, jfkFrames[11]!, collect);
    expect(out.at(-1)).toEqual([11, false]);
  });

  it('rejects a sequence number that is not an integer and changes nothing', () => {
    const buffer = new JitterBuffer();
    expect(() => buffer.push(Number.parseInt('abc', 10), jfkFrames[0]!, () => {})).toThrow(
      InvalidAudioArgumentError,
    );
    expect(buffer.stats.received).toBe(0);
    expect(() => new JitterBuffer({ depth: -1 })).toThrow(InvalidAudioArgumentError);
  });
});
