/**
 * Opus through libopus (@evan/opus): packet sizes read from the table of contents
 * (RFC 6716 §3.1), a round trip of real speech at 16000 and 8000 Hz, and packet-loss concealment.
 */
import {
  InvalidAudioArgumentError,
  OpusDecoder,
  OpusEncoder,
  type OpusSampleRate,
  opusPacketSampleCount,
  readWav,
  rmsDbfs,
  StreamResampler,
} from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { jfkPath } from './support/paths.js';

const jfk16k = readWav(jfkPath).samples;
const jfk8k = new StreamResampler({ inputRate: 16000, outputRate: 8000 }).process(jfk16k);

/** Pearson correlation of `a` against `b` delayed by the best lag in 0..maxLag. */
function bestCorrelation(
  reference: Int16Array,
  decoded: Int16Array,
  maxLag: number,
): { r: number; lag: number } {
  let best = { r: -1, lag: 0 };
  for (let lag = 0; lag <= maxLag; lag++) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let i = 0; i + lag < decoded.length && i < reference.length; i++) {
      const x = reference[i]!;
      const y = decoded[i + lag]!;
      xy += x * y;
      xx += x * x;
      yy += y * y;
    }
    const r = xy / Math.sqrt(xx * yy);
    if (r > best.r) best = { r, lag };
  }
  return best;
}

function roundTrip(
  pcm: Int16Array,
  sampleRate: OpusSampleRate,
  lose: (index: number) => boolean = () => false,
) {
  const frame = sampleRate / 50;
  const encoder = new OpusEncoder({ sampleRate });
  const decoder = new OpusDecoder(sampleRate);
  const out = new Int16Array(Math.floor(pcm.length / frame) * frame);
  const sizes: number[] = [];
  for (let index = 0; (index + 1) * frame <= pcm.length; index++) {
    const packet = encoder.encode(pcm.subarray(index * frame, (index + 1) * frame));
    sizes.push(packet.length);
    expect(decoder.decodedLength(packet)).toBe(frame);
    const target = out.subarray(index * frame, (index + 1) * frame);
    if (lose(index)) decoder.conceal(target);
    else expect(decoder.decode(packet, target)).toHaveLength(frame);
  }
  return { out, sizes };
}

describe('opusPacketSampleCount (RFC 6716 §3.1)', () => {
  it('reads the frame duration and count from the table of contents', () => {
    // config 9 (SILK wideband 20 ms), code 0: one frame.
    expect(opusPacketSampleCount(Uint8Array.of(9 << 3), 16000)).toBe(320);
    // config 11 (SILK wideband 60 ms), code 1: two frames = 120 ms.
    expect(opusPacketSampleCount(Uint8Array.of((11 << 3) | 1), 8000)).toBe(960);
    // config 16 (CELT narrowband 2.5 ms), code 3 with 4 frames.
    expect(opusPacketSampleCount(Uint8Array.of((16 << 3) | 3, 4), 48000)).toBe(480);
    // config 13 (hybrid full band 20 ms), code 2: two frames.
    expect(opusPacketSampleCount(Uint8Array.of((13 << 3) | 2), 48000)).toBe(1920);
  });

  it('refuses what is not a packet', () => {
    expect(opusPacketSampleCount(new Uint8Array(0), 16000)).toBe(-1);
    expect(opusPacketSampleCount(Uint8Array.of((9 << 3) | 3), 16000)).toBe(-1); // frame count missing
    expect(opusPacketSampleCount(Uint8Array.of((9 << 3) | 3, 0), 16000)).toBe(-1); // no frames
    expect(opusPacketSampleCount(Uint8Array.of((11 << 3) | 3, 3), 16000)).toBe(-1); // 180 ms
  });
});

describe('OpusEncoder and OpusDecoder on speech', () => {
  it.each([
    [16000, jfk16k],
    [8000, jfk8k],
  ] as const)('round-trip JFK at %i Hz, one 20 ms packet per frame, the speech intact', (sampleRate, pcm) => {
    const { out, sizes } = roundTrip(pcm, sampleRate);
    const { r } = bestCorrelation(pcm, out, sampleRate / 100);
    // Opus is perceptual, not waveform-exact; a correlation this high means the same speech.
    expect(r).toBeGreaterThan(0.9);
    const kbps = (sizes.reduce((sum, size) => sum + size, 0) * 8) / (sizes.length * 20);
    expect(kbps).toBeGreaterThan(6);
    expect(kbps).toBeLessThan(64);
  });

  it('keeps the band above 4 kHz at 16 kHz (wideband), the whole of a 6.5 kHz tone', () => {
    const encoder = new OpusEncoder({ sampleRate: 16000 });
    const decoder = new OpusDecoder(16000);
    let last: Int16Array = new Int16Array(0);
    for (let frame = 0; frame < 50; frame++) {
      const pcm = Int16Array.from({ length: 320 }, (_, i) =>
        Math.round(8000 * Math.sin((2 * Math.PI * 6500 * (frame * 320 + i)) / 16000)),
      );
      last = decoder.decode(encoder.encode(pcm));
    }
    expect(rmsDbfs(last)).toBeGreaterThan(rmsDbfs(Int16Array.of(8000, -8000)) - 3 - 3);
  });

  it('conceals a lost packet with speech-like audio (libopus PLC), not silence, and goes on', () => {
    // Packet 100 (2.0 s) falls inside "fellow Americans".
    const { out } = roundTrip(jfk16k, 16000, (index) => index === 100);
    const concealed = out.subarray(100 * 320, 101 * 320);
    expect(rmsDbfs(concealed)).toBeGreaterThan(-40);
    const after = out.subarray(110 * 320, 200 * 320);
    const { r } = bestCorrelation(jfk16k.subarray(110 * 320, 200 * 320), after, 160);
    expect(r).toBeGreaterThan(0.85);
  });

  it('refuses frames of other lengths, rates Opus does not run at, and garbage packets', () => {
    const encoder = new OpusEncoder({ sampleRate: 16000 });
    expect(() => encoder.encode(new Int16Array(300))).toThrow(InvalidAudioArgumentError);
    expect(() => new OpusEncoder({ sampleRate: 44100 as never })).toThrow(InvalidAudioArgumentError);
    const decoder = new OpusDecoder(16000);
    expect(() => decoder.decode(new Uint8Array(0))).toThrow(InvalidAudioArgumentError);
    // A valid table of contents over bytes libopus cannot parse (code 2 with a bad length).
    expect(() => decoder.decode(Uint8Array.of((9 << 3) | 2, 255, 255))).toThrow(InvalidAudioArgumentError);
  });
});
