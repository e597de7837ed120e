/**
 * What wideband audio and the noise filter buy, measured on the JFK recording (11 s, 16 kHz, one
 * speaker; its reference transcript is 22 words):
 *
 * 1. Codecs: word error rate of pocketsphinx (general en-US vocabulary, no phrase grammar) on
 *    - the telephone path: 16 kHz → 8 kHz with `StreamResampler`, µ-law encode and decode, handed
 *      to `PocketsphinxSTTService` at 8000 Hz, which resamples it to 16 kHz and adds its -60 dBFS
 *      noise floor exactly as in the offline agent;
 *    - 16 kHz G.722 (the project's `G722Encoder`/`G722Decoder`, 64 kbit/s);
 *    - the 16 kHz recording itself, as the ceiling.
 * 2. Noise: JFK mixed with pink noise at 10, 5 and 0 dB SNR, with and without `RNNoiseFilter` in
 *    front, at 16 kHz: Silero VAD false starts (speech starts outside the speech regions the same
 *    VAD finds on the clean recording, 200 ms of tolerance either side), speech regions missed,
 *    and pocketsphinx word error rate.
 *
 * The noise is synthetic and reproducible: Gaussian white noise from a seeded linear congruential
 * generator, shaped to a 1/f (pink) spectrum with Paul Kellett's three-pole filter
 * (https://www.firstpr.com.au/dsp/pink-noise/), scaled so that the mean power of the clean
 * recording inside its speech regions over the noise's mean power is the SNR.
 *
 * Each recognition is one whole-utterance pass of `PocketsphinxSTTService` (its `transcribe`, the
 * call its pipeline makes once per VAD segment), so the result does not depend on segmentation.
 * pocketsphinx is deterministic: one run per case. One 11 s recording is a tiny sample; a word
 * here is 4.5 % of WER.
 *
 * `--stt deepgram` runs the same cases through Deepgram's live speech-to-text instead
 * (deepgram-recognizer.ts: `DeepgramSTTService`, the official `@deepgram/sdk`, model nova-3, audio
 * paced at real time, one stream per case), with the key from `DEEPGRAM_API_KEY`; the telephone
 * path then goes on the wire as 8 kHz µ-law (`encoding=mulaw`, the caller's bytes), every other
 * case as 16 kHz `linear16`. `--deepgram-url <url>` points it at another endpoint (default the
 * SDK's, `wss://api.deepgram.com`). It needs the network and a key, so no CI job runs it; results
 * go to stt-accuracy-deepgram.*.
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/stt-accuracy/run.ts [--quick]
 *      [--stt pocketsphinx|deepgram] [--deepgram-url <url>]
 * (`--quick`: the codec cases and the 5 dB case only, written to <name>.quick.*).
 * The default recognizer needs `pocketsphinx_continuous` (Debian packages pocketsphinx,
 * pocketsphinx-en-us).
 */
import { loadavg } from 'node:os';
import { decodeMuLaw, encodeMuLaw, G722Decoder, G722Encoder, RNNoiseFilter } from '@voxline/audio';
import { InputAudioRawFrame } from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import {
  isPocketsphinxInstalled,
  PocketsphinxSTTService,
  UNRECOGNIZED_SPEECH,
} from '../../packages/local/src/index.js';
import { SileroVADAnalyzer } from '../../packages/silero/src/index.js';
import { cutFrames, readRecording, resampled } from '../lib/recordings.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';
import { DeepgramRecognizer } from './deepgram-recognizer.js';
import { wordErrors } from './word-error-rate.js';

/** JFK's words in the recording (the shared data's README). */
const JFK_TRANSCRIPT =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
/** A detected speech start this close to a reference region still counts as that region's start. */
const EDGE_TOLERANCE_MS = 200;

const quick = process.argv.includes('--quick');
const signalToNoiseRatios = quick ? [5] : [10, 5, 0];
/** Exit code for a usage mistake, as benchmarks/run.ts uses. */
const USAGE_EXIT_CODE = 2;

/** The value after `flag` on the command line, if given. */
function argument(flag: string): string | undefined {
  const index = process.argv.indexOf(flag);
  return index === -1 ? undefined : process.argv[index + 1];
}

/** One whole-utterance recognition; `wire` is what a streaming recognizer is sent. */
interface Recognizer {
  recognize(pcm: Int16Array, sampleRate: number, wire: 'mulaw' | 'linear16'): Promise<string>;
  cleanup(): Promise<void>;
}

/** `PocketsphinxSTTService` with its per-segment recognition callable on a whole utterance. */
class WholeUtteranceRecognizer extends PocketsphinxSTTService implements Recognizer {
  async recognize(pcm: Int16Array, sampleRate: number): Promise<string> {
    const { text } = await this.transcribe(pcm, sampleRate, new AbortController().signal);
    return text === UNRECOGNIZED_SPEECH ? '' : text;
  }
}

