import {
  designResampler,
  RESAMPLER_SAMPLE_RATES,
  type ResamplerQuality,
  readWav,
  StreamResampler,
} from '@voxline/audio';
import { describe, expect, it } from 'vitest';
import { jfkPath, spacewalkPath } from './support/paths.js';
import { sox, toBytes, toInt16 } from './support/tools.js';

// The figures stated in StreamResampler's docstring, checked here on every design and on real output.
const STATED = {
  telephony: { rippleDb: 0.00012, rejectionDb: 98.8 },
  high: { rippleDb: 0.0001, rejectionDb: 99.7 },
} as const satisfies Record<ResamplerQuality, { rippleDb: number; rejectionDb: number }>;
/**
 * SNR of an in-band tone at −0.2 dBFS against the ideal tone, stated for every pair. Rounding the input
 * and the output to 16 bits alone limits any resampler to 97.9 − 3.0 = 94.9 dB; with 'telephony' the
 * ripple and the image at the passband edge cost up to 2.4 dB more there.
 */
const STATED_TONE_SNR_DB = { telephony: 92, high: 94.5 } as const;
/** A spurious tone (alias or image) is at least this far below the tone that makes it. */
const STATED_SPURIOUS_REJECTION_DB = 98;

const QUALITIES: readonly ResamplerQuality[] = ['telephony', 'high'];
const CONVERSIONS = QUALITIES.flatMap((quality) =>
  RESAMPLER_SAMPLE_RATES.flatMap((inputRate) =>
    RESAMPLER_SAMPLE_RATES.filter((outputRate) => outputRate !== inputRate).map((outputRate) => ({
      inputRate,
      outputRate,
      quality,
    })),
  ),
);

const AMPLITUDE = 32000; // −0.2 dBFS

const decibels = (ratio: number) => 20 * Math.log10(ratio);

/** Magnitude of the DFT of `taps` zero-padded to `size` (a power of 2), bins 0..size/2. */
function magnitudeSpectrum(taps: Float64Array, size: number): Float64Array {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(taps);
  for (let i = 1, j = 0; i < size; i++) {
    let bit = size >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) [re[i], re[j]] = [re[j]!, re[i]!];
  }
  for (let length = 2; length <= size; length <<= 1) {
    const angle = (-2 * Math.PI) / length;
    const half = length >> 1;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(angle * k);
      const wi = Math.sin(angle * k);
      for (let i = k; i < size; i += length) {
        const j = i + half;
        const tr = re[j]! * wr - im[j]! * wi;
        const ti = re[j]! * wi + im[j]! * wr;
        re[j] = re[i]! - tr;
        im[j] = im[i]! - ti;
        re[i] = re[i]! + tr;
        im[i] = im[i]! + ti;
      }
    }
  }
  const magnitude = new Float64Array(size / 2 + 1);
  for (let i = 0; i <= size / 2; i++) magnitude[i] = Math.hypot(re[i]!, im[i]!);
  return magnitude;
}

/** A tone quantised to 16 bits: round(amplitude · sin(2π·frequency·n/rate)). */
function tone(rate: number, frequency: number, amplitude: number, length: number): Int16Array {
  const pcm = new Int16Array(length);
  for (let n = 0; n < length; n++)
    pcm[n] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * n) / rate));
  return pcm;
}

/**
 * Least-squares amplitudes of sinusoids at `frequencies` in `pcm[start..end)`, fitted jointly (a sine
 * and a cosine each), so that a strong component does not leak into the estimate of a weak one.
 */
