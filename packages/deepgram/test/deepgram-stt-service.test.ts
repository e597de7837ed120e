/**
 * DeepgramSTTService against the local fake, through the official SDK: the request it makes, the
 * transcripts it pushes, Finalize/UtteranceEnd turn ends, KeepAlive, reconnection and failures.
 */
import { decodeMuLaw, encodeMuLaw } from '@voxline/audio';
import {
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  TranscriptionFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
  VirtualClock,
} from '@voxline/core';
import { RecordingPipeline, waitUntil } from '@voxline/core/testing';
import { DeepgramSTTService } from '@voxline/deepgram';
import { FakeDeepgramServer } from '@voxline/deepgram/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { JFK_UTTERANCES, readRecording } from './jfk-recording.js';

let fake: FakeDeepgramServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const jfk = readRecording('jfk-16k.wav');

/** 20 ms input frames of `samples` at `sampleRate`. */
function frames(samples: Int16Array, sampleRate: number): InputAudioRawFrame[] {
  const size = sampleRate / 50;
  const list: InputAudioRawFrame[] = [];
  for (let offset = 0; offset + size <= samples.length; offset += size) {
    list.push(new InputAudioRawFrame({ audio: samples.slice(offset, offset + size), sampleRate }));
  }
  return list;
}

function finals(pipeline: RecordingPipeline): TranscriptionFrame[] {
  return pipeline
    .downstream(TranscriptionFrame)
    .filter((frame) => !(frame instanceof InterimTranscriptionFrame));
}

const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 };

