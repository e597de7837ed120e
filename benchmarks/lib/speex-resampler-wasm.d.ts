/**
 * Types for the parts of `@echogarden/speex-resampler-wasm` (an Emscripten build of the SpeexDSP
 * resampler, which ships no declarations) that the benchmarks call.
 */
declare module '@echogarden/speex-resampler-wasm/simd' {
  /** The instantiated module: WASM memory views and the exported C functions. */
  export interface SpeexResamplerModule {
    HEAP16: Int16Array;
    HEAPU32: Uint32Array;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    _speex_resampler_init(
      channels: number,
      inRate: number,
      outRate: number,
      quality: number,
      error: number,
    ): number;
    _speex_resampler_process_int(
      state: number,
      channel: number,
      input: number,
      inputLength: number,
      output: number,
      outputLength: number,
    ): number;
    _speex_resampler_destroy(state: number): void;
  }
  const createSpeexResampler: () => Promise<SpeexResamplerModule>;
  export default createSpeexResampler;
}
