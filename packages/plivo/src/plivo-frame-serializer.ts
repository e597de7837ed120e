/**
 * Plivo bidirectional Audio Streaming over WebSocket ⇄ Voxline frames.
 *
 * Wire facts (Plivo's Stream Event Protocol, https://plivo.com/docs/voice/audio-streaming/audio-streaming,
 * and the `<Stream>` element, https://plivo.com/docs/voice/xml/audio-streaming):
 * - Plivo sends `start` first (no `connected` message), then `media`, `dtmf`, `playedStream` (the
 *   answer to our `checkpoint`) and `clearedAudio` (the answer to our `clearAudio`); a `stop` may
 *   come last, though the socket closing is the documented end. Fields are camelCase; `start`
 *   carries `callId`, `streamId`, `accountId`, `tracks` and `mediaFormat` inside `start`, and the
 *   `<Stream extraHeaders>` as a top-level `extra_headers` string.
 * - Audio is what `<Stream contentType>` asked for: `audio/x-mulaw;rate=8000`, `audio/x-l16;rate=8000`
 *   (Plivo's default) or `audio/x-l16;rate=16000`, mono, base64 without a file header. Plivo's
 *   documents do not state the L16 byte order; Plivo's own stream SDK
 *   (https://github.com/plivo-labs/agent-transport, `audio_stream/protocol.rs`) reads and writes it
 *   little-endian, so that is the default here.
 * - We send `{"event":"playAudio","streamId":…,"media":{"contentType":…,"sampleRate":…,"payload":…}}`
 *   (https://docs.plivo.com/docs/voice/xml/audiostream/stream-events-to-plivo/play-audio-event) in
 *   the stream's own format (Plivo advises against switching codecs within a stream),
 *   `{"event":"checkpoint","streamId":…,"name":…}` and `{"event":"clearAudio","streamId":…}`, as
 *   Pipecat's `serializers/plivo.py` does (https://github.com/pipecat-ai/pipecat).
 */

import type { L16ByteOrder } from '@voxline/audio';
import {
  type Frame,
  InputDTMFFrame,
  InvalidOptionError,
  OutputAudioRawFrame,
  OutputTransportMessageFrame,
} from '@voxline/core';
import {
  type CallInfo,
  type DeserializedMessage,
  type MediaFormat,
  type SerializerAudioParams,
  SerializerError,
  type TelephonySerializer,
} from '@voxline/telephony';
import {
  describePeerValue,
  MediaMessageTemplate,
  MediaStreamAudio,
  maxMessageLengthFor,
  normalizeTrack,
  parseCarrierMessage,
  validateMessage,
} from '@voxline/telephony/carrier-kit';
import { parseExtraHeaders } from './extra-headers.js';
import {
  type PlivoStartMessage,
  plivoClearedAudioMessage,
  plivoDtmfMessage,
  plivoPlayedStreamMessage,
  plivoStartMessage,
  plivoStopMessage,
} from './plivo-messages.js';

/** Options of {@link PlivoFrameSerializer}. */
export interface PlivoFrameSerializerOptions {
  /**
   * Jitter buffer depth in 20 ms frames: how many later frames may arrive before a missing one is
   * declared lost and replaced by silence. Default 3; 0 turns reordering off. Reordering is also
   * off when `start.tracks` lists the outbound track (chunk numbers may then count both).
   */
  jitterDepth?: number;
  /** Largest decoded media payload accepted, in bytes. Default 16,384 (20 ms of L16 16 kHz is 640). */
  maxPayloadBytes?: number;
  /** Byte order of `audio/x-l16`, both directions. Default `'little-endian'` (see the module comment). */
  l16ByteOrder?: L16ByteOrder;
}

/** A Plivo content type and rate as a {@link MediaFormat}, or undefined for one Plivo does not stream. */
function mediaFormatOf(encoding: string, sampleRate: number): MediaFormat | undefined {
  // `audio/x-mulaw;rate=8000` is the <Stream contentType> spelling; `start` announces the bare type.
  const type = encoding.split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'audio/x-mulaw' && sampleRate === 8000) return { encoding: 'PCMU', sampleRate, channels: 1 };
  if (type === 'audio/x-l16' && (sampleRate === 8000 || sampleRate === 16000)) {
    return { encoding: 'L16', sampleRate, channels: 1 };
  }
  return undefined;
}