function fitAmplitudes(
  pcm: Int16Array,
  rate: number,
  frequencies: readonly number[],
  start: number,
  end: number,
): number[] {
  const size = 2 * frequencies.length;
  const normal = Array.from({ length: size }, () => new Float64Array(size + 1));
  const basis = new Float64Array(size);
  for (let n = start; n < end; n++) {
    for (let k = 0; k < frequencies.length; k++) {
      const phase = (2 * Math.PI * frequencies[k]! * n) / rate;
      basis[2 * k] = Math.sin(phase);
      basis[2 * k + 1] = Math.cos(phase);
    }
    for (let row = 0; row < size; row++) {
      const equation = normal[row]!;
      for (let column = 0; column < size; column++) equation[column]! += basis[row]! * basis[column]!;
      equation[size]! += basis[row]! * pcm[n]!;
    }
  }
  // Gaussian elimination with partial pivoting on the (symmetric, positive definite) normal equations.
  for (let column = 0; column < size; column++) {
    let pivot = column;
    for (let row = column + 1; row < size; row++) {
      if (Math.abs(normal[row]![column]!) > Math.abs(normal[pivot]![column]!)) pivot = row;
    }
    [normal[column], normal[pivot]] = [normal[pivot]!, normal[column]!];
    const pivotRow = normal[column]!;
    for (let row = 0; row < size; row++) {
      if (row === column) continue;
      const factor = normal[row]![column]! / pivotRow[column]!;
      for (let k = column; k <= size; k++) normal[row]![k]! -= factor * pivotRow[k]!;
    }
  }
  const coefficient = (index: number) => normal[index]![size]! / normal[index]![index]!;
  return frequencies.map((_, k) => Math.hypot(coefficient(2 * k), coefficient(2 * k + 1)));
}

/** Resamples the whole of `pcm` and flushes, returning the output aligned so that index 0 is input time 0. */
function resampleAligned(resampler: StreamResampler, pcm: Int16Array): Int16Array {
  const body = resampler.process(pcm);
  const tail = resampler.flush();
  const out = new Int16Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out.subarray(resampler.delaySamples);
}

describe('StreamResampler filter designs meet the stated passband ripple and stopband rejection', () => {
  it.each(CONVERSIONS)('$inputRate → $outputRate Hz ($quality)', ({ inputRate, outputRate, quality }) => {
    const design = designResampler(inputRate, outputRate, quality);
    let size = 1;
    while (size < 8 * design.prototype.length) size <<= 1;
    const spectrum = magnitudeSpectrum(design.prototype, size);
    const filterRate = design.upFactor * inputRate;
    let passbandMax = 0;
    let passbandMin = Number.POSITIVE_INFINITY;
    let stopbandMax = 0;
    for (let bin = 0; bin <= size / 2; bin++) {
      const frequency = (bin * filterRate) / size;
      const gain = spectrum[bin]! / design.upFactor;
      if (frequency <= design.passbandEdgeHz) {
        passbandMax = Math.max(passbandMax, gain);
        passbandMin = Math.min(passbandMin, gain);
      } else if (frequency >= design.stopbandEdgeHz) {
        stopbandMax = Math.max(stopbandMax, gain);
      }
    }
    const lowerNyquist = Math.min(inputRate, outputRate) / 2;
    expect(design.passbandEdgeHz).toBeCloseTo(lowerNyquist * (quality === 'telephony' ? 0.85 : 0.91), 6);
    expect(design.stopbandEdgeHz).toBeCloseTo(lowerNyquist * (quality === 'telephony' ? 1.15 : 1), 6);
    expect(decibels(passbandMax)).toBeLessThanOrEqual(STATED[quality].rippleDb);
    expect(decibels(passbandMin)).toBeGreaterThanOrEqual(-STATED[quality].rippleDb);
    expect(-decibels(stopbandMax)).toBeGreaterThanOrEqual(STATED[quality].rejectionDb);
    // Telephony delays stay within 5 ms (2.75 ms at most, with 8000 Hz on one side).
    if (quality === 'telephony') expect(design.groupDelayMs).toBeLessThanOrEqual(2.75);
  });
});

describe('StreamResampler passes in-band tones at the 16-bit floor', () => {
  // Tones at 5 %, 30 %, 60 %, 80 % and 85 % (the passband edge) of the lower Nyquist frequency, moved
  // off round numbers so that the rounding errors are not periodic (a tone of exactly 6400 Hz at
  // 16000 Hz repeats every 5 samples, and its rounding error with it).
  it.each(CONVERSIONS)('$inputRate → $outputRate Hz ($quality)', ({ inputRate, outputRate, quality }) => {
    const lowerNyquist = Math.min(inputRate, outputRate) / 2;
    for (const fraction of [0.05, 0.3, 0.6, 0.8, 0.85]) {
      const frequency = fraction * lowerNyquist - Math.PI;
      const input = tone(inputRate, frequency, AMPLITUDE, Math.round(0.4 * inputRate));
      const output = resampleAligned(new StreamResampler({ inputRate, outputRate, quality }), input);
      // Compare with the ideal (unquantised) tone at the output rate, away from the two ends.
      const margin = Math.round(0.02 * outputRate);
      const end = Math.floor((input.length * outputRate) / inputRate) - margin;
      let signal = 0;
      let noise = 0;
      for (let j = margin; j < end; j++) {
        const ideal = AMPLITUDE * Math.sin((2 * Math.PI * frequency * j) / outputRate);
        signal += ideal * ideal;
        noise += (output[j]! - ideal) ** 2;
      }
      const snr = 10 * Math.log10(signal / noise);
      expect(snr, `${frequency} Hz`).toBeGreaterThanOrEqual(STATED_TONE_SNR_DB[quality]);
      const gainDb = decibels(fitAmplitudes(output, outputRate, [frequency], margin, end)[0]! / AMPLITUDE);
      expect(Math.abs(gainDb), `${frequency} Hz gain`).toBeLessThanOrEqual(
        STATED[quality].rippleDb + 0.00005,
      );
    }
  });
});

