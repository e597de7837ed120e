import { describe, expect, it } from 'vitest';
import { normalizedWords, wordErrors } from '../stt-accuracy/word-error-rate.js';

const jfk =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

describe('normalizedWords', () => {
  it('lower-cases, drops punctuation and keeps apostrophes inside words', () => {
    expect(normalizedWords("And so, my fellow Americans: don't 'ask'!")).toEqual([
      'and',
      'so',
      'my',
      'fellow',
      'americans',
      "don't",
      'ask',
    ]);
  });
});

describe('wordErrors', () => {
  it('is zero for the same words, whatever the case and punctuation', () => {
    const errors = wordErrors(jfk, jfk.toUpperCase().replace(/[,.]/g, ''));
    expect(errors).toEqual({
      substitutions: 0,
      deletions: 0,
      insertions: 0,
      referenceWords: 22,
      wordErrorRate: 0,
    });
  });

  it('counts one substitution, one deletion and one insertion', () => {
    // "so" → "to" (substitution), "fellow" missing (deletion), "now" added (insertion).
    // Any other alignment costs more (e.g. four substitutions after "my").
    const errors = wordErrors('and so my fellow americans ask', 'and to my americans ask now');
    expect(errors).toMatchObject({ substitutions: 1, deletions: 1, insertions: 1, referenceWords: 6 });
    expect(errors.wordErrorRate).toBeCloseTo(3 / 6, 10);
  });

  it('counts an empty hypothesis as all deletions and an extra word as an insertion', () => {
    expect(wordErrors('ask not', '')).toMatchObject({ deletions: 2, wordErrorRate: 1 });
    expect(wordErrors('ask not', 'ask not now')).toMatchObject({ insertions: 1, wordErrorRate: 0.5 });
  });

  it('prefers a substitution to a deletion plus an insertion, and can exceed 1', () => {
    expect(wordErrors('country', 'county')).toMatchObject({ substitutions: 1, deletions: 0, insertions: 0 });
    expect(wordErrors('you', 'i do not know').wordErrorRate).toBe(4);
  });

  it('is NaN for an empty reference', () => {
    expect(wordErrors('', 'anything').wordErrorRate).toBeNaN();
  });
});
