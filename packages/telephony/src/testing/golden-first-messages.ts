/**
 * The first messages of a media stream of each carrier Voxline ships, exactly as the carriers
 * document them: what a carrier plugin must recognise as its own (the shipped ones) or refuse as
 * `not-mine` (a third party's), so that carriers served on one endpoint never claim each other's
 * streams. Each is one WebSocket text message, JSON, in the order the carrier sends them.
 */

/**
 * Telnyx's first message: `connected`, with no `protocol` field (so no proof of Telnyx alone).
 * Source: https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket
 */
export const TELNYX_CONNECTED = '{"event":"connected","version":"1.0.0"}';

/**
 * Telnyx's second message: `start`, snake_case (`stream_id`, `start.call_control_id`), PCMU 8 kHz.
 * Source: https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket
 */
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

/**
 * Twilio's first message: `connected` with `protocol: "Call"`.
 * Source: https://www.twilio.com/docs/voice/media-streams/websocket-messages
 */
export const TWILIO_CONNECTED = '{"event":"connected","protocol":"Call","version":"1.0.0"}';

/**
 * Twilio's second message: `start`, camelCase (`streamSid`, `start.callSid`), µ-law 8 kHz.
 * Source: https://www.twilio.com/docs/voice/media-streams/websocket-messages
 */
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

/**
 * Plivo's first message: `start`, camelCase with the ids inside `start` (`callId`, `streamId`),
 * `sequenceNumber` a JSON number, `extra_headers` a string; µ-law 8 kHz. Plivo sends no `connected`.
 * Source: https://plivo.com/docs/voice/audio-streaming/audio-streaming
 */
export const PLIVO_START = JSON.stringify({
  event: 'start',
  sequenceNumber: 1,
  start: {
    callId: '12345678-1234-1234-1234-123456789abc',
    streamId: '20170ada-f610-433b-8758-c02a2aab3662',
    accountId: 'MAXXXXXXXXXXXXXXXXXX',
    tracks: ['inbound'],
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 },
  },
  extra_headers: 'userId=12345;sessionId=abcxyz',
});

/**
 * The golden first messages of every carrier Voxline ships, by carrier name, each list in the
 * order the carrier sends them (index 0 is the connection's first message).
 */
export const SHIPPED_CARRIER_FIRST_MESSAGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  telnyx: Object.freeze([TELNYX_CONNECTED, TELNYX_START]),
  twilio: Object.freeze([TWILIO_CONNECTED, TWILIO_START]),
  plivo: Object.freeze([PLIVO_START]),
});
