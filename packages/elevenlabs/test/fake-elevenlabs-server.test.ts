/**
 * The fake ElevenLabs server: the multi-context socket (driven with `ws`, since the SDK has no
 * socket client for it) and the HTTP stream endpoint (driven with the official SDK).
 */
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { decodeMuLaw } from '@voxline/audio';
import { VirtualClock } from '@voxline/core';
import { FakeElevenLabsServer } from '@voxline/elevenlabs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

let fake: FakeElevenLabsServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

interface OpenSocket {
  socket: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: Record<string, unknown>): void;
}

async function openSocket(
  server: FakeElevenLabsServer,
  query: string,
  headers?: Record<string, string>,
): Promise<OpenSocket> {
  const socket = new WebSocket(`${server.url}/v1/text-to-speech/voice-1/multi-stream-input?${query}`, {
    headers: headers ?? { 'xi-api-key': server.apiKey },
  });
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, closed, send: (message) => socket.send(JSON.stringify(message)) };
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 500 && !condition(); attempt++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('FakeElevenLabsServer multi-stream-input', () => {
  it('streams µ-law audio with per-chunk alignment, camelCase contextId, then isFinal on close_context', async () => {
    fake = await FakeElevenLabsServer.start({ msPerCharacter: 40, charactersPerChunk: 6 });
    const tts = await openSocket(fake, 'model_id=eleven_flash_v2_5&output_format=ulaw_8000');
    tts.send({ text: ' ', context_id: 'turn-1', voice_settings: { stability: 0.5, similarity_boost: 0.8 } });
    tts.send({ text: 'Hello there. ', context_id: 'turn-1' });
    tts.send({ text: '', context_id: 'turn-1', flush: true });
    tts.send({ context_id: 'turn-1', close_context: true });
    await until(() => tts.messages.some((message) => message.isFinal === true));

    const audio = tts.messages.filter((message) => typeof message.audio === 'string');
    expect(audio.map((message) => message.contextId)).toEqual(['turn-1', 'turn-1', 'turn-1']);
    expect(audio.map((message) => (message.alignment as { chars: string[] }).chars.join(''))).toEqual([
      'Hello ',
      'there.',
      ' ',
    ]);
    expect((audio[1]?.alignment as { charStartTimesMs: number[] } | undefined)?.charStartTimesMs).toEqual([
      0, 40, 80, 120, 160, 200,
    ]);
    const bytes = Buffer.from(audio[0]?.audio as string, 'base64');
    expect(bytes.length).toBe(6 * 320); // 6 characters × 40 ms × 8 samples/ms, one byte each
    const pcm = decodeMuLaw(new Uint8Array(bytes));
    const peak = (from: number, to: number) => Math.max(...Array.from(pcm.subarray(from, to), Math.abs));
    expect(peak(0, 320)).toBeGreaterThan(7000); // 'H': a tone
    expect(peak(5 * 320, 6 * 320)).toBe(0); // ' ': silence (µ-law 0xFF)
    expect(bytes.subarray(5 * 320).every((byte) => byte === 0xff)).toBe(true);
    expect(tts.messages.at(-1)).toEqual({ isFinal: true, contextId: 'turn-1' });
    const connection = await fake.connection(0);
    expect(connection.contexts.get('turn-1')?.generatedText).toBe('Hello there. ');
    expect(connection.violations).toEqual([]);
  });

  it('refuses a first message whose text is not a single space', async () => {
    fake = await FakeElevenLabsServer.start();
    const tts = await openSocket(fake, 'output_format=pcm_16000');
    tts.send({ text: 'Hello ', context_id: 'a' });
    expect((await tts.closed).code).toBe(1008);
    expect(tts.messages[0]).toMatchObject({ error: 'invalid_request', code: 1008 });
  });

  it('refuses voice_settings after the first message of a context', async () => {
    fake = await FakeElevenLabsServer.start();
    const tts = await openSocket(fake, 'output_format=pcm_16000');
    tts.send({ text: ' ', context_id: 'a', voice_settings: { stability: 0.5 } });
    tts.send({ text: 'Hi ', context_id: 'a', voice_settings: { stability: 0.9 } });
    expect((await tts.closed).code).toBe(1008);
    expect(tts.messages.at(-1)).toMatchObject({ error: 'invalid_request' });
  });

  it('closes with max_active_conversations when a sixth context opens', async () => {
    fake = await FakeElevenLabsServer.start();
    const tts = await openSocket(fake, 'output_format=pcm_16000');
    for (let index = 1; index <= 6; index++) tts.send({ text: ' ', context_id: `c${index}` });
    expect((await tts.closed).code).toBe(1008);
    expect(tts.messages.at(-1)).toMatchObject({ error: 'max_active_conversations', code: 1008 });
  });

  it('lets a closed context free its slot once isFinal was sent', async () => {
    fake = await FakeElevenLabsServer.start();
    const tts = await openSocket(fake, 'output_format=pcm_16000');
    for (let index = 1; index <= 5; index++) tts.send({ text: ' ', context_id: `c${index}` });
    tts.send({ context_id: 'c1', close_context: true });
    await until(() => tts.messages.some((message) => message.isFinal === true));
    tts.send({ text: ' ', context_id: 'c6' });
    tts.send({ text: 'Still here. ', context_id: 'c6', flush: true });
    await until(() => tts.messages.some((message) => message.contextId === 'c6'));
    expect((await fake.connection(0)).open).toBe(true);
  });

  it('refuses a socket without an API key, in the header or the first message', async () => {
    fake = await FakeElevenLabsServer.start();
    const tts = await openSocket(fake, 'output_format=pcm_16000', {});
    tts.send({ text: ' ', context_id: 'a' });
    expect((await tts.closed).code).toBe(1008);
    expect(tts.messages[0]).toMatchObject({ error: 'invalid_api_key' });

    const keyed = await openSocket(fake, 'output_format=pcm_16000', {});
    keyed.send({ text: ' ', context_id: 'a', xi_api_key: fake.apiKey });
    keyed.send({ text: 'Hi. ', context_id: 'a', flush: true });
    await until(() => keyed.messages.some((message) => message.audio !== undefined));
  });

  it('closes after the inactivity timeout unless a keep-alive arrives', async () => {
    const clock = new VirtualClock();
    fake = await FakeElevenLabsServer.start({ clock });
    const tts = await openSocket(fake, 'output_format=pcm_16000&inactivity_timeout=20');
    tts.send({ text: ' ', context_id: 'a' });
    const connection = await fake.connection(0);
    await until(() => connection.receivedMessages.length === 1);
    await clock.advance(15_000);
    tts.send({ text: '', context_id: 'a' });
    await until(() => connection.receivedMessages.length === 2);
    await clock.advance(15_000);
    expect(connection.open).toBe(true);
    await clock.advance(5_000);
    const closed = await tts.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('Have not received a new text input within the timeout of 20 seconds');
  });

  it('keeps streaming flushed audio after close_context (the client must drop it)', async () => {
    const clock = new VirtualClock();
    fake = await FakeElevenLabsServer.start({ clock, chunkIntervalMs: 100, charactersPerChunk: 5 });
    const tts = await openSocket(fake, 'output_format=pcm_16000');
    tts.send({ text: ' ', context_id: 'a' });
    tts.send({ text: 'One two three four. ', context_id: 'a', flush: true });
    const connection = await fake.connection(0);
    await until(() => tts.messages.length === 1);
    tts.send({ context_id: 'a', close_context: true });
    await until(() => connection.receivedMessages.length === 3);
    await clock.advance(1000);
    await until(() => tts.messages.some((message) => message.isFinal === true));
    expect(tts.messages.filter((message) => message.audio !== undefined)).toHaveLength(4);
  });

  it('refuses an invalid output_format with a 1008 close', async () => {
    fake = await FakeElevenLabsServer.start();
    const tts = await openSocket(fake, 'output_format=pcm_12345');
    expect((await tts.closed).code).toBe(1008);
  });
});

describe('FakeElevenLabsServer HTTP stream through the SDK', () => {
  it('streams raw PCM for textToSpeech.stream and refuses a wrong key', async () => {
    fake = await FakeElevenLabsServer.start({ msPerCharacter: 20 });
    const client = new ElevenLabsClient({ apiKey: fake.apiKey, baseUrl: fake.httpUrl, maxRetries: 0 });
    const stream = await client.textToSpeech.stream('voice-1', {
      text: 'Hi there.',
      modelId: 'eleven_flash_v2_5',
      outputFormat: 'pcm_16000',
    });
    let bytes = 0;
    for await (const chunk of stream) bytes += chunk.length;
    expect(bytes).toBe(9 * 20 * 16 * 2);
    expect(fake.speechRequests[0]).toMatchObject({
      voiceId: 'voice-1',
      body: { text: 'Hi there.', model_id: 'eleven_flash_v2_5' },
    });

    const wrong = new ElevenLabsClient({ apiKey: 'nope', baseUrl: fake.httpUrl, maxRetries: 0 });
    await expect(
      wrong.textToSpeech.stream('voice-1', { text: 'x', outputFormat: 'pcm_16000' }),
    ).rejects.toMatchObject({
      statusCode: 401,
    });
  });
});
