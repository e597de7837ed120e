/**
 * ElevenLabs text-to-speech over the HTTP streaming endpoint
 * (`POST /v1/text-to-speech/{voice_id}/stream`), one request per sentence, on the official SDK
 * (`client.textToSpeech.stream`). A fallback for when the WebSocket service is unavailable (a
 * proxy that blocks WebSockets, an outage of the socket API): higher latency per sentence, no word
 * timestamps, but the same voices and output formats.
 *
 * The response body is raw audio in the requested `output_format` (`ulaw_8000` for telephony, else
 * `pcm_<rate>`), decoded to PCM frames as chunks arrive. The SDK's retries are off: the base class
 * retries a sentence that failed before any of its audio (429, 5xx, network) with backoff.
 */
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { SentenceTTSService, ServiceError, type TTSAudioChunk, type TTSServiceOptions } from '@voxline/core';
import type { ElevenLabsVoiceSettings } from './elevenlabs-tts-service.js';
import { outputFormatForPipeline, type RawOutputFormat, rawOutputEncoding } from './output-format.js';
import { RawAudioDecoder } from './raw-audio-decoder.js';
import { rejectOnAbort } from './reject-on-abort.js';

/** Options of {@link ElevenLabsHttpTTSService}. */
export interface ElevenLabsHttpTTSServiceOptions extends TTSServiceOptions {
  /** API key; default the `ELEVENLABS_API_KEY` environment variable. */
  apiKey?: string;
  /** Voice id; default the `ELEVENLABS_VOICE_ID` environment variable. */
  voiceId?: string;
  /** HTTP base URL; default the SDK's (`https://api.elevenlabs.io`). */
  baseUrl?: string;
  /** Model; default `'eleven_flash_v2_5'`. */
  modelId?: string;
  /** Raw output format; default from the pipeline output rate (see {@link outputFormatForPipeline}). */
  outputFormat?: RawOutputFormat;
  voiceSettings?: ElevenLabsVoiceSettings;
  /** ISO 639-1 language code, for models that take it. */
  languageCode?: string;
  /** Request timeout in seconds; default 30. */
  timeoutSeconds?: number;
}

/** See the module comment. */
export class ElevenLabsHttpTTSService extends SentenceTTSService {
  readonly #options: ElevenLabsHttpTTSServiceOptions;
  #client: ElevenLabsClient | undefined;

  constructor(options: ElevenLabsHttpTTSServiceOptions = {}) {
    super({ ...options, model: options.model ?? options.modelId ?? 'eleven_flash_v2_5' });
    this.#options = options;
  }

  /** The output format requested (valid after the StartFrame). */
  get outputFormat(): RawOutputFormat {
    return this.#options.outputFormat ?? outputFormatForPipeline(this.sampleRate);
  }

  protected override async *synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk> {
    const voiceId = this.#options.voiceId ?? process.env.ELEVENLABS_VOICE_ID;
    if (!voiceId)
      throw new ServiceError('bad-request', 'No ElevenLabs voice: pass voiceId or set ELEVENLABS_VOICE_ID');
    const format = this.outputFormat;
    const encoding = rawOutputEncoding(format);
    if (encoding === undefined)
      throw new ServiceError('bad-request', `output format ${format} is not raw audio`);
    const settings = this.#options.voiceSettings;
    const body = await this.#elevenLabs().textToSpeech.stream(
      voiceId,
      {
        text,
        modelId: this.model ?? 'eleven_flash_v2_5',
        outputFormat: format,
        ...(this.#options.languageCode === undefined ? {} : { languageCode: this.#options.languageCode }),
        ...(settings === undefined ? {} : { voiceSettings: settings }),
      },
      { abortSignal: signal, maxRetries: 0, timeoutInSeconds: this.#options.timeoutSeconds ?? 30 },
    );
    const decoder = new RawAudioDecoder(encoding);
    // The SDK stops watching `abortSignal` once the response has started: an interruption while
    // a chunk is awaited would otherwise hang. Race each read against the signal and cancel the
    // body on abort, which also frees the connection.
    const reader = body.getReader();
    const cancel = () => {
      reader.cancel(signal.reason).catch(() => {});
    };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const { done, value } = await rejectOnAbort(reader.read(), signal);
        if (done) return;
        const audio = decoder.decode(value);
        if (audio.length > 0) yield { audio, sampleRate: encoding.sampleRate };
      }
    } finally {
      signal.removeEventListener('abort', cancel);
      if (!signal.aborted) reader.cancel().catch(() => {});
    }
  }

  #elevenLabs(): ElevenLabsClient {
    if (this.#client !== undefined) return this.#client;
    const apiKey = this.#options.apiKey ?? process.env.ELEVENLABS_API_KEY;
    if (!apiKey)
      throw new ServiceError('auth', 'No ElevenLabs API key: pass apiKey or set ELEVENLABS_API_KEY');
    this.#client = new ElevenLabsClient({
      apiKey,
      ...(this.#options.baseUrl === undefined ? {} : { baseUrl: this.#options.baseUrl }),
      maxRetries: 0,
    });
    return this.#client;
  }
}
