/**
 * Twilio Media Streams over WebSocket ⇄ Voxline frames.
 *
 * Wire facts (from https://www.twilio.com/docs/voice/media-streams/websocket-messages):
 * - Twilio sends `connected` (`protocol: "Call"`), `start`, then `media` (plus `dtmf` and `mark`
 *   echoes on bidirectional streams, and `stop`), camelCase: `streamSid` at the top level,
 *   `callSid`, `tracks`, `customParameters` and `mediaFormat` inside `start`.
 * - Audio is always `audio/x-mulaw` at 8000 Hz, mono, 20 ms (160 bytes) per message; anything else
 *   announced in `start.mediaFormat` is refused rather than decoded as noise.
 * - We send back `{"event":"media","streamSid":...,"media":{"payload":...}}` (base64 µ-law 8000 Hz,
 *   no file header), `{"event":"mark","streamSid":...,"mark":{"name":...}}` and
 *   `{"event":"clear","streamSid":...}`, as text frames (binary frames are error 31950), and only on
 *   a bidirectional `<Connect><Stream>` (error 31924 otherwise).
 */
import { type Frame, InputDTMFFrame, OutputAudioRawFrame, OutputTransportMessageFrame } from '@voxline/core';
import {
  type CallInfo,
  type DeserializedMessage,
  type MediaFormat,
  MediaStreamAudio,
  maxMessageLengthFor,
  normalizeTrack,
  parseCarrierMessage,
  type SerializerAudioParams,
  SerializerError,
  type TelephonySerializer,
  validateMessage,
} from '@voxline/telephony';
import {
  type TwilioStartMessage,
  twilioConnectedMessage,
  twilioDtmfMessage,
  twilioMarkMessage,
  twilioStartMessage,
  twilioStopMessage,
} from './twilio-messages.js';

/** Options of {@link TwilioFrameSerializer}. */
export interface TwilioFrameSerializerOptions {
  /**
   * Jitter buffer depth in 20 ms frames: how many later frames may arrive before a missing one is
   * declared lost and replaced by silence. Default 3; 0 turns reordering off. Reordering is also
   * off when `start.tracks` lists both tracks (chunk numbers may then count both).
   */
  jitterDepth?: number;
  /** Largest decoded media payload accepted, in bytes. Default 16,384 (a 20 ms frame is 160 bytes). */
  maxPayloadBytes?: number;
}

/** Twilio's only media format: "always audio/x-mulaw", "always 8000", "always 1". */
const TWILIO_ENCODING = 'audio/x-mulaw';
const TWILIO_SAMPLE_RATE = 8000;
const PCMU_8000: MediaFormat = Object.freeze({
  encoding: 'PCMU',
  sampleRate: TWILIO_SAMPLE_RATE,
  channels: 1,
});

/**
 * Serializer for one Twilio media stream (one call). See the module comment for the wire facts.
 *
 * - `deserialize`: `connected` → event; `start` → {@link CallInfo} (µ-law 8000 Hz mono, or a fatal
 *   `unsupported-codec`); `media` → `InputAudioRawFrame`s at the pipeline's input rate (through
 *   the jitter buffer; outbound track ignored); `dtmf` (inbound track) → `InputDTMFFrame`;
 *   `mark` → event with the name; `stop` → the frames still held, then event.
 * - `serialize`: output audio → `media` (resampled to 8000 Hz, µ-law); `OutputTransportMessageFrame`
 *   → its message as JSON.
 *
 * @example
 * const serializer = new TwilioFrameSerializer();
 * serializer.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
 * const { frames, event } = serializer.deserialize(text);
 */
export class TwilioFrameSerializer implements TelephonySerializer {
  readonly carrier = 'twilio' as const;
  readonly #maxMessageLength: number;
  readonly #audio: MediaStreamAudio;
  #call: CallInfo | undefined;
  /** `streamSid` as a JSON string literal, quoted and escaped once at `start`. */
  #streamSidJson = '';

