/**
 * Per-connection counters of a telephony transport: what came in, what was refused and why, and
 * what went out. They are plain numbers on one object the transport updates in place (no
 * allocation per message); read them any time, e.g. in a `closed` handler for a call summary.
 */
import type { SerializerErrorCode } from '@voxline/telephony';

/**
 * Why an inbound message was refused: a serializer's {@link SerializerErrorCode}, or one of the
 * transport's own checks.
 *
 * - `binary-message`: a binary WebSocket frame (carriers send JSON text only); the socket is closed
 *   with 1003.
 * - `message-too-large`: a message over `maxMessageBytes`; the socket is closed with 1009.
 * - `rate-limited`: the connection exhausted its message rate limit; the socket is closed with 1008.
 * - `audio-over-real-time`: media beyond real time plus the burst allowance (a caller sending audio
 *   faster than it can be spoken); the audio is dropped and the call goes on.
 * - `ignored`: a well-formed message the serializer had no use for (another track's media, a
 *   duplicate `connected`, ...); the call goes on.
 */
export type InputRejectionReason =
  | SerializerErrorCode
  | 'binary-message'
  | 'message-too-large'
  | 'rate-limited'
  | 'audio-over-real-time'
  | 'ignored';

/** Counters of one connection; see the module comment. Durations are in ms. */
export interface TransportCounters {
  /** WebSocket messages received, whatever became of them. */
  messagesReceived: number;
  /** Bytes received in those messages. */
  bytesReceived: number;
  /** `media` messages decoded. */
  mediaMessages: number;
  /** Messages refused, all reasons together. */
  rejectedMessages: number;
  /** Messages refused, by reason. */
  rejected: Record<InputRejectionReason, number>;
  /** `error` messages the carrier sent. */
  carrierErrors: number;
  /** Inbound frames dropped because the pipeline was not running (before start overflow, after end). */
  inboundFramesDropped: number;
  /** Audio `media` messages sent to the carrier (20 ms each unless `mediaMessageMs` says otherwise). */
  audioFramesSent: number;
  /** Audio sent to the carrier, in ms. */
  audioMsSent: number;
  /** `mark` messages sent. */
  marksSent: number;
  /** Mark echoes that reported playback progress. */
  marksEchoed: number;
  /** Mark echoes of marks sent before a `clear`, ignored (the carrier returns them on clear). */
  staleMarkEchoes: number;
  /** Mark echoes with a name this transport never sent, ignored. */
  unknownMarkEchoes: number;
  /** `clear` messages sent (one per interruption of playing audio). */
  clearsSent: number;
  /** Times the carrier's buffer ran dry while the bot was speaking (output audio came too late). */
  underruns: number;
  /** Times the last mark of an utterance was not echoed in time and the bot was declared stopped. */
  markEchoTimeouts: number;
  /** Output frames the serializer could not encode (it returned nothing), dropped. */
  unserializableFrames: number;
  /** Live (non-TTS) output audio dropped to catch up with real time (`liveAudioMaxBacklogMs`), in ms. */
  liveAudioDroppedMs: number;
  /** Messages not sent because the socket was already closing or closed. */
  sendsAfterClose: number;
}

const rejectionReasons: readonly InputRejectionReason[] = [
  'malformed-json',
  'invalid-message',
  'invalid-base64',
  'media-before-start',
  'unsupported-codec',
  'payload-too-large',
  'unknown-event',
  'not-started',
  'unknown-carrier',
  'stream-mismatch',
  'binary-message',
  'message-too-large',
  'rate-limited',
  'audio-over-real-time',
  'ignored',
];

/** Fresh counters, all zero. */
export function createTransportCounters(): TransportCounters {
  const rejected = {} as Record<InputRejectionReason, number>;
  for (const reason of rejectionReasons) rejected[reason] = 0;
  return {
    messagesReceived: 0,
    bytesReceived: 0,
    mediaMessages: 0,
    rejectedMessages: 0,
    rejected,
    carrierErrors: 0,
    inboundFramesDropped: 0,
    audioFramesSent: 0,
    audioMsSent: 0,
    marksSent: 0,
    marksEchoed: 0,
    staleMarkEchoes: 0,
    unknownMarkEchoes: 0,
    clearsSent: 0,
    underruns: 0,
    markEchoTimeouts: 0,
    unserializableFrames: 0,
    liveAudioDroppedMs: 0,
    sendsAfterClose: 0,
  };
}
