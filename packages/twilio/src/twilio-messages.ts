/**
 * The messages Twilio sends on a Media Streams WebSocket, as zod schemas (one per event).
 *
 * Source: https://www.twilio.com/docs/voice/media-streams/websocket-messages.
 * Field names are camelCase: `streamSid` at the top level, `callSid`, `accountSid`, `tracks`,
 * `customParameters` and `mediaFormat` inside `start`; `sequenceNumber`, `media.chunk` and
 * `media.timestamp` (ms from the start of the stream) are strings.
 *
 * Schemas check what the serializer reads and let unknown fields through. `media` messages are
 * checked by hand instead (see `MediaStreamAudio` in @voxline/telephony): they arrive 50 times a
 * second.
 */
import { z } from 'zod';

/** A decimal counter sent as a string (`"1"`, `"42"`). */
const decimalString = z.string().regex(/^\d{1,15}$/, 'expected a decimal number in a string');

/** `{"event":"connected","protocol":"Call","version":"1.0.0"}`: first message on the socket. */
export const twilioConnectedMessage = z.object({
  event: z.literal('connected'),
  protocol: z.string(),
  version: z.string().optional(),
});

/** `start.mediaFormat`: "always audio/x-mulaw, 8000 Hz, 1 channel" per Twilio's docs. */
export const twilioMediaFormat = z.object({
  encoding: z.string().min(1),
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
});

/** The `start` message: the stream's and call's ids, tracks, custom parameters and media format. */
export const twilioStartMessage = z.object({
  event: z.literal('start'),
  sequenceNumber: decimalString.optional(),
  streamSid: z.string().min(1),
  start: z.object({
    streamSid: z.string().optional(),
    accountSid: z.string().optional(),
    callSid: z.string().min(1),
    tracks: z.array(z.string()).optional(),
    customParameters: z.record(z.string(), z.string()).optional(),
    mediaFormat: twilioMediaFormat.optional(),
  }),
});

/** A DTMF key: 0-9, *, #, A-D. */
const dtmfDigit = z.string().regex(/^[0-9*#A-Da-d]$/, 'expected one DTMF digit (0-9, *, #, A-D)');

/**
 * `{"event":"dtmf","streamSid":"MZ...","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}`.
 * Only on bidirectional streams. Note `inbound_track` here but `inbound` on media.
 */
export const twilioDtmfMessage = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: decimalString.optional(),
  streamSid: z.string().optional(),
  dtmf: z.object({ track: z.string().optional(), digit: dtmfDigit }),
});

/** The echo of a mark we sent, once the audio before it has played (or was cleared). */
export const twilioMarkMessage = z.object({
  event: z.literal('mark'),
  sequenceNumber: decimalString.optional(),
  streamSid: z.string().optional(),
  mark: z.object({ name: z.string() }),
});

/** `{"event":"stop","sequenceNumber":"9","streamSid":"MZ...","stop":{"accountSid":"AC...","callSid":"CA..."}}`. */
export const twilioStopMessage = z.object({
  event: z.literal('stop'),
  sequenceNumber: decimalString.optional(),
  streamSid: z.string().optional(),
  stop: z.object({ accountSid: z.string().optional(), callSid: z.string().optional() }).optional(),
});

export type TwilioStartMessage = z.infer<typeof twilioStartMessage>;
