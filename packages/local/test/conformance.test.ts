/**
 * The offline services pass the conformance suites of @voxline/core/testing: FliteTTSService (TTS,
 * both voice rates) and PocketsphinxSTTService (STT, on the first JFK utterance; needs the Debian
 * packages `pocketsphinx` and `pocketsphinx-en-us`, which `npm test` installs when run as root).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav } from '@voxline/audio';
import { describeConformance, sttServiceConformance, ttsServiceConformance } from '@voxline/core/testing';
import { FliteSynthesizer, FliteTTSService, PocketsphinxSTTService } from '@voxline/local';
import { afterAll, describe, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfk = readWav(join(root, '..', 'shared', 'data', 'jfk-16k.wav'));

const synthesizer = new FliteSynthesizer();
afterAll(() => synthesizer.close());

for (const voice of ['kal', 'kal16'] as const) {
  describeConformance(
    ttsServiceConformance({
      name: `FliteTTSService (${voice}) conformance`,
      create: () => new FliteTTSService({ synthesizer, voice }),
      sampleRate: voice === 'kal' ? 8000 : 16000,
    }),
    { describe, it },
  );
}

describeConformance(
  sttServiceConformance({
    name: 'PocketsphinxSTTService conformance',
    create: () => new PocketsphinxSTTService(),
    // "And so my fellow Americans": the first 2.6 s of the recording.
    speech: { samples: jfk.samples.slice(0, Math.round(jfk.sampleRate * 2.6)), sampleRate: jfk.sampleRate },
    timeoutMs: 30_000,
  }),
  { describe, it },
);
