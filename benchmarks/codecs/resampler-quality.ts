/**
 * Quality figures of a streaming resampler at one rate pair, each measured by feeding a test signal
 * through it in 20 ms chunks, exactly as the speed is measured:
 *
 * - SINAD of a −0.2 dBFS tone at 25 % and at 85 % of the lower Nyquist frequency fN (1000 and 3400 Hz
 *   when one side is 8000 Hz): the best-fitting sinusoid (free amplitude and phase, so delay does not
 *   matter) against everything else, and the fitted gain;
 * - rejection of the alias (downsampling) or image (upsampling) of a −6 dBFS tone beside a −6 dBFS
 *   in-band carrier, fitted jointly with the carrier (which keeps the rounding noise dither-like);
 * - delay: where an impulse comes out, in ms of signal time (the filter's group delay);
 * - held back: the most output the resampler owed after any call, in ms (signal time consumed minus
 *   signal time returned), and the spread of output sizes per 20 ms call.
 *
 * Test frequencies sit off round numbers (−π Hz) so that rounding errors are not periodic.
 */
import type { BenchmarkResampler, BenchmarkResamplerFactory } from '../lib/peer-resamplers.js';
import {
  aliasFrequency,
  fitSinusoids,
  fittedAmplitude,
  peakPosition,
  sinad,
  tones,
} from '../lib/tone-analysis.js';

export interface ResamplerQualityFigures {
  /** SINAD (dB) of a tone at 0.25 fN. */
  sinadLowDb: number;
  /** SINAD (dB) of a tone at 0.85 fN. */
  sinadEdgeDb: number;
  /** Gain (dB) at 0.85 fN. */
  gainEdgeDb: number;
  /** How far (dB) the alias or image lies below the tone that makes it. */
  spuriousRejectionDb: number;
  /** Which spurious component was measured, e.g. `5 kHz → 3 kHz alias`. */
  spurious: string;
  /** Signal delay of an impulse, ms. */
  delayMs: number;
  /** Most output owed after any call, ms of signal. */
  heldBackMs: number;
  /** Smallest and largest output of a 20 ms call, samples. */
  minOutputPerCall: number;
  maxOutputPerCall: number;
  /** Share of 20 ms calls that returned exactly 20 ms of output. */
  nominalCallShare: number;
}

interface Streamed {
  output: Int16Array;
  perCall: number[];
  heldBackMs: number;
}

/** Feeds `pcm` through `resampler` in 20 ms chunks (each a fresh copy) and collects what comes back. */
function stream(
  resampler: BenchmarkResampler,
  pcm: Int16Array,
  inputRate: number,
  outputRate: number,
): Streamed {
  const chunk = inputRate / 50;
  const output = new Int16Array(Math.ceil((pcm.length * outputRate) / inputRate) + outputRate);
  const perCall: number[] = [];
  let produced = 0;
  let heldBackMs = 0;
  for (let start = 0; start + chunk <= pcm.length; start += chunk) {
    const out = resampler.process(pcm.slice(start, start + chunk));
    output.set(out, produced);
    produced += out.length;
    perCall.push(out.length);
    heldBackMs = Math.max(heldBackMs, ((start + chunk) / inputRate - produced / outputRate) * 1000);
  }
  return { output: output.subarray(0, produced), perCall, heldBackMs };
}

/** Measures `factory` at `inputRate → outputRate` on signals `seconds` long. */
export async function measureResamplerQuality(
  factory: BenchmarkResamplerFactory,
  inputRate: number,
  outputRate: number,
  seconds: number,
): Promise<ResamplerQualityFigures> {
  const lowerNyquist = Math.min(inputRate, outputRate) / 2;
  const length = Math.round(seconds * inputRate);
  // Skip the start (filter delays and the peers' buffering) and the end (what is still held back).
  const from = Math.round(0.15 * outputRate);
  const window = (output: Int16Array) => [from, output.length - Math.round(0.1 * outputRate)] as const;

  const toneFigures = async (fraction: number) => {
    const frequency = fraction * lowerNyquist - Math.PI;
    const resampler = await factory.create(inputRate, outputRate);
    const streamed = stream(
      resampler,
      tones(inputRate, length, [{ frequency, amplitude: 32000 }]),
      inputRate,
      outputRate,
    );
    resampler.close();
    const [start, end] = window(streamed.output);
    return { streamed, ...sinad(streamed.output, outputRate, frequency, start, end) };
  };
  const low = await toneFigures(0.25);
  const edge = await toneFigures(0.85);

  // Downsampling: a tone above the output's Nyquist frequency whose alias lands at 0.75 of it (5 kHz
  // folding to 3 kHz at 8000 Hz, 10 kHz to 6 kHz at 16000 Hz). Upsampling: a tone at 0.75 fN whose
  // image lands at the input rate minus it (3 kHz imaged at 5 kHz from 8000 Hz).
  const downsampling = outputRate < inputRate;
  const toneHz = (downsampling ? 0.625 * outputRate : 0.75 * lowerNyquist) - Math.PI;
  const spur = aliasFrequency(downsampling ? toneHz : inputRate - toneHz, outputRate);
  const carrier = 0.37 * lowerNyquist + 1.2345;
  const spurious = await factory.create(inputRate, outputRate);
  const mixed = stream(
    spurious,
    tones(inputRate, length, [
      { frequency: carrier, amplitude: 16000 },
      { frequency: toneHz, amplitude: 16000 },
    ]),
    inputRate,
    outputRate,
  );
  spurious.close();
  const [start, end] = window(mixed.output);
  const components = toneHz < outputRate / 2 ? [spur, carrier, toneHz] : [spur, carrier];
  const spurAmplitude = fittedAmplitude(fitSinusoids(mixed.output, outputRate, components, start, end), 0);

  const impulseAt = Math.round(0.2 * inputRate) + 7;
  const impulse = new Int16Array(Math.round(0.5 * inputRate));
  impulse[impulseAt] = 16000;
  const delayResampler = await factory.create(inputRate, outputRate);
  const impulseOut = stream(delayResampler, impulse, inputRate, outputRate).output;
  delayResampler.close();
  const delayMs = (peakPosition(impulseOut) / outputRate - impulseAt / inputRate) * 1000;

  const perCall = low.streamed.perCall;
  const nominal = outputRate / 50;
  const kHz = (hz: number) => `${(hz / 1000).toFixed(1)} kHz`;
  return {
    sinadLowDb: low.sinadDb,
    sinadEdgeDb: edge.sinadDb,
    gainEdgeDb: 20 * Math.log10(edge.amplitude / 32000),
    spuriousRejectionDb: 20 * Math.log10(16000 / spurAmplitude),
    spurious: `${kHz(toneHz)} → ${kHz(spur)} ${downsampling ? 'alias' : 'image'}`,
    delayMs,
    heldBackMs: Math.max(low.streamed.heldBackMs, edge.streamed.heldBackMs),
    minOutputPerCall: Math.min(...perCall),
    maxOutputPerCall: Math.max(...perCall),
    nominalCallShare: perCall.filter((count) => count === nominal).length / perCall.length,
  };
}
