import { applyGain, isSilence, mixInto, OutputBufferTooSmallError, peakDbfs, rmsDbfs } from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { jfkPath, spacewalkPath } from './support/paths.js';
import { sameSamples, soxReadPcm, soxStats } from './support/tools.js';

function sine(frequencyHz: number, amplitude: number, sampleRate: number, length: number): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate));
  return out;
}

describe('levels', () => {
  it('reads a full-scale sine at -3.01 dBFS RMS and 0 dBFS peak', () => {
    const tone = sine(1000, 32767, 8000, 8000);
    expect(rmsDbfs(tone)).toBeCloseTo(-3.0103, 3);
    expect(peakDbfs(tone)).toBeCloseTo(-0.0003, 3);
    expect(peakDbfs(Int16Array.of(0, -32768))).toBe(0);
  });

  it('reads digital silence and empty input as -Infinity', () => {
    expect(rmsDbfs(new Int16Array(160))).toBe(Number.NEGATIVE_INFINITY);
    expect(peakDbfs(new Int16Array(160))).toBe(Number.NEGATIVE_INFINITY);
    expect(rmsDbfs(new Int16Array(0))).toBe(Number.NEGATIVE_INFINITY);
    expect(isSilence(new Int16Array(160))).toBe(true);
  });

  it('tells silence from speech with the default -50 dBFS threshold', () => {
    expect(isSilence(sine(440, 80, 8000, 160))).toBe(true); // about -55 dBFS
    expect(isSilence(sine(440, 150, 8000, 160))).toBe(false); // about -50 dBFS
    expect(isSilence(sine(440, 80, 8000, 160), -60)).toBe(false);
  });
});

describe('levels on real recordings, against sox stats', () => {
  for (const [name, path] of [
    ['JFK', jfkPath],
    ['spacewalk', spacewalkPath],
  ] as const) {
    it(`${name}: RMS and peak dBFS match sox to its 2 printed decimals`, () => {
      const pcm = soxReadPcm(path);
      const stats = soxStats(path);
      expect(Math.abs(rmsDbfs(pcm) - stats.rmsDbfs)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(peakDbfs(pcm) - stats.peakDbfs)).toBeLessThanOrEqual(0.005);
    });
  }

  it('JFK: speech frames are not silence, and its pauses are quieter than its words', () => {
    const pcm = soxReadPcm(jfkPath);
    const frameLevels: number[] = [];
    for (let offset = 0; offset + 320 <= pcm.length; offset += 320)
      frameLevels.push(rmsDbfs(pcm.subarray(offset, offset + 320)));
    const sorted = [...frameLevels].sort((a, b) => a - b);
    // The loudest tenth of 20 ms frames is speech; the quietest tenth is the pauses between phrases.
    expect(sorted[Math.floor(sorted.length * 0.9)]!).toBeGreaterThan(-20);
    expect(sorted[Math.floor(sorted.length * 0.1)]!).toBeLessThan(-40);
  });
});

describe('mixer', () => {
  it('saturates instead of wrapping', () => {
    const target = Int16Array.of(30000, -30000, 100, 32767);
    mixInto(target, Int16Array.of(30000, -30000, -300, 1));
    expect(Array.from(target)).toEqual([32767, -32768, -200, 32767]);
  });

  it('mixes only the length of the source and rejects a longer source', () => {
    const target = Int16Array.of(1, 2, 3, 4);
    expect(mixInto(target, Int16Array.of(10, 10))).toBe(target);
    expect(Array.from(target)).toEqual([11, 12, 3, 4]);
    expect(() => mixInto(new Int16Array(2), new Int16Array(3))).toThrow(OutputBufferTooSmallError);
  });

  it('JFK mixed with itself equals JFK with +6.02 dB of gain, clipping included', () => {
    const pcm = soxReadPcm(jfkPath);
    const mixed = mixInto(pcm.slice(), pcm);
    const amplified = applyGain(pcm, 20 * Math.log10(2), new Int16Array(pcm.length));
    expect(sameSamples(mixed, amplified)).toBe(true);
    expect(peakDbfs(mixed)).toBe(0); // 25,648 × 2 clips at -32768 or 32767
  });

  it('applies gain in dB: -6.02 dB halves, source gain in mixInto scales the source', () => {
    const pcm = Int16Array.of(1000, -1000, 3, 32767);
    expect(Array.from(applyGain(pcm.slice(), -20 * Math.log10(2)))).toEqual([500, -500, 2, 16384]);
    const target = Int16Array.of(100, 100);
    mixInto(target, Int16Array.of(1000, -1000), -20);
    expect(Array.from(target)).toEqual([200, 0]);
  });

  it('applyGain works in place by default and checks the output length', () => {
    const pcm = Int16Array.of(1, 2, 3);
    expect(applyGain(pcm, 0)).toBe(pcm);
    expect(() => applyGain(pcm, 0, new Int16Array(2))).toThrow(OutputBufferTooSmallError);
    const longer = new Int16Array(10);
    expect(applyGain(pcm, 0, longer).length).toBe(3);
  });

  it('the mixed level of two uncorrelated signals is their power sum', () => {
    const jfk = soxReadPcm(jfkPath).subarray(16000, 16000 + 48000);
    const tone = sine(1000, 3000, 16000, 48000);
    const mixed = mixInto(jfk.slice(), tone);
    const expected = 10 * Math.log10(10 ** (rmsDbfs(jfk) / 10) + 10 ** (rmsDbfs(tone) / 10));
    expect(Math.abs(rmsDbfs(mixed) - expected)).toBeLessThan(0.2);
  });
});
