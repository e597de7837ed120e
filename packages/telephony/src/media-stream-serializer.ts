/**
 * The part of a carrier serializer that Telnyx and Twilio share. Both carriers stream a call over a
 * WebSocket with the same events (`connected`, `start`, `media`, `dtmf`, `mark`, `stop`; see the
 * two carriers' docs linked from their serializers) and take the same three messages back (`media`,
 * `mark`, `clear`); only field names and ids differ.
 *
 * This class owns the flow: the message size limit and parsing, the media hot path and the `stop`
 * drain (through {@link MediaStreamAudio}), one `start` per stream, DTMF from the caller's track
 * only, mark echoes, transport messages passed through, and the not-started checks. A carrier's
 * subclass keeps the protocol facts: its message schemas, how its `start` becomes a
 * {@link CallInfo}, any event of its own, and the JSON it sends.
 */
import {
  type Frame,
  InputDTMFFrame,
  InvalidOptionError,
  OutputAudioRawFrame,
  OutputTransportMessageFrame,
} from '@voxline/core';
import type { ZodType } from 'zod';
import { MediaMessageTemplate } from './media-message-template.js';
import { normalizeTrack } from './media-payload.js';
import { MediaStreamAudio, type MediaStreamAudioOptions } from './media-stream-audio.js';
import {
  type CarrierMessage,
  describePeerValue,
  maxMessageLengthFor,
  parseCarrierMessage,
  validateMessage,
} from './message-parsing.js';
import {
  type CallInfo,
  type Carrier,
  type DeserializedMessage,
  type MediaFormat,
  type SerializerAudioParams,
  SerializerError,
  type TelephonySerializer,
} from './telephony-serializer.js';

/**
 * A carrier's schemas of the events {@link MediaStreamSerializer} reads (`media` is checked by
 * hand on the hot path instead).
 */
export interface MediaStreamMessageSchemas<StartMessage> {
  /** The first message on the socket. */
  connected: ZodType<unknown>;
  /** The stream's and call's ids and formats; given to `startCall` once checked. */
  start: ZodType<StartMessage>;
  /** A key the caller pressed; a `track` other than the inbound one is ignored. */
  dtmf: ZodType<{ dtmf: { digit: string; track?: string | undefined } }>;
  /** The echo of a mark we sent, once the audio before it has played (or was cleared). */
  mark: ZodType<{ mark: { name: string } }>;
  /** The end of the stream. */
  stop: ZodType<unknown>;
}

/** The events of a started stream that name it; one naming another stream is refused. */
const STREAM_EVENTS: ReadonlySet<string> = new Set(['media', 'dtmf', 'mark', 'stop']);

/** See the module comment. `StartMessage` is the carrier's checked `start` message. */
export abstract class MediaStreamSerializer<StartMessage> implements TelephonySerializer {
  abstract readonly carrier: Carrier;
  /** The call's audio: media decoding, the `stop` drain, output encoding. */
  protected readonly audio: MediaStreamAudio;
  readonly #carrierName: string;
  readonly #maxMessageLength: number;
  readonly #schemas: MediaStreamMessageSchemas<StartMessage>;
  #call: CallInfo | undefined;
  /** The outbound media message around its payload, from {@link mediaMessageParts} at `start`. */
  #mediaTemplate: MediaMessageTemplate | undefined;

  /**
   * @param audio - the audio options; `jitterDepth` and `maxPayloadBytes` as checked by
   *   {@link MediaStreamSerializer.checkBufferLimits}. Messages longer than a media message with a
   *   payload of `maxPayloadBytes` are refused before parsing.
   * @param schemas - the carrier's event schemas.
   */
  protected constructor(audio: MediaStreamAudioOptions, schemas: MediaStreamMessageSchemas<StartMessage>) {
    this.#carrierName = audio.carrierName;
    this.#maxMessageLength = maxMessageLengthFor(audio.maxPayloadBytes);
    this.#schemas = schemas;
    this.audio = new MediaStreamAudio(audio);
  }