  /** @throws {RangeError} for a negative `jitterDepth` or a `maxPayloadBytes` below 1. */
  constructor(options: TwilioFrameSerializerOptions = {}) {
    const { jitterDepth = 3, maxPayloadBytes = 16_384 } = options;
    if (!Number.isInteger(jitterDepth) || jitterDepth < 0) {
      throw new RangeError(`jitterDepth must be an integer ≥ 0, got ${jitterDepth}`);
    }
    if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 1) {
      throw new RangeError(`maxPayloadBytes must be an integer ≥ 1, got ${maxPayloadBytes}`);
    }
    this.#maxMessageLength = maxMessageLengthFor(maxPayloadBytes);
    this.#audio = new MediaStreamAudio({
      carrierName: 'Twilio',
      jitterDepth,
      maxPayloadBytes,
      l16ByteOrder: 'big-endian',
    });
  }

  /** The call, once `start` was read. */
  get call(): CallInfo | undefined {
    return this.#call;
  }

  /** Jitter buffer counters of the inbound audio (in frames), between `start` and `stop`. */
  get jitterStats() {
    return this.#audio.jitterStats;
  }

  /**
   * Sets the pipeline's rates. Without it, input frames stay at 8000 Hz. Calling it again after
   * `start` rebuilds the audio paths.
   */
  setup(params: SerializerAudioParams): void {
    this.#audio.setup(params);
  }

  /**
   * Decodes one Twilio message.
   *
   * @throws {@link SerializerError}: `payload-too-large`, `malformed-json`, `invalid-message`,
   *   `unknown-event`, `media-before-start`, `invalid-base64` (not fatal: log and go on), and
   *   `unsupported-codec` at `start` (fatal: end the call).
   */
  deserialize(message: string): DeserializedMessage {
    const parsed = parseCarrierMessage(message, this.#maxMessageLength);
    switch (parsed.event) {
      case 'media':
        return this.#audio.media(parsed);
      case 'connected':
        validateMessage(twilioConnectedMessage, parsed);
        return { frames: [], event: { type: 'connected' } };
      case 'start':
        return this.#start(validateMessage(twilioStartMessage, parsed));
      case 'dtmf': {
        const { dtmf } = validateMessage(twilioDtmfMessage, parsed);
        if (dtmf.track !== undefined && normalizeTrack(dtmf.track) !== 'inbound') {
          return { frames: [], event: { type: 'ignored', reason: `dtmf on ${dtmf.track}` } };
        }
        const digit = dtmf.digit.toUpperCase();
        return { frames: [new InputDTMFFrame(digit)], event: { type: 'dtmf', digit } };
      }
      case 'mark':
        return {
          frames: [],
          event: { type: 'mark', name: validateMessage(twilioMarkMessage, parsed).mark.name },
        };
      case 'stop':
        validateMessage(twilioStopMessage, parsed);
        return this.#audio.stop();
      default:
        throw new SerializerError(
          'unknown-event',
          `unknown Twilio event ${JSON.stringify(parsed.event).slice(0, 64)}`,
        );
    }
  }

  /**
   * Encodes output audio as `{"event":"media","streamSid":...,"media":{"payload":...}}` (µ-law,
   * 8000 Hz), or passes an `OutputTransportMessageFrame`'s message through (a string as is,
   * anything else as JSON).
   *
   * @returns the JSON text, or undefined for other frames and for audio too short to yield a sample.
   * @throws {@link SerializerError} `not-started` for audio before `start`; `invalid-message` for
   *   audio that is not mono.
   */
  serialize(frame: Frame): string | undefined {
    if (frame instanceof OutputAudioRawFrame) {
      const payload = this.#audio.encode(frame);
      // Base64 needs no JSON escaping; the stream id was escaped once at start.
      return payload === undefined
        ? undefined
        : `{"event":"media","streamSid":${this.#streamSidJson},"media":{"payload":"${payload}"}}`;
    }
    if (frame instanceof OutputTransportMessageFrame) {
      return typeof frame.message === 'string' ? frame.message : JSON.stringify(frame.message);
    }
    return undefined;
  }

  /** `{"event":"mark","streamSid":...,"mark":{"name":...}}`. @throws {@link SerializerError} `not-started` before `start`. */
  serializeMark(name: string): string {
    this.#audio.requireStarted();
    return JSON.stringify({ event: 'mark', streamSid: this.#call!.streamId, mark: { name } });
  }

  /** `{"event":"clear","streamSid":...}`. @throws {@link SerializerError} `not-started` before `start`. */
  serializeClear(): string {
    this.#audio.requireStarted();
    return `{"event":"clear","streamSid":${this.#streamSidJson}}`;
  }

  #start(message: TwilioStartMessage): DeserializedMessage {
    if (this.#call !== undefined) {
      throw new SerializerError('invalid-message', 'a second start message on the same Twilio stream');
    }
    const { start } = message;
    const announced = start.mediaFormat;
    if (
      announced !== undefined &&
      (announced.encoding !== TWILIO_ENCODING ||
        announced.sampleRate !== TWILIO_SAMPLE_RATE ||
        announced.channels !== 1)
    ) {
      throw new SerializerError(
        'unsupported-codec',
        `Twilio streams ${announced.encoding} at ${announced.sampleRate} Hz with ${announced.channels} channel(s); only ${TWILIO_ENCODING} at 8000 Hz mono is supported`,
        true,
      );
    }
    const mediaFormat = { ...PCMU_8000 };
    this.#audio.start(mediaFormat, { ...PCMU_8000 });
    const tracks = start.tracks ?? ['inbound'];
    if (tracks.some((track) => normalizeTrack(track) !== 'inbound')) this.#audio.stopReordering();
    const call: CallInfo = {
      carrier: 'twilio',
      callId: start.callSid,
      streamId: message.streamSid,
      customParameters: { ...start.customParameters },
      mediaFormat,
      outboundMediaFormat: { ...PCMU_8000 },
      extra: { accountSid: start.accountSid, tracks },
    };
    this.#call = call;
    this.#streamSidJson = JSON.stringify(message.streamSid);
    return { frames: [], event: { type: 'start', call } };
  }
}
