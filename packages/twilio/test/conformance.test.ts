/**
 * TwilioFrameSerializer passes the serializer conformance suite of @voxline/core/testing, with
 * messages shaped as Twilio documents them
 * (https://www.twilio.com/docs/voice/media-streams/websocket-messages).
 */
import { describeConformance, serializerConformance } from '@voxline/core/testing';
import { TwilioFrameSerializer } from '@voxline/twilio';
import { describe, it } from 'vitest';

const STREAM_SID = 'MZ18ad3ab5a668481ce02b83e7395059f0';
const CALL_SID = 'CAfedcba9876543210fedcba9876543210';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';

/** The inbound message carrying the payload of an outbound `{"event":"media","media":{"payload"}}`. */
function inboundMedia(outbound: string, sequence: number): string {
  const { media } = JSON.parse(outbound) as { media: { payload: string } };
  return JSON.stringify({
    event: 'media',
    sequenceNumber: String(sequence + 1),
    media: {
      track: 'inbound',
      chunk: String(sequence),
      timestamp: String((sequence - 1) * 20),
      payload: media.payload,
    },
    streamSid: STREAM_SID,
  });
}

for (const rates of [
  { inputSampleRate: 16000, outputSampleRate: 24000 },
  { inputSampleRate: 8000, outputSampleRate: 8000 },
]) {
  describeConformance(
    serializerConformance({
      name: `TwilioFrameSerializer (pipeline ${rates.inputSampleRate}/${rates.outputSampleRate} Hz) conformance`,
      create: () => new TwilioFrameSerializer(),
      rates,
      messages: {
        connected: '{"event":"connected","protocol":"Call","version":"1.0.0"}',
        start: JSON.stringify({
          event: 'start',
          sequenceNumber: '1',
          start: {
            accountSid: ACCOUNT_SID,
            streamSid: STREAM_SID,
            callSid: CALL_SID,
            tracks: ['inbound'],
            customParameters: { FirstName: 'Jane' },
            mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          },
          streamSid: STREAM_SID,
        }),
        stop: JSON.stringify({
          event: 'stop',
          sequenceNumber: '999',
          stop: { accountSid: ACCOUNT_SID, callSid: CALL_SID },
          streamSid: STREAM_SID,
        }),
        markEcho: (name) =>
          JSON.stringify({ event: 'mark', sequenceNumber: '4', streamSid: STREAM_SID, mark: { name } }),
        inboundMedia,
        dtmf: {
          message: JSON.stringify({
            event: 'dtmf',
            sequenceNumber: '5',
            streamSid: STREAM_SID,
            dtmf: { track: 'inbound_track', digit: '7' },
          }),
          digit: '7',
        },
        invalid: [
          {
            message: JSON.stringify({
              event: 'media',
              sequenceNumber: '3',
              media: { track: 'inbound', chunk: '2', timestamp: '20', payload: 'not base64!' },
              streamSid: STREAM_SID,
            }),
            code: 'invalid-base64',
          },
          {
            message: JSON.stringify({ event: 'no_such_event', streamSid: STREAM_SID }),
            code: 'unknown-event',
          },
        ],
      },
    }),
    { describe, it },
  );
}
