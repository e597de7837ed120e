/**
 * The `'token'` text mode of TTS services: passes streamed text on as it arrives, but only up to
 * the last whitespace, so no word is cut in two (`"Hel" + "lo wor" + "ld"` becomes `"Hello "`,
 * then `"world"` at the flush). For engines that take partial text and buffer it themselves, such
 * as ElevenLabs `stream-input`, whose text chunks must end with a space.
 */
import type { TextChunker } from './text-chunker.js';

/** See the module comment. Pieces keep their trailing space. */
export class WordChunker implements TextChunker {
  #buffer = '';

  push(fragment: string): string[] {
    this.#buffer += fragment;
    let cut = this.#buffer.length;
    while (cut > 0 && !/\s/.test(this.#buffer.charAt(cut - 1))) cut--;
    if (cut === 0) return [];
    const piece = this.#buffer.slice(0, cut);
    this.#buffer = this.#buffer.slice(cut);
    return piece.trim() === '' ? [] : [piece.trimStart()];
  }

  flush(): string {
    const rest = this.#buffer.trim();
    this.#buffer = '';
    return rest;
  }

  reset(): void {
    this.#buffer = '';
  }
}
