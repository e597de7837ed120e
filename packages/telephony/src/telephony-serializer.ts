/**
 * The contract between a carrier's media-stream protocol and a pipeline.
 *
 * A serializer turns the carrier's WebSocket text messages into frames and the agent's frames
 * into the carrier's messages. It holds one call's state (ids from `start`, codec, resamplers,
 * jitter buffer) and does no I/O: the transport owns the socket, pacing and timers, which keeps
 * serializers synchronous, cheap (inline on the 20 ms path) and testable on plain strings.
 */
import type { Frame } from '@voxline/core';

/** Carriers Voxline speaks to. */
export type Carrier = 'telnyx' | 'twilio';

/** Audio format announced by the carrier in its `start` message, normalized. */
export interface MediaFormat {
  /** Codec as the carrier names it, upper-cased: `PCMU`, `PCMA`, `L16`, ... */
  encoding: string;
  /** Sample rate in Hz. */
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
  /** Inbound media format. */
  mediaFormat: MediaFormat;
  /** Anything else carrier-specific (Telnyx `client_state`, Twilio `accountSid`, ...). */
  extra: Record<string, unknown>;
}

/** Sample rates of the pipeline side, from the StartFrame's parameters. */
export interface SerializerAudioParams {
  /** Rate in Hz of `InputAudioRawFrame`s the serializer produces. */
  inputSampleRate: number;
  /** Rate in Hz of the output audio frames the serializer will be given. */
  outputSampleRate: number;
}

/**
 * One carrier message, decoded. `frames` go downstream into the pipeline in order; `event` tells
 * the transport what happened so it can act (start pacing, match a mark echo, end the call).
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
 * reason with the call id, counts it, and decides whether the call can go on.
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
   * Encodes a frame for the carrier: output audio becomes a `media` message (resampled and
   * encoded), `OutputTransportMessageFrame`s pass through as JSON. Returns undefined for frames
   * the carrier cannot take. The transport paces audio; the serializer never buffers it.
   */
  serialize(frame: Frame): string | undefined;
  /** A `mark` message with this name (the carrier echoes it once the audio before it played). */
  serializeMark(name: string): string;
  /** A `clear` message (the carrier drops audio it has queued and returns pending marks). */
  serializeClear(): string;
}

/** Why a carrier message was refused. */
export type SerializerErrorCode =
  | 'malformed-json'
  | 'invalid-message'
  | 'invalid-base64'
  | 'media-before-start'
  | 'unsupported-codec'
  | 'payload-too-large';

/** A carrier message the serializer cannot use; `code` says why. */
export class SerializerError extends Error {
  constructor(
    readonly code: SerializerErrorCode,
    message: string,
    /** True when the call cannot go on (e.g. an unsupported codec at `start`). */
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'SerializerError';
  }
}
