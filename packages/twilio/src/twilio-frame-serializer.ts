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
import { type CallInfo, type MediaFormat, SerializerError } from '@voxline/telephony';
import { type CarrierMessage, MediaStreamSerializer, normalizeTrack } from '@voxline/telephony/carrier-kit';
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
 * Without `setup`, input frames stay at 8000 Hz.
 *
 * @example
 * const serializer = new TwilioFrameSerializer();
 * serializer.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
 * const { frames, event } = serializer.deserialize(text);
 */
export class TwilioFrameSerializer extends MediaStreamSerializer<TwilioStartMessage> {
  readonly carrier = 'twilio' as const;
  /** `streamSid` as a JSON string literal, quoted and escaped once at `start`. */
  #streamSidJson = '';

  /** @throws {RangeError} for a negative `jitterDepth` or a `maxPayloadBytes` below 1. */
  constructor(options: TwilioFrameSerializerOptions = {}) {
    const { jitterDepth = 3, maxPayloadBytes = 16_384 } = options;
    MediaStreamSerializer.checkBufferLimits(jitterDepth, maxPayloadBytes, 1);
    super(
      { carrierName: 'Twilio', jitterDepth, maxPayloadBytes, l16ByteOrder: 'big-endian' },
      {
        connected: twilioConnectedMessage,
        start: twilioStartMessage,
        dtmf: twilioDtmfMessage,
        mark: twilioMarkMessage,
        stop: twilioStopMessage,
      },
    );
  }

  /** `streamSid`, at the top level of every Twilio message. */
  protected override streamIdOf(message: CarrierMessage): unknown {
    return message.streamSid;
  }

  /** `streamSid`, as {@link streamIdOf} reads it. */
  protected override get streamIdField(): string {
    return 'streamSid';
  }

  /** `{"event":"media","streamSid":...,"media":{"payload":...}}` (µ-law, 8000 Hz). */
  protected override mediaMessageParts(): { prefix: string; suffix: string } {
    // Base64 needs no JSON escaping; the stream id was escaped once at start.
    return {
      prefix: `{"event":"media","streamSid":${this.#streamSidJson},"media":{"payload":"`,
      suffix: '"}}',
    };
  }

  /** `{"event":"mark","streamSid":...,"mark":{"name":...}}`. */
  protected override markMessage(name: string): string {
    return JSON.stringify({ event: 'mark', streamSid: this.call!.streamId, mark: { name } });
  }

  /** `{"event":"clear","streamSid":...}`. */
  protected override clearMessage(): string {
    return `{"event":"clear","streamSid":${this.#streamSidJson}}`;
  }

  protected override startCall(message: TwilioStartMessage): CallInfo {
    const { start } = message;
    const tracks = start.tracks ?? ['inbound'];
    const call: CallInfo = {
      carrier: 'twilio',
      callId: start.callSid,
      streamId: message.streamSid,
      customParameters: { ...start.customParameters },
      mediaFormat: { ...PCMU_8000 },
      outboundMediaFormat: { ...PCMU_8000 },
      extra: { accountSid: start.accountSid, tracks },
    };
    const announced = start.mediaFormat;
    if (
      announced !== undefined &&
      (announced.encoding !== TWILIO_ENCODING ||
        announced.sampleRate !== TWILIO_SAMPLE_RATE ||
        announced.channels !== 1)
    ) {
      // Named with the call, so the transport still hangs it up.
      throw new SerializerError(
        'unsupported-codec',
        `Twilio streams ${announced.encoding} at ${announced.sampleRate} Hz with ${announced.channels} channel(s); only ${TWILIO_ENCODING} at 8000 Hz mono is supported`,
        true,
        call,
      );
    }
    this.startAudio(call, { ...PCMU_8000 }, { ...PCMU_8000 });
    if (tracks.some((track) => normalizeTrack(track) !== 'inbound')) this.audio.stopReordering();
    this.#streamSidJson = JSON.stringify(message.streamSid);
    return call;
  }
}
