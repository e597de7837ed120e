// Types for the Emscripten module of @echogarden/fvad-wasm 0.2.0, which ships none. Only the
// exports the WebRTC VAD analyzer uses are declared (see fvad.js in the package).
declare module '@echogarden/fvad-wasm' {
  /** An instantiated libfvad WebAssembly module. Pointers are byte offsets into its heap. */
  export interface FvadModule {
    /** View of the module's heap; replaced when the heap grows, so read it after every allocation. */
    readonly HEAP16: Int16Array;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    /** Returns a new VAD instance (mode 0, 8000 Hz), or 0 when out of memory. */
    _fvad_new(): number;
    _fvad_free(handle: number): void;
    _fvad_reset(handle: number): void;
    /** Mode 0-3; returns 0, or -1 for an invalid mode. */
    _fvad_set_mode(handle: number, mode: number): number;
    /** 8000, 16000, 32000 or 48000 Hz; returns 0, or -1 for an invalid rate. */
    _fvad_set_sample_rate(handle: number, sampleRate: number): number;
    /** 10, 20 or 30 ms of int16 samples; returns 1 (voice), 0 (no voice) or -1 (invalid frame length). */
    _fvad_process(handle: number, framePointer: number, length: number): number;
  }

  /** Instantiates the module (loads fvad.wasm next to fvad.js). */
  const createFvadModule: (moduleArg?: Record<string, unknown>) => Promise<FvadModule>;
  export default createFvadModule;
}
