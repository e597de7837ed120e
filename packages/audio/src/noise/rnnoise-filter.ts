/**
 * `RNNoiseFilter`: removes background noise from the caller's audio with RNNoise (a recurrent
 * network trained on speech and noise, https://github.com/xiph/rnnoise, BSD-3-Clause), through
 * `@echogarden/rnnoise-wasm` (BSD-3-Clause, WebAssembly; the module loads once per process).
 *
 * RNNoise works on 10 ms frames at 48000 Hz, so the filter resamples each input frame to 48 kHz,
 * denoises whole 10 ms frames, and resamples back to the frame's own rate. Every output frame has
 * exactly as many samples as its input frame; the audio is late by a fixed delay: 12 ms of queueing
 * ({@link RNNoiseFilter.delayMs}: a whole 10 ms frame, and 2 ms of margin for the resamplers'
 * variable output), 10 ms inside RNNoise and about 3 ms in the two resamplers' filters; measured
 * at 16 kHz: 24.75 ms in all, the same for 10, 20 and 30 ms frames.
 * It can be turned off and on per call and at runtime ({@link RNNoiseFilter.enabled}); off, frames
 * pass through untouched and the denoiser restarts from silence when turned on again.
 */
import createRNNoiseModule, { type RNNoiseModule } from '@echogarden/rnnoise-wasm';
import {
  type Frame,
  FrameDirection,
  FrameProcessor,
  type FrameProcessorOptions,
  InputAudioRawFrame,
} from '@voxline/core';
import { InvalidAudioArgumentError } from '../errors.js';
import { saturateInt16 } from '../levels/saturate.js';
import { isResamplerSampleRate } from '../resampler/resampler-design.js';
import { StreamResampler } from '../resampler/stream-resampler.js';

let modulePromise: Promise<RNNoiseModule> | undefined;

/** Loads the RNNoise WebAssembly module once per process; a failed load is retried next time. */
function loadRNNoiseModule(): Promise<RNNoiseModule> {
  modulePromise ??= createRNNoiseModule().catch((error: unknown) => {
    modulePromise = undefined;
    throw error;
  });
  return modulePromise;
}

/** Samples per RNNoise frame: 10 ms at 48000 Hz. */
const FRAME = 480;

/** Options of {@link RNNoiseFilter.create}. */
export interface RNNoiseFilterOptions extends Pick<FrameProcessorOptions, 'name'> {
  /** Start enabled; default true. */
  enabled?: boolean;
}

/**
 * Denoises `InputAudioRawFrame`s (mono, any resampler rate: 8000-48000 Hz) flowing downstream;
 * every other frame passes unchanged. Create with {@link RNNoiseFilter.create}; one per call.
 */
export class RNNoiseFilter extends FrameProcessor {
  readonly #module: RNNoiseModule;
  #enabled: boolean;
  #state = 0;
  #pointer = 0;
  #rate = 0;
  #up: StreamResampler | undefined;
  #down: StreamResampler | undefined;
  /** 48 kHz samples waiting for a whole RNNoise frame. */
  #pending = new Float32Array(FRAME * 8);
  #pendingLength = 0;
  /** Denoised audio at the input rate, waiting to go out; primed with the fixed delay. */
  #ready = new Int16Array(0);
  #readyLength = 0;
  #delaySamples = 0;
  readonly #frame48k = new Int16Array(FRAME);
  #upBuffer = new Int16Array(FRAME * 8);
  #downBuffer = new Int16Array(FRAME);

  private constructor(module: RNNoiseModule, options: RNNoiseFilterOptions) {
    super({ name: options.name, mode: 'inline' });
    this.#module = module;
    this.#enabled = options.enabled ?? true;
  }

  /**
   * Loads the module (once per process) and creates a filter.
   *
   * @throws (rejects) when the WebAssembly module cannot be loaded.
   */
  static async create(options: RNNoiseFilterOptions = {}): Promise<RNNoiseFilter> {
    return new RNNoiseFilter(await loadRNNoiseModule(), options);
  }

  /** Whether frames are denoised. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Turns denoising on or off from the next frame; turning it on starts from a clean state. */
  set enabled(enabled: boolean) {
    if (enabled && !this.#enabled) this.#reset();
    this.#enabled = enabled;
  }

  /** The queueing delay in ms at the current input rate while enabled (0 before the first frame). */
  get delayMs(): number {
    return this.#rate === 0 ? 0 : (this.#delaySamples / this.#rate) * 1000;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (
      this.#enabled &&
      frame instanceof InputAudioRawFrame &&
      direction === FrameDirection.Downstream &&
      frame.numChannels === 1
    ) {
      this.pushFrame(
        new InputAudioRawFrame({
          audio: this.#denoise(frame.audio, frame.sampleRate),
          sampleRate: frame.sampleRate,
        }),
        direction,
      );
      return;
    }
    this.pushFrame(frame, direction);
  }

