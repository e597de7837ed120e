/**
 * The fake Deepgram server, driven by the official SDK (`@deepgram/sdk` listen.v1): it accepts
 * what the real service accepts, answers in the real shapes, and refuses what the real one refuses.
 */
import { DeepgramClient } from '@deepgram/sdk';
import { VirtualClock } from '@voxline/core';
import { FakeDeepgramServer } from '@voxline/deepgram/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { JFK_UTTERANCES, readRecording } from './jfk-recording.js';

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
type ListenArgs = Parameters<DeepgramClient['listen']['v1']['connect']>[0];

let fake: FakeDeepgramServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

interface OpenedStream {
  socket: ListenSocket;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
}

async function openStream(
  client: DeepgramClient,
  args: Omit<ListenArgs, 'model'> = {},
): Promise<OpenedStream> {
  const socket = await client.listen.v1.connect({ model: 'nova-3', reconnectAttempts: 0, ...args });
  const messages: Record<string, unknown>[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (event) => resolve({ code: event.code, reason: event.reason }));
  });
  socket.on('message', (message) => messages.push(message as unknown as Record<string, unknown>));
  socket.connect();
  await socket.waitForOpen();
  return { socket, messages, closed };
}

/** 16-bit little-endian bytes of `samples`. */
function linear16(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < samples.length; index++)
    view.setInt16(index * 2, samples[index] as number, true);
  return bytes;
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 500 && !condition(); attempt++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

