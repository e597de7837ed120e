/**
 * Telnyx media streaming over WebSocket ⇄ Voxline frames.
 *
 * Wire facts (from the Telnyx AsyncAPI spec
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket):
 * - Telnyx sends `connected`, `start`, then `media` (plus `dtmf`, `mark` echoes, `error`, `stop`),
 *   snake_case: `stream_id` at the top level, `call_control_id` and `media_format` inside `start`,
 *   `sequence_number`/`chunk`/`timestamp` as strings.
 * - Frame order is not guaranteed: media is reordered by `media.chunk` in a jitter buffer.
 * - Payloads are base64 RTP payloads without the RTP header, in the codec of
 *   `start.media_format.encoding` (PCMU, PCMA, G722, OPUS, AMR-WB or L16; this serializer decodes
 *   all but AMR-WB, which it refuses at `start`). OPUS payloads are one Opus packet each (RFC 7587). G722 is 16000 Hz audio whose RTP
 *   clock rate is 8000 Hz (RFC 3551 §4.5.2), so `media_format.sample_rate` may say either; both
 *   are taken as 16000 Hz audio.
 * - With `stream_track: both_tracks` both directions arrive on one socket; only `inbound` (the
 *   caller) becomes input audio, so the agent never hears itself.
 * - We send back `{"event":"media","media":{"payload":...}}`, `{"event":"mark","mark":{"name":...}}`
 *   and `{"event":"clear"}` (no `stream_id`, as the spec's client frames), which Telnyx plays only
 *   with `stream_bidirectional_mode: "rtp"` (the default `mp3` mode silently ignores raw audio), in
 *   the codec named by `stream_bidirectional_codec` (case-sensitive, default PCMU) at
 *   `stream_bidirectional_sampling_rate`. RTP chunks sent back may hold 20 ms to 30 s of audio.
 */

import type { L16ByteOrder } from '@voxline/audio';
import { InvalidOptionError } from '@voxline/core';
import {
  type CallInfo,
  type DeserializedMessage,
  isTelephonyEncoding,
  type MediaFormat,
  TELEPHONY_ENCODINGS,
  type TelephonyEncoding,
  telephonySampleRate,
} from '@voxline/telephony';
import { type CarrierMessage, MediaStreamSerializer, validateMessage } from '@voxline/telephony/carrier-kit';
import {
  type TelnyxStartMessage,
  telnyxConnectedMessage,
  telnyxDtmfMessage,
  telnyxErrorMessage,
  telnyxMarkMessage,
  telnyxStartMessage,
  telnyxStopMessage,
} from './telnyx-messages.js';

/** Options of {@link TelnyxFrameSerializer}. */
export interface TelnyxFrameSerializerOptions {
  /**
   * Codec of the audio we send back (`'PCMU'`, `'PCMA'`, `'L16'`, `'G722'` or `'OPUS'`): it must be what the
   * stream was opened with as `stream_bidirectional_codec`. Default: the inbound codec from
   * `start.media_format`.
   * Note that Telnyx's own default for `stream_bidirectional_codec` is PCMU, so on a PCMA call
   * opened without that parameter, set `'PCMU'` here (a mismatch plays as loud static).
   */
  outboundEncoding?: TelephonyEncoding;
  /**
   * Sample rate in Hz of the audio we send back: `stream_bidirectional_sampling_rate`
   * (8000, 16000, 22050, 24000 or 48000). Default: 16000 for G722 (whatever the rate says, see the
   * module comment); else the inbound rate when the outbound codec is L16 or the same as the
   * inbound one; else 8000.
   */
  outboundSampleRate?: number;
  /**
   * Byte order of L16 audio, both directions. Default `'big-endian'` (RFC 3551 §4.5.11). Telnyx
   * does not document it and field reports disagree: verify with a live call.
   */
  l16ByteOrder?: L16ByteOrder;
  /**
   * The `stream_track` the stream was opened with. Default `'inbound_track'` (Telnyx's default).
   * With `'both_tracks'`, chunk numbers may count both tracks' frames, so inbound frames are not
   * reordered (they are released in arrival order); outbound-track frames are always ignored.
   */
  streamTrack?: 'inbound_track' | 'both_tracks';
  /**
   * Jitter buffer depth in 20 ms frames: how many later frames may arrive before a missing one is
   * declared lost and replaced by silence. Bounds the added latency while a frame is missing
   * (depth × 20 ms) and at the start of the stream. Default 3; 0 turns reordering off.
   */
  jitterDepth?: number;
  /**
   * Largest decoded media payload accepted, in bytes; larger ones are refused with
   * `payload-too-large`. Default 16,384 (0.5 s of L16 at 16 kHz; a 20 ms PCMU frame is 160 bytes);
   * the per-call scratch buffer has this size.
   */
  maxPayloadBytes?: number;
}

