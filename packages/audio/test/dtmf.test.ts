import { DTMFDetector, generateDTMF, InvalidAudioArgumentError, mixInto, rmsDbfs } from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { jfkPath, spacewalkPath } from './support/paths.js';
import { randomChunks, seededRandom } from './support/random.js';
import { soxReadPcm } from './support/tools.js';

const ALL_KEYS = '0123456789*#ABCD';
const RATES = [8000, 16000] as const;

/** Runs a detector over `pcm` in chunks of `chunkSamples` (20 ms by default) and flushes it. */
function detect(pcm: Int16Array, sampleRate: 8000 | 16000, chunkSamples = sampleRate / 50): string {
  const detector = new DTMFDetector({ sampleRate });
  let digits = '';
  for (let offset = 0; offset < pcm.length; offset += chunkSamples) {
    digits += detector.process(pcm.subarray(offset, offset + chunkSamples)).join('');
  }
  return digits + detector.flush().join('');
}

function silence(sampleRate: number, ms: number): Int16Array {
  return new Int16Array((sampleRate * ms) / 1000);
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Gaussian white noise at an RMS level in dBFS, seeded. */
function whiteNoise(length: number, levelDbfs: number, seed: number): Int16Array {
  const random = seededRandom(seed);
  const rms = 32768 * 10 ** (levelDbfs / 20);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out[i] = Math.max(-32768, Math.min(32767, Math.round(rms * gaussian)));
  }
  return out;
}

/** `speech` looped to `length` samples and scaled to an RMS level in dBFS. */
function speechAt(speech: Int16Array, length: number, levelDbfs: number): Int16Array {
  const gain = 10 ** ((levelDbfs - rmsDbfs(speech)) / 20);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round(speech[i % speech.length]! * gain);
  return out;
}

describe('generateDTMF', () => {
  it('lays out tone then gap per key at the stated level', () => {
    const pcm = generateDTMF('5#', { sampleRate: 8000, toneMs: 100, gapMs: 50, amplitudeDbfs: -13 });
    expect(pcm.length).toBe(2 * 1200);
    // Two tones at -13 dBFS each: -10 dBFS together.
    expect(rmsDbfs(pcm.subarray(0, 800))).toBeCloseTo(-9.99, 1);
    expect(pcm.subarray(800, 1200).every((sample) => sample === 0)).toBe(true);
    expect(generateDTMF('', { sampleRate: 8000 }).length).toBe(0);
    expect(generateDTMF('abcd', { sampleRate: 8000 })).toEqual(generateDTMF('ABCD', { sampleRate: 8000 }));
  });

  it('rejects characters that are not keys', () => {
    expect(() => generateDTMF('12E', { sampleRate: 8000 })).toThrow(InvalidAudioArgumentError);
    expect(() => generateDTMF('1 2', { sampleRate: 8000 })).toThrow(InvalidAudioArgumentError);
  });
});

