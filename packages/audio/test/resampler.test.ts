import {
  InvalidAudioArgumentError,
  OutputBufferTooSmallError,
  RESAMPLER_SAMPLE_RATES,
  type ResamplerDesign,
  type ResamplerQuality,
  readWav,
  StreamResampler,
} from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { concat } from './support/concat.js';
import { jfkPath, spacewalkPath } from './support/paths.js';

const QUALITIES: readonly ResamplerQuality[] = ['telephony', 'high'];
const RATE_PAIRS = RESAMPLER_SAMPLE_RATES.flatMap((inputRate) =>
  RESAMPLER_SAMPLE_RATES.map((outputRate) => ({ inputRate, outputRate })),
);

const jfk = readWav(jfkPath);
const spacewalk = readWav(spacewalkPath);

/** Small deterministic generator (mulberry32), so a failing chunking can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resamples `pcm` in one call, then flushes. */
function resampleWhole(
  options: ConstructorParameters<typeof StreamResampler>[0],
  pcm: Int16Array,
): Int16Array {
  const resampler = new StreamResampler(options);
  return concat([resampler.process(pcm), resampler.flush()]);
}

/**
 * Resamples `pcm` in chunks of the given sizes (cycled), checking that each call returns exactly
 * `outputLength(n)` samples, then flushes.
 */
function resampleChunked(resampler: StreamResampler, pcm: Int16Array, nextSize: () => number): Int16Array {
  const parts: Int16Array[] = [];
  for (let start = 0; start < pcm.length; ) {
    const size = Math.min(nextSize(), pcm.length - start);
    const expected = resampler.outputLength(size);
    const out = resampler.process(pcm.subarray(start, start + size));
    if (out.length !== expected)
      throw new Error(`call returned ${out.length} samples, outputLength said ${expected}`);
    parts.push(out);
    start += size;
  }
  parts.push(resampler.flush());
  return concat(parts);
}

