/**
 * The contract between a carrier's media-stream protocol and a pipeline.
 *
 * A serializer turns the carrier's WebSocket text messages into frames and the agent's frames
 * into the carrier's messages. It holds one call's state (ids from `start`, codec, resamplers,
 * jitter buffer) and does no I/O: the transport owns the socket, pacing and timers, which keeps
 * serializers synchronous, cheap (inline on the 20 ms path) and testable on plain strings.
 *
 * How a transport drives one (one serializer per WebSocket connection, i.e. per call):
 *
 * 1. `setup({ inputSampleRate, outputSampleRate })` with the pipeline's rates (from the
 *    `StartFrame`), before the first message.
 * 2. For every text message: `deserialize(text)`. Push `frames` downstream in order, then act on
 *    `event` (`start`: the call is known, `serialize` may be used; `mark`: a mark you sent was
 *    played; `stop`: the carrier is done, close the socket; `error`: log it). A thrown
 *    {@link SerializerError} with `fatal === false` means "log, count and go on"; with
 *    `fatal === true` the call cannot go on (e.g. an unsupported codec): end it.
 * 3. For output: `serialize(frame)` on each paced 20 ms audio frame and on
 *    `OutputTransportMessageFrame`s; send the string if one comes back. `serializeMark(name)`
 *    after the audio a mark should follow, `serializeClear()` on interruption. All three throw
 *    `SerializerError('not-started')` before the carrier's `start` message was read.
 *
 * Methods are synchronous, never perform I/O, never start timers and never keep a reference to the
 * strings they were given.
 */
import { type Frame, VoxlineError } from '@voxline/core';

/**
 * A carrier's name, lower case: `'telnyx'`, `'twilio'`, or any other a carrier package declares
 * (see `CarrierPlugin`). An open set: Voxline itself names no carrier.
 */
export type Carrier = string;

/** Audio format of one direction of a media stream, normalized. */
export interface MediaFormat {
  /** Codec as the carrier names it, upper-cased: `PCMU`, `PCMA`, `L16`, ... */
  encoding: string;
  /**
   * Sample rate in Hz. For G722 a carrier may announce its RTP clock rate, 8000, though the audio
   * is 16000 Hz (RFC 3551 §4.5.2); the audio paths take both as 16000.
   */
  sampleRate: number;
  /** Channels; 1 for every carrier today. */
  channels: number;
}

/** What the serializer learned from the carrier's `start` message. */
export interface CallInfo {
  carrier: Carrier;
  /** The id to control the call with: Telnyx `call_control_id`, Twilio `callSid`. */
  callId: string;
  /** The media stream's id: Telnyx `stream_id`, Twilio `streamSid`. */
  streamId: string;
  /** Caller and callee numbers, when the carrier sends them (Telnyx does). */
  from?: string;
  to?: string;
  /** Custom parameters from the stream's `<Parameter>`s or `custom_parameters`. */
  customParameters: Record<string, string>;
  /** Inbound media format: what the carrier sends us, as announced in `start`. */
  mediaFormat: MediaFormat;
  /**
   * Outbound media format: what the serializer encodes the agent's audio to. Set by the carrier
   * serializers from their options (Telnyx: the `stream_bidirectional_codec` and
   * `stream_bidirectional_sampling_rate` the stream was opened with; Twilio: always PCMU 8000 Hz).
   * Optional only for backward compatibility of the type; both carrier serializers set it.
   */
  outboundMediaFormat?: MediaFormat;
  /** Anything else carrier-specific (Telnyx `client_state`, Twilio `accountSid`, ...). */
  extra: Record<string, unknown>;
}

/** Sample rates of the pipeline side, from the StartFrame's parameters. */
export interface SerializerAudioParams {
  /** Rate in Hz of `InputAudioRawFrame`s the serializer produces. */
  inputSampleRate: number;
  /**
   * Rate in Hz of the output audio frames the serializer will usually be given. The serializer
   * reads each frame's own `sampleRate`, so frames at another rate are still converted correctly.
   */
  outputSampleRate: number;
}

/**
 * One carrier message, decoded. `frames` go downstream into the pipeline in order; `event` tells
 * the transport what happened so it can act (start pacing, match a mark echo, end the call).
 *
 * `frames` may hold several audio frames for one `media` message, or none: inbound audio passes
 * through a reordering jitter buffer, which holds a frame that arrived early until the frames
 * before it arrive (or are given up as lost), then releases them in order. `stop` releases
 * everything the buffer still holds.
 */
