/**
 * Text-to-speech with Flite, offline: see {@link FliteSynthesizer}.
 */
import { SentenceTTSService, type TTSAudioChunk, type TTSServiceOptions } from '@voxline/core';
import { FLITE_VOICE_SAMPLE_RATES, type FliteSynthesizer, type FliteVoice } from './flite-synthesizer.js';

/** Options of {@link FliteTTSService}. */
export interface FliteTTSServiceOptions extends Omit<TTSServiceOptions, 'sampleRate'> {
  /** The shared synthesizer (one per process). */
  synthesizer: FliteSynthesizer;
  /** The voice; default `kal` (8000 Hz, the telephone rate). Its rate is the service's sample rate. */
  voice?: FliteVoice;
}

/**
 * A {@link SentenceTTSService} on Flite: each sentence is synthesized whole (Flite is not
 * streaming) and pushed as one chunk of mono PCM at the voice's rate (8000 Hz for `kal`; set the
 * pipeline's `audioOutSampleRate` to match, or resample after it). Flite reports no word
 * timings, so an interrupted reply is truncated by playback time only.
 */
export class FliteTTSService extends SentenceTTSService {
  readonly #synthesizer: FliteSynthesizer;
  readonly voice: FliteVoice;

  constructor(options: FliteTTSServiceOptions) {
    const voice = options.voice ?? 'kal';
    super({ ...options, sampleRate: FLITE_VOICE_SAMPLE_RATES[voice] });
    this.#synthesizer = options.synthesizer;
    this.voice = voice;
  }

  protected override async *synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk> {
    const spoken = text.trim();
    if (spoken.length === 0) return;
    const audio = await this.#synthesizer.synthesize(spoken, this.voice, signal);
    yield { audio: audio.samples, sampleRate: audio.sampleRate };
  }
}
