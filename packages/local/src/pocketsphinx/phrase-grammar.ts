/**
 * A JSGF grammar that limits pocketsphinx to a list of phrases, for agents that expect a known,
 * small set of things to be said (a menu, a confirmation, a demo's script). Recognition then picks
 * the phrase whose sounds match best instead of searching the whole 130,000-word vocabulary, which
 * on telephone audio mostly yields wrong words.
 *
 * The format is the Java Speech Grammar Format 1.0 (https://www.w3.org/TR/jsgf/), which
 * `pocketsphinx_continuous -jsgf <file>` reads
 * (https://cmusphinx.github.io/wiki/tutoriallm/#building-a-grammar).
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '@voxline/core';

/**
 * A phrase list the grammar cannot hold (empty, or a phrase with a character outside lowercase
 * words): an {@link InvalidOptionError} (code `'invalid-option'`) whose `option` is `'phrases'`.
 */
export class PhraseGrammarError extends InvalidOptionError {
  constructor(message: string) {
    super('phrases', message);
    this.name = 'PhraseGrammarError';
  }
}

/** Lowercase English words separated by single spaces, as the en-US dictionary spells them. */
const PHRASE = /^[a-z']+( [a-z']+)*$/;

/**
 * The grammar's text: one public rule whose alternatives are the phrases.
 *
 * @param phrases lowercase words separated by single spaces (e.g. `"ask not"`); each word must be
 *   in the recognizer's dictionary, or pocketsphinx exits with an error when it loads the grammar.
 * @throws PhraseGrammarError if the list is empty or a phrase is not lowercase words.
 */
export function phraseGrammar(phrases: readonly string[]): string {
  if (phrases.length === 0) throw new PhraseGrammarError('phrases must not be empty');
  for (const phrase of phrases) {
    if (!PHRASE.test(phrase)) {
      throw new PhraseGrammarError(
        `phrase ${JSON.stringify(phrase)} must be lowercase words separated by single spaces`,
      );
    }
  }
  return `#JSGF V1.0;\ngrammar phrases;\npublic <phrase> = ${phrases.join(' | ')};\n`;
}

/**
 * Writes {@link phraseGrammar} to a file named after its content in the system's temporary
 * directory (written once, shared by every recognizer with the same phrases) and returns its path.
 *
 * @throws PhraseGrammarError as {@link phraseGrammar}; an Error if the file cannot be written.
 */
export function writePhraseGrammar(phrases: readonly string[]): string {
  const text = phraseGrammar(phrases);
  const name = `voxline-phrases-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.gram`;
  const path = join(tmpdir(), name);
  if (!existsSync(path)) writeFileSync(path, text);
  return path;
}
