/**
 * One `pocketsphinx_continuous` process that recognizes one speech segment: raw 16-bit PCM at
 * 16000 Hz in host byte order on its stdin (`-infile /dev/stdin`; a name not ending in `.wav` is
 * read as raw samples, `-input_endian` says their order), hypotheses on its stdout, one line per
 * utterance it finds. It is spawned when the caller starts speaking, before the segment is
 * complete, so the en-US model (about a second to load) is ready by the time the caller stops;
 * the segment is written and stdin closed, and the process prints what it heard and exits.
 *
 * The program runs behind `sh -c 'cat | …'`: Node gives a child's stdin as a socket, which
 * `/dev/stdin` cannot be opened on, so `cat` moves the audio to a real pipe. The shell and both
 * programs form their own process group, killed together.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { endianness } from 'node:os';
import { PocketsphinxError } from './pocketsphinx-error.js';

/** See the module comment. */
export class PocketsphinxProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  /** The transcript once the process exits; rejects if it cannot start or exits with an error. */
  readonly #transcript: Promise<string>;

  /**
   * Spawns the process at once.
   *
   * @param program the recognizer, e.g. `pocketsphinx_continuous`.
   * @param extraArguments more arguments, e.g. `-hmm`, `-lm`, `-dict` for another model.
   */
  readonly #program: string;
  constructor(program: string, extraArguments: readonly string[]) {
    this.#program = program;
    this.#child = spawn(
      'sh',
      [
        '-c',
        'cat | exec "$0" "$@"',
        program,
        '-infile',
        '/dev/stdin',
        '-input_endian',
        endianness() === 'LE' ? 'little' : 'big',
        '-logfn',
        '/dev/null',
        ...extraArguments,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], detached: true },
    );
    // A process that died before its input was written reports it through its exit.
    this.#child.stdin.on('error', () => {});
    this.#transcript = this.#collectTranscript();
    // A process never given a segment (the call ended first) must not leave an unhandled rejection.
    this.#transcript.catch(() => {});
  }

  /**
   * Recognizes `audio` (mono, 16000 Hz) and resolves with the words heard, space-separated (empty
   * when none). One call per process.
   *
   * @throws PocketsphinxError `recognizer-failed` with the exit code and stderr (rejected; a missing program exits with 127 and
   *   the shell's "not found"), or the signal's reason if `signal` aborts first (the process is
   *   killed).
   */
  recognize(audio: Int16Array, signal: AbortSignal): Promise<string> {
    if (signal.aborted) {
      this.kill();
      return Promise.reject(signal.reason);
    }
    // `signal` lives as long as the call, across many segments: the listener must go when this
    // segment is done, or every turn would leave one behind.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        this.kill();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    this.#child.stdin.end(Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength));
    return Promise.race([this.#transcript, aborted]).finally(() => {
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    });
  }

  /** Stops the process (its whole group) if it is still running. */
  kill(): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  #collectTranscript(): Promise<string> {
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      this.#child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      this.#child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      this.#child.on('error', reject);
      this.#child.on('close', (code, signal) => {
        if (code !== 0) {
          const how = code === null ? `was killed (${signal})` : `exited with code ${code}`;
          reject(
            new PocketsphinxError(`${this.#program} ${how}: ${stderr.trim().slice(0, 300)}`, code, signal),
          );
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
