/**
 * The fake Realtime server, driven by the SDK's own Realtime WebSocket clients (GA
 * `openai/realtime/ws`, beta `openai/beta/realtime/ws`).
 */

import { once } from 'node:events';
import { encodeMuLaw } from '@voxline/audio';
import { waitUntil } from '@voxline/core/testing';
import { FakeOpenAIRealtimeServer } from '@voxline/openai/testing';
import OpenAI from 'openai';
import { OpenAIRealtimeWS as BetaRealtimeWS } from 'openai/beta/realtime/ws';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { readRecording } from './jfk-recording.js';

let fake: FakeOpenAIRealtimeServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

type Event = Record<string, unknown> & { type: string };

async function connect(server: FakeOpenAIRealtimeServer, apiKey = server.apiKey) {
  const client = new OpenAI({ apiKey, baseURL: server.baseURL });
  const rt = await OpenAIRealtimeWS.create(client, {
    model: 'gpt-realtime',
    options: { ca: server.certificate },
  });
  const events: Event[] = [];
  const errors: Error[] = [];
  rt.on('event', (event) => events.push(event as unknown as Event));
  rt.on('error', (error) => errors.push(error));
  return { rt, events, errors };
}

/** The JFK recording at 8 kHz as µ-law (decimated; enough for an energy detector). */
function jfkMuLaw(seconds: number): Uint8Array {
  const { samples } = readRecording('jfk-16k.wav');
  return encodeMuLaw(samples.filter((_, index) => index % 2 === 0).subarray(0, 8000 * seconds));
}

describe('FakeOpenAIRealtimeServer through the SDK', () => {
  it('speaks GA: session.type required, beta keys refused, pcmu accepted, no beta header', async () => {
    fake = await FakeOpenAIRealtimeServer.start();
    const { rt, events } = await connect(fake);
    await once(rt.socket, 'open');
    await waitUntil(() => events.some((event) => event.type === 'session.created'));
    expect((events[0]?.session as Record<string, unknown> | undefined)?.type).toBe('realtime');
    const session = await fake.session(0);
    expect(session.headers['openai-beta']).toBeUndefined();
    expect(session.headers.authorization).toBe(`Bearer ${fake.apiKey}`);

    rt.send({ type: 'session.update', session: { instructions: 'Hi' } as never });
    rt.send({
      type: 'session.update',
      session: { type: 'realtime', input_audio_format: 'g711_ulaw' } as never,
    });
    rt.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: { input: { format: { type: 'audio/pcm', rate: 16000 } } },
      } as never,
    });
    rt.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: {
          input: { format: { type: 'audio/pcmu' } },
          output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
        },
      },
    });
    await waitUntil(() => events.some((event) => event.type === 'session.updated'));
    const codes = events
      .filter((event) => event.type === 'error')
      .map((event) => (event.error as { code: string }).code);
    expect(codes).toEqual(['missing_required_parameter', 'unknown_parameter', 'invalid_value']);
    expect(session.outputFormat).toEqual({ type: 'audio/pcmu' });
    rt.close();
  });

  it('gives a client with the beta header a beta session that refuses the GA session shape', async () => {
    fake = await FakeOpenAIRealtimeServer.start();
    const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL });
    const rt = await BetaRealtimeWS.create(client, {
      model: 'gpt-realtime',
      options: { ca: fake.certificate },
    });
    const events: Event[] = [];
    rt.on('event', (event) => events.push(event as unknown as Event));
    rt.on('error', () => {});
    await once(rt.socket, 'open');
    rt.send({ type: 'session.update', session: { type: 'realtime' } as never });
    await waitUntil(() => events.some((event) => event.type === 'error'));
    expect((events[0]?.session as Record<string, unknown> | undefined)?.input_audio_format).toBe('pcm16');
    expect(events.find((event) => event.type === 'error')?.error).toMatchObject({
      code: 'unknown_parameter',
      message: "Unknown parameter: 'session.type'.",
    });
    expect((await fake.session(0)).beta).toBe(true);
    rt.close();
  });

  it('detects a spoken turn in appended µ-law, answers with audio, and checks truncation', async () => {
    fake = await FakeOpenAIRealtimeServer.start({
      replies: [{ text: 'Hello there, friend.' }],
      msPerCharacter: 40,
      charactersPerChunk: 5,
    });
    const { rt, events } = await connect(fake);
    await once(rt.socket, 'open');
    rt.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500 },
          },
          output: { format: { type: 'audio/pcmu' } },
        },
      },
    });
    const speech = jfkMuLaw(2.5);
    const silence = new Uint8Array(8000).fill(0xff);
    for (const audio of [speech, silence]) {
      for (let offset = 0; offset < audio.length; offset += 160) {
        rt.send({
          type: 'input_audio_buffer.append',
          audio: Buffer.from(audio.subarray(offset, offset + 160)).toString('base64'),
        });
      }
    }
    await waitUntil(() => events.some((event) => event.type === 'response.done'));
    const types = events.map((event) => event.type);
    expect(types.indexOf('input_audio_buffer.speech_started')).toBeLessThan(
      types.indexOf('input_audio_buffer.speech_stopped'),
    );
    expect(types.indexOf('input_audio_buffer.committed')).toBeLessThan(types.indexOf('response.created'));
    const deltas = events.filter((event) => event.type === 'response.output_audio.delta');
    expect(deltas).toHaveLength(4);
    expect(Buffer.from(deltas[0]?.delta as string, 'base64')).toHaveLength(5 * 40 * 8);
    const itemId = deltas[0]?.item_id as string;
    const session = await fake.session(0);
    expect(Buffer.concat(session.appendedAudio).equals(Buffer.concat([speech, silence]))).toBe(true);

    rt.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 5000 });
    rt.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 300 });
    await waitUntil(() => events.some((event) => event.type === 'conversation.item.truncated'));
    expect(
      events
        .filter((event) => event.type === 'error')
        .map((event) => (event.error as { message: string }).message),
    ).toEqual(['Audio content of 800ms is already shorter than 5000ms']);
    expect(session.truncations).toEqual([
      { item_id: itemId, content_index: 0, audio_end_ms: 300, audioMsBefore: 800 },
    ]);
    rt.send({ type: 'response.cancel' });
    await waitUntil(() => events.filter((event) => event.type === 'error').length === 2);
    rt.close();
  });

  it('refuses a wrong key at the handshake', async () => {
    fake = await FakeOpenAIRealtimeServer.start();
    const { errors } = await connect(fake, 'sk-wrong');
    await waitUntil(() => errors.length > 0);
    expect(errors[0]?.message).toContain('401');
    expect(fake.rejections).toMatchObject([{ status: 401 }]);
  });
});