describe('StreamResampler rejects aliases and images', () => {
  /** Where a component at `frequency` lands when sampled at `rate`. */
  function alias(frequency: number, rate: number): number {
    const wrapped = frequency % rate;
    return wrapped > rate / 2 ? rate - wrapped : wrapped;
  }

  // [input rate, output rate, test tone, 'alias' (the tone folds) or 'image' (input rate − tone), label]
  type Spurious = [number, number, number, 'alias' | 'image', string];
  const spurious: readonly Spurious[] = [
    [16000, 8000, 5000, 'alias', '5 kHz folding to 3 kHz'],
    [16000, 8000, 4700, 'alias', '4.7 kHz folding to 3.3 kHz'],
    [24000, 8000, 7000, 'alias', '7 kHz folding to 1 kHz'],
    [48000, 8000, 5000, 'alias', '5 kHz folding to 3 kHz'],
    [48000, 16000, 10000, 'alias', '10 kHz folding to 6 kHz'],
    [44100, 16000, 9500, 'alias', '9.5 kHz folding to 6.5 kHz'],
    [44100, 8000, 13000, 'alias', '13 kHz folding to 3 kHz'],
    [8000, 16000, 3000, 'image', 'image of 3 kHz at 5 kHz'],
    [8000, 16000, 1000, 'image', 'image of 1 kHz at 7 kHz'],
    [8000, 24000, 3000, 'image', 'image of 3 kHz at 5 kHz'],
    [8000, 48000, 1000, 'image', 'image of 1 kHz at 7 kHz'],
    [16000, 48000, 6000, 'image', 'image of 6 kHz at 10 kHz'],
    [8000, 44100, 3000, 'image', 'image of 3 kHz at 5 kHz'],
    [44100, 48000, 18000, 'image', 'image of 18 kHz at 26.1 kHz, folding to 21.9 kHz'],
  ];
  // With 'high' nothing folds at all, not even into the transition band: 23 kHz at 48000 Hz is above
  // 22050 Hz, and 'telephony' would fold it to 21.1 kHz (above its 18.7 kHz passband).
  const spuriousHighOnly: readonly Spurious[] = [
    [48000, 44100, 23000, 'alias', '23 kHz folding to 21.1 kHz'],
    [16000, 8000, 4200, 'alias', '4.2 kHz folding to 3.8 kHz'],
  ];

  /**
   * Largest rejection measurable here: a −6 dBFS in-band carrier keeps the output busy, so that its
   * rounding errors act as dither and a spurious component far below one LSB still shows in a 1 s fit.
   */
  function rejectionDb(
    inputRate: number,
    outputRate: number,
    quality: ResamplerQuality,
    tone: number,
    spur: number,
  ) {
    const carrier = 0.37 * (Math.min(inputRate, outputRate) / 2) + 1.2345;
    const input = new Int16Array(inputRate);
    for (let n = 0; n < input.length; n++) {
      const time = n / inputRate;
      input[n] = Math.round(
        16000 * Math.sin(2 * Math.PI * carrier * time) + 16000 * Math.sin(2 * Math.PI * tone * time),
      );
    }
    const output = resampleAligned(new StreamResampler({ inputRate, outputRate, quality }), input);
    const margin = Math.round(0.02 * outputRate);
    // The carrier, and the tone itself when it is below the output's Nyquist frequency, are fitted too.
    const components = tone < outputRate / 2 && tone !== spur ? [spur, carrier, tone] : [spur, carrier];
    return -decibels(fitAmplitudes(output, outputRate, components, margin, outputRate - margin)[0]! / 16000);
  }

  it.each(
    QUALITIES.flatMap((quality) =>
      [...spurious, ...(quality === 'high' ? spuriousHighOnly : [])].map(
        ([inputRate, outputRate, frequency, kind, label]) => ({
          quality,
          inputRate,
          outputRate,
          frequency,
          kind,
          label,
        }),
      ),
    ),
  )(
    '$inputRate → $outputRate Hz, $label ($quality)',
    ({ quality, inputRate, outputRate, frequency, kind }) => {
      // Off round numbers, so that rounding errors are not periodic and cannot line up with the spur.
      const tone = frequency - Math.PI;
      const spur = alias(kind === 'alias' ? tone : inputRate - tone, outputRate);
      expect(rejectionDb(inputRate, outputRate, quality, tone, spur)).toBeGreaterThanOrEqual(
        STATED_SPURIOUS_REJECTION_DB,
      );
    },
  );

  it('a 5 kHz tone at 16 kHz leaves no 3 kHz component at 8 kHz (≥ 60 dB required, ≥ 98 dB stated)', () => {
    const rejection = rejectionDb(16000, 8000, 'telephony', 5000, 3000);
    expect(rejection).toBeGreaterThanOrEqual(60);
    expect(rejection).toBeGreaterThanOrEqual(STATED_SPURIOUS_REJECTION_DB);
  });

  it('the measurement sees a spurious component when there is one', () => {
    // Guard against a fit that always reports silence: an in-band "tone" measured as its own spur
    // (16000 → 8000 Hz, 2 kHz: the spur and the tone coincide) comes out at 0 dB.
    expect(Math.abs(rejectionDb(16000, 8000, 'telephony', 2000 - Math.PI, 2000 - Math.PI))).toBeLessThan(
      0.01,
    );
  });
});

