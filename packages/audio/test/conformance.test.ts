/**
 * WebRTCVADAnalyzer passes the VAD analyzer conformance suite of @voxline/core/testing on the JFK
 * recording at 8 and 16 kHz. The level gate is set above the recording's tape hiss (-41 dBFS),
 * as its docs advise for this analyzer, which takes steady noise for speech.
 */
import { WebRTCVADAnalyzer } from '@voxline/audio';
import { describeConformance, vadAnalyzerConformance } from '@voxline/core/testing';
import { describe, it } from 'vitest';
import { loadRecording, speechLabels } from './vad-speech-fixtures.js';

const firstSpeech = speechLabels('jfk-16k.wav').speech[0];

for (const sampleRate of [8000, 16000] as const) {
  describeConformance(
    vadAnalyzerConformance({
      name: `WebRTCVADAnalyzer (${sampleRate} Hz) conformance`,
      create: (rate) =>
        WebRTCVADAnalyzer.create({ sampleRate: rate as 8000 | 16000, params: { minVolume: -36 } }),
      speech: { samples: loadRecording('jfk-16k.wav', sampleRate), sampleRate },
      speechStartsAtMs: (firstSpeech?.from ?? 0) * 1000,
      toleranceMs: 100,
      unsupportedSampleRate: 22_050,
    }),
    { describe, it },
  );
}