export interface DeserializedMessage {
  frames: Frame[];
  event:
    | { type: 'connected' }
    | { type: 'start'; call: CallInfo }
    | { type: 'media' }
    | { type: 'dtmf'; digit: string }
    | { type: 'mark'; name: string }
    | { type: 'stop' }
    | { type: 'error'; code?: number; title?: string; detail?: string }
    | { type: 'ignored'; reason: string };
}

/**
 * Converts one call's carrier messages to frames and back. Implementations: `TelnyxFrameSerializer`
 * (`@voxline/telnyx`), `TwilioFrameSerializer` (`@voxline/twilio`).
 *
 * Errors: `deserialize` throws {@link SerializerError} for input it cannot use (malformed JSON,
 * wrong types, invalid base64, media before start, unsupported codec); the transport logs the
 * reason with the call id, counts it, and decides whether the call can go on (see `fatal`).
 */
export interface TelephonySerializer {
  readonly carrier: Carrier;
  /** Set once the carrier's `start` message was read. */
  readonly call: CallInfo | undefined;
  /** Called with the pipeline's rates before any message; may be called again on restart. */
  setup(params: SerializerAudioParams): void;
  /** Decodes one text message from the carrier. */
  deserialize(message: string): DeserializedMessage;
  /**
   * Encodes a frame for the carrier: output audio (`OutputAudioRawFrame` and subclasses such as
   * `TTSAudioRawFrame`) becomes a `media` message (resampled and encoded);
   * `OutputTransportMessageFrame`s pass through as JSON (a string `message` is sent as is, anything
   * else is `JSON.stringify`-ed). Returns undefined for frames the carrier cannot take (every other
   * frame, including `InterruptionFrame`: call {@link serializeClear} for that). The transport
   * paces audio; the serializer never buffers it.
   *
   * @throws {@link SerializerError} `not-started` for audio before the carrier's `start`.
   */
  serialize(frame: Frame): string | undefined;
  /**
   * A `mark` message with this name (the carrier echoes it once the audio before it played).
   *
   * @throws {@link SerializerError} `not-started` before the carrier's `start`.
   */
  serializeMark(name: string): string;
  /**
   * A `clear` message (the carrier drops audio it has queued and returns pending marks).
   *
   * @throws {@link SerializerError} `not-started` before the carrier's `start`.
   */
  serializeClear(): string;
}

/**
 * Why a carrier message was refused, or a serializer could not be used.
 *
 * - `malformed-json`: the text is not JSON, or not a JSON object.
 * - `invalid-message`: a known event with missing fields or fields of the wrong type (also L16
 *   media with an odd number of bytes, or a second `start`).
 * - `invalid-base64`: a media payload that is not valid base64.
 * - `media-before-start`: media (or a dtmf/mark event needing the call) before `start`.
 * - `unsupported-codec`: `start` announced a codec the serializer cannot decode (always fatal).
 * - `payload-too-large`: a message or media payload above the configured limit.
 * - `unknown-event`: an `event` name the carrier's protocol does not define (not fatal: carriers
 *   add events over time).
 * - `not-started`: `serialize`/`serializeMark`/`serializeClear` before `start`.
 * - `unknown-carrier`: no serializer is known for the messages or the carrier name.
 */
export type SerializerErrorCode =
  | 'malformed-json'
  | 'invalid-message'
  | 'invalid-base64'
  | 'media-before-start'
  | 'unsupported-codec'
  | 'payload-too-large'
  | 'unknown-event'
  | 'not-started'
  | 'unknown-carrier'
  | 'stream-mismatch';

/** A carrier message the serializer cannot use; `code` says why. */
export class SerializerError extends VoxlineError {
  constructor(
    override readonly code: SerializerErrorCode,
    message: string,
    /** True when the call cannot go on (e.g. an unsupported codec at `start`). */
    readonly fatal = false,
    /**
     * The call whose `start` was refused, when its ids were read before the refusal (an unsupported
     * codec): the stream is unusable but the phone call is up, so the transport hangs it up.
     */
    readonly call?: CallInfo,
  ) {
    super(code, message);
    this.name = 'SerializerError';
  }
}
