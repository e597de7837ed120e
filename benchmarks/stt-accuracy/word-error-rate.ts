/**
 * Word error rate: the word-level edit distance (Levenshtein) between a reference transcript and a
 * recognizer's hypothesis, split into substitutions, deletions and insertions, over the number of
 * reference words. Both texts are normalised first: lower-case, punctuation removed (apostrophes
 * inside words kept, so "don't" stays one word), split on whitespace.
 */

/** The edit counts of one hypothesis against its reference. */
export interface WordErrors {
  /** Reference words replaced by another word. */
  substitutions: number;
  /** Reference words missing from the hypothesis. */
  deletions: number;
  /** Hypothesis words with no reference word. */
  insertions: number;
  /** Number of words in the normalised reference. */
  referenceWords: number;
  /** (substitutions + deletions + insertions) / referenceWords; can exceed 1. NaN for an empty reference. */
  wordErrorRate: number;
}

/** `text` as lower-case words with punctuation removed. */
export function normalizedWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

/**
 * Aligns `hypothesis` to `reference` with the fewest word edits and counts each kind. Among
 * alignments of equal cost, substitutions are preferred over a deletion plus an insertion (the
 * usual convention of NIST sclite), so the counts are deterministic.
 */
export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = normalizedWords(reference);
  const hyp = normalizedWords(hypothesis);
  // cost[i][j]: edits to turn ref[0..i) into hyp[0..j), with the kind of the last edit kept beside it.
  const rows = ref.length + 1;
  const columns = hyp.length + 1;
  const cost = new Int32Array(rows * columns);
  const step = new Uint8Array(rows * columns); // 0 match, 1 substitution, 2 deletion, 3 insertion
  for (let i = 1; i < rows; i++) {
    cost[i * columns] = i;
    step[i * columns] = 2;
  }
  for (let j = 1; j < columns; j++) {
    cost[j] = j;
    step[j] = 3;
  }
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const same = ref[i - 1] === hyp[j - 1];
      const diagonal = cost[(i - 1) * columns + j - 1]! + (same ? 0 : 1);
      const deletion = cost[(i - 1) * columns + j]! + 1;
      const insertion = cost[i * columns + j - 1]! + 1;
      let best = diagonal;
      let kind = same ? 0 : 1;
      if (deletion < best) {
        best = deletion;
        kind = 2;
      }
      if (insertion < best) {
        best = insertion;
        kind = 3;
      }
      cost[i * columns + j] = best;
      step[i * columns + j] = kind;
    }
  }
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let i = ref.length;
  let j = hyp.length;
  while (i > 0 || j > 0) {
    const kind = step[i * columns + j];
    if (kind === 0 || kind === 1) {
      if (kind === 1) substitutions++;
      i--;
      j--;
    } else if (kind === 2) {
      deletions++;
      i--;
    } else {
      insertions++;
      j--;
    }
  }
  const errors = substitutions + deletions + insertions;
  return {
    substitutions,
    deletions,
    insertions,
    referenceWords: ref.length,
    wordErrorRate: ref.length === 0 ? Number.NaN : errors / ref.length,
  };
}
