import type { FvadModule } from '@echogarden/fvad-wasm';
import { loadFvadModule } from './fvad-module.js';
import { VADAnalyzer, type VADAnalyzerOptions } from './vad-analyzer.js';
import { VADError } from './vad-error.js';

/** Aggressiveness of the WebRTC VAD: 0 (least, most speech kept) to 3 (most, most noise rejected). */
export type WebRTCVADMode = 0 | 1 | 2 | 3;

/** Options of {@link WebRTCVADAnalyzer}. */
export interface WebRTCVADAnalyzerOptions extends VADAnalyzerOptions {
  /** 8000 or 16000 Hz. */
  sampleRate: 8000 | 16000;
  /** Aggressiveness 0-3. Default 3 (see {@link WebRTCVADAnalyzer}). */
  mode?: WebRTCVADMode;
  /** Analysis window (libfvad frame) duration: 10, 20 or 30 ms. Default 30 ms. */
  frameMs?: 10 | 20 | 30;
}

interface FvadResources {
  module: FvadModule;
  handle: number;
  framePointer: number;
}

// Frees the libfvad handle of an analyzer that was dropped without close(), so a forgotten
// close() on one call does not leak WebAssembly heap for the life of the process.
const forgottenHandles = new FinalizationRegistry<FvadResources>(freeResources);

/**
 * Voice activity detection with the WebRTC VAD (libfvad compiled to WebAssembly,
 * `@echogarden/fvad-wasm`, BSD-3-Clause): a Gaussian-mixture speech/noise classifier on
 * sub-band energies, no model file, no native dependency, a few µs per 20 ms frame. The default,
 * zero-model VAD; Silero (`@voxline/silero`) is more robust to noise.
 *
 * Each window is one libfvad frame of 10, 20 or 30 ms at 8000 or 16000 Hz; its confidence is
 * 1 (voice) or 0. libfvad smooths its own decisions with a short hang-over, and the
 * {@link VADParams} state machine smooths them further.
 *
 * Defaults, from the package tests on the shared recordings: 30 ms frames (with 20 ms frames a
 * speech edge on the spacewalk radio was 150 ms off; with 10 ms frames modes 0-1 took -40
 * dBFS pink noise for speech) and mode 3, libfvad's most aggressive, which rejects the most
 * noise (modes 0-3 found the same speech edges at 30 ms). It is an energy-and-spectrum detector,
 * not a speech model: it takes steady noise above the `minVolume` gate for speech (white noise
 * at -20 dBFS; the JFK recording's -41 dBFS tape hiss), so set `minVolume` a few dB above the
 * line's noise floor when there is one.
 *
 * Create with {@link WebRTCVADAnalyzer.create} (the WebAssembly module loads once per process);
 * call {@link close} when the stream ends.
 */
export class WebRTCVADAnalyzer extends VADAnalyzer {
  /** Aggressiveness in use. */
  readonly mode: WebRTCVADMode;
  #resources: FvadResources | undefined;

  private constructor(options: WebRTCVADAnalyzerOptions, module: FvadModule, windowSize: number) {
    super(options, { windowSize });
    this.mode = options.mode ?? 3;
    const handle = module._fvad_new();
    if (handle === 0) throw new VADError('vad-load-failed', 'libfvad could not allocate a VAD instance');
    const framePointer = module._malloc(windowSize * Int16Array.BYTES_PER_ELEMENT);
    const resources = { module, handle, framePointer };
    if (framePointer === 0 || module._fvad_set_sample_rate(handle, options.sampleRate) !== 0) {
      freeResources(resources);
      throw new VADError('vad-load-failed', 'libfvad could not be configured');
    }
    module._fvad_set_mode(handle, this.mode);
    this.#resources = resources;
    forgottenHandles.register(this, resources, this);
  }

  /**
   * Creates an analyzer, loading the WebAssembly module on first use.
   *
   * @throws {VADError} (rejected) `unsupported-vad-sample-rate` for a rate other than
   *   8000/16000 Hz or a frame other than 10/20/30 ms; `invalid-vad-params` for a mode
   *   outside 0-3 or invalid {@link VADParams}; `vad-load-failed` if the module cannot load.
   */
  static async create(options: WebRTCVADAnalyzerOptions): Promise<WebRTCVADAnalyzer> {
    const { sampleRate, mode = 3, frameMs = 30 } = options;
    if (sampleRate !== 8000 && sampleRate !== 16000) {
      throw new VADError(
        'unsupported-vad-sample-rate',
        `the WebRTC VAD runs at 8000 or 16000 Hz, got ${sampleRate}`,
      );
    }
    if (frameMs !== 10 && frameMs !== 20 && frameMs !== 30) {
      throw new VADError(
        'unsupported-vad-sample-rate',
        `the WebRTC VAD takes 10, 20 or 30 ms frames, got ${frameMs}`,
      );
    }
    if (!(mode === 0 || mode === 1 || mode === 2 || mode === 3)) {
      throw new VADError('invalid-vad-params', `WebRTC VAD mode must be 0, 1, 2 or 3, got ${mode}`);
    }
    const module = await loadFvadModule();
    return new WebRTCVADAnalyzer({ ...options, mode, frameMs }, module, (sampleRate * frameMs) / 1000);
  }

  protected override voiceConfidence(window: Int16Array): number {
    const resources = this.#resources;
    if (resources === undefined) throw new VADError('vad-closed', 'VAD analyzer used after close()');
    const { module, handle, framePointer } = resources;
    module.HEAP16.set(window, framePointer >> 1);
    const verdict = module._fvad_process(handle, framePointer, window.length);
    if (verdict < 0)
      throw new VADError('vad-inference-failed', `libfvad rejected a frame of ${window.length} samples`);
    return verdict;
  }

  protected override resetModel(): void {
    if (this.#resources === undefined) return;
    const { module, handle } = this.#resources;
    // fvad_reset also restores the default mode and sample rate, so set them again.
    module._fvad_reset(handle);
    module._fvad_set_sample_rate(handle, this.sampleRate);
    module._fvad_set_mode(handle, this.mode);
  }

  protected override releaseResources(): void {
    if (this.#resources === undefined) return;
    forgottenHandles.unregister(this);
    freeResources(this.#resources);
    this.#resources = undefined;
  }
}

function freeResources({ module, handle, framePointer }: FvadResources): void {
  if (framePointer !== 0) module._free(framePointer);
  if (handle !== 0) module._fvad_free(handle);
}
