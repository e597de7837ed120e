/**
 * The first messages of Telnyx and Twilio media streams for the carrier-recognition tests of every
 * package: the golden first messages published in `@voxline/telephony/testing`, and the media
 * messages and odd messages only these tests need, shaped as the carriers document them:
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket and
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages.
 */

export {
  TELNYX_CONNECTED,
  TELNYX_START,
  TWILIO_CONNECTED,
  TWILIO_START,
} from '../../src/testing/golden-first-messages.js';

export const TWILIO_MEDIA = JSON.stringify({
  event: 'media',
  sequenceNumber: '2',
  streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
  media: { track: 'inbound', chunk: '1', timestamp: '5', payload: 'f39/fw==' },
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
