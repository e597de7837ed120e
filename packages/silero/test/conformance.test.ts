/**
 * SileroVADAnalyzer passes the VAD analyzer conformance suite of @voxline/core/testing on the JFK
 * recording at 8 and 16 kHz, unbatched and batched (the process's shared batch scheduler), the
 * first speech edge checked against the hand label.
 */
import { describeConformance, vadAnalyzerConformance } from '@voxline/core/testing';
import { SileroVADAnalyzer } from '@voxline/silero';
import { describe, it } from 'vitest';
import { loadRecording, speechLabels } from '../../audio/test/vad-speech-fixtures.js';

const firstSpeech = speechLabels('jfk-16k.wav').speech[0];

for (const [sampleRate, batching] of [
  [8000, false],
  [16000, false],
  [8000, true],
  [16000, true],
] as const) {
  describeConformance(
    vadAnalyzerConformance({
      name: `SileroVADAnalyzer (${sampleRate} Hz${batching ? ', batched' : ''}) conformance`,
      create: (rate) => SileroVADAnalyzer.create({ sampleRate: rate as 8000 | 16000, batching }),
      speech: { samples: loadRecording('jfk-16k.wav', sampleRate), sampleRate },
      speechStartsAtMs: (firstSpeech?.from ?? 0) * 1000,
      toleranceMs: 100,
      unsupportedSampleRate: 44_100,
    }),
    { describe, it },
  );
}
