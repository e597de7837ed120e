/**
 * DeepgramSTTService passes the STT conformance suite of @voxline/core/testing against the local
 * fake, on the JFK recording.
 */
import { describeConformance, sttServiceConformance } from '@voxline/core/testing';
import { DeepgramSTTService } from '@voxline/deepgram';
import { FakeDeepgramServer } from '@voxline/deepgram/testing';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { JFK_UTTERANCES, readRecording } from './jfk-recording.js';

let fake: FakeDeepgramServer;
beforeAll(async () => {
  fake = await FakeDeepgramServer.start({ utterances: JFK_UTTERANCES });
});
afterAll(() => fake.stop());

describeConformance(
  sttServiceConformance({
    name: 'DeepgramSTTService conformance',
    create: () => new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url }),
    speech: readRecording('jfk-16k.wav'),
    expectedText: /ask not what your country can do for you/,
    interimResults: true,
  }),
  { describe, it },
);