describe('StreamResampler agrees with sox on real speech', () => {
  /**
   * Both resamplers are fed speech lowpassed well inside both passbands (sox's own steep sinc filter),
   * so any difference beyond rounding would be an error in delay, gain or filtering.
   */
  function compareWithSox(path: string, inputRate: number, outputRate: number, cutoffHz: number): number {
    const wav = readWav(path);
    const source =
      wav.sampleRate === inputRate
        ? wav.samples
        : toInt16(sox(['-t', 'wav', path, '-t', 's16', '-', 'rate', '-v', String(inputRate)]));
    const raw = ['-t', 's16', '-r', String(inputRate), '-c', '1'];
    const lowpassed = toInt16(sox([...raw, '-', '-t', 's16', '-', 'sinc', `-${cutoffHz}`], toBytes(source)));
    const ours = resampleAligned(new StreamResampler({ inputRate, outputRate }), lowpassed);
    const theirs = toInt16(
      sox([...raw, '-', '-t', 's16', '-', 'rate', '-v', String(outputRate)], toBytes(lowpassed)),
    );
    const margin = Math.round(0.05 * outputRate);
    const end = Math.min(ours.length, theirs.length) - margin;
    let signal = 0;
    let difference = 0;
    for (let j = margin; j < end; j++) {
      signal += theirs[j]! ** 2;
      difference += (ours[j]! - theirs[j]!) ** 2;
    }
    return 10 * Math.log10(signal / difference);
  }

  it('JFK 16000 → 8000 Hz', () => {
    expect(compareWithSox(jfkPath, 16000, 8000, 3000)).toBeGreaterThanOrEqual(75);
  });

  it('JFK 8000 → 16000 Hz', () => {
    expect(compareWithSox(jfkPath, 8000, 16000, 3000)).toBeGreaterThanOrEqual(75);
  });

  it('spacewalk 44100 → 16000 Hz', () => {
    expect(compareWithSox(spacewalkPath, 44100, 16000, 6000)).toBeGreaterThanOrEqual(75);
  });

  it('spacewalk 48000 → 16000 Hz and 24000 → 8000 Hz', () => {
    expect(compareWithSox(spacewalkPath, 48000, 16000, 6000)).toBeGreaterThanOrEqual(75);
    expect(compareWithSox(spacewalkPath, 24000, 8000, 3000)).toBeGreaterThanOrEqual(75);
  });
});
