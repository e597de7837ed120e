import { expect, it } from 'vitest';
import { runConcepts } from './concepts.js';

it('the concepts page: an interruption aborts queued work, the rest goes on in order', async () => {
  const { texts, times } = await runConcepts();
  expect(texts).toEqual(['HELLO', 'AGAIN']);
  expect(times).toEqual([1000, 2300]);
});
