/**
 * Reads recordings of the shared test data (`jfk-16k.wav`: 16 kHz mono s16le, 11 s).
 */
import { fileURLToPath } from 'node:url';
import { readWav, type WavAudio } from '@voxline/audio';

/** The shared test recordings live beside the repository, in ../shared/data. */
const sharedDataDirectory = new URL('../../../../shared/data/', import.meta.url);

/** Reads a recording of the shared test data (any format `readWav` of @voxline/audio reads). */
export function readRecording(name: string): WavAudio {
  return readWav(fileURLToPath(new URL(name, sharedDataDirectory)));
}