/**
 * When `start.media_format` is missing: PCMU, 8000 Hz, mono, the codec of most calls (GetStream
 * Vision-Agents falls back the same way, plugins/telnyx/vision_agents/plugins/telnyx/media_stream.py).
 */
const ASSUMED_MEDIA_FORMAT: MediaFormat = { encoding: 'PCMU', sampleRate: 8000, channels: 1 };

/**
 * Serializer for one Telnyx media stream (one call). See the module comment for the wire facts.
 *
 * - `deserialize`: `connected` → event; `start` → {@link CallInfo} (and the codec is set up, or
 *   refused with a fatal `unsupported-codec`); `media` → `InputAudioRawFrame`s at the pipeline's
 *   input rate (through the jitter buffer; outbound track ignored); `dtmf` → `InputDTMFFrame`;
 *   `mark` → event with the name; `error` → event with code/title/detail; `stop` → the frames
 *   still held, then event.
 * - `serialize`: output audio → `media`; `OutputTransportMessageFrame` → its message as JSON.
 *
 * @example
 * const serializer = new TelnyxFrameSerializer({ outboundEncoding: 'PCMU' });
 * serializer.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
 * const { frames, event } = serializer.deserialize(text);
 */
export class TelnyxFrameSerializer extends MediaStreamSerializer<TelnyxStartMessage> {
  readonly carrier = 'telnyx' as const;
  /** The `stream_track` this serializer was configured for. */
  readonly streamTrack: 'inbound_track' | 'both_tracks';
  readonly #outboundEncoding: TelephonyEncoding | undefined;
  readonly #outboundSampleRate: number | undefined;

  /**
   * @throws {InvalidOptionError} for an option out of range (unknown codec or byte order, non-positive
   *   rate, negative depth, payload limit below 2 bytes).
   */
  constructor(options: TelnyxFrameSerializerOptions = {}) {
    const {
      outboundEncoding,
      outboundSampleRate,
      l16ByteOrder = 'big-endian',
      streamTrack = 'inbound_track',
      jitterDepth = 3,
      maxPayloadBytes = 16_384,
    } = options;
    if (outboundEncoding !== undefined && !isTelephonyEncoding(outboundEncoding)) {
      throw new InvalidOptionError(
        'outboundEncoding',
        `outboundEncoding must be one of ${TELEPHONY_ENCODINGS.join(', ')}, got ${String(outboundEncoding)}`,
      );
    }
    if (
      outboundSampleRate !== undefined &&
      !(Number.isInteger(outboundSampleRate) && outboundSampleRate > 0)
    ) {
      throw new InvalidOptionError(
        'outboundSampleRate',
        `outboundSampleRate must be a positive integer of Hz, got ${outboundSampleRate}`,
      );
    }
    if (l16ByteOrder !== 'big-endian' && l16ByteOrder !== 'little-endian') {
      throw new InvalidOptionError(
        'l16ByteOrder',
        `l16ByteOrder must be 'big-endian' or 'little-endian', got ${String(l16ByteOrder)}`,
      );
    }
    if (streamTrack !== 'inbound_track' && streamTrack !== 'both_tracks') {
      throw new InvalidOptionError(
        'streamTrack',
        `streamTrack must be 'inbound_track' or 'both_tracks', got ${String(streamTrack)}`,
      );
    }
    // An L16 sample is 2 bytes.
    MediaStreamSerializer.checkBufferLimits(jitterDepth, maxPayloadBytes, 2);
    super(
      {
        carrierName: 'Telnyx',
        jitterDepth: streamTrack === 'both_tracks' ? 0 : jitterDepth,
        maxPayloadBytes,
        l16ByteOrder,
      },
      {
        connected: telnyxConnectedMessage,
        start: telnyxStartMessage,
        dtmf: telnyxDtmfMessage,
        mark: telnyxMarkMessage,
        stop: telnyxStopMessage,
      },
    );
    this.streamTrack = streamTrack;
    this.#outboundEncoding = outboundEncoding;
    this.#outboundSampleRate = outboundSampleRate;
  }

