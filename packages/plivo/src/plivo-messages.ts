/**
 * The messages Plivo sends on a bidirectional Audio Streaming WebSocket, as zod schemas (one per
 * event).
 *
 * Sources: Plivo's Stream Event Protocol
 * (https://plivo.com/docs/voice/audio-streaming/audio-streaming), the checkpoint event
 * (https://plivo.com/docs/voice/xml/the-stream-element/checkpoint-event) and the clear-audio event
 * (https://docs.plivo.com/docs/voice/xml/audiostream/stream-events-to-plivo/clear-audio-stream).
 * Field names are camelCase (`streamId`, `callId`, `accountId`, `mediaFormat`, `sampleRate`) except
 * `extra_headers`; `sequenceNumber` is a JSON number (`1` for `start`), and `media.chunk` is a
 * number too (Plivo's own stream SDKs read it as an integer), unlike Twilio's strings.
 *
 * Schemas check what the serializer reads and let unknown fields through. `media` messages are
 * checked by hand instead (see `MediaStreamAudio` in @voxline/telephony): they arrive 50 times a
 * second.
 */
import { z } from 'zod';

/** A counter Plivo sends as a JSON number; a decimal string is accepted too. */
const counter = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^\d{1,15}$/, 'expected a decimal number'),
]);

/** `start.mediaFormat`: `audio/x-mulaw` at 8000 Hz, or `audio/x-l16` at 8000 or 16000 Hz. */
export const plivoMediaFormat = z.object({
  encoding: z.string().min(1),
  sampleRate: z.number().int().positive(),
});

/**
 * `start`, sent once when the connection opens:
 * `{"event":"start","sequenceNumber":1,"start":{"callId","streamId","accountId","tracks":["inbound"],
 * "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000}},"extra_headers":"userId=12345;…"}`.
 * Unlike Twilio's, it names the stream only inside `start`.
 */
export const plivoStartMessage = z.object({
  event: z.literal('start'),
  sequenceNumber: counter.optional(),
  start: z.object({
    callId: z.string().min(1),
    streamId: z.string().min(1),
    accountId: z.string().optional(),
    tracks: z.array(z.string()).optional(),
    mediaFormat: plivoMediaFormat,
  }),
  /** The `<Stream extraHeaders>` pairs: `key=value` separated by `;` (or `,`), or a JSON object. */
  extra_headers: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

/** A DTMF key: 0-9, *, #, A-D. */
const dtmfDigit = z.string().regex(/^[0-9*#A-Da-d]$/, 'expected one DTMF digit (0-9, *, #, A-D)');

/** `{"event":"dtmf","streamId":…,"dtmf":{"digit":"5"}}`: a key the caller pressed. */
export const plivoDtmfMessage = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: counter.optional(),
  streamId: z.string().optional(),
  dtmf: z.object({ digit: dtmfDigit, track: z.string().optional() }),
});

/**
 * `{"event":"playedStream","streamId":…,"name":…}`: the answer to our `checkpoint` once the audio
 * sent before it has played. Sent "only if the preceding events were played successfully".
 */
export const plivoPlayedStreamMessage = z.object({
  event: z.literal('playedStream'),
  sequenceNumber: counter.optional(),
  streamId: z.string().optional(),
  name: z.string(),
});

/** `{"event":"clearedAudio","streamId":…}`: the answer to our `clearAudio`. */
export const plivoClearedAudioMessage = z.object({
  event: z.literal('clearedAudio'),
  sequenceNumber: counter.optional(),
  streamId: z.string().optional(),
});

/**
 * `{"event":"stop","streamId":…}`. Plivo's current protocol reference lists no `stop` (the socket
 * closing is the end of the stream, and the stream status callback says why), but Plivo's own
 * examples and SDKs handle one, so it is read when it comes.
 */
export const plivoStopMessage = z.object({
  event: z.literal('stop'),
  sequenceNumber: counter.optional(),
  streamId: z.string().optional(),
});

export type PlivoStartMessage = z.infer<typeof plivoStartMessage>;
