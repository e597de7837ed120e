/**
 * SileroVADAnalyzer passes the VAD analyzer conformance suite of @voxline/core/testing on the JFK
 * recording at 8 and 16 kHz, the first speech edge checked against the hand label.
 */
import { describeConformance, vadAnalyzerConformance } from '@voxline/core/testing';
import { SileroVADAnalyzer } from '@voxline/silero';
import { describe, it } from 'vitest';
import { loadRecording, speechLabels } from '../../audio/test/vad-speech-fixtures.js';

const firstSpeech = speechLabels('jfk-16k.wav').speech[0];

for (const sampleRate of [8000, 16000]) {
  describeConformance(
    vadAnalyzerConformance({
      name: `SileroVADAnalyzer (${sampleRate} Hz) conformance`,
      create: (rate) => SileroVADAnalyzer.create({ sampleRate: rate as 8000 | 16000 }),
      speech: { samples: loadRecording('jfk-16k.wav', sampleRate), sampleRate },
      speechStartsAtMs: (firstSpeech?.from ?? 0) * 1000,
      toleranceMs: 100,
      unsupportedSampleRate: 44_100,
    }),
    { describe, it },
  );
}
