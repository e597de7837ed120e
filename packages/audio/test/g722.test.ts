/**
 * G.722 against an independent implementation: ffmpeg's `g722` encoder and decoder (Debian's
 * ffmpeg; `apt-get install -y ffmpeg`). These tests fail, never skip, when ffmpeg is missing.
 */
import { G722Decoder, G722Encoder, OutputBufferTooSmallError } from '@voxline/audio';
import { beforeAll, describe, expect, it } from 'vitest';
import { jfkPath, spacewalkPath } from './support/paths.js';
import { randomChunks, seededRandom } from './support/random.js';
import { runTool, sameSamples, toBytes, toInt16 } from './support/tools.js';

/** ffmpeg, quiet, failing on any error. */
function ffmpeg(args: readonly string[], input?: Uint8Array): Buffer {
  return runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], input);
}

/** A recording as mono 16-bit PCM at 16000 Hz, resampled by ffmpeg when it is not already. */
function readAt16k(path: string): Int16Array {
  return toInt16(ffmpeg(['-i', path, '-ac', '1', '-ar', '16000', '-f', 's16le', '-']));
}

/** ffmpeg's G.722 encoding of 16 kHz PCM (its default, non-trellis encoder), raw octets. */
function ffmpegEncode(pcm: Int16Array): Uint8Array {
  const raw = ['-f', 's16le', '-ar', '16000', '-ac', '1', '-i', '-'];
  return new Uint8Array(ffmpeg([...raw, '-c:a', 'g722', '-f', 'g722', '-'], toBytes(pcm)));
}

/** ffmpeg's G.722 decoding of raw octets to 16 kHz PCM. */
function ffmpegDecode(bytes: Uint8Array): Int16Array {
  return toInt16(ffmpeg(['-f', 'g722', '-i', '-', '-f', 's16le', '-'], bytes));
}

/** Signal-to-noise ratio in dB of `decoded` against `reference` delayed by `delay` samples. */
function snrDb(reference: Int16Array, decoded: Int16Array, delay: number): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i + delay < decoded.length && i < reference.length; i++) {
    const x = reference[i]!;
    const error = x - decoded[i + delay]!;
    signal += x * x;
    noise += error * error;
  }
  return 10 * Math.log10(signal / noise);
}