  /** Frees the denoiser state in the WebAssembly heap. */
  override async cleanup(): Promise<void> {
    this.#freeState();
    await super.cleanup();
  }

  #denoise(audio: Int16Array, sampleRate: number): Int16Array {
    if (sampleRate !== this.#rate) this.#configure(sampleRate);
    // Up to 48 kHz, into the pending frame buffer.
    const up = this.#up === undefined ? audio : this.#resample(this.#up, audio, 'up');
    if (this.#pendingLength + up.length > this.#pending.length) {
      const grown = new Float32Array(2 * (this.#pendingLength + up.length));
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    for (let i = 0; i < up.length; i++) this.#pending[this.#pendingLength + i] = up[i]!;
    this.#pendingLength += up.length;
    // Whole 10 ms frames through RNNoise, back to the input rate, into the ready queue.
    let offset = 0;
    const frame48k = this.#frame48k;
    while (this.#pendingLength - offset >= FRAME) {
      const heap = this.#module.HEAPF32;
      const base = this.#pointer >> 2;
      heap.set(this.#pending.subarray(offset, offset + FRAME), base);
      this.#module._rnnoise_process_frame(this.#state, this.#pointer, this.#pointer);
      for (let i = 0; i < FRAME; i++) frame48k[i] = saturateInt16(Math.round(heap[base + i]!));
      offset += FRAME;
      this.#enqueue(this.#down === undefined ? frame48k : this.#resample(this.#down, frame48k, 'down'));
    }
    this.#pending.copyWithin(0, offset, this.#pendingLength);
    this.#pendingLength -= offset;
    // Out: exactly as many samples as came in, from the front of the queue.
    const out = new Int16Array(audio.length);
    const take = Math.min(audio.length, this.#readyLength);
    out.set(this.#ready.subarray(0, take));
    this.#ready.copyWithin(0, take, this.#readyLength);
    this.#readyLength -= take;
    return out;
  }

  /** Resamples into a reused buffer (grown when a longer frame arrives). */
  #resample(resampler: StreamResampler, input: Int16Array, which: 'up' | 'down'): Int16Array {
    const length = resampler.outputLength(input.length);
    let buffer = which === 'up' ? this.#upBuffer : this.#downBuffer;
    if (buffer.length < length) {
      buffer = new Int16Array(2 * length);
      if (which === 'up') this.#upBuffer = buffer;
      else this.#downBuffer = buffer;
    }
    return resampler.process(input, buffer.subarray(0, length));
  }

  #enqueue(samples: Int16Array): void {
    if (this.#readyLength + samples.length > this.#ready.length) {
      const grown = new Int16Array(2 * (this.#readyLength + samples.length));
      grown.set(this.#ready.subarray(0, this.#readyLength));
      this.#ready = grown;
    }
    this.#ready.set(samples, this.#readyLength);
    this.#readyLength += samples.length;
  }

  #configure(sampleRate: number): void {
    if (!isResamplerSampleRate(sampleRate)) {
      throw new InvalidAudioArgumentError(`RNNoiseFilter cannot resample ${sampleRate} Hz to 48000 Hz`);
    }
    this.#rate = sampleRate;
    this.#reset();
  }

  #reset(): void {
    this.#freeState();
    const module = this.#module;
    this.#state = module._rnnoise_create(0);
    this.#pointer = module._malloc(FRAME * 4);
    const rate = this.#rate;
    this.#up =
      rate === 48000 || rate === 0 ? undefined : new StreamResampler({ inputRate: rate, outputRate: 48000 });
    this.#down =
      rate === 48000 || rate === 0 ? undefined : new StreamResampler({ inputRate: 48000, outputRate: rate });
    this.#pendingLength = 0;
    // The delay: one RNNoise frame at the input rate (audio waits for a whole 10 ms), primed as
    // silence, so that the queue never runs dry while frames of any size come in.
    this.#delaySamples = Math.ceil((rate * 10) / 1000) + Math.ceil((rate * 2) / 1000);
    this.#ready = new Int16Array(this.#delaySamples * 4);
    this.#readyLength = this.#delaySamples;
  }

  #freeState(): void {
    if (this.#state !== 0) this.#module._rnnoise_destroy(this.#state);
    if (this.#pointer !== 0) this.#module._free(this.#pointer);
    this.#state = 0;
    this.#pointer = 0;
  }
}
