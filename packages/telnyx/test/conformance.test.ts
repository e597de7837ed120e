/**
 * TelnyxFrameSerializer passes the serializer conformance suite of @voxline/core/testing, with
 * messages shaped as the Telnyx AsyncAPI gives them
 * (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket),
 * on PCMU and on L16 at 16 kHz.
 */
import { describeConformance, serializerConformance } from '@voxline/core/testing';
import { TelnyxFrameSerializer } from '@voxline/telnyx';
import { describe, it } from 'vitest';

const STREAM_ID = '32DE0DEA-53CB-4B21-89A4-9E1819C043BC';
const CALL_CONTROL_ID = 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ';

function start(mediaFormat: { encoding: string; sample_rate: number; channels: number }): string {
  return JSON.stringify({
    event: 'start',
    sequence_number: '1',
    stream_id: STREAM_ID,
    start: {
      user_id: '3E6F995F-85F7-4705-9741-53B116D28237',
      call_control_id: CALL_CONTROL_ID,
      call_session_id: 'ff55a038-0c3b-11ef-8f3b-02420a0daa69',
      from: '+13122010094',
      to: '+13122123456',
      custom_parameters: { customer_id: 'customer_123' },
      media_format: mediaFormat,
    },
  });
}

/** The inbound message carrying the payload of an outbound `{"event":"media","media":{"payload"}}`. */
function inboundMedia(outbound: string, sequence: number): string {
  const { media } = JSON.parse(outbound) as { media: { payload: string } };
  return JSON.stringify({
    event: 'media',
    sequence_number: String(sequence + 1),
    stream_id: STREAM_ID,
    media: {
      track: 'inbound',
      chunk: String(sequence),
      timestamp: String((sequence - 1) * 20),
      payload: media.payload,
    },
  });
}

const messages = {
  connected: '{"event":"connected","version":"1.0.0"}',
  stop: JSON.stringify({
    event: 'stop',
    sequence_number: '999',
    stream_id: STREAM_ID,
    stop: { user_id: '3E6F995F-85F7-4705-9741-53B116D28237', call_control_id: CALL_CONTROL_ID },
  }),
  markEcho: (name: string) =>
    JSON.stringify({ event: 'mark', sequence_number: '6', stream_id: STREAM_ID, mark: { name } }),
  inboundMedia,
  dtmf: {
    message: JSON.stringify({
      event: 'dtmf',
      sequence_number: '5',
      stream_id: STREAM_ID,
      dtmf: { digit: '#' },
    }),
    digit: '#',
  },
  invalid: [
    {
      message: JSON.stringify({
        event: 'media',
        sequence_number: '3',
        stream_id: STREAM_ID,
        media: { track: 'inbound', chunk: '2', timestamp: '20', payload: 'not base64!' },
      }),
      code: 'invalid-base64',
    },
    {
      message: JSON.stringify({ event: 'dtmf', stream_id: STREAM_ID, dtmf: { digit: '12' } }),
      code: 'invalid-message',
    },
    { message: JSON.stringify({ event: 'no_such_event', stream_id: STREAM_ID }), code: 'unknown-event' },
  ],
};

describeConformance(
  serializerConformance({
    name: 'TelnyxFrameSerializer (PCMU 8 kHz) conformance',
    create: () => new TelnyxFrameSerializer({ outboundEncoding: 'PCMU' }),
    messages: { ...messages, start: start({ encoding: 'PCMU', sample_rate: 8000, channels: 1 }) },
  }),
  { describe, it },
);

describeConformance(
  serializerConformance({
    name: 'TelnyxFrameSerializer (L16 16 kHz) conformance',
    create: () => new TelnyxFrameSerializer({ outboundEncoding: 'L16', outboundSampleRate: 16000 }),
    rates: { inputSampleRate: 16000, outputSampleRate: 16000 },
    messages: { ...messages, start: start({ encoding: 'L16', sample_rate: 16000, channels: 1 }) },
  }),
  { describe, it },
);
