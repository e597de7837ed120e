import {
  decodeALaw,
  decodeALawSample,
  decodeMuLaw,
  decodeMuLawSample,
  encodeALaw,
  encodeALawSample,
  encodeMuLaw,
  encodeMuLawSample,
  OutputBufferTooSmallError,
} from '@voxline/audio';
import { beforeAll, describe, expect, it } from 'vitest';
import { jfkPath } from './support/paths.js';
import { runTool, sox, soxReadPcm, toBytes, toInt16 } from './support/tools.js';

/** Every 16-bit sample value, -32768..32767 in order. */
const allSamples = new Int16Array(65536);
for (let i = 0; i < 65536; i++) allSamples[i] = i - 32768;
const allCodes = new Uint8Array(256);
for (let i = 0; i < 256; i++) allCodes[i] = i;

interface Golden {
  muLawEncoded: Uint8Array;
  aLawEncoded: Uint8Array;
  muLawDecoded: Int16Array;
  aLawDecoded: Int16Array;
}

/** Golden data from CPython's audioop (the Sun g711.c algorithm), generated on the fly. */
function audioopGolden(): Golden {
  const script = [
    'import sys, warnings',
    "warnings.simplefilter('ignore')",
    'import audioop, array',
    "pcm = array.array('h', range(-32768, 32768))",
    "if sys.byteorder == 'big': pcm.byteswap()",
    'pcm = pcm.tobytes()',
    'codes = bytes(range(256))',
    'out = audioop.lin2ulaw(pcm, 2) + audioop.lin2alaw(pcm, 2)',
    "dec = array.array('h'); dec.frombytes(audioop.ulaw2lin(codes, 2) + audioop.alaw2lin(codes, 2))",
    "if sys.byteorder == 'big': dec.byteswap()",
    'sys.stdout.buffer.write(out + dec.tobytes())',
  ].join('\n');
  const bytes = runTool('python3', ['-c', script]);
  expect(bytes.length).toBe(65536 * 2 + 256 * 2 * 2);
  const decoded = toInt16(bytes.subarray(131072));
  return {
    muLawEncoded: new Uint8Array(bytes.subarray(0, 65536)),
    aLawEncoded: new Uint8Array(bytes.subarray(65536, 131072)),
    muLawDecoded: decoded.slice(0, 256),
    aLawDecoded: decoded.slice(256, 512),
  };
}

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let differences = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differences++;
  return differences;
}

/** True when two codes decode to neighbouring quantization levels (one step apart). */
function oneStepApart(decode: (code: number) => number, a: number, b: number): boolean {
  const levels = [...new Set(Array.from(allCodes, decode))].sort((x, y) => x - y);
  return Math.abs(levels.indexOf(decode(a)) - levels.indexOf(decode(b))) === 1;
}

describe('G.711 against CPython audioop (bit-exact)', () => {
  let golden: Golden;
  beforeAll(() => {
    golden = audioopGolden();
  });

  it('µ-law encodes all 65,536 inputs exactly like audioop.lin2ulaw', () => {
    expect(countDifferences(encodeMuLaw(allSamples), golden.muLawEncoded)).toBe(0);
    for (let i = 0; i < 65536; i += 97)
      expect(encodeMuLawSample(allSamples[i]!)).toBe(golden.muLawEncoded[i]);
  });

  it('A-law encodes all 65,536 inputs exactly like audioop.lin2alaw', () => {
    expect(countDifferences(encodeALaw(allSamples), golden.aLawEncoded)).toBe(0);
    for (let i = 0; i < 65536; i += 97) expect(encodeALawSample(allSamples[i]!)).toBe(golden.aLawEncoded[i]);
  });

  it('µ-law decodes all 256 codes exactly like audioop.ulaw2lin', () => {
    expect(Array.from(decodeMuLaw(allCodes))).toEqual(Array.from(golden.muLawDecoded));
    for (let code = 0; code < 256; code++) expect(decodeMuLawSample(code)).toBe(golden.muLawDecoded[code]);
  });

  it('A-law decodes all 256 codes exactly like audioop.alaw2lin', () => {
    expect(Array.from(decodeALaw(allCodes))).toEqual(Array.from(golden.aLawDecoded));
    for (let code = 0; code < 256; code++) expect(decodeALawSample(code)).toBe(golden.aLawDecoded[code]);
  });
});

// Known values of the Sun Microsystems reference g711.c (the one CPython's audioop uses).
describe('G.711 known values', () => {
  it('µ-law: silence is 0xFF, 0xFF and 0x7F decode to 0, range is ±32124', () => {
    expect(encodeMuLawSample(0)).toBe(0xff);
    expect(decodeMuLawSample(0xff)).toBe(0);
    expect(decodeMuLawSample(0x7f)).toBe(0);
    expect(decodeMuLawSample(0x00)).toBe(-32124);
    expect(decodeMuLawSample(0x80)).toBe(32124);
    expect(encodeMuLawSample(-31611)).toBe(0x00);
  });

  it('A-law: no zero code, 0 → 0xD5 → +8, 0x55 → -8, range is ±32256', () => {
    expect(encodeALawSample(0)).toBe(0xd5);
    expect(decodeALawSample(0xd5)).toBe(8);
    expect(decodeALawSample(0x55)).toBe(-8);
    const decoded = decodeALaw(allCodes);
    expect(Math.max(...decoded)).toBe(32256);
    expect(Math.min(...decoded)).toBe(-32256);
    expect(decoded.includes(0)).toBe(false);
  });
});

