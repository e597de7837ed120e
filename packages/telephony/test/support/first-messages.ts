/**
 * The first messages of a Telnyx and of a Twilio media stream, exactly as the carriers document
 * them, for the carrier-recognition tests of every package:
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket and
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages.
 */

export const TWILIO_CONNECTED = '{"event":"connected","protocol":"Call","version":"1.0.0"}';
export const TWILIO_START = JSON.stringify({
  event: 'start',
  sequenceNumber: '1',
  streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
  start: {
    streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
    accountSid: 'AC0123456789abcdef0123456789abcdef',
    callSid: 'CAfedcba9876543210fedcba9876543210',
    tracks: ['inbound'],
    customParameters: { token: 'abc' },
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  },
});
export const TWILIO_MEDIA = JSON.stringify({
  event: 'media',
  sequenceNumber: '2',
  streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
  media: { track: 'inbound', chunk: '1', timestamp: '5', payload: 'f39/fw==' },
});

export const TELNYX_CONNECTED = '{"event":"connected","version":"1.0.0"}';
export const TELNYX_START = JSON.stringify({
  event: 'start',
  sequence_number: '1',
  stream_id: '32DE0DEA-53CB-4B21-89A4-9E1819C043BC',
  start: {
    user_id: '3E6F995F-85F7-4705-9741-53B116D28237',
    call_control_id: 'v3:T02llQxIyaRkhfRKxgAP8nY511EhFLizdvdUKJiSw8d6A9BborherQ',
    call_session_id: 'ff55a038-0c3b-11ef-8f3b-02420a0daa69',
    from: '+13122010094',
    to: '+13122123456',
    media_format: { encoding: 'PCMU', sample_rate: 8000, channels: 1 },
  },
});
export const TELNYX_MEDIA = JSON.stringify({
  event: 'media',
  sequence_number: '4',
  stream_id: '32DE0DEA-53CB-4B21-89A4-9E1819C043BC',
  media: { track: 'inbound', chunk: '2', timestamp: '5', payload: 'f39/fw==' },
});

/** A `start` of an Exotel/Plivo-style protocol (`stream_sid`): neither Telnyx's nor Twilio's. */
export const CLONE_START = '{"event":"start","stream_sid":"abc","start":{}}';

/** A `connected` whose `protocol` is nested 10,000 objects deep: costly to describe by serializing it. */
export const DEEP_PROTOCOL_CONNECTED = `{"event":"connected","protocol":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
