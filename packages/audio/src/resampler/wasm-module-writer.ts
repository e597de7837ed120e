/**
 * A minimal writer of WebAssembly binary modules (https://webassembly.github.io/spec/core/binary/),
 * enough for one exported function over one exported memory: the resampler's SIMD kernel is written
 * with it instruction by instruction, so the project ships no compiled binary and needs no compiler.
 * SIMD opcodes are those of the WebAssembly SIMD specification
 * (https://github.com/WebAssembly/simd/blob/main/proposals/simd/BinarySIMD.md).
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

/** Signed LEB128 of a 32-bit integer. */
function signed(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

function vector(items: number[][]): number[] {
  return [...unsigned(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsigned(content.length), ...content];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsigned(bytes.length), ...bytes];
}

/** Builds a function body instruction by instruction; each method appends one instruction. */
export class FunctionBody {
  readonly bytes: number[] = [];

  #op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }

  #simd(opcode: number, ...immediates: number[]): this {
    return this.#op(0xfd, ...unsigned(opcode), ...immediates);
  }

  // Control
  block(): this {
    return this.#op(0x02, 0x40);
  }
  loop(): this {
    return this.#op(0x03, 0x40);
  }
  if(): this {
    return this.#op(0x04, 0x40);
  }
  else(): this {
    return this.#op(0x05);
  }
  end(): this {
    return this.#op(0x0b);
  }
  br(depth: number): this {
    return this.#op(0x0c, ...unsigned(depth));
  }
  brIf(depth: number): this {
    return this.#op(0x0d, ...unsigned(depth));
  }

  // Locals
  get(index: number): this {
    return this.#op(0x20, ...unsigned(index));
  }
  set(index: number): this {
    return this.#op(0x21, ...unsigned(index));
  }

  // Memory (alignment hint 0: the kernel's vector loads are unaligned)
  i32Load(offset = 0): this {
    return this.#op(0x28, 2, ...unsigned(offset));
  }
  f32Load(offset = 0): this {
    return this.#op(0x2a, 2, ...unsigned(offset));
  }
  i32Store(offset = 0): this {
    return this.#op(0x36, 2, ...unsigned(offset));
  }
  i32Store16(offset = 0): this {
    return this.#op(0x3b, 1, ...unsigned(offset));
  }
  v128Load(offset = 0): this {
    return this.#simd(0x00, 0, ...unsigned(offset));
  }

  // Constants
  i32Const(value: number): this {
    return this.#op(0x41, ...signed(value));
  }
  f32Const(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.#op(0x43, ...bytes);
  }
  v128Zero(): this {
    return this.#simd(0x0c, ...new Array<number>(16).fill(0));
  }

  // i32 arithmetic and comparison
  i32Add(): this {
    return this.#op(0x6a);
  }
  i32Sub(): this {
    return this.#op(0x6b);
  }
  i32Mul(): this {
    return this.#op(0x6c);
  }
  i32Shl(): this {
    return this.#op(0x74);
  }
  i32ShrS(): this {
    return this.#op(0x75);
  }
  i32LtS(): this {
    return this.#op(0x48);
  }
  i32GeS(): this {
    return this.#op(0x4e);
  }

  // f32
  f32Add(): this {
    return this.#op(0x92);
  }
  f32Nearest(): this {
    return this.#op(0x90);
  }
  f32Min(): this {
    return this.#op(0x96);
  }
  f32Max(): this {
    return this.#op(0x97);
  }
  i32TruncF32S(): this {
    return this.#op(0xa8);
  }

  // SIMD
  f32x4Add(): this {
    return this.#simd(0xe4);
  }
  f32x4Mul(): this {
    return this.#simd(0xe6);
  }
  f32x4ExtractLane(lane: number): this {
    return this.#simd(0x1f, lane);
  }
}

/** One function's signature, extra locals and body. */
export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** Types of the locals after the parameters, in order. */
  locals: number[];
  body: FunctionBody;
}

/** A module of one exported function and one exported memory named `memory` of `pages` 64 KiB pages. */
export function writeWasmModule(fn: WasmFunction, pages: number): Uint8Array {
  const type = [0x60, ...vector(fn.params.map((t) => [t])), ...vector(fn.results.map((t) => [t]))];
  const locals = vector(fn.locals.map((t) => [1, t]));
  const body = [...locals, ...fn.body.bytes, 0x0b];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([type])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x00, ...unsigned(pages)]])),
    ...section(
      7,
      vector([
        [...name(fn.name), 0x00, 0],
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(10, vector([[...unsigned(body.length), ...body]])),
  ]);
}
