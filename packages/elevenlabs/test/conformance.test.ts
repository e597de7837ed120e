/**
 * ElevenLabsTTSService (the multi-context WebSocket service, with word timestamps) passes the TTS
 * conformance suite of @voxline/core/testing against the local fake, in sentence and token mode,
 * and so does ElevenLabsHttpTTSService (the HTTP streaming fallback, without word timestamps).
 */
import { describeConformance, ttsServiceConformance } from '@voxline/core/testing';
import { ElevenLabsHttpTTSService, ElevenLabsTTSService } from '@voxline/elevenlabs';
import { FakeElevenLabsServer } from '@voxline/elevenlabs/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';

let fake: FakeElevenLabsServer;
beforeAll(async () => {
  // 20 ms of audio per character, in chunks of 10 characters: a six-sentence reply lasts ~6 s.
  fake = await FakeElevenLabsServer.start({ msPerCharacter: 20 });
});
afterAll(() => fake.stop());

for (const textMode of ['sentence', 'token'] as const) {
  describeConformance(
    ttsServiceConformance({
      name: `ElevenLabsTTSService (${textMode} mode) conformance`,
      create: () =>
        new ElevenLabsTTSService({ apiKey: fake.apiKey, voiceId: 'voice-1', baseUrl: fake.url, textMode }),
      sampleRate: 24_000,
      wordTimestamps: true,
    }),
    { describe, it },
  );
}

describeConformance(
  ttsServiceConformance({
    name: 'ElevenLabsHttpTTSService conformance',
    create: () =>
      new ElevenLabsHttpTTSService({ apiKey: fake.apiKey, voiceId: 'voice-1', baseUrl: fake.httpUrl }),
    sampleRate: 24_000,
    wordTimestamps: false,
  }),
  { describe, it },
);