const stt = argument('--stt') ?? 'pocketsphinx';
function chosenRecognizer(): Recognizer {
  if (stt === 'deepgram') {
    const apiKey = process.env.DEEPGRAM_API_KEY;
    if (apiKey === undefined || apiKey === '') {
      console.error('stt-accuracy: --stt deepgram needs a Deepgram API key in DEEPGRAM_API_KEY');
      process.exit(USAGE_EXIT_CODE);
    }
    const baseUrl = argument('--deepgram-url');
    const deepgram = new DeepgramRecognizer({ apiKey, ...(baseUrl === undefined ? {} : { baseUrl }) });
    return {
      recognize: (pcm, sampleRate, wire) => deepgram.recognize(pcm, sampleRate, wire),
      cleanup: async () => {},
    };
  }
  if (stt !== 'pocketsphinx') {
    console.error(`stt-accuracy: unknown --stt '${stt}' (pocketsphinx or deepgram)`);
    process.exit(USAGE_EXIT_CODE);
  }
  if (!isPocketsphinxInstalled()) {
    console.error(
      'stt-accuracy: pocketsphinx_continuous is not installed (Debian: pocketsphinx pocketsphinx-en-us)',
    );
    process.exit(1);
  }
  return new WholeUtteranceRecognizer();
}

/** Speech regions `[startMs, stopMs]` Silero VAD (16 kHz, default parameters) finds in `pcm`. */
async function speechRegions(pcm: Int16Array): Promise<Array<[number, number]>> {
  const vad = await SileroVADAnalyzer.create({ sampleRate: 16000 });
  const regions: Array<[number, number]> = [];
  let open: number | undefined;
  for (const frame of cutFrames(pcm, 16000)) {
    for (const event of (await vad.analyze(frame)).events) {
      if (event.type === 'started') open = event.startMs;
      else {
        regions.push([event.startMs, event.stopMs]);
        open = undefined;
      }
    }
  }
  if (open !== undefined) regions.push([open, (pcm.length / 16000) * 1000]);
  vad.close();
  return regions;
}

/** Mean power of `pcm` inside `regions`. */
function speechPower(pcm: Int16Array, regions: Array<[number, number]>): number {
  let sum = 0;
  let count = 0;
  for (const [startMs, stopMs] of regions) {
    for (let i = Math.round(startMs * 16); i < Math.min(pcm.length, Math.round(stopMs * 16)); i++) {
      sum += pcm[i]! * pcm[i]!;
      count++;
    }
  }
  return sum / count;
}

/** Seeded pink noise, `length` samples, unit mean power (see the module comment). */
function pinkNoise(length: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const out = new Float64Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < length; i++) {
    const white = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    b0 = 0.99765 * b0 + white * 0.099046;
    b1 = 0.963 * b1 + white * 0.2965164;
    b2 = 0.57 * b2 + white * 1.0526913;
    out[i] = b0 + b1 + b2 + white * 0.1848;
  }
  let power = 0;
  for (const value of out) power += value * value;
  const scale = 1 / Math.sqrt(power / length);
  for (let i = 0; i < length; i++) out[i]! *= scale;
  return out;
}

/** `clean` plus `noise` scaled to `snrDb` against `cleanPower`, clipped to 16 bits. */
function mixed(clean: Int16Array, noise: Float64Array, cleanPower: number, snrDb: number): Int16Array {
  const gain = Math.sqrt(cleanPower / 10 ** (snrDb / 10));
  return Int16Array.from(clean, (sample, i) =>
    Math.max(-32768, Math.min(32767, Math.round(sample + noise[i]! * gain))),
  );
}

