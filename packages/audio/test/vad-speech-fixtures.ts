/**
 * Test support for the VAD tests (used by @voxline/audio and @voxline/silero): the shared
 * recordings resampled with sox, their hand labels (`vad-speech-labels.json`), generated noise,
 * and the check that detected speech edges match the labels.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VADAnalyzer } from '@voxline/audio';
import { runTool } from './support/tools.js';

/** The repository root (three levels above this file). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The shared recordings live next to the repository, in `../shared/data`. */
export const SHARED_DATA_DIR = path.resolve(REPO_ROOT, '../shared/data');

export type RecordingName = 'jfk-16k.wav' | 'spacewalk-44k.wav';

interface LabelledStretch {
  from: number;
  to: number;
}

/** Hand labels of one recording, in seconds (see the `about` notes in the JSON). */
export interface SpeechLabels {
  durationSecs: number;
  speech: LabelledStretch[];
  ambiguous: LabelledStretch[];
}

const labelFile = JSON.parse(readFileSync(new URL('./vad-speech-labels.json', import.meta.url), 'utf8')) as {
  recordings: Record<RecordingName, SpeechLabels>;
};

/** The hand labels of a recording. */
export function speechLabels(name: RecordingName): SpeechLabels {
  return labelFile.recordings[name];
}

const recordings = new Map<string, Int16Array>();

/**
 * A shared recording as mono 16-bit PCM at `sampleRate`, resampled by sox (its default
 * high-quality rate converter). Cached per file and rate.
 */
export function loadRecording(name: RecordingName, sampleRate: number): Int16Array {
  const key = `${name}@${sampleRate}`;
  let pcm = recordings.get(key);
  if (pcm === undefined) {
    const raw = runTool('sox', [
      path.join(SHARED_DATA_DIR, name),
      ...['-t', 'raw', '-r', String(sampleRate), '-e', 'signed-integer'],
      ...['-b', '16', '-c', '1', '--endian', 'little', '-'],
    ]);
    // Copy into an aligned buffer (a Buffer may start at an odd offset); the host is little-endian.
    pcm = new Int16Array(new Uint8Array(raw).buffer);
    recordings.set(key, pcm);
  }
  return pcm;
}

/**
 * Gaussian white or pink noise with an RMS level of `dbfs`, from a fixed seed (reproducible).
 * Pink noise uses Paul Kellet's refined filter (-3 dB/octave within ±0.05 dB above 9 Hz at 44.1 kHz).
 */
export function generateNoise(kind: 'white' | 'pink', samples: number, dbfs: number, seed = 1): Int16Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const signal = new Float64Array(samples);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  for (let i = 0; i < samples; i++) {
    const white = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    if (kind === 'white') {
      signal[i] = white;
      continue;
    }
    b0 = 0.99886 * b0 + white * 0.0555179;
    b1 = 0.99332 * b1 + white * 0.0750759;
    b2 = 0.969 * b2 + white * 0.153852;
    b3 = 0.8665 * b3 + white * 0.3104856;
    b4 = 0.55 * b4 + white * 0.5329522;
    b5 = -0.7616 * b5 - white * 0.016898;
    signal[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362;
    b6 = white * 0.115926;
  }
  let sumOfSquares = 0;
  for (const value of signal) sumOfSquares += value * value;
  const gain = (32768 * 10 ** (dbfs / 20)) / Math.sqrt(sumOfSquares / samples);
  return Int16Array.from(signal, (value) => Math.max(-32768, Math.min(32767, Math.round(value * gain))));
}

/** A detected speech segment in ms; `stopMs` is undefined when speech lasts to the end of the input. */
export interface DetectedSegment {
  startMs: number;
  stopMs: number | undefined;
}

/** Feeds `pcm` to `analyzer` in frames of `frameSamples` (20 ms by default) and collects the segments. */
export async function detectSegments(
  analyzer: VADAnalyzer,
  pcm: Int16Array,
  frameSamples = analyzer.sampleRate / 50,
): Promise<DetectedSegment[]> {
  const segments: DetectedSegment[] = [];
  for (let offset = 0; offset < pcm.length; offset += frameSamples) {
    const result = await analyzer.analyze(pcm.subarray(offset, offset + frameSamples));
    for (const event of result.events) {
      if (event.type === 'started') segments.push({ startMs: event.startMs, stopMs: undefined });
      else segments[segments.length - 1]!.stopMs = event.stopMs;
    }
  }
  return segments;
}