/**
 * Serializer for one Plivo audio stream (one call). See the module comment for the wire facts.
 *
 * - `deserialize`: `start` → {@link CallInfo} (µ-law 8000 Hz or L16 8000/16000 Hz mono, or a fatal
 *   `unsupported-codec`; `extra_headers` become `customParameters`); `media` →
 *   `InputAudioRawFrame`s at the pipeline's input rate (through the jitter buffer; the outbound
 *   track ignored); `dtmf` → `InputDTMFFrame`; `playedStream` → a `mark` event with the checkpoint's
 *   name; `clearedAudio` → ignored; `stop` → the frames still held, then the `stop` event.
 * - `serialize`: output audio → `playAudio` (resampled and encoded to the stream's format);
 *   `OutputTransportMessageFrame` → its message as JSON. `serializeMark` → `checkpoint`;
 *   `serializeClear` → `clearAudio`.
 *
 * Without `setup`, input frames stay at the stream's rate.
 *
 * @example
 * const serializer = new PlivoFrameSerializer();
 * serializer.setup({ inputSampleRate: 16000, outputSampleRate: 24000 });
 * const { frames, event } = serializer.deserialize(text);
 */
export class PlivoFrameSerializer implements TelephonySerializer {
  readonly carrier = 'plivo' as const;
  readonly #audio: MediaStreamAudio;
  readonly #maxMessageLength: number;
  #call: CallInfo | undefined;
  /** `streamId` as a JSON string literal, quoted and escaped once at `start`. */
  #streamIdJson = '';
  /** The `playAudio` message around its payload, built once at `start`. */
  #playAudio: MediaMessageTemplate | undefined;

