/**
 * ElevenLabsTTSService (multi-context WebSocket) and ElevenLabsHttpTTSService (SDK HTTP stream)
 * against the local fake: contexts per turn, output format, word timestamps, interruption with
 * late audio dropped, the 5-context limit, keep-alive, dropped sockets and refused requests.
 */
import {
  ErrorFrame,
  InterruptionFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  TTSAudioRawFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  TTSWordTimestampsFrame,
  VirtualClock,
} from '@voxline/core';
import { RecordingPipeline, waitUntil } from '@voxline/core/testing';
import { ElevenLabsHttpTTSService, ElevenLabsTTSService } from '@voxline/elevenlabs';
import { FakeElevenLabsServer } from '@voxline/elevenlabs/testing';
import { afterEach, describe, expect, it } from 'vitest';

let fake: FakeElevenLabsServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 };

function tts(
  server: FakeElevenLabsServer,
  extra: Partial<ConstructorParameters<typeof ElevenLabsTTSService>[0]> = {},
) {
  return new ElevenLabsTTSService({
    apiKey: server.apiKey,
    voiceId: 'voice-1',
    baseUrl: server.url,
    retry: fastRetry,
    ...extra,
  });
}

function reply(...fragments: string[]) {
  return [
    new LLMFullResponseStartFrame(),
    ...fragments.map((text) => new LLMTextFrame(text)),
    new LLMFullResponseEndFrame(),
  ];
}

function samples(pipeline: RecordingPipeline, contextId?: string): number {
  return pipeline
    .downstream(TTSAudioRawFrame)
    .filter((frame) => contextId === undefined || frame.contextId === contextId)
    .reduce((total, frame) => total + frame.audio.length, 0);
}

