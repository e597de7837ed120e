/**
 * End to end over a real loopback WebSocket with the real carrier serializers: a client plays
 * Twilio or Telnyx, streams the JFK recording as 8 kHz µ-law at real time, and an echo pipeline
 * (resampling 8 → 16 → 8 kHz inside the serializers) sends it back paced at 50 frames/s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.js';
import { bestAlignment, concat, fromMuLawBase64, jfkAt8k, toMuLawBase64 } from './support/audio.js';
import { type CarrierMessages, telnyxMessages, twilioMessages } from './support/carrier-messages.js';
import { CarrierClient, pause, startServer, type TestServer, waitFor } from './support/loopback.js';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

describe.each([
  ['twilio', () => twilioMessages()],
  ['telnyx', () => telnyxMessages()],
] as const)('%s media stream, end to end', (carrier, makeMessages: () => CarrierMessages) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('echoes the caller back paced at 50 frames/s, with the audio intact', async () => {
    const client = await CarrierClient.connect(server.url, makeMessages());
    client.begin();
    const speech = jfkAt8k(3);
    await client.streamAudio(speech);
    // The last frames come back within the lead plus the jitter buffer's hold.
    await waitFor(() => client.events('media').length >= 148);
    await pause(200);

    const media = client.events('media');
    const arrivals = media.map((entry) => entry.at);
    const intervals = arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
    expect(median(intervals)).toBeGreaterThanOrEqual(18);
    expect(median(intervals)).toBeLessThanOrEqual(22);
    // Never faster than real time: 3 s of audio cannot arrive in much less than 3 s.
    const span = (arrivals.at(-1) as number) - (arrivals[0] as number);
    expect(span).toBeGreaterThan(2800);
    // Every message is one 20 ms frame of 8 kHz µ-law.
    const frames = media.map((entry) =>
      fromMuLawBase64((entry.message.media as { payload: string }).payload),
    );
    expect(frames.every((frame) => frame.length === 160)).toBe(true);
    // What came back is what was sent, delayed.
    const sent = fromMuLawBase64(toMuLawBase64(speech));
    const { lag, correlation } = bestAlignment(sent, concat(frames), 1600);
    expect(correlation).toBeGreaterThan(0.9);
    expect(lag).toBeLessThan(1600);
    // A mark every second of audio, echoed; the carrier never held more than the 60 ms lead plus
    // what loopback scheduling jitter can add.
    expect(client.events('mark').length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...client.playback.media.map((m) => m.queuedMs))).toBeLessThanOrEqual(100);

    const session = server.sessions.at(-1);
    expect(session?.transport.carrier).toBe(carrier);
    expect(session?.transport.counters.marksEchoed).toBeGreaterThanOrEqual(2);
    expect(session?.transport.counters.rejectedMessages).toBe(0);

    // The caller hangs up: the pipeline is cancelled and the socket closed, with no hang-up request.
    client.send(client.messages.stop());
    expect((await client.closed).code).toBe(CloseCode.Normal);
    const outcome = await session?.finished;
    expect(outcome).toEqual({ pipeline: 'cancel', hungUp: false, endedBy: 'carrier' });
    expect(server.terminators[carrier].calls).toHaveLength(0);
  });

  it('plays the final audio, hangs up once, then closes when the pipeline ends', async () => {
    const client = await CarrierClient.connect(server.url, makeMessages());
    client.begin();
    await client.streamAudio(jfkAt8k(1));
    const session = server.sessions.at(-1);
    session?.task?.stopWhenDone('goodbye');
    const closed = await client.closed;
    expect(closed.code).toBe(CloseCode.Normal);
    const calls = server.terminators[carrier].calls;
    expect(calls.map((call) => call.callId)).toEqual([client.messages.callId]);
    // The hang-up came after the caller heard the last audio: the last mark echo was sent before it.
    const lastEcho = client.playback.echoes.at(-1)?.at as number;
    expect(calls[0]?.at).toBeGreaterThanOrEqual(lastEcho);
    expect(client.playback.queuedMs()).toBe(0);
    expect((await session?.finished)?.hungUp).toBe(true);
  });
});
