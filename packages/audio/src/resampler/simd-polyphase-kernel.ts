import type { ResamplerDesign } from './resampler-design.js';
import { F32, FunctionBody, I32, V128, writeWasmModule } from './wasm-module-writer.js';

/**
 * The parts of the WebAssembly JavaScript API used here, typed locally: the project compiles without
 * the DOM library, where TypeScript declares them.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
}
type WasmModule = { readonly kind: 'module' };
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** New input is taken in blocks of at most this many samples, so any input length fits the fixed memory. */
export const SIMD_BLOCK_LENGTH = 2048;

/**
 * The polyphase filter as a WebAssembly SIMD function, for every ratio.
 *
 * Output `j` sits at `j·M` on the L-times-upsampled grid: its newest input is `⌊j·M / L⌋` and it uses
 * polyphase branch `p = j·M mod L`, the taps `h[p], h[p+L], h[p+2L] ...` of the prototype. Each branch
 * is stored reversed and contiguous in single precision (the phase table, its width rounded up to a
 * multiple of 16 with zero taps), so an output is one dot product over the newest `width` inputs, four
 * taps per instruction (`f32x4.mul` / `f32x4.add`) into four independent vector sums, so that the
 * additions do not wait on each other; the sums are added pairwise at the end, then their lanes.
 * The step to the next output's branch and input is a table lookup per branch. A branch that holds a
 * single tap equal to 1 (the centre branch of a Nyquist interpolator: every other output at 2×)
 * copies its input. Each output is computed alone, in a fixed order, so the result does not depend
 * on how the input was chunked.
 *
 * Rounding: to the nearest integer, halves to even (`f32.nearest`), then saturated to −32768..32767.
 *
 * Memory (one instance per resampler): the state (branch and input position), the per-branch tables,
 * the phase table, the signal (history then one block of new input, as f32) and one block of output.
 */
export class SimdPolyphaseKernel {
  /** Input samples before the newest one that an output depends on. */
  readonly historyLength: number;
  readonly #process: (...pointers: number[]) => number;
  readonly #width: number;
  readonly #signal: Float32Array;
  readonly #output: Int16Array;
  readonly #state: Int32Array;
  readonly #pointers: {
    signal: number;
    output: number;
    state: number;
    table: number;
    copy: number;
    step: number;
    next: number;
  };

  constructor(design: ResamplerDesign) {
    const { prototype, upFactor, downFactor } = design;
    const width = Math.ceil(prototype.length / upFactor / 16) * 16;
    this.#width = width;
    this.historyLength = width - 1;
    const maxOutputs = Math.ceil((SIMD_BLOCK_LENGTH * upFactor) / downFactor) + 1;

    // Byte layout, every region 16-byte aligned.
    const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
    const state = 0;
    const copy = 16;
    const step = copy + align(4 * upFactor);
    const next = step + align(4 * upFactor);
    const table = next + align(4 * upFactor);
    const signal = table + align(4 * upFactor * width);
    const output = signal + align(4 * (this.historyLength + SIMD_BLOCK_LENGTH));
    const end = output + align(2 * maxOutputs);
    this.#pointers = { signal, output, state, table, copy, step, next };

    const instance = new wasm.Instance(kernelModule(), {});
    const memory = instance.exports.memory as WasmMemory;
    const pages = Math.ceil(end / 65536);
    if (pages > 1) memory.grow(pages - 1);
    this.#process = instance.exports.process as (...pointers: number[]) => number;
    const buffer = memory.buffer;
    this.#state = new Int32Array(buffer, state, 2);
    this.#signal = new Float32Array(buffer, signal, this.historyLength + SIMD_BLOCK_LENGTH);
    this.#output = new Int16Array(buffer, output, maxOutputs);

    const phaseTable = new Float32Array(buffer, table, upFactor * width);
    const copyIndex = new Int32Array(buffer, copy, upFactor);
    const inputStep = new Int32Array(buffer, step, upFactor);
    const nextPhase = new Int32Array(buffer, next, upFactor);
    for (let phase = 0; phase < upFactor; phase++) {
      let nonZero = 0;
      let lastNonZero = -1;
      for (let t = 0; t < width; t++) {
        const tap = prototype[phase + upFactor * (width - 1 - t)] ?? 0;
        phaseTable[phase * width + t] = tap;
        if (tap !== 0) {
          nonZero++;
          lastNonZero = t;
        }
      }
      copyIndex[phase] = nonZero === 1 && phaseTable[phase * width + lastNonZero] === 1 ? lastNonZero : -1;
      inputStep[phase] = Math.floor((phase + downFactor) / upFactor);
      nextPhase[phase] = (phase + downFactor) % upFactor;
    }
  }

  /**
   * Resamples `count` (at most {@link SIMD_BLOCK_LENGTH}) new samples `pcm[start .. start + count)`,
   * writing the outputs from `out[outOffset]` (the caller has checked the room). Returns their number.
   */
  process(pcm: Int16Array, start: number, count: number, out: Int16Array, outOffset: number): number {
    const signal = this.#signal;
    const history = this.historyLength;
    for (let i = 0; i < count; i++) signal[history + i] = pcm[start + i]!;
    const p = this.#pointers;
    const produced = this.#process(
      p.signal,
      count,
      p.output,
      p.state,
      p.table,
      this.#width,
      p.copy,
      p.step,
      p.next,
    );
    const output = this.#output;
    for (let i = 0; i < produced; i++) out[outOffset + i] = output[i]!;
    signal.copyWithin(0, count, count + history);
    return produced;
  }

  /** Forgets the stream: silent history, first branch, first input. */
  reset(): void {
    this.#signal.fill(0);
    this.#state.fill(0);
  }
}