  /**
   * Checks the buffer options every carrier serializer takes.
   *
   * @param jitterDepth - jitter buffer depth in 20 ms frames; an integer ≥ 0.
   * @param maxPayloadBytes - largest decoded media payload accepted, in bytes; an integer ≥
   *   `minPayloadBytes` (1 for 8-bit codecs, 2 where L16 is possible).
   * @throws {InvalidOptionError} naming the option, for a value out of range.
   */
  protected static checkBufferLimits(
    jitterDepth: number,
    maxPayloadBytes: number,
    minPayloadBytes: number,
  ): void {
    if (!Number.isInteger(jitterDepth) || jitterDepth < 0) {
      throw new InvalidOptionError('jitterDepth', `jitterDepth must be an integer ≥ 0, got ${jitterDepth}`);
    }
    if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < minPayloadBytes) {
      throw new InvalidOptionError(
        'maxPayloadBytes',
        `maxPayloadBytes must be an integer ≥ ${minPayloadBytes}, got ${maxPayloadBytes}`,
      );
    }
  }

  /** The call, once `start` was read. */
  get call(): CallInfo | undefined {
    return this.#call;
  }

  /** Jitter buffer counters of the inbound audio (in frames), between `start` and `stop`. */
  get jitterStats() {
    return this.audio.jitterStats;
  }

  /**
   * Sets the pipeline's rates. Without it, input frames keep the carrier's rate. Calling it again
   * after `start` rebuilds the audio paths.
   */
  setup(params: SerializerAudioParams): void {
    this.audio.setup(params);
  }

  /**
   * Decodes one carrier message.
   *
   * @throws {@link @voxline/telephony!SerializerError}: `payload-too-large`, `malformed-json`, `invalid-message`,
   *   `unknown-event`, `media-before-start`, `invalid-base64`, `stream-mismatch` (a message after
   *   `start` naming another stream) (not fatal: log and go on), and
   *   `unsupported-codec` at `start` (fatal: end the call).
   */
  deserialize(message: string): DeserializedMessage {
    // The hot path: an ordinary media message of the started call is read in place.
    if (message.length <= this.#maxMessageLength) {
      const media = this.audio.mediaText(message);
      if (media !== undefined) return media;
    }
    const parsed = parseCarrierMessage(message, this.#maxMessageLength);
    const call = this.#call;
    if (call !== undefined && STREAM_EVENTS.has(parsed.event)) {
      // One socket carries one stream: a message naming another stream is not this call's, whoever
      // sent it, and must not reach its pipeline.
      const streamId = this.streamIdOf(parsed);
      if (streamId !== undefined && streamId !== call.streamId) {
        throw new SerializerError(
          'stream-mismatch',
          `${parsed.event} message for another stream than this call's (${describePeerValue(streamId)})`,
        );
      }
    }
    switch (parsed.event) {
      case 'media':
        return this.audio.media(parsed);
      case 'connected':
        validateMessage(this.#schemas.connected, parsed);
        return { frames: [], event: { type: 'connected' } };
      case 'start':
        return this.#start(validateMessage(this.#schemas.start, parsed));
      case 'dtmf': {
        const { dtmf } = validateMessage(this.#schemas.dtmf, parsed);
        if (dtmf.track !== undefined && normalizeTrack(dtmf.track) !== 'inbound') {
          return { frames: [], event: { type: 'ignored', reason: `dtmf on ${dtmf.track}` } };
        }
        const digit = dtmf.digit.toUpperCase();
        return { frames: [new InputDTMFFrame(digit)], event: { type: 'dtmf', digit } };
      }
      case 'mark':
        return {
          frames: [],
          event: { type: 'mark', name: validateMessage(this.#schemas.mark, parsed).mark.name },
        };
      case 'stop':
        validateMessage(this.#schemas.stop, parsed);
        return this.audio.stop();
      default: {
        const other = this.deserializeOtherEvent(parsed);
        if (other !== undefined) return other;
        throw new SerializerError(
          'unknown-event',
          `unknown ${this.#carrierName} event ${describePeerValue(parsed.event)}`,
        );
      }
    }
  }

  /**
   * Encodes output audio as the carrier's `media` message, or passes an
   * `OutputTransportMessageFrame`'s message through (a string as is, anything else as JSON).
   *
   * @returns the JSON text, or undefined for other frames and for audio too short to yield a sample.
   * @throws {@link @voxline/telephony!SerializerError} `not-started` for audio before `start`; `invalid-message` for
   *   audio that is not mono.
   */
  serialize(frame: Frame): string | undefined {
    if (frame instanceof OutputAudioRawFrame) {
      this.audio.requireStarted();
      if (this.#mediaTemplate === undefined) {
        const { prefix, suffix } = this.mediaMessageParts();
        this.#mediaTemplate = new MediaMessageTemplate(prefix, suffix);
      }
      return this.audio.encodeMessage(frame, this.#mediaTemplate);
    }
    if (frame instanceof OutputTransportMessageFrame) {
      return typeof frame.message === 'string' ? frame.message : JSON.stringify(frame.message);
    }
    return undefined;
  }

  /** The carrier's `mark` message. @throws {@link @voxline/telephony!SerializerError} `not-started` before `start`. */
  serializeMark(name: string): string {
    this.audio.requireStarted();
    return this.markMessage(name);
  }

  /** The carrier's `clear` message. @throws {@link @voxline/telephony!SerializerError} `not-started` before `start`. */
  serializeClear(): string {
    this.audio.requireStarted();
    return this.clearMessage();
  }

  /**
   * Reads the carrier's checked `start` message: starts {@link audio} with the formats it
   * announces and describes the call. Called once per stream.
   *
   * @throws {@link @voxline/telephony!SerializerError} `unsupported-codec` (fatal) for a format it cannot handle.
   */
  protected abstract startCall(message: StartMessage): CallInfo;

  /**
   * The carrier's `media` message as the JSON text before and after its base64 payload (which
   * needs no JSON escaping), e.g. `{"event":"media","media":{"payload":"` and `"}}`. Called once,
   * after `start`, at the first output audio; the message is then built in place around each
   * payload.
   */
  protected abstract mediaMessageParts(): { prefix: string; suffix: string };

  /**
   * The top-level field naming the stream in every message of the carrier (`stream_id`,
   * `streamSid`), with which media messages are read in place after `start`; undefined (the
   * default) parses every message with `JSON.parse`. Must agree with {@link streamIdOf}.
   */
  protected get streamIdField(): string | undefined {
    return undefined;
  }

  /** The `mark` message named `name`; called after `start`. */
  protected abstract markMessage(name: string): string;

  /** The `clear` message; called after `start`. */
  protected abstract clearMessage(): string;

  /**
   * Starts the call's audio: `inbound` as the carrier sends it, `outbound` as it takes it back. A
   * format it cannot handle (AMR-WB) is refused with a fatal {@link @voxline/telephony!SerializerError}
   * that names `call`, so the transport can still hang the call up.
   *
   * @throws {SerializerError} `unsupported-codec`, fatal, with `call`.
   */
  protected startAudio(call: CallInfo, inbound: MediaFormat, outbound: MediaFormat): void {
    try {
      this.audio.start(inbound, outbound);
    } catch (error) {
      if (!(error instanceof SerializerError) || error.call !== undefined) throw error;
      throw new SerializerError(error.code, error.message, error.fatal, call);
    }
  }

  /**
   * The stream id a message names (Telnyx `stream_id`, Twilio `streamSid`, both at the top level),
   * or undefined when it names none; messages after `start` naming another stream are refused.
   * Default: undefined (no check).
   */
  protected streamIdOf(_message: CarrierMessage): unknown {
    return undefined;
  }

  /** An event of the carrier's own (not one of the shared ones); undefined for an unknown event. */
  protected deserializeOtherEvent(_message: CarrierMessage): DeserializedMessage | undefined {
    return undefined;
  }

  #start(message: StartMessage): DeserializedMessage {
    if (this.#call !== undefined) {
      throw new SerializerError(
        'invalid-message',
        `a second start message on the same ${this.#carrierName} stream`,
      );
    }
    const call = this.startCall(message);
    this.#call = call;
    const streamIdField = this.streamIdField;
    if (streamIdField !== undefined) this.audio.scanMediaFor(streamIdField, call.streamId);
    return { frames: [], event: { type: 'start', call } };
  }
}
