/**
 * Streaming resamplers behind one shape, Voxline's and its peers', each at a chosen quality:
 *
 * - Voxline `StreamResampler` (`'telephony'` or `'high'`), writing into a reused buffer;
 * - libsamplerate through `@alexanderolsen/libsamplerate-js` (WASM; its `full` streaming API,
 *   Float32 in and out, so the Int16 ↔ Float32 conversions are part of its cost, as in an application);
 * - the SpeexDSP resampler through `@echogarden/speex-resampler-wasm` (WASM SIMD build, its
 *   `process_int` API on 16-bit samples copied into and out of WASM memory);
 * - LiveKit's `AudioResampler` from `@livekit/rtc-node` (Rust over libsoxr, through FFI), handed a
 *   fresh copy of each chunk in a new `AudioFrame` (it ignores a typed array's `byteOffset`, so a view
 *   into a larger buffer would be read from the wrong place) and returning zero or more frames.
 *
 * `process` returns a view of a buffer the adapter reuses, valid until its next call; the view itself is
 * reused while the output length stays the same, so an adapter adds no allocation per call.
 */
import { createRequire } from 'node:module';
import type { SpeexResamplerModule } from '@echogarden/speex-resampler-wasm/simd';
import { type ResamplerQuality, StreamResampler } from '@voxline/audio';

/** A streaming mono resampler of 16-bit PCM. */
export interface BenchmarkResampler {
  readonly name: string;
  /** Resamples the next chunk; the result is a reused buffer's view, valid until the next call. */
  process(pcm: Int16Array): Int16Array;
  close(): void;
}

/** Creates one resampler per rate pair. */
export interface BenchmarkResamplerFactory {
  /** Library and setting, e.g. `speex q5 (WASM SIMD)`. */
  readonly name: string;
  /** The library, e.g. `@echogarden/speex-resampler-wasm@0.3.0`. */
  readonly library: string;
  create(inputRate: number, outputRate: number): Promise<BenchmarkResampler>;
}

const require = createRequire(import.meta.url);
/** Largest chunk in or out, in samples (LiveKit's bursts reach about 3000 at 48000 Hz). */
const MAX_SAMPLES = 16384;

/** `name@version` as pinned in benchmarks/package.json (not every package exports its package.json). */
function version(name: string): string {
  const pinned = (require('../package.json') as { dependencies: Record<string, string> }).dependencies[name];
  return `${name}@${pinned ?? 'unknown'}`;
}

/** Voxline's own `StreamResampler`. */
export function voxlineResampler(quality: ResamplerQuality): BenchmarkResamplerFactory {
  return {
    name: `voxline ${quality}`,
    library: '@voxline/audio',
    async create(inputRate, outputRate) {
      const resampler = new StreamResampler({ inputRate, outputRate, quality });
      // An output buffer of exactly the call's output length is filled and returned as is (a longer
      // one would be returned as a subarray view, one small allocation per call).
      let out = new Int16Array(0);
      return {
        name: `voxline ${quality}`,
        process(pcm) {
          const length = resampler.outputLength(pcm.length);
          if (out.length !== length) out = new Int16Array(length);
          return resampler.process(pcm, out);
        },
        close() {},
      };
    },
  };
}

type LibsamplerateConverter = 'best' | 'medium' | 'fastest';

/** libsamplerate's sinc converters (`SRC_SINC_BEST_QUALITY`, `_MEDIUM_QUALITY`, `_FASTEST`). */
export function libsamplerateResampler(converter: LibsamplerateConverter): BenchmarkResamplerFactory {
  const library = '@alexanderolsen/libsamplerate-js';
  return {
    name: `libsamplerate sinc-${converter} (WASM)`,
    library: version(library),
    async create(inputRate, outputRate) {
      const { create, ConverterType } = require(library) as typeof import('@alexanderolsen/libsamplerate-js');
      const converterType = {
        best: ConverterType.SRC_SINC_BEST_QUALITY,
        medium: ConverterType.SRC_SINC_MEDIUM_QUALITY,
        fastest: ConverterType.SRC_SINC_FASTEST,
      }[converter];
      const src = await create(1, inputRate, outputRate, { converterType });
      const input = new Float32Array(MAX_SAMPLES);
      let view = input.subarray(0, 0);
      const output = new Float32Array(MAX_SAMPLES);
      const written = { frames: 0 };
      const pcmOut = new Int16Array(MAX_SAMPLES);
      let outView = pcmOut.subarray(0, 0);
      return {
        name: `libsamplerate sinc-${converter}`,
        process(pcm) {
          if (view.length !== pcm.length) view = input.subarray(0, pcm.length);
          for (let i = 0; i < pcm.length; i++) view[i] = pcm[i]! / 32768;
          src.full(view, output, written);
          const count = written.frames;
          for (let i = 0; i < count; i++)
            pcmOut[i] = Math.min(32767, Math.max(-32768, Math.round(output[i]! * 32768)));
          if (outView.length !== count) outView = pcmOut.subarray(0, count);
          return outView;
        },
        close() {
          src.destroy();
        },
      };
    },
  };
}

