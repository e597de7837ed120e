/**
 * "Did you mean …?" for a mistyped name: the known names closest to it by optimal string
 * alignment distance (Levenshtein plus swapping two neighbouring letters), the measure commander
 * uses for its own suggestions, with the same limits, so the runner's suggestions for benchmark
 * names read like commander's for options.
 */

/** At most this many edits apart. */
const MAX_DISTANCE = 3;
/** And at least this share of the longer name unchanged. */
const MIN_SIMILARITY = 0.4;

/**
 * The names in `known` closest to `typed` (several when tied), or none when nothing is close
 * enough: within 3 edits and sharing over 40 % of the longer name.
 */
export function closestNames(typed: string, known: readonly string[]): string[] {
  let best = MAX_DISTANCE + 1;
  let closest: string[] = [];
  for (const name of known) {
    const distance = editDistance(typed, name);
    const similarity = 1 - distance / Math.max(typed.length, name.length);
    if (distance > MAX_DISTANCE || similarity <= MIN_SIMILARITY) continue;
    if (distance < best) {
      best = distance;
      closest = [name];
    } else if (distance === best) {
      closest.push(name);
    }
  }
  return closest;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i letters of a and the first j letters of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  const at = (i: number, j: number) => (rows[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}