describe('DTMFDetector on generated tones', () => {
  for (const sampleRate of RATES) {
    it(`${sampleRate} Hz: detects all 16 keys in order`, () => {
      expect(new DTMFDetector({ sampleRate }).blockSize).toBe(sampleRate === 8000 ? 102 : 204);
      expect(detect(generateDTMF(ALL_KEYS, { sampleRate }), sampleRate)).toBe(ALL_KEYS);
    });

    it(`${sampleRate} Hz: the same keys whatever the chunk sizes`, () => {
      const pcm = generateDTMF(`${ALL_KEYS}${ALL_KEYS}`, { sampleRate, toneMs: 60, gapMs: 60 });
      for (const seed of [1, 2, 3]) {
        const detector = new DTMFDetector({ sampleRate });
        let digits = '';
        for (const chunk of randomChunks(pcm, 700, seededRandom(seed)))
          digits += detector.process(chunk).join('');
        expect(digits).toBe(`${ALL_KEYS}${ALL_KEYS}`);
      }
    });

    it(`${sampleRate} Hz: counts repeated keys separated by pauses, down to 34 ms tones and 30 ms pauses`, () => {
      const blockSize = sampleRate === 8000 ? 102 : 204;
      for (const [toneMs, gapMs] of [
        [100, 100],
        [40, 40],
        [34, 30],
      ]) {
        // Every alignment of the tones against the analysis blocks.
        for (let lead = 0; lead < blockSize; lead += 7) {
          const pcm = concat(new Int16Array(lead), generateDTMF('1111#99', { sampleRate, toneMs, gapMs }));
          expect(detect(pcm, sampleRate), `tone ${toneMs} ms, gap ${gapMs} ms, lead ${lead}`).toBe('1111#99');
        }
      }
    });

    it(`${sampleRate} Hz: rejects tones of 20 ms or less and bridges pauses of 14 ms or less, at any alignment`, () => {
      for (let lead = 0; lead < 204; lead += 5) {
        const short = concat(
          new Int16Array(lead),
          generateDTMF('159D', { sampleRate, toneMs: 20, gapMs: 60 }),
        );
        expect(detect(short, sampleRate)).toBe('');
        const bridged = concat(
          new Int16Array(lead),
          generateDTMF('55', { sampleRate, toneMs: 60, gapMs: 14 }),
        );
        expect(detect(bridged, sampleRate)).toBe('5');
      }
    });

    it(`${sampleRate} Hz: keys pressed back to back without a pause are both reported`, () => {
      const pcm = concat(
        generateDTMF('4', { sampleRate, toneMs: 100, gapMs: 0 }),
        generateDTMF('7', { sampleRate, toneMs: 100, gapMs: 100 }),
      );
      expect(detect(pcm, sampleRate)).toBe('47');
    });

    it(`${sampleRate} Hz: reports a key when its press ends, within 40 ms of the tone's end`, () => {
      const detector = new DTMFDetector({ sampleRate });
      const tone = generateDTMF('8', { sampleRate, toneMs: 100, gapMs: 0 });
      expect(detector.process(tone)).toEqual([]);
      const reportedAfter: number[] = [];
      for (let chunk = 1; chunk <= 10; chunk++) {
        if (detector.process(silence(sampleRate, 10)).length > 0) reportedAfter.push(chunk * 10);
      }
      expect(reportedAfter.length).toBe(1);
      expect(reportedAfter[0]!).toBeLessThanOrEqual(40);
    });

    it(`${sampleRate} Hz: flush reports a key still pressed at the end of the stream`, () => {
      const detector = new DTMFDetector({ sampleRate });
      expect(detector.process(generateDTMF('0', { sampleRate, toneMs: 100, gapMs: 0 }))).toEqual([]);
      expect(detector.flush()).toEqual(['0']);
      expect(detector.flush()).toEqual([]);
    });

    it(`${sampleRate} Hz: detects all keys with white noise 15 dB below the tones`, () => {
      for (const seed of [1, 2]) {
        const tones = generateDTMF(ALL_KEYS, { sampleRate });
        const noisy = mixInto(tones, whiteNoise(tones.length, -25, seed));
        expect(detect(noisy, sampleRate)).toBe(ALL_KEYS);
      }
    });

    it(`${sampleRate} Hz: detects all keys with JFK speaking 15 dB below the tones`, () => {
      const speech = soxReadPcm(jfkPath, sampleRate);
      const tones = generateDTMF(`${ALL_KEYS}${ALL_KEYS}${ALL_KEYS}`, { sampleRate });
      // Tones are -10 dBFS RMS as a pair; speech is -25 dBFS RMS over the whole recording, pauses
      // included, so its loudest 20 ms stretches reach about -16 dBFS.
      const mixed = mixInto(tones, speechAt(speech, tones.length, -25));
      expect(detect(mixed, sampleRate)).toBe(`${ALL_KEYS}${ALL_KEYS}${ALL_KEYS}`);
    });

    it(`${sampleRate} Hz: twist and level limits`, () => {
      const twisted = (twistDb: number, amplitudeDbfs = -13) =>
        detect(generateDTMF('258', { sampleRate, twistDb, amplitudeDbfs }), sampleRate);
      expect(twisted(3)).toBe('258'); // high group 3 dB louder: within the 4 dB reverse twist
      expect(twisted(-7)).toBe('258'); // low group 7 dB louder: within the 8 dB normal twist
      expect(twisted(6)).toBe('');
      expect(twisted(-10)).toBe('');
      expect(twisted(0, -33)).toBe('258'); // about -27 dBm0 per tone
      expect(twisted(0, -40)).toBe('');
    });
  }

  it('rejects unsupported sample rates', () => {
    expect(() => new DTMFDetector({ sampleRate: 44100 as 8000 })).toThrow(InvalidAudioArgumentError);
  });
});

describe('DTMFDetector on real speech: no false keys', () => {
  const recordings = [
    ['JFK', jfkPath],
    ['spacewalk', spacewalkPath],
  ] as const;
  for (const [name, path] of recordings) {
    for (const sampleRate of RATES) {
      it(`${name} at ${sampleRate} Hz (sox-converted), at every block alignment and louder`, () => {
        const speech = soxReadPcm(path, sampleRate);
        for (let lead = 0; lead < 204; lead += 17) {
          expect(detect(concat(new Int16Array(lead), speech), sampleRate)).toBe('');
        }
        // Up to clipping: level does not make speech look like DTMF.
        const louder = mixInto(speech.slice(), speech);
        expect(detect(louder, sampleRate)).toBe('');
      });
    }
  }
});
