// Types for the Emscripten module of @echogarden/rnnoise-wasm 0.2.0, which ships none. Only the
// exports the RNNoise filter uses are declared (see rnnoise.js in the package).
declare module '@echogarden/rnnoise-wasm' {
  /** An instantiated RNNoise WebAssembly module. Pointers are byte offsets into its heap. */
  export interface RNNoiseModule {
    /** View of the module's heap; replaced when the heap grows, so read it after every allocation. */
    readonly HEAPF32: Float32Array;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    /** Samples per frame: 480 (10 ms at 48000 Hz). */
    _rnnoise_get_frame_size(): number;
    /** A new denoiser state with the built-in model (pass 0), or 0 when out of memory. */
    _rnnoise_create(model: number): number;
    _rnnoise_destroy(state: number): void;
    /**
     * Denoises one frame of 480 floats in 16-bit sample units (in place allowed); returns the
     * probability of voice in it.
     */
    _rnnoise_process_frame(state: number, output: number, input: number): number;
  }

  /** Instantiates the module (loads rnnoise.wasm next to rnnoise.js). */
  const createRNNoiseModule: (moduleArg?: Record<string, unknown>) => Promise<RNNoiseModule>;
  export default createRNNoiseModule;
}