let speexModule: Promise<SpeexResamplerModule> | undefined;

/** The SpeexDSP resampler at `quality` 0-10 (4 is its default, 10 its best). */
export function speexResampler(quality: number): BenchmarkResamplerFactory {
  const library = '@echogarden/speex-resampler-wasm';
  return {
    name: `speex q${quality} (WASM SIMD)`,
    library: version(library),
    async create(inputRate, outputRate) {
      speexModule ??= import('@echogarden/speex-resampler-wasm/simd').then((loaded) => loaded.default());
      const module = await speexModule;
      const error = module._malloc(4);
      const state = module._speex_resampler_init(1, inputRate, outputRate, quality, error);
      const inputPointer = module._malloc(MAX_SAMPLES * 2);
      const outputPointer = module._malloc(MAX_SAMPLES * 2);
      const inputLength = module._malloc(4);
      const outputLength = module._malloc(4);
      const pcmOut = new Int16Array(MAX_SAMPLES);
      let outView = pcmOut.subarray(0, 0);
      return {
        name: `speex q${quality}`,
        process(pcm) {
          // The HEAP views are read on every call: growing the WASM memory replaces them.
          module.HEAP16.set(pcm, inputPointer >> 1);
          module.HEAPU32[inputLength >> 2] = pcm.length;
          module.HEAPU32[outputLength >> 2] = MAX_SAMPLES;
          module._speex_resampler_process_int(
            state,
            0,
            inputPointer,
            inputLength,
            outputPointer,
            outputLength,
          );
          const count = module.HEAPU32[outputLength >> 2]!;
          const heap = module.HEAP16;
          const first = outputPointer >> 1;
          for (let i = 0; i < count; i++) pcmOut[i] = heap[first + i]!;
          if (outView.length !== count) outView = pcmOut.subarray(0, count);
          return outView;
        },
        close() {
          module._speex_resampler_destroy(state);
          for (const pointer of [error, inputPointer, outputPointer, inputLength, outputLength])
            module._free(pointer);
        },
      };
    },
  };
}

type LivekitQuality = 'QUICK' | 'LOW' | 'MEDIUM' | 'HIGH' | 'VERY_HIGH';

/** LiveKit's `AudioResampler` (libsoxr) at one of its quality settings (`MEDIUM` is its default). */
export function livekitResampler(quality: LivekitQuality): BenchmarkResamplerFactory {
  const library = '@livekit/rtc-node';
  return {
    name: `livekit ${quality} (native)`,
    library: version(library),
    async create(inputRate, outputRate) {
      const rtc = require(library) as typeof import('@livekit/rtc-node');
      const resampler = new rtc.AudioResampler(inputRate, outputRate, 1, rtc.AudioResamplerQuality[quality]);
      const pcmOut = new Int16Array(MAX_SAMPLES);
      return {
        name: `livekit ${quality}`,
        process(pcm) {
          const frames = resampler.push(new rtc.AudioFrame(pcm.slice(), inputRate, 1, pcm.length));
          let count = 0;
          for (const frame of frames) {
            pcmOut.set(frame.data.subarray(0, frame.samplesPerChannel), count);
            count += frame.samplesPerChannel;
          }
          return pcmOut.subarray(0, count);
        },
        close() {
          resampler.close();
        },
      };
    },
  };
}
