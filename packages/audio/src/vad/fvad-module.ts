import type { FvadModule } from '@echogarden/fvad-wasm';
import { VADError } from './vad-error.js';

let modulePromise: Promise<FvadModule> | undefined;

/**
 * The libfvad WebAssembly module (`@echogarden/fvad-wasm`, BSD-3-Clause), instantiated once per
 * process on first use and shared by every {@link WebRTCVADAnalyzer}: each analyzer owns only
 * its own VAD handle and frame buffer inside the module's heap.
 *
 * The package is an Emscripten ES module; in Node it reads `fvad.wasm` from its own directory
 * with `fs`, so no bundler or `locateFile` is needed.
 *
 * @throws {VADError} `vad-load-failed` (rejected) if the module cannot be loaded; the next
 *   call tries again.
 */
export function loadFvadModule(): Promise<FvadModule> {
  modulePromise ??= import('@echogarden/fvad-wasm')
    .then(({ default: createFvadModule }) => createFvadModule())
    .catch((error: unknown) => {
      modulePromise = undefined;
      throw new VADError('vad-load-failed', 'could not load the WebRTC VAD (libfvad) WebAssembly module', {
        cause: error,
      });
    });
  return modulePromise;
}