/** Index of the first sample where two arrays differ, or −1 when they are identical. */
function firstDifference(a: Int16Array, b: Int16Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

const converted = new Map<string, Int16Array>();

/** A real recording at `rate`: JFK (16 kHz) or the spacewalk (44.1 kHz), converted when needed. */
function recordingAt(rate: number, source: 'jfk' | 'spacewalk'): Int16Array {
  const wav = source === 'jfk' ? jfk : spacewalk;
  if (wav.sampleRate === rate) return wav.samples;
  const key = `${source}@${rate}`;
  let pcm = converted.get(key);
  if (pcm === undefined) {
    const resampler = new StreamResampler({ inputRate: wav.sampleRate, outputRate: rate });
    pcm = resampler.process(wav.samples).subarray(resampler.delaySamples);
    converted.set(key, pcm);
  }
  return pcm;
}

/** The textbook definition: y[j] = Σ h[k]·x_up[j·M − k], x_up the input with L − 1 zeros after each sample. */
function directForm(design: ResamplerDesign, pcm: Int16Array, outputs: number): Int16Array {
  const { prototype, upFactor, downFactor } = design;
  const out = new Int16Array(outputs);
  for (let j = 0; j < outputs; j++) {
    const position = j * downFactor;
    let sum = 0;
    for (let k = position % upFactor; k < prototype.length && k <= position; k += upFactor) {
      const n = (position - k) / upFactor;
      if (n < pcm.length) sum += prototype[k]! * pcm[n]!;
    }
    out[j] = Math.max(-32768, Math.min(32767, Math.round(sum)));
  }
  return out;
}

describe('StreamResampler: chunked input gives the same output as the whole signal', () => {
  // JFK and the spacewalk recording at their own rates, and converted to every other supported rate
  // as real inputs for the other pairs; each input is then converted to every rate at both qualities.
  const cases = QUALITIES.flatMap((quality) =>
    RATE_PAIRS.flatMap(({ inputRate, outputRate }) =>
      (['jfk', 'spacewalk'] as const).map((source) => ({ quality, inputRate, outputRate, source })),
    ),
  );

  it.each(cases)(
    '$source $inputRate → $outputRate Hz ($quality)',
    ({ quality, inputRate, outputRate, source }) => {
      // The whole recording for JFK at 'telephony' (11 s); 4 s excerpts otherwise, to keep the run short.
      const full = recordingAt(inputRate, source);
      const pcm =
        source === 'jfk' && quality === 'telephony' ? full : full.subarray(inputRate, 5 * inputRate);
      const options = { inputRate, outputRate, quality };
      const whole = resampleWhole(options, pcm);
      const { upFactor, downFactor, centre } = new StreamResampler(options).design;
      expect(whole.length).toBe(Math.ceil((pcm.length * upFactor + centre) / downFactor));

      const frame = inputRate / 50;
      const frames = resampleChunked(new StreamResampler(options), pcm, () => frame);
      expect(firstDifference(frames, whole)).toBe(-1);

      // Random sizes from 0 to 5000 cross the 2048-sample internal block and every phase of the ratio.
      const next = random(inputRate * 7 + outputRate);
      const randomSized = resampleChunked(new StreamResampler(options), pcm, () => Math.floor(next() * 5001));
      expect(firstDifference(randomSized, whole)).toBe(-1);

      // One sample at a time, on the first 0.3 s.
      const excerpt = pcm.subarray(0, Math.round(0.3 * inputRate));
      const singles = resampleChunked(new StreamResampler(options), excerpt, () => 1);
      expect(firstDifference(singles, resampleWhole(options, excerpt))).toBe(-1);
    },
  );
});

describe('StreamResampler: output equals the direct-form definition of the filter', () => {
  it.each(
    QUALITIES.flatMap((quality) =>
      RATE_PAIRS.filter(({ inputRate, outputRate }) => inputRate !== outputRate).map((pair) => ({
        ...pair,
        quality,
      })),
    ),
  )('$inputRate → $outputRate Hz ($quality), within 1 LSB', ({ inputRate, outputRate, quality }) => {
    const pcm = recordingAt(inputRate, inputRate <= 24000 ? 'jfk' : 'spacewalk').subarray(
      Math.round(1.5 * inputRate),
      Math.round(1.7 * inputRate),
    );
    const resampler = new StreamResampler({ inputRate, outputRate, quality });
    const streamed = resampleChunked(resampler, pcm, () => inputRate / 50);
    const reference = directForm(resampler.design, pcm, streamed.length);
    let worst = 0;
    for (let i = 0; i < streamed.length; i++) worst = Math.max(worst, Math.abs(streamed[i]! - reference[i]!));
    // The kernels sum in a different order than the definition; only a rounding tie can differ.
    expect(worst).toBeLessThanOrEqual(1);
    expect(streamed.length).toBe(
      Math.ceil(
        (pcm.length * resampler.design.upFactor + resampler.design.centre) / resampler.design.downFactor,
      ),
    );
  });
});

describe('StreamResampler: output count', () => {
  it('8000 → 16000 Hz returns exactly twice the input on every call, for any size', () => {
    const resampler = new StreamResampler({ inputRate: 8000, outputRate: 16000 });
    const pcm = recordingAt(8000, 'jfk');
    const next = random(1);
    for (let start = 0; start < pcm.length; ) {
      const size = Math.min(Math.floor(next() * 700), pcm.length - start);
      expect(resampler.outputLength(size)).toBe(2 * size);
      expect(resampler.process(pcm.subarray(start, start + size)).length).toBe(2 * size);
      start += size;
    }
  });

  it('16000 → 8000 Hz returns exactly half of every even-length input, and alternates on odd ones', () => {
    const resampler = new StreamResampler({ inputRate: 16000, outputRate: 8000 });
    const pcm = jfk.samples;
    const next = random(2);
    let start = 0;
    for (; start + 1000 < pcm.length; ) {
      const size = 2 * Math.floor(next() * 500);
      expect(resampler.process(pcm.subarray(start, start + size)).length).toBe(size / 2);
      start += size;
    }
    // Odd sizes: ⌈n/2⌉ when the stream so far has an even length, ⌊n/2⌋ after an odd length.
    expect(resampler.process(pcm.subarray(start, start + 5)).length).toBe(3);
    expect(resampler.process(pcm.subarray(start + 5, start + 10)).length).toBe(2);
    expect(resampler.process(pcm.subarray(start + 10, start + 11)).length).toBe(1);
    expect(resampler.process(pcm.subarray(start + 11, start + 12)).length).toBe(0);
  });

  it.each(RATE_PAIRS)(
    '20 ms frames give exactly one 20 ms frame per call: $inputRate → $outputRate Hz',
    ({ inputRate, outputRate }) => {
      const resampler = new StreamResampler({ inputRate, outputRate });
      const frame = new Int16Array(inputRate / 50);
      for (let i = 0; i < 60; i++) {
        frame.fill((i * 997) % 20000);
        expect(resampler.process(frame).length).toBe(outputRate / 50);
      }
    },
  );

  it.each(RATE_PAIRS)(
    'after T inputs, ⌈T·out/in⌉ outputs; flush brings the total to ⌈(T·L + centre)/M⌉: $inputRate → $outputRate Hz',
    ({ inputRate, outputRate }) => {
      const resampler = new StreamResampler({ inputRate, outputRate });
      const { upFactor, downFactor, centre } = resampler.design;
      const next = random(inputRate + outputRate);
      let consumed = 0;
      let produced = 0;
      for (let call = 0; call < 200; call++) {
        const size = Math.floor(next() * 300);
        produced += resampler.process(new Int16Array(size)).length;
        consumed += size;
        expect(produced).toBe(Math.ceil((consumed * outputRate) / inputRate));
      }
      produced += resampler.flush().length;
      expect(produced).toBe(Math.ceil((consumed * upFactor + centre) / downFactor));
    },
  );
});

describe('StreamResampler: delay', () => {
  it('8000 → 16000 Hz: every even output is the input itself, delaySamples later (half-band copy branch)', () => {
    const resampler = new StreamResampler({ inputRate: 8000, outputRate: 16000 });
    const pcm = recordingAt(8000, 'jfk');
    const out = concat([resampler.process(pcm), resampler.flush()]);
    expect(resampler.delaySamples).toBe(44);
    expect(resampler.design.groupDelayMs).toBe(2.75);
    expect(out.length).toBe(2 * pcm.length + 44);
    for (let n = 0; n < pcm.length; n++) {
      if (out[2 * n + 44] !== pcm[n]) throw new Error(`output ${2 * n + 44} is not input ${n}`);
    }
  });

  it.each(
    QUALITIES.flatMap((quality) =>
      RATE_PAIRS.filter(({ inputRate, outputRate }) => inputRate !== outputRate).map((pair) => ({
        ...pair,
        quality,
      })),
    ),
  )(
    'an impulse comes out centred on delaySamples: $inputRate → $outputRate Hz ($quality)',
    ({ inputRate, outputRate, quality }) => {
      const resampler = new StreamResampler({ inputRate, outputRate, quality });
      const impulse = new Int16Array(inputRate / 10);
      impulse[0] = 30000;
      const out = concat([resampler.process(impulse), resampler.flush()]);
      const delay = resampler.delaySamples;
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay / outputRate).toBeCloseTo(resampler.design.groupDelayMs / 1000, 9);
      // The response is symmetric about the delay, and its peak is there.
      let peak = 0;
      for (let i = 1; i < out.length; i++) if (Math.abs(out[i]!) > Math.abs(out[peak]!)) peak = i;
      expect(peak).toBe(delay);
      for (let d = 1; d <= delay; d++)
        expect(Math.abs(out[delay + d]! - out[delay - d]!)).toBeLessThanOrEqual(1);
      // Telephony pairs stay within 5 ms of delay; 'high' within 9 ms.
      expect(resampler.design.groupDelayMs).toBeLessThanOrEqual(quality === 'telephony' ? 2.75 : 9);
    },
  );
});