describe('FakeDeepgramServer through @deepgram/sdk', () => {
  it('accepts Token auth, reads the query the SDK builds and transcribes the JFK recording', async () => {
    fake = await FakeDeepgramServer.start({ utterances: JFK_UTTERANCES });
    const client = new DeepgramClient({ apiKey: fake.apiKey, baseUrl: fake.url });
    const stream = await openStream(client, {
      encoding: 'linear16',
      sample_rate: 16000,
      interim_results: 'true',
      punctuate: 'true',
      vad_events: 'true',
      endpointing: 300,
      utterance_end_ms: 1000,
    });
    const connection = await fake.connection(0);
    expect(connection.headers.authorization).toBe(`Token ${fake.apiKey}`);
    expect(connection.query.encoding).toBe('linear16');
    expect(connection.query.sampleRate).toBe(16000);
    expect(connection.query.endpointingMs).toBe(300);

    const { samples } = readRecording('jfk-16k.wav');
    const bytes = linear16(samples);
    for (let offset = 0; offset < bytes.length; offset += 640)
      stream.socket.sendMedia(bytes.subarray(offset, offset + 640));
    stream.socket.sendCloseStream({ type: 'CloseStream' });
    expect((await stream.closed).code).toBe(1000);

    const results = stream.messages.filter((message) => message.type === 'Results');
    const speechFinals = results.filter((message) => message.speech_final === true);
    const transcript = (message: Record<string, unknown>) =>
      (message.channel as { alternatives: { transcript: string }[] }).alternatives[0]?.transcript;
    expect(speechFinals.map(transcript)).toEqual([
      'And so my fellow Americans,',
      'ask not what your country can do for you, ask what you can do for your country.',
    ]);
    expect(results.some((message) => message.is_final === false)).toBe(true);
    expect(stream.messages.filter((message) => message.type === 'UtteranceEnd')).toHaveLength(1);
    expect(stream.messages.filter((message) => message.type === 'SpeechStarted')).toHaveLength(2);
    expect(stream.messages.at(-1)).toMatchObject({ type: 'Metadata', duration: 11, channels: 1 });
    expect(connection.audioSeconds).toBeCloseTo(11, 3);
    expect(connection.violations).toEqual([]);
  });

  it('refuses an API key sent with the Bearer scheme (API keys take Token)', async () => {
    fake = await FakeDeepgramServer.start();
    const client = new DeepgramClient({ accessToken: fake.apiKey, baseUrl: fake.url });
    await expect(openStream(client, { encoding: 'linear16', sample_rate: 16000 })).rejects.toBeDefined();
    expect(fake.rejections).toMatchObject([{ status: 401, message: 'Invalid credentials.' }]);
    expect(fake.connections).toHaveLength(0);
  });

  it('refuses a wrong key, and raw encoding without sample_rate', async () => {
    fake = await FakeDeepgramServer.start();
    const wrong = new DeepgramClient({ apiKey: 'not-a-key', baseUrl: fake.url });
    await expect(openStream(wrong, { encoding: 'mulaw', sample_rate: 8000 })).rejects.toBeDefined();
    const client = new DeepgramClient({ apiKey: fake.apiKey, baseUrl: fake.url });
    await expect(openStream(client, { encoding: 'mulaw' })).rejects.toBeDefined();
    await expect(
      openStream(client, { encoding: 'linear16', sample_rate: 16000, utterance_end_ms: 1000 }),
    ).rejects.toBeDefined();
    expect(fake.rejections.map((rejection) => rejection.status)).toEqual([401, 400, 400]);
  });

  it('holds handshakes until released, then accepts them in order', async () => {
    const server = await FakeDeepgramServer.start();
    fake = server;
    const client = new DeepgramClient({ apiKey: server.apiKey, baseUrl: server.url });
    const release = server.holdHandshakes();
    let opened = false;
    const opening = openStream(client, { encoding: 'linear16', sample_rate: 16000 }).then((stream) => {
      opened = true;
      return stream;
    });
    await until(() => server.heldHandshakeCount === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened).toBe(false);
    expect(server.connections).toHaveLength(0);
    release();
    const stream = await opening;
    expect(server.heldHandshakeCount).toBe(0);
    expect(server.connections).toHaveLength(1);
    stream.socket.close();
  });

  it('closes with DATA-0000 when raw audio arrives without an encoding', async () => {
    fake = await FakeDeepgramServer.start();
    const client = new DeepgramClient({ apiKey: fake.apiKey, baseUrl: fake.url });
    const stream = await openStream(client);
    stream.socket.sendMedia(linear16(readRecording('jfk-16k.wav').samples.subarray(0, 320)));
    expect(await stream.closed).toEqual({ code: 1002, reason: 'DATA-0000' });
  });

  it('closes with NET-0001 after the inactivity timeout unless KeepAlive text frames arrive', async () => {
    const clock = new VirtualClock();
    fake = await FakeDeepgramServer.start({ clock });
    const client = new DeepgramClient({ apiKey: fake.apiKey, baseUrl: fake.url });
    const kept = await openStream(client, { encoding: 'mulaw', sample_rate: 8000 });
    const keptConnection = await fake.connection(0);
    for (let second = 0; second < 30; second += 5) {
      kept.socket.sendKeepAlive({ type: 'KeepAlive' });
      await until(() => keptConnection.keepAlives.length === second / 5 + 1);
      await clock.advance(5000);
    }
    expect(keptConnection.open).toBe(true);

    await clock.advance(10_000);
    expect(await kept.closed).toEqual({ code: 1011, reason: 'NET-0001' });
    expect(keptConnection.violations).toEqual([]);
  });

  it('answers Finalize with from_finalize results of what was heard', async () => {
    fake = await FakeDeepgramServer.start({ utterances: JFK_UTTERANCES });
    const client = new DeepgramClient({ apiKey: fake.apiKey, baseUrl: fake.url });
    const stream = await openStream(client, {
      encoding: 'linear16',
      sample_rate: 16000,
      interim_results: 'true',
    });
    const bytes = linear16(readRecording('jfk-16k.wav').samples.subarray(0, 16000 * 1.2));
    stream.socket.sendMedia(bytes);
    stream.socket.sendFinalize({ type: 'Finalize' });
    await until(() => stream.messages.some((message) => message.from_finalize === true));
    const finalized = stream.messages.find((message) => message.from_finalize === true) as {
      is_final: boolean;
      channel: { alternatives: { transcript: string }[] };
    };
    expect(finalized.is_final).toBe(true);
    expect(finalized.channel.alternatives[0]?.transcript).toBe('and so my fellow');
  });
});
