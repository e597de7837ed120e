/**
 * Inbound messages as Twilio and Telnyx send them, for tests that play the carrier. Sources:
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages and
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket.
 */

export type CarrierName = 'twilio' | 'telnyx';

/** Builds one stream's inbound messages in a carrier's shape. */
export interface CarrierMessages {
  readonly carrier: CarrierName;
  /** The id the call is controlled with (Twilio callSid, Telnyx call_control_id). */
  readonly callId: string;
  connected(): string;
  start(): string;
  media(payload: string, chunk: number, timestampMs: number): string;
  dtmf(digit: string): string;
  markEcho(name: string): string;
  stop(): string;
}

export function twilioMessages(callSid = 'CA0123456789abcdef0123456789abcdef'): CarrierMessages {
  const streamSid = 'MZ0123456789abcdef0123456789abcdef';
  let sequence = 0;
  const next = () => String(++sequence);
  return {
    carrier: 'twilio',
    callId: callSid,
    connected: () => JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }),
    start: () =>
      JSON.stringify({
        event: 'start',
        sequenceNumber: next(),
        streamSid,
        start: {
          streamSid,
          accountSid: 'AC0123456789abcdef0123456789abcdef',
          callSid,
          tracks: ['inbound'],
          customParameters: { customer: '42' },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      }),
    media: (payload, chunk, timestampMs) =>
      JSON.stringify({
        event: 'media',
        sequenceNumber: next(),
        streamSid,
        media: { track: 'inbound', chunk: String(chunk), timestamp: String(timestampMs), payload },
      }),
    dtmf: (digit) =>
      JSON.stringify({
        event: 'dtmf',
        sequenceNumber: next(),
        streamSid,
        dtmf: { track: 'inbound_track', digit },
      }),
    markEcho: (name) => JSON.stringify({ event: 'mark', sequenceNumber: next(), streamSid, mark: { name } }),
    stop: () =>
      JSON.stringify({
        event: 'stop',
        sequenceNumber: next(),
        streamSid,
        stop: { accountSid: 'AC0123456789abcdef0123456789abcdef', callSid },
      }),
  };
}

export function telnyxMessages(callControlId = 'v3:test-call-control-id'): CarrierMessages {
  const streamId = '32de0dea-53cb-4b21-89a4-9e1819c043bc';
  let sequence = 0;
  const next = () => String(++sequence);
  return {
    carrier: 'telnyx',
    callId: callControlId,
    connected: () => JSON.stringify({ event: 'connected', version: '1.0.0' }),
    start: () =>
      JSON.stringify({
        event: 'start',
        sequence_number: next(),
        stream_id: streamId,
        start: {
          user_id: '3e6f995f-85f7-4705-9741-53b116d28237',
          call_control_id: callControlId,
          call_session_id: 'ff55a038-1a2b-11ee-a1b2-02420a0d4a6c',
          from: '+13122010094',
          to: '+13122123456',
          tags: [],
          custom_parameters: { customer: '42' },
          media_format: { encoding: 'PCMU', sample_rate: 8000, channels: 1 },
        },
      }),
    media: (payload, chunk, timestampMs) =>
      JSON.stringify({
        event: 'media',
        sequence_number: next(),
        stream_id: streamId,
        media: { track: 'inbound', chunk: String(chunk), timestamp: String(timestampMs), payload },
      }),
    dtmf: (digit) =>
      JSON.stringify({ event: 'dtmf', sequence_number: next(), stream_id: streamId, dtmf: { digit } }),
    markEcho: (name) =>
      JSON.stringify({ event: 'mark', sequence_number: next(), stream_id: streamId, mark: { name } }),
    stop: () =>
      JSON.stringify({
        event: 'stop',
        sequence_number: next(),
        stream_id: streamId,
        stop: { call_control_id: callControlId, user_id: '3e6f995f-85f7-4705-9741-53b116d28237' },
      }),
  };
}
