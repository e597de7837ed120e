/**
 * Speech-to-text with CMU pocketsphinx, offline, through its command-line program
 * `pocketsphinx_continuous` (Debian packages `pocketsphinx` and `pocketsphinx-en-us`, BSD-2).
 * The program is run as a separate process per speech segment, so nothing of it is bundled.
 *
 * Accuracy is that of a 2015 small-vocabulary engine on telephone audio: rough. It is here so an
 * agent runs with no network and no keys; use a cloud STT for real calls.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamResampler, writeWav } from '@voxline/audio';
import { SegmentedSTTService, type SegmentedSTTServiceOptions, type Transcript } from '@voxline/core';

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
}

/**
 * A {@link SegmentedSTTService} on pocketsphinx. Each segment is converted to 16000 Hz (the
 * en-US model's rate), written to a temporary WAV file and recognized by a new
 * `pocketsphinx_continuous -infile` process; its printed hypotheses are the transcript. The
 * process is killed when the pipeline is cancelled.
 *
 * @throws ServiceError-classified Error (rejected from `transcribe`) if the program is missing or
 *   fails; check {@link isPocketsphinxInstalled} first.
 */
export class PocketsphinxSTTService extends SegmentedSTTService {
  private readonly program: string;
  private readonly extraArguments: readonly string[];
  private readonly directory = mkdtempSync(join(tmpdir(), 'voxline-pocketsphinx-'));
  private segments = 0;

  constructor(options: PocketsphinxSTTServiceOptions = {}) {
    super(options);
    this.program = options.program ?? POCKETSPHINX_PROGRAM;
    this.extraArguments = options.extraArguments ?? [];
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
    const path = join(this.directory, `segment-${++this.segments}.wav`);
    writeWav({ samples: audio, sampleRate: 16000, numChannels: 1 }, path);
    try {
      const text = await this.recognize(path, signal);
      // Speech the VAD heard but the recognizer could not make out still gets a reply.
      return { text: text.length > 0 ? text : UNRECOGNIZED_SPEECH, language: 'en-US' };
    } finally {
      rmSync(path, { force: true });
    }
  }

  override async cleanup(): Promise<void> {
    await super.cleanup();
    rmSync(this.directory, { recursive: true, force: true });
  }

  private recognize(path: string, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.program, ['-infile', path, '-logfn', '/dev/null', ...this.extraArguments], {
        stdio: ['ignore', 'pipe', 'pipe'],
        signal,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('error', (error) => reject(error));
      child.on('close', (code) => {
        if (code !== 0) {
          reject(new Error(`${this.program} exited with code ${code}: ${stderr.trim().slice(0, 300)}`));
          return;
        }
        resolve(
          stdout
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line.length > 0)
            .join(' '),
        );
      });
    });
  }
}
