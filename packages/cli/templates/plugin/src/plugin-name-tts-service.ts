/**
 * An example text-to-speech service: it "says" each word as a short tone, with word timestamps.
 * Replace the body of `synthesize` with calls to your engine; the base class, `SentenceTTSService`
 * from `@voxline/core`, does the rest (turns, TTSStarted/Stopped frames, text frames, metrics,
 * retries, dropping audio after an interruption).
 */
import {
  InvalidOptionError,
  SentenceTTSService,
  type TTSAudioChunk,
  type TTSServiceOptions,
} from '@voxline/core';

/** Options of {@link PluginNameTTSService}. */
export interface PluginNameTTSServiceOptions extends TTSServiceOptions {
  /** Tone frequency in Hz; default 440. */
  frequencyHz?: number;
  /** Length of each word's tone in ms; default 120. */
  wordMs?: number;
}

/**
 * A `SentenceTTSService` that speaks each word of a sentence as a tone of `wordMs`, at the
 * service's `sampleRate` (default the pipeline's `audioOutSampleRate`), mono 16-bit PCM, one
 * chunk per word with that word's timestamp. It stops as soon as its `AbortSignal` aborts (an
 * interruption).
 */
export class PluginNameTTSService extends SentenceTTSService {
  readonly #frequencyHz: number;
  readonly #wordMs: number;

  /** @throws {InvalidOptionError} if `frequencyHz` or `wordMs` is not positive. */
  constructor(options: PluginNameTTSServiceOptions = {}) {
    super(options);
    this.#frequencyHz = options.frequencyHz ?? 440;
    this.#wordMs = options.wordMs ?? 120;
    if (!(this.#frequencyHz > 0) || !(this.#wordMs > 0))
      throw new InvalidOptionError(
        !(this.#frequencyHz > 0) ? 'frequencyHz' : 'wordMs',
        'frequencyHz and wordMs must be positive',
      );
  }

  protected override async *synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk> {
    const words = text.split(/\s+/).filter((word) => word !== '');
    for (const word of words) {
      // A real engine awaits its network or worker here; yielding to the event loop lets an
      // interruption arrive between words, as it would.
      await new Promise((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
      yield { audio: this.#tone(), words: [{ word, startMs: 0, endMs: this.#wordMs }] };
    }
  }

  #tone(): Int16Array {
    const sampleRate = this.sampleRate;
    const samples = new Int16Array(Math.round((sampleRate * this.#wordMs) / 1000));
    for (let index = 0; index < samples.length; index++) {
      samples[index] = Math.round(8000 * Math.sin((2 * Math.PI * this.#frequencyHz * index) / sampleRate));
    }
    return samples;
  }
}
