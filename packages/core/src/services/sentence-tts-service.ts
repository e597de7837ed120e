/**
 * Base of TTS services that synthesize one piece of text per request (HTTP streaming endpoints,
 * local engines such as espeak-ng).
 *
 * A subclass implements one method:
 *
 * ```ts
 * protected synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk>
 * ```
 *
 * It yields the audio of `text` (one sentence, from the sentence splitter) as it is produced, each
 * chunk mono 16-bit PCM at `chunk.sampleRate` (default the service's `sampleRate`), optionally with
 * word timings relative to the chunk's first sample. It must stop (throw the `AbortError`) when
 * `signal` aborts (interruption). Everything else — turns, `TTSStarted/Stopped`, text frames, TTFB,
 * usage, dropping audio after an interruption — is the {@link TTSService}'s. A transient fault
 * before a sentence produced audio is retried for that sentence alone.
 */

import type { WordTimestamp } from '../frames/service-frames.js';
import { TTSService } from './tts-service.js';

/** One chunk of synthesized audio. */
export interface TTSAudioChunk {
  /** Mono 16-bit PCM, host byte order; handed on in a frame, so do not reuse the array. */
  audio: Int16Array;
  /** Sample rate in Hz; default the service's `sampleRate`. */
  sampleRate?: number;
  /** Words in this chunk, times in ms relative to its first sample. */
  words?: readonly WordTimestamp[];
}

/** Base of request-per-sentence TTS services; see the module comment. */
export abstract class SentenceTTSService extends TTSService {
  protected override readonly retryReplaysContext = false;

  /** Synthesizes `text`; see the module comment. */
  protected abstract synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk>;

  protected override async sendText(contextId: string, text: string, signal: AbortSignal): Promise<void> {
    for await (const chunk of this.synthesize(text, signal)) {
      signal.throwIfAborted();
      this.pushAudio(contextId, chunk.audio, { sampleRate: chunk.sampleRate, words: chunk.words });
    }
  }

  protected override flushContext(contextId: string): void {
    // Every sentence was synthesized before sendText resolved: the context is done.
    this.completeContext(contextId);
  }

  protected override cancelContext(_contextId: string): void {
    // The interruption aborts the signal synthesize() was given; nothing else is in flight.
  }
}
