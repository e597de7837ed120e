/**
 * OpenAIRealtimeService against the fake Realtime server (GA), through the SDK's
 * `OpenAIRealtimeWS`: µ-law passthrough for telephony, server-VAD turns, spoken replies,
 * barge-in with `conversation.item.truncate` at the heard time, function calls, refused keys.
 */
import { decodeMuLaw, encodeMuLaw } from '@voxline/audio';
import {
  BotInterruptedFrame,
  BotStartedSpeakingFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  FunctionCallResultFrame,
  InputAudioRawFrame,
  InterruptionFrame,
  MetricsFrame,
  TTSAudioRawFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
} from '@voxline/core';
import { RecordingPipeline, waitUntil } from '@voxline/core/testing';
import { OpenAIRealtimeService } from '@voxline/openai';
import { FakeOpenAIRealtimeServer } from '@voxline/openai/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecording } from './jfk-recording.js';

let fake: FakeOpenAIRealtimeServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const { samples: jfk16k } = readRecording('jfk-16k.wav');
/** What a carrier would send: the recording at 8 kHz in µ-law. */
const carrier = encodeMuLaw(jfk16k.filter((_, index) => index % 2 === 0));
const silence = new Uint8Array(8000).fill(0xff);

/** 20 ms input frames decoded from carrier µ-law bytes, as a telephony transport delivers them. */
function frames(bytes: Uint8Array): InputAudioRawFrame[] {
  const list: InputAudioRawFrame[] = [];
  for (let offset = 0; offset + 160 <= bytes.length; offset += 160) {
    list.push(
      new InputAudioRawFrame({ audio: decodeMuLaw(bytes.subarray(offset, offset + 160)), sampleRate: 8000 }),
    );
  }
  return list;
}

/** Stands in for the output transport: reports speaking state and the heard time upstream. */
class TransportStub extends FrameProcessor {
  heardMs = 0;
  #playing: string | undefined;
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (direction !== FrameDirection.Downstream) return;
    if (frame instanceof TTSAudioRawFrame && this.#playing === undefined) {
      this.#playing = frame.contextId;
      this.pushFrame(new BotStartedSpeakingFrame(), FrameDirection.Upstream);
    } else if (frame instanceof InterruptionFrame && this.#playing !== undefined) {
      this.pushFrame(
        new BotInterruptedFrame(this.heardMs, undefined, this.#playing),
        FrameDirection.Upstream,
      );
      this.#playing = undefined;
    }
  }
}

function service(
  server: FakeOpenAIRealtimeServer,
  extra: Partial<ConstructorParameters<typeof OpenAIRealtimeService>[0]> = {},
) {
  return new OpenAIRealtimeService({
    apiKey: server.apiKey,
    baseURL: server.baseURL,
    webSocketOptions: { ca: server.certificate },
    retry: { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 },
    ...extra,
  });
}

const telephony = { audioInSampleRate: 8000, audioOutSampleRate: 8000 };

