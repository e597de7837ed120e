/**
 * A plugin's service, for the plugins guide: a TTS that says each word as a beep.
 */
// #region service
import { SentenceTTSService, type TTSAudioChunk } from '@voxline/core';

/** Says each word as a 100 ms beep at the pipeline's output rate, with its word timestamp. */
export class BeepTTSService extends SentenceTTSService {
  protected override async *synthesize(text: string, signal: AbortSignal): AsyncIterable<TTSAudioChunk> {
    for (const word of text.split(/\s+/).filter((part) => part !== '')) {
      await new Promise((resolve) => setImmediate(resolve)); // your engine's I/O goes here
      signal.throwIfAborted(); // stop at once on an interruption
      const audio = new Int16Array(this.sampleRate / 10);
      for (let index = 0; index < audio.length; index++) {
        audio[index] = Math.round(6000 * Math.sin((2 * Math.PI * 880 * index) / this.sampleRate));
      }
      yield { audio, words: [{ word, startMs: 0, endMs: 100 }] };
    }
  }
}
// #endregion service
