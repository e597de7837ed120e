/**
 * A recognizer process that fails rejects with a coded `PocketsphinxError` and its exit code.
 * (Flite's coded errors are asserted in flite-resources.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { PocketsphinxError } from '../src/index.js';
import { PocketsphinxProcess } from '../src/pocketsphinx/pocketsphinx-process.js';

describe('PocketsphinxError', () => {
  it('rejects with recognizer-failed and the exit code when the program fails', async () => {
    const failing = new PocketsphinxProcess('false', []);
    const result = failing.recognize(new Int16Array(160), new AbortController().signal);
    await expect(result).rejects.toBeInstanceOf(PocketsphinxError);
    await expect(result).rejects.toMatchObject({ code: 'recognizer-failed', exitCode: 1, signal: null });
  });

  it('says 127 when the shell cannot find the program', async () => {
    const missing = new PocketsphinxProcess('voxline-no-such-recognizer', []);
    await expect(missing.recognize(new Int16Array(160), new AbortController().signal)).rejects.toMatchObject({
      code: 'recognizer-failed',
      exitCode: 127,
    });
  });
});