  /** `{"event":"media","media":{"payload":...}}`. */
  protected override mediaMessageParts(): { prefix: string; suffix: string } {
    // Base64 needs no JSON escaping, so the message is assembled without JSON.stringify.
    return { prefix: '{"event":"media","media":{"payload":"', suffix: '"}}' };
  }

  /** `{"event":"mark","mark":{"name":...}}`. */
  protected override markMessage(name: string): string {
    return JSON.stringify({ event: 'mark', mark: { name } });
  }

  /** `{"event":"clear"}`. */
  protected override clearMessage(): string {
    return '{"event":"clear"}';
  }

  /** `stream_id`, at the top level of every Telnyx message. */
  protected override streamIdOf(message: CarrierMessage): unknown {
    return message.stream_id;
  }

  /** `stream_id`, as {@link streamIdOf} reads it. */
  protected override get streamIdField(): string {
    return 'stream_id';
  }

  /** `error` → event with code/title/detail. */
  protected override deserializeOtherEvent(message: CarrierMessage): DeserializedMessage | undefined {
    if (message.event !== 'error') return undefined;
    const error = validateMessage(telnyxErrorMessage, message);
    const details = error.payload ?? error.error ?? {};
    return {
      frames: [],
      event: { type: 'error', code: details.code, title: details.title, detail: details.detail },
    };
  }

  protected override startCall(message: TelnyxStartMessage): CallInfo {
    const { start } = message;
    const mediaFormat: MediaFormat = start.media_format
      ? {
          encoding: start.media_format.encoding.toUpperCase(),
          sampleRate: start.media_format.sample_rate,
          channels: start.media_format.channels,
        }
      : { ...ASSUMED_MEDIA_FORMAT };
    const inboundEncoding = mediaFormat.encoding;
    const outboundEncoding =
      this.#outboundEncoding ?? (isTelephonyEncoding(inboundEncoding) ? inboundEncoding : 'PCMU');
    const outboundSampleRate = telephonySampleRate(
      outboundEncoding,
      this.#outboundSampleRate ??
        (outboundEncoding === 'L16' || outboundEncoding === inboundEncoding ? mediaFormat.sampleRate : 8000),
    );
    const outboundMediaFormat: MediaFormat = {
      encoding: outboundEncoding,
      sampleRate: outboundSampleRate,
      channels: 1,
    };
    const call: CallInfo = {
      carrier: 'telnyx',
      callId: start.call_control_id,
      streamId: message.stream_id,
      from: start.from,
      to: start.to,
      customParameters: customParametersOf(start.custom_parameters),
      mediaFormat,
      outboundMediaFormat,
      extra: {
        userId: start.user_id,
        callSessionId: start.call_session_id,
        clientState: start.client_state ?? undefined,
        tags: start.tags,
        mediaFormatAnnounced: start.media_format !== undefined,
      },
    };
    // Refuses AMR-WB (fatal, naming the call) before anything is decoded as the wrong codec.
    this.startAudio(call, mediaFormat, outboundMediaFormat);
    return call;
  }
}

function customParametersOf(
  parameters: Record<string, string> | { name: string; value: string }[] | undefined,
): Record<string, string> {
  if (parameters === undefined) return {};
  // fromEntries defines own properties, so a parameter named `__proto__` stays a plain key.
  if (!Array.isArray(parameters)) return Object.fromEntries(Object.entries(parameters));
  return Object.fromEntries(parameters.map(({ name, value }) => [name, value]));
}
