/**
 * Reads recordings of the shared test data (`jfk-16k.wav`: 16 kHz mono s16le, 11 s).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Reads the PCM samples of a canonical mono 16-bit WAV file of the shared test data. */
export function readRecording(name: string): { samples: Int16Array; sampleRate: number } {
  const bytes = readFileSync(new URL(`../shared/data/${name}`, `file://${repositoryRoot}`));
  let offset = 12;
  let sampleRate = 0;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ') sampleRate = bytes.readUInt32LE(offset + 12);
    if (id === 'data') {
      const data = bytes.subarray(offset + 8, offset + 8 + size);
      const samples = new Int16Array(data.length / 2);
      for (let index = 0; index < samples.length; index++) samples[index] = data.readInt16LE(index * 2);
      return { samples, sampleRate };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${name}: no data chunk`);
}