  /** @throws {InvalidOptionError} for a negative `jitterDepth` or a `maxPayloadBytes` below 2. */
  constructor(options: PlivoFrameSerializerOptions = {}) {
    const { jitterDepth = 3, maxPayloadBytes = 16_384, l16ByteOrder = 'little-endian' } = options;
    if (!Number.isInteger(jitterDepth) || jitterDepth < 0) {
      throw new InvalidOptionError('jitterDepth', `jitterDepth must be an integer ≥ 0, got ${jitterDepth}`);
    }
    if (!Number.isInteger(maxPayloadBytes) || maxPayloadBytes < 2) {
      throw new InvalidOptionError(
        'maxPayloadBytes',
        `maxPayloadBytes must be an integer ≥ 2, got ${maxPayloadBytes}`,
      );
    }
    if (l16ByteOrder !== 'little-endian' && l16ByteOrder !== 'big-endian') {
      throw new InvalidOptionError(
        'l16ByteOrder',
        `l16ByteOrder must be 'little-endian' or 'big-endian', got ${String(l16ByteOrder)}`,
      );
    }
    this.#audio = new MediaStreamAudio({
      carrierName: 'Plivo',
      jitterDepth,
      maxPayloadBytes,
      l16ByteOrder,
      numericChunk: true,
    });
    this.#maxMessageLength = maxMessageLengthFor(maxPayloadBytes);
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
   * Sets the pipeline's rates. Without it, input frames keep the stream's rate. Calling it again
   * after `start` rebuilds the audio paths.
   */
  setup(params: SerializerAudioParams): void {
    this.#audio.setup(params);
  }

  /**
   * Decodes one Plivo message.
   *
   * @throws {@link @voxline/telephony!SerializerError}: `payload-too-large`, `malformed-json`, `invalid-message`,
   *   `unknown-event`, `media-before-start`, `invalid-base64`, `stream-mismatch` (a message after
   *   `start` naming another stream) (not fatal: log and go on), and `unsupported-codec` at
   *   `start` (fatal: end the call).
   */
  deserialize(message: string): DeserializedMessage {
    // The hot path: an ordinary media message of the started call is read in place.
    if (message.length <= this.#maxMessageLength) {
      const media = this.#audio.mediaText(message);
      if (media !== undefined) return media;
    }
    const parsed = parseCarrierMessage(message, this.#maxMessageLength);
    const call = this.#call;
    if (call !== undefined && parsed.event !== 'start') {
      // One socket carries one stream: a message naming another is not this call's.
      const streamId = parsed.streamId;
      if (streamId !== undefined && streamId !== call.streamId) {
        throw new SerializerError(
          'stream-mismatch',
          `${parsed.event} message for another stream than this call's (${describePeerValue(streamId)})`,
        );
      }
    }
    switch (parsed.event) {
      case 'media':
        return this.#audio.media(parsed);
      case 'start':
        return this.#start(validateMessage(plivoStartMessage, parsed));
      case 'dtmf': {
        const { dtmf } = validateMessage(plivoDtmfMessage, parsed);
        if (dtmf.track !== undefined && normalizeTrack(dtmf.track) !== 'inbound') {
          return { frames: [], event: { type: 'ignored', reason: `dtmf on ${dtmf.track}` } };
        }
        const digit = dtmf.digit.toUpperCase();
        return { frames: [new InputDTMFFrame(digit)], event: { type: 'dtmf', digit } };
      }
      case 'playedStream':
        return {
          frames: [],
          event: { type: 'mark', name: validateMessage(plivoPlayedStreamMessage, parsed).name },
        };
      case 'clearedAudio':
        validateMessage(plivoClearedAudioMessage, parsed);
        return { frames: [], event: { type: 'ignored', reason: 'clearedAudio' } };
      case 'stop':
        validateMessage(plivoStopMessage, parsed);
        return this.#audio.stop();
      default:
        throw new SerializerError('unknown-event', `unknown Plivo event ${describePeerValue(parsed.event)}`);
    }
  }

  /**
   * Encodes output audio as `playAudio`, or passes an `OutputTransportMessageFrame`'s message
   * through (a string as is, anything else as JSON).
   *
   * @returns the JSON text, or undefined for other frames and for audio too short to yield a sample.
   * @throws {@link @voxline/telephony!SerializerError} `not-started` for audio before `start`; `invalid-message` for
   *   audio that is not mono.
   */
  serialize(frame: Frame): string | undefined {
    if (frame instanceof OutputAudioRawFrame) {
      this.#audio.requireStarted();
      return this.#audio.encodeMessage(frame, this.#playAudio!);
    }
    if (frame instanceof OutputTransportMessageFrame) {
      return typeof frame.message === 'string' ? frame.message : JSON.stringify(frame.message);
    }
    return undefined;
  }

  /**
   * `{"event":"checkpoint","streamId":…,"name":…}`; Plivo answers `playedStream` with the name once
   * the audio sent before it has played.
   *
   * @throws {@link @voxline/telephony!SerializerError} `not-started` before `start`.
   */
  serializeMark(name: string): string {
    this.#audio.requireStarted();
    return JSON.stringify({ event: 'checkpoint', streamId: this.#call!.streamId, name });
  }

  /**
   * `{"event":"clearAudio","streamId":…}`: Plivo drops the audio it has buffered.
   *
   * @throws {@link @voxline/telephony!SerializerError} `not-started` before `start`.
   */
  serializeClear(): string {
    this.#audio.requireStarted();
    return `{"event":"clearAudio","streamId":${this.#streamIdJson}}`;
  }

  #start(message: PlivoStartMessage): DeserializedMessage {
    if (this.#call !== undefined) {
      throw new SerializerError('invalid-message', 'a second start message on the same Plivo stream');
    }
    const { start } = message;
    const tracks = start.tracks ?? ['inbound'];
    const announced = start.mediaFormat;
    const format = mediaFormatOf(announced.encoding, announced.sampleRate);
    const call: CallInfo = {
      carrier: 'plivo',
      callId: start.callId,
      streamId: start.streamId,
      customParameters: parseExtraHeaders(message.extra_headers),
      mediaFormat: format ?? { encoding: announced.encoding, sampleRate: announced.sampleRate, channels: 1 },
      outboundMediaFormat: format ?? {
        encoding: announced.encoding,
        sampleRate: announced.sampleRate,
        channels: 1,
      },
      extra: { accountId: start.accountId, tracks },
    };
    if (format === undefined) {
      // Named with the call, so the transport still hangs it up.
      throw new SerializerError(
        'unsupported-codec',
        `Plivo streams ${announced.encoding} at ${announced.sampleRate} Hz; only audio/x-mulaw at 8000 Hz and audio/x-l16 at 8000 or 16000 Hz are supported`,
        true,
        call,
      );
    }
    try {
      this.#audio.start({ ...format }, { ...format });
    } catch (error) {
      if (!(error instanceof SerializerError) || error.call !== undefined) throw error;
      throw new SerializerError(error.code, error.message, error.fatal, call);
    }
    if (tracks.some((track) => normalizeTrack(track) !== 'inbound')) this.#audio.stopReordering();
    this.#streamIdJson = JSON.stringify(start.streamId);
    const contentType = format.encoding === 'PCMU' ? 'audio/x-mulaw' : 'audio/x-l16';
    // Base64 needs no JSON escaping; the stream id is escaped once, here.
    this.#playAudio = new MediaMessageTemplate(
      `{"event":"playAudio","streamId":${this.#streamIdJson},"media":{"contentType":"${contentType}","sampleRate":${format.sampleRate},"payload":"`,
      '"}}',
    );
    this.#audio.scanMediaFor('streamId', start.streamId);
    this.#call = call;
    return { frames: [], event: { type: 'start', call } };
  }
}
