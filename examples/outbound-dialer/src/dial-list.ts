/**
 * The numbers to call, from the command line: a file (`.json`, `.csv` or `.txt`) or the numbers
 * themselves.
 *
 * - JSON: an array of numbers, or of objects with a `to`, `phone` or `number` field.
 * - CSV / text: one number per line in the first column; a header line, empty lines and lines
 *   starting with `#` are skipped.
 *
 * Numbers must be E.164 (`+` and 7 to 15 digits, e.g. `+13125550123`), the form carriers dial.
 * A number listed twice is called once.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

/** Why the list cannot be used; the message says where. */
export class DialListError extends Error {
  constructor(
    readonly code: 'empty-list' | 'invalid-number' | 'unreadable-file' | 'malformed-file',
    message: string,
  ) {
    super(message);
    this.name = 'DialListError';
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Reads the numbers named by the command-line arguments (see the module comment), in order,
 * without repeats.
 *
 * @throws DialListError `empty-list`, `invalid-number` (naming the number and where it came
 *   from), `unreadable-file`, or `malformed-file` (JSON that is not a list of numbers).
 */
export async function readDialList(args: readonly string[]): Promise<string[]> {
  const first = args[0];
  const fromFile = args.length === 1 && first !== undefined && /\.(json|csv|txt)$/i.test(first);
  const entries = fromFile
    ? await readEntries(first)
    : args.map((number, index) => ({ number, where: `argument ${index + 1}` }));
  const numbers: string[] = [];
  for (const { number, where } of entries) {
    const compact = number.replace(/[\s().-]/g, '');
    if (!E164.test(compact)) {
      throw new DialListError(
        'invalid-number',
        `${where}: '${number}' is not an E.164 number such as +13125550123`,
      );
    }
    if (!numbers.includes(compact)) numbers.push(compact);
  }
  if (numbers.length === 0) throw new DialListError('empty-list', 'no numbers to call');
  return numbers;
}

async function readEntries(path: string): Promise<{ number: string; where: string }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DialListError('unreadable-file', `cannot read ${path}: ${(error as Error).message}`);
  }
  return extname(path).toLowerCase() === '.json' ? jsonEntries(text, path) : lineEntries(text, path);
}

function jsonEntries(text: string, path: string): { number: string; where: string }[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DialListError('malformed-file', `${path} is not JSON`);
  }
  if (!Array.isArray(value)) throw new DialListError('malformed-file', `${path}: expected a JSON array`);
  return value.map((item: unknown, index) => {
    const where = `${path} item ${index + 1}`;
    if (typeof item === 'string') return { number: item, where };
    const fields = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const number = fields.to ?? fields.phone ?? fields.number;
    if (typeof number !== 'string') {
      throw new DialListError('malformed-file', `${where}: expected a number or an object with "to"`);
    }
    return { number, where };
  });
}

function lineEntries(text: string, path: string): { number: string; where: string }[] {
  const entries: { number: string; where: string }[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const cell = (line.split(',')[0] ?? '').trim().replace(/^"|"$/g, '');
    if (cell === '' || cell.startsWith('#')) return;
    // A header ("phone", "to", ...) has no digits.
    if (index === 0 && !/\d/.test(cell)) return;
    entries.push({ number: cell, where: `${path} line ${index + 1}` });
  });
  return entries;
}
