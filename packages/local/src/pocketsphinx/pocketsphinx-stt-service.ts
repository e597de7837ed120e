/**
 * Speech-to-text with CMU pocketsphinx, offline, through its command-line program
 * `pocketsphinx_continuous` (Debian packages `pocketsphinx` and `pocketsphinx-en-us`, BSD-2).
 * The program is run as a separate process per speech segment, so nothing of it is bundled. A
 * segment's process is started when the caller starts speaking, so its model has loaded by the
 * time the segment ends; a call in which nobody speaks starts no process at all.
 *
 * Accuracy is that of a 2015 small-vocabulary engine on telephone audio: rough. It is here so an
 * agent runs with no network and no keys; use a cloud STT for real calls.
 */
import { spawnSync } from 'node:child_process';
import { StreamResampler } from '@voxline/audio';
import {
  InvalidOptionError,
  SegmentedSTTService,
  type SegmentedSTTServiceOptions,
  type Transcript,
} from '@voxline/core';
import { DEFAULT_NOISE_FLOOR_DBFS, withNoiseFloor } from './noise-floor.js';
import { writePhraseGrammar } from './phrase-grammar.js';
import { PocketsphinxProcess } from './pocketsphinx-process.js';

/** The transcript of a segment pocketsphinx recognized no words in. */
export const UNRECOGNIZED_SPEECH = '(speech heard; no words recognized)';

/** The recognizer's program name. */
export const POCKETSPHINX_PROGRAM = 'pocketsphinx_continuous';

/** Whether `pocketsphinx_continuous` can be run on this machine. */
export function isPocketsphinxInstalled(program = POCKETSPHINX_PROGRAM): boolean {
  const result = spawnSync(program, ['-h'], { stdio: 'ignore', timeout: 5000 });
  return result.error === undefined;
}

/** Options of {@link PocketsphinxSTTService}. */
export interface PocketsphinxSTTServiceOptions extends SegmentedSTTServiceOptions {
  /** The program to run; default `pocketsphinx_continuous` from PATH. */
  program?: string;
  /** Extra arguments (e.g. `-hmm`, `-lm`, `-dict` for another model). */
  extraArguments?: readonly string[];
  /**
   * Recognize only these phrases (lowercase words separated by spaces, each in the en-US
   * dictionary), through a JSGF grammar (`-jsgf`); default none (the whole vocabulary). Speech that
   * matches no phrase well enough gives {@link UNRECOGNIZED_SPEECH}.
   *
   * @throws PhraseGrammarError (from the constructor) if a phrase is not lowercase words.
   */
  phrases?: readonly string[];
  /**
   * Level in dBFS of the white noise added to each segment before recognition, so the empty band
   * above 4000 Hz of telephone audio looks like a recording's noise floor to the 16000 Hz model
   * (see `noise-floor.ts`); default -60. `null` adds none.
   *
   * @throws {InvalidOptionError} (from the constructor) if it is not below 0.
   */
  noiseFloorDbfs?: number | null;
}

/**
 * Processes started ahead and not yet given a segment, at most. One is the segment being spoken;
 * the second covers a caller who starts the next segment while the previous one still waits for
 * its turn to be recognized. More would only be processes started for segments that turned out
 * empty.
 */
const MAX_WARM_PROCESSES = 2;

/**
 * A {@link SegmentedSTTService} on pocketsphinx. Each segment is converted to 16000 Hz (the
 * en-US model's rate) and recognized by its own `pocketsphinx_continuous` process (three
 * processes: `sh`, `cat` and the recognizer). The process is started when the VAD (or the turn)
 * says the user started speaking, so it loads its model while the caller talks, and the segment
 * is handed to it when the caller stops; a segment with no process waiting (cut at
 * `maxSegmentMs`) starts one then. Nothing is started when the pipeline starts, so a silent or
 * idle call costs no process. Its printed hypotheses are the transcript. Processes are killed when
 * the pipeline ends or is cancelled.
 *
 * @throws (rejected from `transcribe`, reported as a `ServiceError`) Node's spawn error if the
 *   program cannot be started, a `PocketsphinxError` (`recognizer-failed`) if it fails; check
 *   {@link isPocketsphinxInstalled} first.
 */
export class PocketsphinxSTTService extends SegmentedSTTService {
  readonly #program: string;
  readonly #extraArguments: readonly string[];
  readonly #noiseFloorDbfs: number | null;
  /** Processes started at speech start, loading their model, oldest first; see {@link MAX_WARM_PROCESSES}. */
  readonly #warm: PocketsphinxProcess[] = [];
  #started = 0;

  constructor(options: PocketsphinxSTTServiceOptions = {}) {
    super(options);
    this.#program = options.program ?? POCKETSPHINX_PROGRAM;
    const grammar = options.phrases === undefined ? [] : ['-jsgf', writePhraseGrammar(options.phrases)];
    this.#extraArguments = [...grammar, ...(options.extraArguments ?? [])];
    this.#noiseFloorDbfs =
      options.noiseFloorDbfs === undefined ? DEFAULT_NOISE_FLOOR_DBFS : options.noiseFloorDbfs;
    if (this.#noiseFloorDbfs !== null && !(this.#noiseFloorDbfs < 0)) {
      throw new InvalidOptionError(
        'noiseFloorDbfs',
        `noiseFloorDbfs must be below 0 dBFS or null, got ${this.#noiseFloorDbfs}`,
      );
    }
  }

  /** How many recognizer processes this service has started (one per speech segment, at most). */
  get processesStarted(): number {
    return this.#started;
  }

  protected override onSpeechStarted(): void {
    super.onSpeechStarted();
    const state = this.connectionState;
    if ((state === 'open' || state === 'connecting') && this.#warm.length < MAX_WARM_PROCESSES) {
      this.#warm.push(this.#startProcess());
    }
  }

  protected override async transcribe(
    pcm: Int16Array,
    sampleRate: number,
    signal: AbortSignal,
  ): Promise<Transcript> {
    let audio = pcm;
    if (sampleRate !== 16000) {
      const resampler = new StreamResampler({ inputRate: sampleRate, outputRate: 16000 });
      const head = resampler.process(pcm);
      const tail = resampler.flush();
      audio = new Int16Array(head.length + tail.length);
      audio.set(head);
      audio.set(tail, head.length);
    }
    if (this.#noiseFloorDbfs !== null) audio = withNoiseFloor(audio, this.#noiseFloorDbfs);
    const recognizer = this.#warm.shift() ?? this.#startProcess();
    const text = await recognizer.recognize(audio, signal);
    // Speech the VAD heard but the recognizer could not make out still gets a reply.
    return { text: text.length > 0 ? text : UNRECOGNIZED_SPEECH, language: 'en-US' };
  }

  protected override async disconnect(): Promise<void> {
    await super.disconnect();
    this.#stopWarmProcesses();
  }

  override async cleanup(): Promise<void> {
    await super.cleanup();
    this.#stopWarmProcesses();
  }

  #startProcess(): PocketsphinxProcess {
    this.#started++;
    return new PocketsphinxProcess(this.#program, this.#extraArguments);
  }

  #stopWarmProcesses(): void {
    for (const recognizer of this.#warm.splice(0)) recognizer.kill();
  }
}