let compiled: WasmModule | undefined;

/** The kernel's module, compiled once per process (synchronously: it is a few hundred bytes). */
function kernelModule(): WasmModule {
  compiled ??= new wasm.Module(kernelBinary());
  return compiled;
}

// Parameters of `process`, then its locals, by index.
const SIGNAL = 0;
const COUNT = 1;
const OUT = 2;
const STATE = 3;
const TABLE = 4;
const WIDTH = 5;
const COPY = 6;
const STEP = 7;
const NEXT = 8;
const PHASE = 9;
const NEWEST = 10;
const OUTPUT = 11;
const TAP_INDEX = 12;
const COPY_INDEX = 13;
const TAP = 14;
const WINDOW = 15;
const SUMS = 16; // four v128 partial sums: 16..19
const SUM = 20;

/**
 * `process(signal, count, out, state, table, width, copy, step, next) → outputs`, all byte addresses:
 * produces every output whose newest input is among the `count` new samples at
 * `signal[history ..]`, as 16-bit samples at `out`, and leaves the branch and the next output's newest
 * input (relative to the next block) in `state`.
 */
function kernelBinary(): Uint8Array {
  const body = new FunctionBody();
  const entryOf = (base: number) => body.get(base).get(PHASE).i32Const(2).i32Shl().i32Add();
  body.get(STATE).i32Load(0).set(PHASE);
  body.get(STATE).i32Load(4).set(NEWEST);
  body.get(OUT).set(OUTPUT);
  body.block().loop(); // one output per turn
  body.get(NEWEST).get(COUNT).i32GeS().brIf(1);
  entryOf(COPY).i32Load().set(COPY_INDEX);
  body.get(COPY_INDEX).i32Const(0).i32GeS().if();
  // A copy branch: the input sample itself (already an integer).
  body.get(SIGNAL).get(NEWEST).get(COPY_INDEX).i32Add().i32Const(2).i32Shl().i32Add().f32Load().set(SUM);
  body.else();
  for (let k = 0; k < 4; k++) body.v128Zero().set(SUMS + k);
  body.get(TABLE).get(PHASE).get(WIDTH).i32Mul().i32Const(2).i32Shl().i32Add().set(TAP);
  body.get(SIGNAL).get(NEWEST).i32Const(2).i32Shl().i32Add().set(WINDOW);
  body.i32Const(0).set(TAP_INDEX);
  body.loop(); // sixteen taps per turn, into four independent partial sums
  for (let k = 0; k < 4; k++) {
    body
      .get(SUMS + k)
      .get(TAP)
      .v128Load(16 * k)
      .get(WINDOW)
      .v128Load(16 * k)
      .f32x4Mul()
      .f32x4Add()
      .set(SUMS + k);
  }
  body.get(TAP).i32Const(64).i32Add().set(TAP);
  body.get(WINDOW).i32Const(64).i32Add().set(WINDOW);
  body.get(TAP_INDEX).i32Const(16).i32Add().set(TAP_INDEX);
  body.get(TAP_INDEX).get(WIDTH).i32LtS().brIf(0);
  body.end();
  body
    .get(SUMS)
    .get(SUMS + 1)
    .f32x4Add()
    .get(SUMS + 2)
    .get(SUMS + 3)
    .f32x4Add()
    .f32x4Add()
    .set(SUMS);
  body.get(SUMS).f32x4ExtractLane(0).get(SUMS).f32x4ExtractLane(1).f32Add();
  body.get(SUMS).f32x4ExtractLane(2).get(SUMS).f32x4ExtractLane(3).f32Add();
  body.f32Add().set(SUM);
  body.end();
  body.get(OUTPUT);
  body.get(SUM).f32Nearest().f32Const(-32768).f32Max().f32Const(32767).f32Min().i32TruncF32S();
  body.i32Store16();
  body.get(OUTPUT).i32Const(2).i32Add().set(OUTPUT);
  body.get(NEWEST);
  entryOf(STEP).i32Load();
  body.i32Add().set(NEWEST);
  entryOf(NEXT).i32Load().set(PHASE);
  body.br(0);
  body.end().end();
  body.get(STATE).get(PHASE).i32Store(0);
  body.get(STATE).get(NEWEST).get(COUNT).i32Sub().i32Store(4);
  body.get(OUTPUT).get(OUT).i32Sub().i32Const(1).i32ShrS();
  return writeWasmModule(
    {
      name: 'process',
      params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
      results: [I32],
      locals: [I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, F32],
      body,
    },
    1,
  );
}
