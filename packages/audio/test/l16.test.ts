import {
  InvalidAudioArgumentError,
  l16ToPcm,
  OddByteLengthError,
  OutputBufferTooSmallError,
  pcmToL16,
} from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { jfkPath } from './support/paths.js';
import { sameSamples, sox, soxReadPcm } from './support/tools.js';

describe('L16', () => {
  it('defaults to big-endian (RFC 3551 §4.5.11)', () => {
    const bytes = pcmToL16(Int16Array.of(0x0102, -2, -32768, 32767));
    expect(Array.from(bytes)).toEqual([0x01, 0x02, 0xff, 0xfe, 0x80, 0x00, 0x7f, 0xff]);
    expect(Array.from(l16ToPcm(bytes))).toEqual([0x0102, -2, -32768, 32767]);
  });

  it('writes and reads little-endian when asked', () => {
    const bytes = pcmToL16(Int16Array.of(0x0102, -2), { byteOrder: 'little-endian' });
    expect(Array.from(bytes)).toEqual([0x02, 0x01, 0xfe, 0xff]);
    expect(Array.from(l16ToPcm(bytes, { byteOrder: 'little-endian' }))).toEqual([0x0102, -2]);
  });

  it('matches sox byte for byte on JFK, both byte orders', () => {
    const pcm = soxReadPcm(jfkPath);
    const bigEndian = sox([jfkPath, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-B', '-']);
    const littleEndian = sox([jfkPath, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', '-']);
    expect(Buffer.from(pcmToL16(pcm)).equals(bigEndian)).toBe(true);
    expect(Buffer.from(pcmToL16(pcm, { byteOrder: 'little-endian' })).equals(littleEndian)).toBe(true);
    expect(sameSamples(l16ToPcm(bigEndian), pcm)).toBe(true);
    expect(sameSamples(l16ToPcm(littleEndian, { byteOrder: 'little-endian' }), pcm)).toBe(true);
  });

  it('reads from unaligned Buffer views such as base64-decoded payloads', () => {
    const pcm = Int16Array.of(1000, -1000, 12345, -32768);
    const base64 = Buffer.from(pcmToL16(pcm)).toString('base64');
    // Prefix one byte so the payload view starts at an odd byteOffset.
    const pooled = Buffer.concat([Buffer.from([0xaa]), Buffer.from(base64, 'base64')]);
    const view = pooled.subarray(1);
    expect(view.byteOffset % 2).toBe(1);
    expect(Array.from(l16ToPcm(view))).toEqual(Array.from(pcm));
    const out = Buffer.alloc(9).subarray(1);
    expect(out.byteOffset % 2).toBe(1);
    pcmToL16(pcm, { byteOrder: 'little-endian' }, out);
    expect(Array.from(l16ToPcm(out, { byteOrder: 'little-endian' }))).toEqual(Array.from(pcm));
  });

  it('rejects an odd byte length with a typed error', () => {
    let caught: unknown;
    try {
      l16ToPcm(new Uint8Array(321));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OddByteLengthError);
    expect((caught as OddByteLengthError).code).toBe('odd-byte-length');
    expect((caught as OddByteLengthError).byteLength).toBe(321);
  });

  it('uses preallocated output buffers and rejects short ones', () => {
    const out = new Int16Array(2);
    expect(l16ToPcm(Uint8Array.of(0, 1, 0, 2), undefined, out)).toBe(out);
    expect(() => l16ToPcm(new Uint8Array(6), undefined, out)).toThrow(OutputBufferTooSmallError);
    expect(() => pcmToL16(new Int16Array(3), undefined, new Uint8Array(5))).toThrow(
      OutputBufferTooSmallError,
    );
  });

  it('rejects an unknown byte order', () => {
    expect(() => l16ToPcm(new Uint8Array(2), { byteOrder: 'middle' as 'big-endian' })).toThrow(
      InvalidAudioArgumentError,
    );
  });
});
