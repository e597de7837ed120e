/**
 * Cuts streamed LLM text into sentences for TTS, as the tokens arrive.
 *
 * A sentence ends at `.`, `!`, `?` or `…`, optionally followed by closing quotes or brackets,
 * when what follows is whitespace and then a character that is not a lowercase letter; the
 * full-width `。！？` end a sentence whatever follows (CJK text has no spaces).
 * Because that needs one character of look-ahead, a sentence is released when the first
 * non-space character of the next one arrives (or at {@link SentenceSplitter.flush}). A newline
 * ends a sentence at once (LLM lists and paragraphs). Not sentence ends:
 *
 * - a period inside a token: decimals and prices (`3.14`, `$1.50`), URLs and e-mail addresses
 *   (`example.com/a.b`, `jane.doe@mail.com`), version numbers (`v1.2.3`);
 * - a period after a known abbreviation (`Mr.`, `Dr.`, `St.`, `vs.`, ... — see
 *   {@link DEFAULT_ABBREVIATIONS}) or after dotted initials (`e.g.`, `i.e.`, `U.S.`, `J. R. R.`);
 * - a period after a list number at the start of a line (`1. First item`);
 * - any terminator followed by a lowercase word (`"Really?" she asked`, `Well... maybe`).
 *
 * Known misses, by design (splitting too rarely only delays speech slightly, splitting wrongly
 * breaks prosody): a sentence ending in an abbreviation or initials (`... in the U.S. Then`) is
 * merged with the next one.
 */
import type { TextChunker } from './text-chunker.js';

/** Abbreviations (lowercase, without the period) usually followed by a capitalised name. */
export const DEFAULT_ABBREVIATIONS: readonly string[] = [
  'mr',
  'mrs',
  'ms',
  'mx',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'ft',
  'gen',
  'gov',
  'sen',
  'rep',
  'capt',
  'cpt',
  'lt',
  'col',
  'sgt',
  'maj',
  'adm',
  'rev',
  'hon',
  'pres',
  'supt',
  'vs',
  'fig',
  'approx',
  'dept',
  'ave',
  'blvd',
  'no',
  'nos',
];

const TERMINATORS = new Set(['.', '!', '?', '…', '。', '！', '？']);
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»', '*', '_', '」', '』', '）']);
/** Full-width terminators end a sentence whatever follows (CJK text has no spaces). */
const FULL_WIDTH_TERMINATORS = new Set(['。', '！', '？']);
const DOTTED_INITIALS = /^(?:\p{L}\.)*\p{L}$/u;
const DIGITS = /^\d{1,3}$/;

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\u00a0';
}

function isLowercaseLetter(char: string): boolean {
  return char !== char.toUpperCase() && char === char.toLowerCase();
}

function isWordChar(char: string): boolean {
  return /[\p{L}\p{N}]/u.test(char);
}

/** Options of {@link SentenceSplitter}. */
export interface SentenceSplitterOptions {
  /** Abbreviations (lowercase, no period) after which a period is not a sentence end; default {@link DEFAULT_ABBREVIATIONS}. */
  abbreviations?: Iterable<string>;
}

/** See the module comment. */
export class SentenceSplitter implements TextChunker {
  readonly #abbreviations: ReadonlySet<string>;
  #buffer = '';
  /** Where scanning resumes: everything before it is known not to end a sentence. */
  #scanFrom = 0;

  constructor(options: SentenceSplitterOptions = {}) {
    this.#abbreviations = new Set(options.abbreviations ?? DEFAULT_ABBREVIATIONS);
  }

  push(fragment: string): string[] {
    if (fragment === '') return [];
    this.#buffer += fragment;
    const sentences: string[] = [];
    let i = this.#scanFrom;
    while (i < this.#buffer.length) {
      const buffer = this.#buffer;
      const char = buffer.charAt(i);
      if (char === '\n') {
        this.#emit(sentences, i, i + 1);
        i = 0;
        continue;
      }
      if (!TERMINATORS.has(char)) {
        i++;
        continue;
      }
      let end = i;
      while (end < buffer.length && TERMINATORS.has(buffer.charAt(end))) end++;
      while (end < buffer.length && CLOSERS.has(buffer.charAt(end))) end++;
      if (end >= buffer.length) break; // need the next character to decide
      if (FULL_WIDTH_TERMINATORS.has(buffer.charAt(end - 1)) || FULL_WIDTH_TERMINATORS.has(char)) {
        this.#emit(sentences, end, end);
        i = 0;
        continue;
      }
      if (!isSpace(buffer.charAt(end))) {
        i = end; // inside a token: 3.14, example.com, e.g
        continue;
      }
      let next = end;
      while (next < buffer.length && isSpace(buffer.charAt(next))) next++;
      if (next >= buffer.length) break; // need the next word to decide
      if (isLowercaseLetter(buffer.charAt(next)) || this.#isNonFinalPeriod(i, end)) {
        i = next;
        continue;
      }
      this.#emit(sentences, end, next);
      i = 0;
    }
    this.#scanFrom = Math.min(i, this.#buffer.length);
    return sentences;
  }

  flush(): string {
    const rest = this.#buffer.trim();
    this.reset();
    return rest;
  }

  reset(): void {
    this.#buffer = '';
    this.#scanFrom = 0;
  }

  /** Pushes `buffer[0, end)` (if not blank) and keeps `buffer[resume, ...)`. */
  #emit(sentences: string[], end: number, resume: number): void {
    const sentence = this.#buffer.slice(0, end).trim();
    if (sentence !== '') sentences.push(sentence);
    this.#buffer = this.#buffer.slice(resume);
    this.#scanFrom = 0;
  }

  /** A lone period after an abbreviation, initials or a list number does not end a sentence. */
  #isNonFinalPeriod(periodIndex: number, runEnd: number): boolean {
    const buffer = this.#buffer;
    if (buffer.charAt(periodIndex) !== '.') return false;
    // Only a single period (optionally with closers) qualifies; "..." and "?!" do end sentences.
    let runLength = 0;
    for (let k = periodIndex; k < runEnd && TERMINATORS.has(buffer.charAt(k)); k++) runLength++;
    if (runLength !== 1) return false;
    let start = periodIndex;
    while (start > 0 && (isWordChar(buffer.charAt(start - 1)) || buffer.charAt(start - 1) === '.')) start--;
    const token = buffer.slice(start, periodIndex);
    if (token === '') return false;
    if (this.#abbreviations.has(token.toLowerCase())) return true;
    if (DOTTED_INITIALS.test(token)) return true;
    if (DIGITS.test(token) && buffer.slice(0, start).trim() === '') return true;
    return false;
  }
}