function concat<T extends Int16Array | Uint8Array>(parts: readonly T[], make: (length: number) => T): T {
  const out = make(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const recordings = [
  { name: 'jfk-16k.wav', path: jfkPath },
  { name: 'spacewalk-44k.wav resampled to 16 kHz by ffmpeg', path: spacewalkPath },
];

describe.each(recordings)('G.722 on $name against ffmpeg', ({ path }) => {
  let pcm: Int16Array;
  let theirBytes: Uint8Array;
  beforeAll(() => {
    pcm = readAt16k(path);
    theirBytes = ffmpegEncode(pcm);
  });

  it('encodes to the same bytes as ffmpeg, bit for bit', () => {
    const ours = new G722Encoder().encode(pcm);
    expect(pcm.length).toBeGreaterThan(160_000);
    expect(ours.length).toBe(pcm.length / 2);
    expect(theirBytes.length).toBe(ours.length);
    expect(sameSamples(ours, theirBytes)).toBe(true);
  });

  it("decodes ffmpeg's bytes to the same samples as ffmpeg, bit for bit", () => {
    const ours = new G722Decoder().decode(theirBytes);
    const theirs = ffmpegDecode(theirBytes);
    expect(theirs.length).toBe(ours.length);
    expect(sameSamples(ours, theirs)).toBe(true);
  });
});

describe('G.722 streaming', () => {
  const pcm = readAt16k(jfkPath);

  it('encodes 20 ms frames of 320 samples to 160 bytes', () => {
    const encoder = new G722Encoder();
    const out = new Uint8Array(160);
    expect(encoder.encode(pcm.subarray(0, 320), out)).toBe(out);
    expect(encoder.encodedLength(320)).toBe(160);
  });

  it('gives the same bytes in any chunking, odd chunk lengths included', () => {
    const whole = new G722Encoder().encode(pcm);
    for (const seed of [1, 2, 3]) {
      const encoder = new G722Encoder();
      const parts = randomChunks(pcm, 701, seededRandom(seed)).map((chunk) => encoder.encode(chunk));
      expect(encoder.pendingSamples).toBe(0);
      expect(
        sameSamples(
          concat(parts, (n) => new Uint8Array(n)),
          whole,
        ),
      ).toBe(true);
    }
  });

  it('holds an odd last sample until its pair arrives', () => {
    const encoder = new G722Encoder();
    expect(encoder.encode(pcm.subarray(0, 3)).length).toBe(1);
    expect(encoder.pendingSamples).toBe(1);
    expect(encoder.encode(new Int16Array(0)).length).toBe(0);
    expect(encoder.encodedLength(1)).toBe(1);
    const next = encoder.encode(pcm.subarray(3, 4));
    expect(next.length).toBe(1);
    expect(next[0]).toBe(new G722Encoder().encode(pcm.subarray(0, 4))[1]);
  });

  it('decodes in any chunking to the same samples', () => {
    const bytes = new G722Encoder().encode(pcm);
    const whole = new G722Decoder().decode(bytes);
    const decoder = new G722Decoder();
    const parts: Int16Array[] = [];
    const random = seededRandom(7);
    for (let offset = 0; offset < bytes.length; ) {
      const length = Math.min(bytes.length - offset, Math.floor(random() * 400));
      parts.push(decoder.decode(bytes.subarray(offset, offset + length)));
      offset += length;
    }
    expect(
      sameSamples(
        concat(parts, (n) => new Int16Array(n)),
        whole,
      ),
    ).toBe(true);
  });

  it('keeps state per instance, and reset() starts a new stream', () => {
    const encoder = new G722Encoder();
    const first = encoder.encode(pcm.subarray(0, 16000));
    expect(sameSamples(encoder.encode(pcm.subarray(0, 16000)), first)).toBe(false);
    encoder.reset();
    expect(sameSamples(encoder.encode(pcm.subarray(0, 16000)), first)).toBe(true);
    const decoder = new G722Decoder();
    const decoded = decoder.decode(first);
    decoder.reset();
    expect(sameSamples(decoder.decode(first), decoded)).toBe(true);
  });

  it('round-trips speech with an SNR above 35 dB, 22 samples late (the two QMF banks)', () => {
    const decoded = new G722Decoder().decode(new G722Encoder().encode(pcm));
    const snr = snrDb(pcm, decoded, 22);
    expect(snr).toBeGreaterThan(35);
    // The delay is where the SNR peaks: one sample either side is far worse.
    expect(snrDb(pcm, decoded, 21)).toBeLessThan(snr - 20);
    expect(snrDb(pcm, decoded, 23)).toBeLessThan(snr - 20);
  });

  it('refuses a too-short output buffer without encoding or decoding anything', () => {
    const encoder = new G722Encoder();
    expect(() => encoder.encode(pcm.subarray(0, 320), new Uint8Array(159))).toThrow(
      OutputBufferTooSmallError,
    );
    expect(
      sameSamples(encoder.encode(pcm.subarray(0, 320)), new G722Encoder().encode(pcm.subarray(0, 320))),
    ).toBe(true);
    expect(() => new G722Decoder().decode(new Uint8Array(160), new Int16Array(319))).toThrow(
      OutputBufferTooSmallError,
    );
  });

  it('survives full-scale square waves and every code without leaving the 16-bit range', () => {
    const square = new Int16Array(32000);
    for (let i = 0; i < square.length; i++) square[i] = (i >> 4) & 1 ? 32767 : -32768;
    const decoded = new G722Decoder().decode(new G722Encoder().encode(square));
    expect(snrDb(square, decoded, 22)).toBeGreaterThan(5);
    const everyCode = new Uint8Array(256 * 40);
    for (let i = 0; i < everyCode.length; i++) everyCode[i] = (i * 97) & 0xff;
    const ours = new G722Decoder().decode(everyCode);
    expect(sameSamples(ours, ffmpegDecode(everyCode))).toBe(true);
  });
});
