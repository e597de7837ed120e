/**
 * G.711 cases: Voxline's µ-law and A-law encoders and decoders against `alawmulaw` on the same
 * 20 ms frames (160 samples at 8000 Hz), with how far their results agree.
 *
 * Voxline writes into reused buffers (its `out` parameter); `alawmulaw` returns a new array per call,
 * which is how it is used. It is loaded with `require`: its ESM entry does not expose `mulaw` under
 * Node (`alawmulaw` 6.0.0: `import * as` gives no `mulaw` export).
 */
import { createRequire } from 'node:module';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '@voxline/audio';
import type { TimedCase } from '../lib/interleaved-timing.js';

interface Law {
  encode(pcm: Int16Array): Uint8Array;
  decode(codes: Uint8Array): Int16Array;
}

const require = createRequire(import.meta.url);
const alawmulaw = require('alawmulaw') as { mulaw: Law; alaw: Law };
/** As pinned in benchmarks/package.json. */
export const alawmulawVersion = (require('../package.json') as { dependencies: Record<string, string> })
  .dependencies.alawmulaw;

/** One codec operation measured for both implementations, and how their outputs compare. */
export interface G711Comparison {
  /** e.g. `µ-law encode`. */
  operation: string;
  voxline: TimedCase;
  alawmulaw: TimedCase;
  /** e.g. `identical on 88 000 samples` or `381 of 88 000 codes differ`. */
  agreement: string;
}

/** Results of the last call, kept so that no call's work can be optimised away. */
export const sink: { last: unknown } = { last: undefined };

export function g711Comparisons(frames: readonly Int16Array[]): G711Comparison[] {
  const count = frames.length;
  const total = frames.reduce((sum, frame) => sum + frame.length, 0);
  const comparisons: G711Comparison[] = [];
  const laws = [
    { label: 'µ-law', encode: encodeMuLaw, decode: decodeMuLaw, peer: alawmulaw.mulaw },
    { label: 'A-law', encode: encodeALaw, decode: decodeALaw, peer: alawmulaw.alaw },
  ];
  for (const { label, encode, decode, peer } of laws) {
    const codes = frames.map((frame) => encode(frame));
    const bytes = new Uint8Array(frames[0]!.length);
    const pcm = new Int16Array(frames[0]!.length);

    let codeDifferences = 0;
    for (const [i, frame] of frames.entries()) {
      const theirs = peer.encode(frame);
      for (let k = 0; k < frame.length; k++) if (theirs[k] !== codes[i]![k]) codeDifferences++;
    }
    comparisons.push({
      operation: `${label} encode`,
      voxline: { name: `voxline ${label} encode`, operation: (n) => encode(frames[n % count]!, bytes) },
      alawmulaw: {
        name: `alawmulaw ${label} encode`,
        operation: (n) => (sink.last = peer.encode(frames[n % count]!)),
      },
      agreement:
        codeDifferences === 0
          ? `identical codes on ${total} samples`
          : `${codeDifferences} of ${total} codes differ (rounding at negative segment boundaries)`,
    });

    let sampleDifferences = 0;
    for (const frameCodes of codes) {
      const ours = decode(frameCodes);
      const theirs = peer.decode(frameCodes);
      for (let k = 0; k < ours.length; k++) if (ours[k] !== theirs[k]) sampleDifferences++;
    }
    comparisons.push({
      operation: `${label} decode`,
      voxline: { name: `voxline ${label} decode`, operation: (n) => decode(codes[n % count]!, pcm) },
      alawmulaw: {
        name: `alawmulaw ${label} decode`,
        operation: (n) => (sink.last = peer.decode(codes[n % count]!)),
      },
      agreement:
        sampleDifferences === 0
          ? `identical samples on ${total} codes`
          : `${sampleDifferences} of ${total} samples differ`,
    });
  }
  return comparisons;
}
