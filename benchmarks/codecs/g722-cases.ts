/**
 * G.722 cases: Voxline's streaming G.722 encoder and decoder (64 kbit/s) on 20 ms frames of real
 * speech at 16000 Hz (320 samples ⇄ 160 bytes), each call writing into a reused buffer as on the
 * media path. There is no in-process peer to time against: the independent implementation,
 * ffmpeg's g722, runs as a separate program, and packages/audio/test/g722.test.ts checks that
 * both directions agree with it bit for bit.
 */
import { G722Decoder, G722Encoder } from '@voxline/audio';
import type { TimedCase } from '../lib/interleaved-timing.js';

/** One timed G.722 operation. */
export interface G722Case {
  /** `encode` or `decode`. */
  operation: string;
  voxline: TimedCase;
}

/**
 * The two cases, on one encoder and one decoder that run on across calls (so their adaptive state
 * is that of a live call, not of a fresh stream).
 *
 * @param frames - 20 ms frames of mono 16-bit PCM at 16000 Hz (320 samples each).
 */
export function g722Cases(frames: readonly Int16Array[]): G722Case[] {
  const count = frames.length;
  const encoder = new G722Encoder();
  const encodedFrames = frames.map((frame) => encoder.encode(frame));
  encoder.reset();
  const bytes = new Uint8Array(frames[0]!.length / 2);
  const decoder = new G722Decoder();
  const pcm = new Int16Array(frames[0]!.length);
  return [
    {
      operation: 'encode',
      voxline: { name: 'voxline G.722 encode', operation: (n) => encoder.encode(frames[n % count]!, bytes) },
    },
    {
      operation: 'decode',
      voxline: {
        name: 'voxline G.722 decode',
        operation: (n) => decoder.decode(encodedFrames[n % count]!, pcm),
      },
    },
  ];
}