/** One detected edge, compared with the labels. */
export interface CheckedEdge {
  type: 'start' | 'stop';
  atMs: number;
  /** Distance in ms to the nearest labelled speech edge of the same type. */
  errorMs: number;
  /** Whether the edge lies inside an ambiguous stretch (widened by the tolerance). */
  inAmbiguous: boolean;
}

/** Result of {@link checkSpeechEdges}. */
export interface EdgeCheck {
  ok: boolean;
  /** What failed, for the assertion message. */
  problems: string[];
  edges: CheckedEdge[];
  /** Largest error of the edges matched to a labelled edge, in ms. */
  maxErrorMs: number;
}

/**
 * Checks detected segments against hand labels, with `toleranceMs` on every edge:
 * - every detected start (stop) is within the tolerance of a labelled start (stop), or inside an
 *   ambiguous stretch widened by the tolerance;
 * - every labelled edge that a VAD with these parameters must find is found within the
 *   tolerance: the start and the stop of each run of speech separated from the next by a pause
 *   of at least `stopSecs` + 150 ms (shorter pauses may or may not split a segment) and lasting
 *   at least `startSecs` + 100 ms.
 * Each ambiguous stretch may be taken as speech or as silence: the check passes if some choice
 * satisfies both rules.
 */
export function checkSpeechEdges(
  segments: readonly DetectedSegment[],
  labels: SpeechLabels,
  params: { startSecs: number; stopSecs: number },
  toleranceMs = 100,
): EdgeCheck {
  const tolerance = toleranceMs / 1000;
  const detected: { type: 'start' | 'stop'; at: number }[] = [];
  for (const segment of segments) {
    detected.push({ type: 'start', at: segment.startMs / 1000 });
    if (segment.stopMs !== undefined) detected.push({ type: 'stop', at: segment.stopMs / 1000 });
  }
  const ambiguous = labels.ambiguous;
  const inAmbiguous = (at: number) =>
    ambiguous.some((s) => at >= s.from - tolerance && at <= s.to + tolerance);
  let best: EdgeCheck | undefined;
  for (let choice = 0; choice < 1 << ambiguous.length; choice++) {
    const regions = [...labels.speech, ...ambiguous.filter((_, i) => choice & (1 << i))].sort(
      (a, b) => a.from - b.from,
    );
    const problems: string[] = [];
    const edges: CheckedEdge[] = [];
    for (const { type, at } of detected) {
      const errorMs =
        Math.min(...regions.map((r) => Math.abs((type === 'start' ? r.from : r.to) - at))) * 1000;
      const edge = { type, atMs: at * 1000, errorMs, inAmbiguous: inAmbiguous(at) };
      edges.push(edge);
      if (errorMs > toleranceMs + 1e-6 && !edge.inAmbiguous) {
        problems.push(
          `${type} at ${at.toFixed(3)} s is ${errorMs.toFixed(0)} ms from the nearest labelled ${type}`,
        );
      }
    }
    const mustSplit = params.stopSecs + 0.15;
    const runs: LabelledStretch[] = [];
    for (const region of regions) {
      const last = runs[runs.length - 1];
      if (last !== undefined && region.from - last.to < mustSplit) last.to = Math.max(last.to, region.to);
      else runs.push({ ...region });
    }
    for (const run of runs) {
      if (run.to - run.from < params.startSecs + 0.1) continue;
      const required: ['start' | 'stop', number][] = [['start', run.from]];
      if (labels.durationSecs - run.to >= mustSplit) required.push(['stop', run.to]);
      for (const [type, at] of required) {
        const nearest = Math.min(...detected.filter((d) => d.type === type).map((d) => Math.abs(d.at - at)));
        if (!(nearest <= tolerance + 1e-6))
          problems.push(`labelled ${type} at ${at.toFixed(2)} s not detected`);
      }
    }
    const matched = edges.filter((e) => e.errorMs <= toleranceMs + 1e-6).map((e) => e.errorMs);
    const check = { ok: problems.length === 0, problems, edges, maxErrorMs: Math.max(0, ...matched) };
    if (
      best === undefined ||
      (check.ok && !best.ok) ||
      (check.ok === best.ok &&
        (check.ok ? check.maxErrorMs < best.maxErrorMs : check.problems.length < best.problems.length))
    ) {
      best = check;
    }
  }
  return best as EdgeCheck;
}

/** One line per edge, for assertion messages. */
export function describeEdges(check: EdgeCheck): string {
  return check.edges
    .map(
      (e) =>
        `${e.type} ${(e.atMs / 1000).toFixed(3)} s (${e.errorMs.toFixed(0)} ms${e.inAmbiguous ? ', ambiguous' : ''})`,
    )
    .join('\n');
}
