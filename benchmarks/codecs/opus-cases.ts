/**
 * Opus cases: Voxline's `OpusEncoder` and `OpusDecoder` (libopus through `@evan/opus`, VoIP,
 * wideband, 24 kbit/s) on 20 ms frames of real speech at 16000 Hz, one packet per frame, as on a
 * Telnyx OPUS call. libopus is the reference implementation, so there is no peer to compare with.
 */
import { OpusDecoder, OpusEncoder } from '@voxline/audio';
import type { TimedCase } from '../lib/interleaved-timing.js';

/** One timed Opus operation. */
export interface OpusCase {
  /** `encode` or `decode`. */
  operation: string;
  voxline: TimedCase;
}

/**
 * The two cases, on one encoder and one decoder that run on across calls.
 *
 * @param frames - 20 ms frames of mono 16-bit PCM at 16000 Hz (320 samples each).
 */
export function opusCases(frames: readonly Int16Array[]): OpusCase[] {
  const count = frames.length;
  const encoder = new OpusEncoder({ sampleRate: 16000 });
  const packets = frames.map((frame) => new OpusEncoder({ sampleRate: 16000 }).encode(frame));
  const decoder = new OpusDecoder(16000);
  const pcm = new Int16Array(320);
  return [
    {
      operation: 'encode',
      voxline: { name: 'voxline Opus encode', operation: (n) => encoder.encode(frames[n % count]!) },
    },
    {
      operation: 'decode',
      voxline: { name: 'voxline Opus decode', operation: (n) => decoder.decode(packets[n % count]!, pcm) },
    },
  ];
}