describe('ElevenLabsTTSService', () => {
  it('speaks a turn in one context: ulaw_8000 for telephony decoded to PCM, words timed across messages', async () => {
    fake = await FakeElevenLabsServer.start({ msPerCharacter: 50, charactersPerChunk: 7 });
    const service = tts(fake, { voiceSettings: { stability: 0.4, similarityBoost: 0.8 } });
    const pipeline = new RecordingPipeline([service], { params: { audioOutSampleRate: 8000 } }).start();
    pipeline.queue(...reply('Hello ', 'there. ', 'How are', ' you today?'));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the turn to end');

    const connection = await fake.connection(0);
    expect(connection.headers['xi-api-key']).toBe(fake.apiKey);
    expect(Object.fromEntries(connection.query.raw)).toMatchObject({
      model_id: 'eleven_flash_v2_5',
      output_format: 'ulaw_8000',
      auto_mode: 'true',
    });
    const contextId = pipeline.downstream(TTSStartedFrame)[0]?.contextId as string;
    expect(connection.receivedMessages).toEqual([
      { text: ' ', context_id: contextId, voice_settings: { stability: 0.4, similarity_boost: 0.8 } },
      { text: 'Hello there. ', context_id: contextId },
      { text: 'How are you today? ', context_id: contextId },
      { context_id: contextId, text: '', flush: true },
      { context_id: contextId, close_context: true },
    ]);
    expect(pipeline.downstream(TTSTextFrame).map((frame) => frame.text)).toEqual([
      'Hello there.',
      'How are you today?',
    ]);

    const audio = pipeline.downstream(TTSAudioRawFrame);
    expect(audio.every((frame) => frame.sampleRate === 8000 && frame.contextId === contextId)).toBe(true);
    expect(samples(pipeline)).toBe(32 * 50 * 8);
    expect(Math.max(...Array.from(audio[0]?.audio.subarray(0, 400) ?? [], Math.abs))).toBeGreaterThan(7000);
    const words = pipeline.downstream(TTSWordTimestampsFrame).flatMap((frame) => frame.words);
    expect(words).toEqual([
      { word: 'Hello', startMs: 0, endMs: 250 },
      { word: 'there.', startMs: 300, endMs: 600 },
      { word: 'How', startMs: 650, endMs: 800 },
      { word: 'are', startMs: 850, endMs: 1000 },
      { word: 'you', startMs: 1050, endMs: 1200 },
      { word: 'today?', startMs: 1250, endMs: 1550 },
    ]);
    const order = pipeline.downstreamFrames
      .filter(
        (frame) =>
          frame instanceof TTSStartedFrame ||
          frame instanceof TTSStoppedFrame ||
          frame instanceof LLMFullResponseEndFrame,
      )
      .map((frame) => frame.constructor.name);
    expect(order).toEqual(['TTSStartedFrame', 'TTSStoppedFrame', 'LLMFullResponseEndFrame']);
    await pipeline.end();
    expect(connection.violations).toEqual([]);
    expect(pipeline.errors).toEqual([]);
  });

  it('asks for PCM at the pipeline rate otherwise', async () => {
    fake = await FakeElevenLabsServer.start({ msPerCharacter: 20 });
    const pipeline = new RecordingPipeline([tts(fake)], { params: { audioOutSampleRate: 24000 } }).start();
    pipeline.queue(...reply('Hi there.'));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the turn to end');
    expect((await fake.connection(0)).query.outputFormat).toBe('pcm_24000');
    expect(samples(pipeline)).toBe(10 * 20 * 24);
    await pipeline.end();
  });

  it('closes the context on interruption, drops its late audio, and speaks the next turn in a new one', async () => {
    fake = await FakeElevenLabsServer.start({
      msPerCharacter: 20,
      charactersPerChunk: 4,
      chunkIntervalMs: 15,
    });
    const service = tts(fake);
    const pipeline = new RecordingPipeline([service], { params: { audioOutSampleRate: 16000 } }).start();
    pipeline.queue(...reply('This is a rather long sentence that keeps on going for a while. '));
    await waitUntil(() => pipeline.downstream(TTSAudioRawFrame).length >= 2, 5000, 'the first audio');
    const first = pipeline.downstream(TTSStartedFrame)[0]?.contextId as string;
    pipeline.queue(new InterruptionFrame());
    const connection = await fake.connection(0);
    await waitUntil(
      () => connection.contexts.get(first)?.finalSent === true,
      5000,
      'isFinal of the interrupted context',
    );
    expect(connection.receivedMessages.at(-1)).toEqual({ context_id: first, close_context: true });
    // The fake kept streaming what it had generated; none of it went downstream.
    const sentForFirst = connection.contexts.get(first)?.audioMessages ?? 0;
    const pushedForFirst = pipeline
      .downstream(TTSAudioRawFrame)
      .filter((frame) => frame.contextId === first).length;
    expect(sentForFirst).toBeGreaterThan(pushedForFirst);
    // Every audio message of the closed context that was not pushed was dropped (once received).
    await waitUntil(
      () => service.droppedLateAudioChunks === sentForFirst - pushedForFirst,
      5000,
      'the late audio',
    );
    expect(pipeline.downstream(TTSAudioRawFrame).filter((frame) => frame.contextId === first)).toHaveLength(
      pushedForFirst,
    );

    pipeline.queue(...reply('Sure.'));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the second turn');
    const second = pipeline.downstream(TTSStartedFrame)[1]?.contextId as string;
    expect(second).not.toBe(first);
    expect(samples(pipeline, second)).toBe(6 * 20 * 16);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('never opens a sixth context on a socket, however fast turns are interrupted', async () => {
    fake = await FakeElevenLabsServer.start({
      msPerCharacter: 10,
      charactersPerChunk: 2,
      chunkIntervalMs: 40,
    });
    const pipeline = new RecordingPipeline([tts(fake, { contextCloseWaitMs: 200 })], {
      params: { audioOutSampleRate: 16000 },
    }).start();
    let peak = 0;
    for (let turn = 0; turn < 8; turn++) {
      pipeline.queue(...reply(`Turn number ${turn} says quite a lot of words here. `));
      await waitUntil(() => pipeline.downstream(TTSStartedFrame).length === turn + 1, 5000, `turn ${turn}`);
      await waitUntil(() => fake?.connections.at(-1)?.contextHistory.length !== 0, 5000, 'a context');
      for (const connection of fake.connections) peak = Math.max(peak, connection.activeContexts);
      pipeline.queue(new InterruptionFrame());
    }
    expect(peak).toBeLessThanOrEqual(5);
    expect(
      fake.connections
        .flatMap((connection) => connection.sentMessages)
        .some((message) => message.error !== undefined),
    ).toBe(false);
    expect(pipeline.errors).toEqual([]);
    await pipeline.cancel();
  });

  it('keeps an idle socket open with keep-alives on the pipeline clock', async () => {
    const clock = new VirtualClock();
    fake = await FakeElevenLabsServer.start({ clock });
    const service = tts(fake, { inactivityTimeoutSeconds: 20, keepAliveIntervalMs: 10_000 });
    const pipeline = new RecordingPipeline([service], {
      params: { audioOutSampleRate: 16000 },
      clock,
    }).start();
    const connection = await fake.connection(0);
    for (let second = 1; second <= 90; second++) {
      await clock.advance(1000);
      const expected = Math.floor(second / 10);
      await waitUntil(() => connection.receivedMessages.length === expected, 5000, `keep-alive ${expected}`);
    }
    expect(connection.open).toBe(true);
    expect(connection.receivedMessages.every((message) => JSON.stringify(message) === '{"text":""}')).toBe(
      true,
    );
    await pipeline.cancel();
  });

  it('reports a socket dropped mid-turn and reconnects for the next turn', async () => {
    fake = await FakeElevenLabsServer.start({
      msPerCharacter: 20,
      charactersPerChunk: 4,
      chunkIntervalMs: 10,
    });
    const pipeline = new RecordingPipeline([tts(fake)], { params: { audioOutSampleRate: 16000 } }).start();
    pipeline.queue(...reply('A sentence long enough to be cut in the middle. '));
    const first = await fake.connection(0);
    first.dropAfterAudioMessages(3);
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'the error');
    expect(pipeline.errors[0]?.message).toContain('ElevenLabs socket closed: 1006');
    // A dropped socket (1006) is a retryable network fault, caused by the coded close.
    expect(pipeline.errors[0]?.error).toMatchObject({
      name: 'ServiceError',
      code: 'network',
      cause: expect.objectContaining({ name: 'SocketClosedError', code: 'socket-closed', closeCode: 1006 }),
    });
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the failed turn to end');
    expect(pipeline.downstream(TTSAudioRawFrame)).toHaveLength(3);

    pipeline.queue(...reply('Back again.'));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 2, 5000, 'the next turn');
    expect(fake.connections).toHaveLength(2);
    await pipeline.end();
  });

  it('retries a refused handshake (429), and reports a wrong key', async () => {
    fake = await FakeElevenLabsServer.start({ msPerCharacter: 20 });
    fake.failNextRequests(1, 429);
    const pipeline = new RecordingPipeline([tts(fake)], { params: { audioOutSampleRate: 16000 } }).start();
    pipeline.queue(...reply('Hello.'));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the turn');
    expect(samples(pipeline)).toBe(7 * 20 * 16);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);

    const wrong = new RecordingPipeline([tts(fake, { apiKey: 'wrong' })], {
      params: { audioOutSampleRate: 16000 },
    }).start();
    wrong.queue(...reply('Hello.'));
    await waitUntil(() => wrong.errors.length >= 1, 5000, 'the error');
    expect(wrong.errors[0]?.message).toContain('invalid_api_key');
    await wrong.cancel();
  });
});