describe('DeepgramSTTService', () => {
  it('transcribes the JFK recording: linear16 at the pipeline rate, Token auth, one final per utterance', async () => {
    fake = await FakeDeepgramServer.start({ utterances: JFK_UTTERANCES });
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 } }).start();
    // Audio queued while connecting is held (up to 5 s): start the 11 s recording once open.
    await waitUntil(() => stt.connectionState === 'open', 5000, 'the stream to open');
    pipeline.queue(...frames(jfk.samples, 16000));
    await waitUntil(() => finals(pipeline).length === 2, 5000, 'two final transcriptions');

    const connection = await fake.connection(0);
    expect(connection.headers.authorization).toBe(`Token ${fake.apiKey}`);
    expect(Object.fromEntries(connection.query.raw)).toMatchObject({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: '16000',
      channels: '1',
      interim_results: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      smart_format: 'true',
    });
    const [first, second] = finals(pipeline);
    expect(first?.text).toBe('And so my fellow Americans,');
    expect([first?.startMs, first?.endMs]).toEqual([300, 2300]);
    expect(second?.text).toBe(
      'ask not what your country can do for you, ask what you can do for your country.',
    );
    expect([second?.startMs, second?.endMs]).toEqual([3300, 10300]);
    const interims = pipeline.downstream(InterimTranscriptionFrame);
    expect(interims.length).toBeGreaterThan(5);
    expect(interims[0]?.text).toBe('And');
    // The input audio is forwarded untouched.
    expect(pipeline.downstream(InputAudioRawFrame)).toHaveLength(550);

    await pipeline.end();
    expect(connection.controlMessages.map((message) => message.type)).toEqual(['CloseStream']);
    expect(await connection.closed).toMatchObject({ code: 1000 });
    expect(connection.audioByteCount).toBe(550 * 320 * 2);
    expect(connection.violations).toEqual([]);
    expect(pipeline.errors).toEqual([]);
  });

  it('passes µ-law through at 8 kHz: the bytes Deepgram gets are the caller’s bytes', async () => {
    fake = await FakeDeepgramServer.start();
    const decimated = jfk.samples.filter((_, index) => index % 2 === 0).subarray(0, 8000 * 2);
    const carrierBytes = encodeMuLaw(decimated);
    const decoded = decodeMuLaw(carrierBytes);
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url, encoding: 'mulaw' });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 8000 } }).start();
    pipeline.queue(...frames(decoded, 8000));
    const connection = await fake.connection(0);
    await waitUntil(() => connection.audioByteCount === carrierBytes.length, 5000, 'all audio');
    await pipeline.end();
    expect(connection.query.encoding).toBe('mulaw');
    expect(connection.query.sampleRate).toBe(8000);
    expect(Buffer.concat(connection.audioChunks).equals(Buffer.from(carrierBytes))).toBe(true);
  });

  it('refuses mulaw when the pipeline is not at 8 kHz', async () => {
    fake = await FakeDeepgramServer.start();
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url, encoding: 'mulaw' });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 } }).start();
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'an error');
    expect(pipeline.errors[0]?.message).toContain("encoding 'mulaw' needs 8000 Hz");
    expect(fake.connections).toHaveLength(0);
    await pipeline.end();
  });

  it('sends Finalize when the user stops speaking and pushes the from_finalize result as final', async () => {
    fake = await FakeDeepgramServer.start({ utterances: JFK_UTTERANCES });
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 } }).start();
    pipeline.queue(
      new VADUserStartedSpeakingFrame(300),
      ...frames(jfk.samples.subarray(0, 16000 * 1.2), 16000),
    );
    const connection = await fake.connection(0);
    await waitUntil(() => connection.audioSeconds >= 1.2, 5000, 'audio');
    pipeline.queue(new VADUserStoppedSpeakingFrame(1200));
    await waitUntil(() => finals(pipeline).length === 1, 5000, 'the finalized transcript');
    expect(connection.finalizes).toHaveLength(1);
    expect(finals(pipeline)[0]?.text).toBe('And so my fellow');
    await pipeline.end();
  });

  it('ends the utterance on UtteranceEnd when speech_final never comes', async () => {
    fake = await FakeDeepgramServer.start({
      utterances: [{ ...(JFK_UTTERANCES[0] as (typeof JFK_UTTERANCES)[0]), speechFinal: false }],
    });
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 } }).start();
    pipeline.queue(...frames(jfk.samples.subarray(0, 16000 * 2.9), 16000));
    const connection = await fake.connection(0);
    await waitUntil(() => connection.audioSeconds >= 2.8, 5000, 'audio');
    // The segment is final (2.8 s) but not speech_final: no TranscriptionFrame yet.
    expect(
      connection.sentMessages.some((message) => message.is_final === true && message.speech_final === false),
    ).toBe(true);
    expect(finals(pipeline)).toHaveLength(0);
    pipeline.queue(...frames(jfk.samples.subarray(16000 * 2.9, 16000 * 3.4), 16000));
    await waitUntil(() => finals(pipeline).length === 1, 5000, 'the transcript at UtteranceEnd');
    expect(connection.sentMessages.at(-1)?.type).toBe('UtteranceEnd');
    expect(finals(pipeline)[0]?.text).toBe('And so my fellow Americans,');
    await pipeline.end();
  });

  it('sends KeepAlive text frames during silence, one loop on the pipeline clock, so the stream stays open', async () => {
    const clock = new VirtualClock();
    fake = await FakeDeepgramServer.start({ clock, inactivityTimeoutMs: 10_000 });
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 }, clock }).start();
    pipeline.queue(...frames(jfk.samples.subarray(0, 3200), 16000));
    const connection = await fake.connection(0);
    await waitUntil(() => connection.audioByteCount === 6400, 5000, 'audio');
    for (let second = 1; second <= 60; second++) {
      await clock.advance(1000);
      const expected = Math.floor(second / 5);
      await waitUntil(() => connection.keepAlives.length === expected, 5000, `KeepAlive ${expected}`);
    }
    expect(connection.open).toBe(true);
    expect(connection.violations).toEqual([]);
    // Audio resets the interval: no KeepAlive while audio flows.
    pipeline.queue(...frames(jfk.samples.subarray(0, 3200), 16000));
    await waitUntil(() => connection.audioByteCount === 12_800, 5000, 'more audio');
    await clock.advance(4000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.keepAlives).toHaveLength(12);
    await pipeline.cancel();
  });

  it('reconnects after a dropped connection, replays the audio of the gap and keeps word times continuous', async () => {
    fake = await FakeDeepgramServer.start({ utterances: JFK_UTTERANCES });
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url, retry: fastRetry });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 } }).start();
    const all = frames(jfk.samples, 16000);
    await waitUntil(() => stt.connectionState === 'open', 5000, 'the stream to open');
    pipeline.queue(...all.slice(0, 140)); // 2.8 s
    const first = await fake.connection(0);
    await waitUntil(() => first.audioByteCount === 140 * 640, 5000, 'the first 2.8 s to arrive');
    await waitUntil(() => finals(pipeline).length === 1, 5000, 'the first utterance');

    // The second stream starts 2.8 s into the recording: its words are 2.8 s earlier.
    fake.script([
      {
        words: (JFK_UTTERANCES[1]?.words ?? []).map((word) => ({
          ...word,
          start: word.start - 2.8,
          end: word.end - 2.8,
        })),
      },
    ]);
    // The reconnect starts at once; holding its handshake keeps the gap open for as long as the
    // test needs, however loaded the machine is.
    const releaseHandshake = fake.holdHandshakes();
    first.drop();
    const server = fake;
    await waitUntil(() => server.heldHandshakeCount === 1, 5000, 'the reconnect handshake');
    expect(stt.connectionState).toBe('connecting');
    pipeline.queue(...all.slice(140, 190)); // 1 s while reconnecting: held, then replayed
    await waitUntil(() => pipeline.downstream(InputAudioRawFrame).length === 190, 5000, 'the gap audio');
    releaseHandshake();
    const second = await fake.connection(1);
    await waitUntil(() => stt.connectionState === 'open', 5000, 'the stream to reopen');
    pipeline.queue(...all.slice(190));
    await waitUntil(() => finals(pipeline).length === 2, 5000, 'the second utterance');
    const transcript = finals(pipeline)[1];
    expect(transcript?.text).toBe(
      'ask not what your country can do for you, ask what you can do for your country.',
    );
    expect([transcript?.startMs, transcript?.endMs]).toEqual([3300, 10300]);
    await pipeline.end();
    expect(first.audioByteCount + second.audioByteCount).toBe(550 * 640);
    expect(pipeline.errors).toEqual([]);
  });

  it('retries a 503 at the handshake, then connects', async () => {
    fake = await FakeDeepgramServer.start({ utterances: JFK_UTTERANCES });
    fake.rejectNextHandshakes(2, 503);
    const stt = new DeepgramSTTService({ apiKey: fake.apiKey, baseUrl: fake.url, retry: fastRetry });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 } }).start();
    pipeline.queue(...frames(jfk.samples.subarray(0, 16000 * 3), 16000));
    await waitUntil(() => finals(pipeline).length === 1, 5000, 'a transcript');
    expect(fake.rejections.map((rejection) => rejection.status)).toEqual([503, 503]);
    expect(fake.connections).toHaveLength(1);
    expect(fake.connections[0]?.audioSeconds).toBe(3);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('reports refused credentials as an ErrorFrame without retrying', async () => {
    fake = await FakeDeepgramServer.start();
    const stt = new DeepgramSTTService({ apiKey: 'wrong-key', baseUrl: fake.url, retry: fastRetry });
    const pipeline = new RecordingPipeline([stt], { params: { audioInSampleRate: 16000 } }).start();
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'an error');
    expect(pipeline.errors[0]?.fatal).toBe(false);
    expect(pipeline.errors[0]?.message).toContain('HTTP 401');
    expect(fake.rejections).toHaveLength(1);
    pipeline.queue(...frames(jfk.samples.subarray(0, 3200), 16000));
    await pipeline.end();
    expect(pipeline.downstream(InputAudioRawFrame)).toHaveLength(10);
  });
});
