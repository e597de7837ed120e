/**
 * The messages Telnyx sends on a media-streaming WebSocket, as zod schemas (one per event).
 *
 * Source: the Telnyx AsyncAPI spec, "Stream call media over WebSocket"
 * (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket), as
 * Field names are snake_case; `stream_id` is at the top level of
 * every message and `call_control_id` inside `start`; `sequence_number`, `media.chunk` and
 * `media.timestamp` are strings.
 *
 * Schemas check what the serializer reads and let unknown fields through, so an added field in
 * Telnyx's protocol never breaks a call. `media` messages are checked by hand instead (see
 * `TelnyxFrameSerializer`): they arrive 50 times a second.
 */
import { z } from 'zod';

/** A decimal counter sent as a string (`"1"`, `"42"`). */
export const decimalString = z.string().regex(/^\d{1,15}$/, 'expected a decimal number in a string');

/** `{"event":"connected","version":"1.0.0"}`: first message on the socket. No `protocol` field (Twilio has one). */
export const telnyxConnectedMessage = z.object({
  event: z.literal('connected'),
  version: z.string().optional(),
});

/** Custom parameters: an object of strings (TeXML `<Parameter>`), or the `[{name, value}]` list of Call Control. */
const customParameters = z.union([
  z.record(z.string(), z.string()),
  z.array(z.object({ name: z.string(), value: z.string() })),
]);

/** `start.media_format`: the codec Telnyx streams to us. */
export const telnyxMediaFormat = z.object({
  encoding: z.string().min(1),
  sample_rate: z.number().int().positive(),
  channels: z.number().int().positive(),
});

/** The `start` message: the call's ids and the inbound media format. */
export const telnyxStartMessage = z.object({
  event: z.literal('start'),
  sequence_number: decimalString.optional(),
  stream_id: z.string().min(1),
  start: z.object({
    call_control_id: z.string().min(1),
    user_id: z.string().optional(),
    call_session_id: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    tags: z.array(z.string()).optional(),
    client_state: z.string().nullable().optional(),
    custom_parameters: customParameters.optional(),
    media_format: telnyxMediaFormat.optional(),
  }),
});

/** A DTMF key: 0-9, *, #, A-D. */
export const dtmfDigit = z.string().regex(/^[0-9*#A-Da-d]$/, 'expected one DTMF digit (0-9, *, #, A-D)');

/** `{"event":"dtmf","stream_id":"...","dtmf":{"digit":"1"}}`. */
export const telnyxDtmfMessage = z.object({
  event: z.literal('dtmf'),
  sequence_number: decimalString.optional(),
  stream_id: z.string().optional(),
  dtmf: z.object({ digit: dtmfDigit }),
});

/** The echo of a mark we sent, once the audio before it has played (or was cleared). */
export const telnyxMarkMessage = z.object({
  event: z.literal('mark'),
  sequence_number: decimalString.optional(),
  stream_id: z.string().optional(),
  mark: z.object({ name: z.string() }),
});

/** The stream ended; Telnyx closes the socket after it. The inner fields are not documented precisely. */
export const telnyxStopMessage = z.object({
  event: z.literal('stop'),
  sequence_number: decimalString.optional(),
  stream_id: z.string().optional(),
  stop: z.record(z.string(), z.unknown()).optional(),
});

/** The details of a Telnyx stream error; the `code` may come as a number or a numeric string. */
const telnyxErrorDetails = z.object({
  code: z.union([z.number(), decimalString.transform(Number)]).optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
});

/**
 * A stream error (e.g. 100003 "Malformed frame" after we sent something Telnyx could not read).
 * The AsyncAPI spec lists an Error Frame; the `payload: {code, title, detail}` layout and the codes
 * (100002 unknown error, 100003 malformed frame, 100004 invalid media, 100005 rate limit reached)
 * are recalled from the docs, not confirmed at the source, so `error` is accepted too.
 */
export const telnyxErrorMessage = z.object({
  event: z.literal('error'),
  sequence_number: decimalString.optional(),
  stream_id: z.string().optional(),
  payload: telnyxErrorDetails.optional(),
  error: telnyxErrorDetails.optional(),
});

export type TelnyxStartMessage = z.infer<typeof telnyxStartMessage>;
export type TelnyxErrorMessage = z.infer<typeof telnyxErrorMessage>;

/** Every event name Telnyx sends, `media` included. */
export const TELNYX_EVENTS = ['connected', 'start', 'media', 'dtmf', 'mark', 'stop', 'error'] as const;
