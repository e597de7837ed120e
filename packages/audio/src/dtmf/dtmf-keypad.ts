/**
 * The DTMF keypad: each key is the sum of one low-group (row) and one high-group (column)
 * frequency. Source: ITU-T Q.23 "Technical features of push-button telephone sets", Table 1.
 */

/** Low-group (row) frequencies in Hz. */
export const DTMF_ROW_FREQUENCIES = [697, 770, 852, 941] as const;

/** High-group (column) frequencies in Hz. */
export const DTMF_COLUMN_FREQUENCIES = [1209, 1336, 1477, 1633] as const;

/** Keys by [row][column]. */
export const DTMF_KEYS = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
] as const;

/** A DTMF key: 0-9, *, #, A-D. */
export type DTMFDigit = (typeof DTMF_KEYS)[number][number];

/** Row and column indexes of a key, or undefined for a character that is not a key. */
export function dtmfKeyPosition(key: string): { row: number; column: number } | undefined {
  for (let row = 0; row < 4; row++) {
    const column = (DTMF_KEYS[row] as readonly string[]).indexOf(key);
    if (column >= 0) return { row, column };
  }
  return undefined;
}