/** `pcm` through `RNNoiseFilter` in 20 ms frames, with the filter's queueing delay removed. */
async function denoised(pcm: Int16Array): Promise<Int16Array> {
  const filter = await RNNoiseFilter.create();
  const frames = cutFrames(pcm, 16000).map(
    (audio) => new InputAudioRawFrame({ audio: audio.slice(), sampleRate: 16000 }),
  );
  const { downstream } = await runProcessor(filter, { frames });
  const outputs = downstream.filter(
    (frame): frame is InputAudioRawFrame => frame instanceof InputAudioRawFrame,
  );
  const out = new Int16Array(outputs.length * 320);
  for (const [i, frame] of outputs.entries()) out.set(frame.audio, i * 320);
  return out.subarray((filter.delayMs * 16000) / 1000);
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

const loadAtStart = loadavg()[0]!;
const recognizer = chosenRecognizer();
const rows: BenchmarkRow[] = [];
const table: string[] = [];

async function recognitionRow(
  caseName: string,
  pcm: Int16Array,
  sampleRate: number,
  extra: Record<string, string> = {},
): Promise<void> {
  // Only the telephone path is µ-law on a call; everything else reaches the STT as PCM.
  const wire = sampleRate === 8000 ? 'mulaw' : 'linear16';
  const hypothesis = await recognizer.recognize(pcm, sampleRate, wire);
  const errors = wordErrors(JFK_TRANSCRIPT, hypothesis);
  rows.push({
    benchmark: 'stt-accuracy',
    case: caseName,
    unit: '% WER',
    p50: errors.wordErrorRate * 100,
    p99: errors.wordErrorRate * 100,
    samples: 1,
    extra: {
      ...extra,
      // Strings, so the table shows counts as counts.
      substitutions: String(errors.substitutions),
      deletions: String(errors.deletions),
      insertions: String(errors.insertions),
      heard: hypothesis || '(nothing)',
    },
  });
  table.push(
    `${caseName.padEnd(40)} WER ${percent(errors.wordErrorRate).padStart(7)}  S ${errors.substitutions} D ${errors.deletions} I ${errors.insertions}  "${hypothesis}"`,
  );
}

const clean = readRecording('jfk-16k.wav', 16000);

// 1. Codecs.
const telephone = decodeMuLaw(encodeMuLaw(resampled(clean, 16000, 8000)));
const wideband = new G722Decoder().decode(new G722Encoder().encode(clean));
await recognitionRow('16 kHz PCM (the recording)', clean, 16000);
await recognitionRow('8 kHz µ-law (telephone path)', telephone, 8000);
await recognitionRow('16 kHz G.722', wideband, 16000);

// 2. Noise, with and without the filter.
const reference = await speechRegions(clean);
const cleanPower = speechPower(clean, reference);
const noise = pinkNoise(clean.length, 20240611);
const noiseCases: Array<[string, Int16Array]> = [
  ['clean', clean],
  ...signalToNoiseRatios.map((snr): [string, Int16Array] => [
    `${snr} dB SNR`,
    mixed(clean, noise, cleanPower, snr),
  ]),
];
for (const [label, noisy] of noiseCases) {
  for (const filtered of [false, true]) {
    const audio = filtered ? await denoised(noisy) : noisy;
    const regions = await speechRegions(audio);
    const falseStarts = regions.filter(
      ([start]) =>
        !reference.some(
          ([refStart, refStop]) =>
            start >= refStart - EDGE_TOLERANCE_MS && start <= refStop + EDGE_TOLERANCE_MS,
        ),
    ).length;
    const missed = reference.filter(([refStart, refStop]) =>
      regions.every(([start, stop]) => stop <= refStart || start >= refStop),
    ).length;
    await recognitionRow(`${label}, ${filtered ? 'RNNoiseFilter' : 'no filter'}`, audio, 16000, {
      'VAD starts': String(regions.length),
      'VAD false starts': String(falseStarts),
      'speech regions missed': `${missed} of ${reference.length}`,
    });
  }
}
await recognizer.cleanup();

console.log(
  `Reference speech regions (Silero VAD on the clean recording): ${reference.map(([a, b]) => `${a}-${b} ms`).join(', ')}`,
);
for (const line of table) console.log(line);

const deepgram = stt === 'deepgram';
await writeResults(deepgram ? 'stt-accuracy-deepgram' : 'stt-accuracy', {
  title: deepgram
    ? 'Deepgram (nova-3, live) word error rate on JFK: codecs, noise and RNNoiseFilter'
    : 'Offline STT word error rate on JFK: codecs, noise and RNNoiseFilter',
  notes: [
    `Machine load average (1 min) ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end of the run (word error rates do not depend on load)`,
    deepgram
      ? `Deepgram live speech-to-text through DeepgramSTTService (@deepgram/sdk), model nova-3, no smart formatting; one stream per case, the audio paced at real time in 20 ms frames, then CloseStream. Reference: "${JFK_TRANSCRIPT}" (22 words; one word is 4.5 % WER).`
      : `pocketsphinx_continuous (Debian pocketsphinx-en-us model), general vocabulary, no phrase grammar; one whole-utterance pass through PocketsphinxSTTService (-60 dBFS noise floor added, as in the offline agent). Reference: "${JFK_TRANSCRIPT}" (22 words; one word is 4.5 % WER).`,
    deepgram
      ? 'Telephone path: StreamResampler 16→8 kHz, µ-law encode and decode, sent as 8 kHz µ-law (encoding=mulaw: the bytes a caller sends). G.722: the project encoder and decoder at 64 kbit/s, sent as 16 kHz linear16, like every other case.'
      : 'Telephone path: StreamResampler 16→8 kHz, µ-law encode and decode, resampled back to 16 kHz inside PocketsphinxSTTService. G.722: the project encoder and decoder at 64 kbit/s.',
    `Noise: seeded pink noise (Kellett filter on Gaussian white noise), SNR = mean power of the clean recording inside its speech regions over the noise power. Speech regions: Silero VAD (16 kHz, default parameters) on the clean recording: ${reference.map(([a, b]) => `${a}-${b} ms`).join(', ')}. A false start is a detected start more than ${EDGE_TOLERANCE_MS} ms outside every reference region.`,
    'RNNoiseFilter output is shifted back by its 12 ms queueing delay before the VAD and the recognizer see it.',
    deepgram
      ? 'One 11 s recording of one speaker: a tiny sample. Each case is one run; "p50" and "p99" are the same single value.'
      : 'One 11 s recording of one speaker: a tiny sample. pocketsphinx is deterministic, so each case is one run; "p50" and "p99" are the same single value.',
  ],
  rows,
  quick,
});
