/**
 * Golden `start` messages of the simulator's Telnyx calls, one per codec `voxline simulate
 * --codec` offers, in the shape Telnyx documents
 * (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket:
 * snake case, `stream_id` at the top level, `media_format` with `encoding`, `sample_rate`,
 * `channels`), and how Voxline's own Telnyx serializer reads each: G.722 and Opus at 16000 Hz
 * both ways, G.711 at 8000 Hz.
 */
import { createCarrierSerializer } from '@voxline/telephony';
import { telnyxCarrier } from '@voxline/telnyx';
import { describe, expect, it } from 'vitest';
import type { SimulatedCodec } from '../src/simulator/carrier-codec.js';
import { CarrierMessageWriter } from '../src/simulator/carrier-messages.js';

const ids = {
  callId: 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ',
  streamId: '32de0dea-53cb-4b21-89a4-9e1819c043bc',
  accountOrSessionId: 'ff55a038-0c3b-11ef-8f3b-02420a0daa69',
};

/** The whole `start` message for `encoding` at `sampleRate`, but for the random `user_id`. */
function golden(encoding: string, sampleRate: number) {
  return {
    event: 'start',
    sequence_number: '1',
    stream_id: ids.streamId,
    start: {
      user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      call_control_id: ids.callId,
      call_session_id: ids.accountOrSessionId,
      from: '+15550100001',
      to: '+15550100002',
      tags: [],
      client_state: null,
      custom_parameters: { lead: '42' },
      media_format: { encoding, sample_rate: sampleRate, channels: 1 },
    },
  };
}

describe("the simulator's Telnyx start message, per codec", () => {
  it.each([
    ['PCMU', 8000],
    ['PCMA', 8000],
    ['G722', 16000],
    ['OPUS', 16000],
  ] as const)('%s: announces %i Hz, and the Telnyx serializer reads it as that both ways', (codec, rate) => {
    const writer = new CarrierMessageWriter(
      'telnyx',
      ids,
      codec satisfies SimulatedCodec,
      '+15550100001',
      '+15550100002',
      { lead: '42' },
    );
    expect(JSON.parse(writer.connected()!)).toEqual({ event: 'connected', version: '1.0.0' });
    const start = writer.start();
    // Exactly these fields, nothing more: toStrictEqual on the parsed message.
    expect(JSON.parse(start)).toStrictEqual(golden(codec, rate));

    const serializer = createCarrierSerializer(telnyxCarrier());
    serializer.setup({ inputSampleRate: 16000, outputSampleRate: 16000 });
    const { event } = serializer.deserialize(start);
    expect(event).toMatchObject({
      type: 'start',
      call: {
        carrier: 'telnyx',
        callId: ids.callId,
        streamId: ids.streamId,
        customParameters: { lead: '42' },
        mediaFormat: { encoding: codec, sampleRate: rate, channels: 1 },
        outboundMediaFormat: { encoding: codec, sampleRate: rate, channels: 1 },
      },
    });
  });
});
