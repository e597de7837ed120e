/**
 * Turns ElevenLabs character alignment into word timestamps.
 *
 * Each audio message carries `alignment: { chars, charStartTimesMs, charDurationsMs }` whose times
 * are relative to *that message's* audio, not to the utterance (`@elevenlabs/elevenlabs-js` 2.73
 * `api/types/Alignment`; https://elevenlabs.io/docs/api-reference/websocket). This tracker adds each message's offset
 * (the duration of the audio before it), joins characters into words at whitespace, and reports a
 * word once it is complete — a word may span two messages.
 */
import type { WordTimestamp } from '@voxline/core';

/** An alignment object as the server sends it (camelCase; the `chars*` spellings are accepted too). */
export interface CharacterAlignment {
  chars?: readonly string[];
  charStartTimesMs?: readonly number[];
  charDurationsMs?: readonly number[];
  charsStartTimesMs?: readonly number[];
  charsDurationsMs?: readonly number[];
}

/** See the module comment. One instance per TTS context. */
export class AlignmentWordTracker {
  #word = '';
  #wordStartMs = 0;
  #wordEndMs = 0;

  /**
   * Adds one message's alignment.
   *
   * @param offsetMs start of this message's audio, in ms from the context's first sample.
   * @returns the words completed by this message, times in ms from the context's first sample.
   */
  add(alignment: CharacterAlignment | null | undefined, offsetMs: number): WordTimestamp[] {
    const chars = alignment?.chars ?? [];
    const starts = alignment?.charStartTimesMs ?? alignment?.charsStartTimesMs ?? [];
    const durations = alignment?.charDurationsMs ?? alignment?.charsDurationsMs ?? [];
    const words: WordTimestamp[] = [];
    chars.forEach((character, index) => {
      const start = offsetMs + (starts[index] ?? 0);
      const end = start + (durations[index] ?? 0);
      if (/\s/.test(character)) {
        this.#emit(words);
        return;
      }
      if (this.#word === '') this.#wordStartMs = start;
      this.#word += character;
      this.#wordEndMs = end;
    });
    return words;
  }

  /** The word in progress at the end of the context, if any. */
  flush(): WordTimestamp[] {
    const words: WordTimestamp[] = [];
    this.#emit(words);
    return words;
  }

  #emit(words: WordTimestamp[]): void {
    if (this.#word === '') return;
    words.push({
      word: this.#word,
      startMs: Math.round(this.#wordStartMs),
      endMs: Math.round(this.#wordEndMs),
    });
    this.#word = '';
  }
}