describe('G.711 output buffers', () => {
  it('writes into a preallocated buffer and returns it when the length matches', () => {
    const codes = encodeMuLaw(allSamples.subarray(0, 160));
    const pcm = new Int16Array(160);
    expect(decodeMuLaw(codes, pcm)).toBe(pcm);
    const bytes = new Uint8Array(160);
    expect(encodeALaw(pcm, bytes)).toBe(bytes);
  });

  it('returns a view of the used part of a longer buffer', () => {
    const out = new Int16Array(400);
    const result = decodeALaw(allCodes.subarray(0, 10), out);
    expect(result.length).toBe(10);
    expect(result.buffer).toBe(out.buffer);
    expect(Array.from(result)).toEqual(Array.from(decodeALaw(allCodes.subarray(0, 10))));
  });

  it('throws a typed error for a short buffer and leaves it untouched', () => {
    const out = new Int16Array(159).fill(7);
    let caught: unknown;
    try {
      decodeMuLaw(new Uint8Array(160), out);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OutputBufferTooSmallError);
    expect((caught as OutputBufferTooSmallError).code).toBe('output-buffer-too-small');
    expect((caught as OutputBufferTooSmallError).required).toBe(160);
    expect(out.every((v) => v === 7)).toBe(true);
    expect(() => encodeMuLaw(new Int16Array(160), new Uint8Array(10))).toThrow(OutputBufferTooSmallError);
    expect(() => encodeALaw(new Int16Array(160), new Uint8Array(10))).toThrow(OutputBufferTooSmallError);
    expect(() => decodeALaw(new Uint8Array(160), new Int16Array(10))).toThrow(OutputBufferTooSmallError);
  });
});

describe('G.711 against sox as an independent codec', () => {
  const laws = [
    {
      name: 'µ-law',
      soxEncoding: 'u-law',
      encode: encodeMuLaw,
      decode: decodeMuLaw,
      decodeSample: decodeMuLawSample,
    },
    {
      name: 'A-law',
      soxEncoding: 'a-law',
      encode: encodeALaw,
      decode: decodeALaw,
      decodeSample: decodeALawSample,
    },
  ] as const;

  const soxEncode = (encoding: string, pcm: Int16Array): Uint8Array =>
    sox(
      [
        '-t',
        'raw',
        '-e',
        'signed-integer',
        '-b',
        '16',
        '-c',
        '1',
        '-r',
        '8000',
        '-L',
        '-',
        '-t',
        'raw',
        '-e',
        encoding,
        '-',
      ],
      toBytes(pcm),
    );
  const soxDecode = (encoding: string, codes: Uint8Array): Int16Array =>
    toInt16(
      sox(
        [
          '-t',
          'raw',
          '-e',
          encoding,
          '-b',
          '8',
          '-c',
          '1',
          '-r',
          '8000',
          '-',
          '-t',
          'raw',
          '-e',
          'signed-integer',
          '-b',
          '16',
          '-L',
          '-',
        ],
        codes,
      ),
    );

  // Measured with sox 14.4.2: its encoders round at decision boundaries where g711.c truncates,
  // so on the exhaustive sweep they pick the neighbouring code on exactly this many inputs
  // (positive and negative alike), never anything farther.
  const exhaustiveDifferences = { 'µ-law': 508, 'A-law': 1020 } as const;
  // On JFK's speech (176,000 samples) the encoders disagree on exactly this many samples:
  // speech is mostly quiet, and the low segments have a decision boundary every few values.
  const jfkDifferences = { 'µ-law': 14640, 'A-law': 24628 } as const;

  for (const law of laws) {
    it(`${law.name}: sox decodes all 256 codes identically`, () => {
      expect(Array.from(soxDecode(law.soxEncoding, allCodes))).toEqual(Array.from(law.decode(allCodes)));
    });

    it(`${law.name}: sox encodes the exhaustive sweep within one quantization step`, () => {
      const ours = law.encode(allSamples);
      const theirs = soxEncode(law.soxEncoding, allSamples);
      let differences = 0;
      for (let i = 0; i < ours.length; i++) {
        if (ours[i] === theirs[i]) continue;
        differences++;
        expect(oneStepApart(law.decodeSample, ours[i]!, theirs[i]!)).toBe(true);
      }
      expect(differences).toBe(exhaustiveDifferences[law.name]);
    });

    it(`${law.name}: JFK speech: sox encodes within one step, and both decoders agree`, () => {
      const pcm = soxReadPcm(jfkPath);
      expect(pcm.length).toBe(176000);
      const ours = law.encode(pcm);
      const theirs = soxEncode(law.soxEncoding, pcm);
      let differences = 0;
      for (let i = 0; i < ours.length; i++) {
        if (ours[i] === theirs[i]) continue;
        differences++;
        expect(oneStepApart(law.decodeSample, ours[i]!, theirs[i]!)).toBe(true);
      }
      expect(differences).toBe(jfkDifferences[law.name]);
      // Decoders agree on the real recording, whichever encoder produced the codes.
      expect(countDifferences(law.decode(ours), soxDecode(law.soxEncoding, ours))).toBe(0);
      expect(countDifferences(law.decode(theirs), soxDecode(law.soxEncoding, theirs))).toBe(0);
    });
  }
});