describe('OpenAIRealtimeService', () => {
  it('passes µ-law through both ways on a GA session and speaks the reply', async () => {
    fake = await FakeOpenAIRealtimeServer.start({ replies: [{ text: 'Hello there, friend.' }] });
    const realtime = service(fake, { instructions: 'Be brief.', voice: 'marin' });
    const pipeline = new RecordingPipeline([realtime], { params: telephony }).start();
    await waitUntil(() => realtime.connected, 5000, 'the session');
    const session = await fake.session(0);
    expect(session.headers['openai-beta']).toBeUndefined();
    expect(session.eventsOfType('session.update')[0]).toMatchObject({
      session: {
        type: 'realtime',
        instructions: 'Be brief.',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            turn_detection: { type: 'server_vad', create_response: true, interrupt_response: true },
          },
          output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
        },
      },
    });

    const spoken = carrier.subarray(0, 8000 * 2.5);
    pipeline.queue(...frames(spoken), ...frames(silence));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the reply');
    expect(Buffer.concat(session.appendedAudio).equals(Buffer.concat([spoken, silence]))).toBe(true);
    expect(pipeline.downstream(UserStartedSpeakingFrame)).toHaveLength(1);
    expect(pipeline.downstream(UserStoppedSpeakingFrame)).toHaveLength(1);
    const audio = pipeline.downstream(TTSAudioRawFrame);
    expect(audio.every((frame) => frame.sampleRate === 8000)).toBe(true);
    expect(audio.reduce((total, frame) => total + frame.audio.length, 0)).toBe(20 * 50 * 8);
    expect(pipeline.downstream(TTSStartedFrame)[0]?.contextId).toBe(audio[0]?.contextId);
    const usage = pipeline
      .downstream(MetricsFrame)
      .flatMap((frame) => frame.data)
      .find((data) => data.type === 'llm-usage');
    expect(usage).toMatchObject({ promptTokens: 100, completionTokens: 20 });
    expect(session.violations).toEqual([]);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('on barge-in interrupts the pipeline and truncates the reply to the heard time, dropping late audio', async () => {
    fake = await FakeOpenAIRealtimeServer.start({
      replies: [{ text: 'This answer is long enough to be cut off by the caller halfway through it.' }],
      charactersPerChunk: 5,
      chunkIntervalMs: 30,
    });
    const realtime = service(fake);
    const transport = new TransportStub();
    transport.heardMs = 700;
    const pipeline = new RecordingPipeline([realtime, transport], { params: telephony }).start();
    await waitUntil(() => realtime.connected, 5000, 'the session');
    pipeline.queue(...frames(carrier.subarray(0, 8000 * 2.5)), ...frames(silence));
    await waitUntil(() => pipeline.downstream(TTSAudioRawFrame).length >= 4, 5000, 'the reply to play');

    pipeline.queue(...frames(carrier.subarray(8000 * 3.3, 8000 * 4.3)));
    const session = await fake.session(0);
    await waitUntil(() => session.truncations.length === 1, 5000, 'the truncation');
    const itemId = pipeline.downstream(TTSAudioRawFrame)[0]?.contextId;
    expect(session.truncations[0]).toMatchObject({ item_id: itemId, content_index: 0, audio_end_ms: 700 });
    expect(pipeline.downstream(InterruptionFrame).length).toBeGreaterThanOrEqual(1);
    await waitUntil(() => session.sentOfType('response.done').length === 1, 5000, 'the cancelled response');
    expect(session.sentOfType('response.done')[0]).toMatchObject({ response: { status: 'cancelled' } });

    // Nothing of the cut reply went downstream after the interruption (the late delta was dropped).
    const order = pipeline.downstreamFrames;
    const firstAudio = order.findIndex((frame) => frame instanceof TTSAudioRawFrame);
    const interruptedAt = order.findIndex(
      (frame, index) => index > firstAudio && frame instanceof InterruptionFrame,
    );
    expect(interruptedAt).toBeGreaterThan(firstAudio);
    expect(
      order
        .slice(interruptedAt)
        .some((frame) => frame instanceof TTSAudioRawFrame && frame.contextId === itemId),
    ).toBe(false);
    const deltas = session.sentOfType('response.output_audio.delta').length;
    expect(pipeline.downstream(TTSAudioRawFrame).length).toBeLessThan(deltas);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('runs a function call, sends its output and asks for the spoken answer', async () => {
    fake = await FakeOpenAIRealtimeServer.start({
      replies: [
        { toolCall: { name: 'get_weather', arguments: '{"city":"Paris"}', callId: 'call_1' } },
        { text: 'Sunny in Paris.' },
      ],
    });
    const realtime = service(fake);
    realtime.functions.register({
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
      handler: () => ({ sky: 'sunny' }),
    });
    const pipeline = new RecordingPipeline([realtime], { params: telephony }).start();
    await waitUntil(() => realtime.connected, 5000, 'the session');
    const session = await fake.session(0);
    expect(
      (session.eventsOfType('session.update')[0]?.session as { tools: unknown[] } | undefined)?.tools,
    ).toEqual([
      {
        type: 'function',
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ]);
    pipeline.queue(...frames(carrier.subarray(0, 8000 * 2.5)), ...frames(silence));
    await waitUntil(() => pipeline.downstream(TTSStoppedFrame).length === 1, 5000, 'the spoken answer');
    expect(session.eventsOfType('conversation.item.create')).toMatchObject([
      { item: { type: 'function_call_output', call_id: 'call_1', output: '{"sky":"sunny"}' } },
    ]);
    expect(session.eventsOfType('response.create')).toHaveLength(1);
    expect(pipeline.downstream(FunctionCallResultFrame)[0]?.result).toEqual({ sky: 'sunny' });
    expect(session.serverEvents.filter((event) => event.type === 'error')).toEqual([]);
    await pipeline.end();
  });

  it('reports a refused key without retrying', async () => {
    fake = await FakeOpenAIRealtimeServer.start();
    const pipeline = new RecordingPipeline([service(fake, { apiKey: 'sk-wrong' })], {
      params: telephony,
    }).start();
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'the error');
    expect(pipeline.errors[0]?.message).toContain('HTTP 401');
    expect(fake.rejections).toHaveLength(1);
    await pipeline.end();
  });
});
