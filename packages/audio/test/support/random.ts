/** A small seeded PRNG (mulberry32) so randomised tests are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits `pcm` into consecutive chunks of random lengths between 1 and `maxLength`. */
export function randomChunks(pcm: Int16Array, maxLength: number, random: () => number): Int16Array[] {
  const chunks: Int16Array[] = [];
  for (let offset = 0; offset < pcm.length; ) {
    const length = Math.min(pcm.length - offset, 1 + Math.floor(random() * maxLength));
    chunks.push(pcm.slice(offset, offset + length));
    offset += length;
  }
  return chunks;
}