describe('StreamResampler: buffers, errors and state', () => {
  it('writes into the caller buffer: returns it when exactly sized, a view when longer', () => {
    const resampler = new StreamResampler({ inputRate: 8000, outputRate: 16000 });
    const frame = jfk.samples.subarray(8000, 8160);
    const exact = new Int16Array(320);
    expect(resampler.process(frame, exact)).toBe(exact);
    const longer = new Int16Array(400);
    const view = resampler.process(frame, longer);
    expect(view.buffer).toBe(longer.buffer);
    expect(view.byteOffset).toBe(0);
    expect(view.length).toBe(320);
  });

  it('reads a view into a larger buffer at its byteOffset', () => {
    const backing = new Int16Array(1000);
    backing.set(jfk.samples.subarray(20000, 21000));
    const view = backing.subarray(333, 333 + 320);
    const copy = Int16Array.from(view);
    const a = new StreamResampler({ inputRate: 16000, outputRate: 8000 }).process(view);
    const b = new StreamResampler({ inputRate: 16000, outputRate: 8000 }).process(copy);
    expect(firstDifference(a, b)).toBe(-1);
  });

  it('a too-small output buffer throws OutputBufferTooSmallError and consumes nothing', () => {
    const pcm = jfk.samples.subarray(16000, 16000 + 960);
    const reference = new StreamResampler({ inputRate: 16000, outputRate: 48000 });
    const expected = concat([reference.process(pcm.subarray(0, 320)), reference.process(pcm.subarray(320))]);

    const resampler = new StreamResampler({ inputRate: 16000, outputRate: 48000 });
    const first = resampler.process(pcm.subarray(0, 320));
    let error: unknown;
    try {
      resampler.process(pcm.subarray(320), new Int16Array(100));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OutputBufferTooSmallError);
    expect(error).toMatchObject({ code: 'output-buffer-too-small', required: 1920, actual: 100 });
    const retried = resampler.process(pcm.subarray(320));
    expect(firstDifference(concat([first, retried]), expected)).toBe(-1);
    expect(() => resampler.flush(new Int16Array(1))).toThrow(OutputBufferTooSmallError);
    expect(resampler.flush().length).toBe(resampler.delaySamples);
  });

  it('rejects unsupported rates, unknown qualities and non-Int16Array input with InvalidAudioArgumentError', () => {
    expect(() => new StreamResampler({ inputRate: 11025, outputRate: 8000 })).toThrow(
      InvalidAudioArgumentError,
    );
    expect(() => new StreamResampler({ inputRate: 8000, outputRate: 32000 })).toThrow(/outputRate 32000 Hz/);
    expect(
      () => new StreamResampler({ inputRate: 8000, outputRate: 16000, quality: 'best' as ResamplerQuality }),
    ).toThrow(expect.objectContaining({ code: 'invalid-audio-argument' }));
    const resampler = new StreamResampler({ inputRate: 8000, outputRate: 16000 });
    expect(() => resampler.process(new Float32Array(160) as unknown as Int16Array)).toThrow(
      InvalidAudioArgumentError,
    );
  });

  it('equal rates copy the input and have no delay', () => {
    const resampler = new StreamResampler({ inputRate: 16000, outputRate: 16000 });
    const frame = jfk.samples.subarray(5000, 5320);
    const out = resampler.process(frame);
    expect(out).not.toBe(frame);
    expect(firstDifference(out, frame)).toBe(-1);
    expect(resampler.delaySamples).toBe(0);
    expect(resampler.flush().length).toBe(0);
  });

  it('flush and reset start a new stream: the same input gives the same output again', () => {
    const resampler = new StreamResampler({ inputRate: 44100, outputRate: 16000 });
    const pcm = spacewalk.samples.subarray(44100, 44100 + 882 * 3 + 17);
    const first = concat([resampler.process(pcm), resampler.flush()]);
    const second = concat([resampler.process(pcm), resampler.flush()]);
    expect(firstDifference(second, first)).toBe(-1);
    resampler.process(pcm.subarray(0, 1001));
    resampler.reset();
    const third = concat([resampler.process(pcm), resampler.flush()]);
    expect(firstDifference(third, first)).toBe(-1);
  });
});
