/**
 * Counting words in transcripts, for the min-words turn and barge-in rules.
 */

const WORD_SEPARATOR = /\s+/;
const HAS_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Number of words in `text`: whitespace-separated tokens that contain at least one letter or
 * digit (so `"..."` or `"-"` are not words, `"ok,"` is one). Languages written without spaces
 * between words (Chinese, Japanese, Thai) count each run of text as one word.
 * @internal
 */
export function countWords(text: string): number {
  let words = 0;
  for (const token of text.split(WORD_SEPARATOR)) {
    if (HAS_LETTER_OR_DIGIT.test(token)) words++;
  }
  return words;
}
