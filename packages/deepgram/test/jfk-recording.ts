/**
 * The JFK recording (`jfk-16k.wav`: 16 kHz mono s16le, 11 s) from the shared test data, and
 * the words in it with approximate audio times, as a scripted transcript for the fake.
 */
import { fileURLToPath } from 'node:url';
import { readWav, type WavAudio } from '@voxline/audio';
import type { ScriptedUtterance } from '@voxline/deepgram/testing';

/** The shared test recordings live beside the repository, in ../shared/data. */
const sharedDataDirectory = new URL('../../../../shared/data/', import.meta.url);

/** Reads a recording of the shared test data (any format `readWav` of @voxline/audio reads). */
export function readRecording(name: string): WavAudio {
  return readWav(fileURLToPath(new URL(name, sharedDataDirectory)));
}

function words(list: [string, number, number, string?][]): ScriptedUtterance['words'] {
  return list.map(([word, start, end, punctuatedWord]) => ({ word, start, end, punctuatedWord }));
}

/** "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country." */
export const JFK_UTTERANCES: readonly ScriptedUtterance[] = [
  {
    words: words([
      ['and', 0.3, 0.5, 'And'],
      ['so', 0.5, 0.8],
      ['my', 0.8, 1.1],
      ['fellow', 1.1, 1.5],
      ['americans', 1.5, 2.3, 'Americans,'],
    ]),
  },
  {
    words: words([
      ['ask', 3.3, 3.7],
      ['not', 3.7, 4.3],
      ['what', 4.9, 5.1],
      ['your', 5.1, 5.3],
      ['country', 5.3, 5.8],
      ['can', 5.8, 6.1],
      ['do', 6.1, 6.3],
      ['for', 6.3, 6.6],
      ['you', 6.6, 7.0, 'you,'],
      ['ask', 7.9, 8.2],
      ['what', 8.2, 8.5],
      ['you', 8.5, 8.7],
      ['can', 8.7, 9.0],
      ['do', 9.0, 9.2],
      ['for', 9.2, 9.5],
      ['your', 9.5, 9.7],
      ['country', 9.7, 10.3, 'country.'],
    ]),
  },
];