describe('ElevenLabsHttpTTSService', () => {
  it('synthesizes each sentence with textToSpeech.stream and retries a 500', async () => {
    fake = await FakeElevenLabsServer.start({ msPerCharacter: 20 });
    fake.failNextRequests(1, 500);
    const service = new ElevenLabsHttpTTSService({
      apiKey: fake.apiKey,
      voiceId: 'voice-1',
      baseUrl: fake.httpUrl,
      retry: fastRetry,
    });
    const pipeline = new RecordingPipeline([service], { params: { audioOutSampleRate: 8000 } }).start();
    pipeline.queue(...reply('First one. ', 'Second one.'));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the turn');
    expect(
      fake.speechRequests.map((request) => [
        request.status,
        request.body.text,
        request.query.get('output_format'),
      ]),
    ).toEqual([
      [500, 'First one.', 'ulaw_8000'],
      [200, 'First one.', 'ulaw_8000'],
      [200, 'Second one.', 'ulaw_8000'],
    ]);
    expect(samples(pipeline)).toBe(21 * 20 * 8);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('stops a sentence mid-stream on interruption and speaks the next turn', async () => {
    fake = await FakeElevenLabsServer.start({
      msPerCharacter: 20,
      charactersPerChunk: 5,
      chunkIntervalMs: 40,
    });
    const service = new ElevenLabsHttpTTSService({
      apiKey: fake.apiKey,
      voiceId: 'voice-1',
      baseUrl: fake.httpUrl,
      retry: fastRetry,
    });
    const pipeline = new RecordingPipeline([service], { params: { audioOutSampleRate: 16000 } }).start();
    pipeline.queue(...reply('This sentence is long enough to be interrupted halfway through.'));
    await waitUntil(() => pipeline.downstream(TTSAudioRawFrame).length >= 1, 5000, 'the first audio');
    // While the next chunk is awaited: the read must give up at once, not when the body ends.
    pipeline.queue(new InterruptionFrame());
    pipeline.queue(...reply('Next.'));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length >= 1, 5000, 'the next turn');
    const contexts = pipeline.downstream(TTSStartedFrame).map((frame) => frame.contextId);
    expect(contexts).toHaveLength(2);
    expect(samples(pipeline, contexts[1])).toBe(5 * 20 * 16);
    expect(samples(pipeline, contexts[0])).toBeLessThan(64 * 20 * 16);
    // The interrupted request was cancelled, not read to its end.
    expect(fake.speechRequests.map((request) => request.clientAborted)).toEqual([true, false]);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('gives up a read at once when aborted while the next chunk is awaited', async () => {
    fake = await FakeElevenLabsServer.start({ msPerCharacter: 20 });
    class Probe extends ElevenLabsHttpTTSService {
      run(text: string, signal: AbortSignal) {
        return this.synthesize(text, signal);
      }
    }
    const probe = new Probe({
      apiKey: fake.apiKey,
      voiceId: 'voice-1',
      baseUrl: fake.httpUrl,
      outputFormat: 'pcm_16000',
    });
    const controller = new AbortController();
    let chunks = 0;
    const reading = (async () => {
      for await (const _chunk of probe.run('Thank you for calling the city library.', controller.signal)) {
        // Abort just after the consumer resumed the generator, while it awaits the next read.
        if (++chunks === 1)
          queueMicrotask(() => controller.abort(new DOMException('Interrupted.', 'AbortError')));
      }
    })();
    const outcome = await Promise.race([
      reading.then(
        () => 'finished',
        (error: unknown) => (error as Error).name,
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 3000)),
    ]);
    expect(outcome).toBe('AbortError');
  });

  it('reports a refused key as an ErrorFrame without retrying', async () => {
    fake = await FakeElevenLabsServer.start();
    const service = new ElevenLabsHttpTTSService({
      apiKey: 'wrong',
      voiceId: 'voice-1',
      baseUrl: fake.httpUrl,
      retry: fastRetry,
    });
    const pipeline = new RecordingPipeline([service], { params: { audioOutSampleRate: 16000 } }).start();
    pipeline.queue(...reply('Hello.'));
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'the error');
    expect(pipeline.errors[0]).toBeInstanceOf(ErrorFrame);
    expect(fake.speechRequests.map((request) => request.status)).toEqual([401]);
    await pipeline.end();
  });
});
