/**
 * The audio half of a carrier serializer, which Telnyx and Twilio share: the media hot path
 * (hand-checked fields → track filter → {@link InboundAudioPath}), the `stop` drain, and output
 * encoding (→ {@link OutboundAudioEncoder}). Carrier serializers keep the protocol half: event
 * schemas, ids, and the JSON they send.
 *
 * Both carriers' `media` messages have the same inner fields (`media.track`, `media.chunk`,
 * `media.timestamp`, `media.payload`; see the two carriers' docs linked from their serializers), which makes this
 * shareable.
 */
import type { L16ByteOrder } from '@voxline/audio';
import type { Frame, InputAudioRawFrame, OutputAudioRawFrame } from '@voxline/core';
import { InboundAudioPath } from './inbound-audio-path.js';
import { MediaMessageScanner } from './media-message-scanner.js';
import type { MediaMessageTemplate } from './media-message-template.js';
import { normalizeTrack } from './media-payload.js';
import { type CarrierMessage, parseDecimalCounter } from './message-parsing.js';
import { OutboundAudioEncoder } from './outbound-audio-encoder.js';
import {
  isTelephonyEncoding,
  TELEPHONY_ENCODINGS,
  type TelephonyEncoding,
  telephonyCodec,
  telephonySampleRate,
} from './telephony-codec.js';
import {
  type DeserializedMessage,
  type MediaFormat,
  type SerializerAudioParams,
  SerializerError,
} from './telephony-serializer.js';

/** Options of {@link MediaStreamAudio}. */
export interface MediaStreamAudioOptions {
  /** Carrier name for error messages, e.g. `'Telnyx'`. */
  carrierName: string;
  /** Jitter buffer depth in frames; 0 releases frames in arrival order. */
  jitterDepth: number;
  /** Largest decoded media payload accepted, in bytes. */
  maxPayloadBytes: number;
  /** Byte order of L16 audio (both directions). */
  l16ByteOrder: L16ByteOrder;
  /**
   * Also accept `media.chunk` as a JSON number (non-negative safe integer), as Plivo sends it
   * (https://www.plivo.com/docs/voice/api/stream/); Telnyx and Twilio document a decimal string.
   * Default false: a number is refused as a wrong type.
   */
  numericChunk?: boolean;
}

const MEDIA: DeserializedMessage['event'] = Object.freeze({ type: 'media' });
const STOP: DeserializedMessage['event'] = Object.freeze({ type: 'stop' });

/**
 * One call's audio state: created with the serializer, started by the carrier's `start`, stopped
 * by its `stop`.
 */
export class MediaStreamAudio {
  readonly #options: MediaStreamAudioOptions;
  #params: SerializerAudioParams | undefined;
  #formats: { inbound: MediaFormat; outbound: MediaFormat } | undefined;
  #inbound: InboundAudioPath | undefined;
  #outbound: OutboundAudioEncoder | undefined;
  #stopped = false;
  #scanner: MediaMessageScanner | undefined;

  constructor(options: MediaStreamAudioOptions) {
    this.#options = options;
  }

  /** Whether `start` was handled (output may be sent). */
  get started(): boolean {
    return this.#outbound !== undefined;
  }

  /** Jitter buffer counters of the inbound audio, after `start` and before `stop`. */
  get jitterStats() {
    return this.#inbound?.jitterStats;
  }

  /**
   * Sets the pipeline's rates; without it, input frames keep the carrier's rate. After `start`,
   * rebuilds the audio paths for the new rates.
   */
  setup(params: SerializerAudioParams): void {
    this.#params = { ...params };
    if (this.#formats !== undefined) this.#build(this.#formats.inbound, this.#formats.outbound);
  }

  /**
   * Builds the audio paths for the formats the carrier's `start` announced.
   *
   * @param inbound - what the carrier sends; `encoding` must be a `TelephonyEncoding`, mono. For
   *   G722, `sampleRate` may be the announced RTP clock rate (8000): the audio is 16000 Hz.
   * @param outbound - what the carrier expects back (same rules).
   * @throws {@link @voxline/telephony!SerializerError} `unsupported-codec` (fatal) for any other codec or channel
   *   count, or a rate the resampler cannot convert.
   */
  start(inbound: MediaFormat, outbound: MediaFormat): void {
    this.#build(inbound, outbound);
    this.#formats = { inbound, outbound };
  }

  /**
   * The media hot path: checks the few fields it reads by hand (a schema parse would cost more
   * than the decoding), drops the other track, and decodes the caller's audio.
   *
   * @throws {@link @voxline/telephony!SerializerError} `invalid-message` (wrong field types), `media-before-start`,
   *   `invalid-base64`, `payload-too-large`.
   */
  media(message: CarrierMessage): DeserializedMessage {
    const media = message.media;
    if (typeof media !== 'object' || media === null) throw invalidMedia('`media` must be an object');
    const { payload, track, chunk } = media as { payload?: unknown; track?: unknown; chunk?: unknown };
    if (typeof payload !== 'string') throw invalidMedia('`media.payload` must be a string');
    if (track !== undefined && typeof track !== 'string')
      throw invalidMedia('`media.track` must be a string');
    let chunkNumber: number | undefined;
    if (chunk !== undefined) {
      // Telnyx and Twilio send the counter as a decimal string, Plivo as a JSON number
      // (`numericChunk`): both are read without allocating.
      chunkNumber =
        typeof chunk === 'string'
          ? parseDecimalCounter(chunk)
          : this.#options.numericChunk &&
              typeof chunk === 'number' &&
              Number.isSafeInteger(chunk) &&
              chunk >= 0
            ? chunk
            : -1;
      if (chunkNumber < 0) {
        throw invalidMedia(
          this.#options.numericChunk
            ? '`media.chunk` must be a non-negative integer, or one in a decimal string'
            : '`media.chunk` must be a decimal number in a string',
        );
      }
    }
    const inbound = this.#inbound;
    if (inbound === undefined) {
      if (this.#stopped) return { frames: [], event: { type: 'ignored', reason: 'media after stop' } };
      throw new SerializerError(
        'media-before-start',
        `${this.#options.carrierName} media message before start`,
      );
    }
    if (track !== undefined && track !== 'inbound' && normalizeTrack(track) !== 'inbound') {
      // The other direction shares the socket, so its chunk numbers may interleave with ours:
      // reordering by them could conceal frames that were never lost.
      const frames: InputAudioRawFrame[] = [];
      inbound.stopReordering(frames);
      return { frames, event: { type: 'ignored', reason: `${track} track` } };
    }
    const frames: InputAudioRawFrame[] = [];
    inbound.push(payload, chunkNumber, frames);
    return { frames, event: MEDIA };
  }

  /**
   * Reads the call's stream from here on without `JSON.parse` on the hot path: see
   * {@link mediaText}. Called by the serializer once `start` named the stream.
   *
   * @param streamIdField - the top-level field naming the stream in every message (`stream_id`,
   *   `streamSid`, `streamId`).
   * @param streamId - the call's stream id.
   */
  scanMediaFor(streamIdField: string, streamId: string): void {
    this.#scanner = new MediaMessageScanner({
      streamIdField,
      streamId,
      numericChunk: this.#options.numericChunk === true,
    });
  }

  /**
   * The media hot path on the message text: an ordinary media message of this call (see
   * media-message-scanner.ts) is read in place and its payload decoded straight into the call's
   * scratch buffer, with no `JSON.parse`, no message object and no payload string.
   *
   * @param text - the message as received; already checked against the message size limit.
   * @returns what {@link media} would return for it, or undefined when the text is anything else
   *   (another event, an unusual or invalid message, before `start` or after `stop`): then parse
   *   it and call {@link media}, which gives the typed error if there is one.
   * @throws {@link @voxline/telephony!SerializerError} `invalid-message` for an L16 payload of odd length.
   */
  mediaText(text: string): DeserializedMessage | undefined {
    const inbound = this.#inbound;
    const scanner = this.#scanner;
    if (inbound === undefined || scanner === undefined) return undefined;
    const scanned = scanner.scan(text, inbound.payloadScratch);
    if (scanned === undefined) return undefined;
    const frames: InputAudioRawFrame[] = [];
    inbound.pushDecoded(scanned.byteLength, scanned.chunk < 0 ? undefined : scanned.chunk, frames);
    return { frames, event: MEDIA };
  }

  /** Handles `stop`: releases the frames the jitter buffer holds; later media is ignored. */
  stop(): DeserializedMessage {
    const frames: InputAudioRawFrame[] = [];
    this.#inbound?.drain(frames);
    this.#inbound = undefined;
    this.#stopped = true;
    return { frames, event: STOP };
  }

  /** Releases held frames and stops reordering (for streams whose chunk numbers mix both tracks). */
  stopReordering(): Frame[] {
    const frames: InputAudioRawFrame[] = [];
    this.#inbound?.stopReordering(frames);
    return frames;
  }

  /**
   * Encodes an output audio frame to a base64 payload in the carrier's outbound format.
   *
   * @returns base64 text, or undefined when no sample came out.
   * @throws {@link @voxline/telephony!SerializerError} `not-started` before `start`; `invalid-message` for audio that
   *   is not mono; `unsupported-codec` for a frame rate the resampler cannot convert.
   */
  encode(frame: OutputAudioRawFrame): string | undefined {
    return this.#encoderFor(frame).encode(frame.audio, frame.sampleRate);
  }

  /**
   * Encodes an output audio frame as the carrier's whole `media` message, built in place by
   * `template` around the payload (one string allocated).
   *
   * @returns the message text, or undefined when no sample came out.
   * @throws as {@link encode}.
   */
  encodeMessage(frame: OutputAudioRawFrame, template: MediaMessageTemplate): string | undefined {
    const bytes = this.#encoderFor(frame).encodeBytes(frame.audio, frame.sampleRate);
    return bytes === undefined ? undefined : template.render(bytes);
  }

  /** The started encoder, for a mono frame. */
  #encoderFor(frame: OutputAudioRawFrame): OutboundAudioEncoder {
    const outbound = this.requireStarted();
    if (frame.numChannels !== 1) {
      throw new SerializerError(
        'invalid-message',
        `output audio must be mono, got ${frame.numChannels} channels`,
      );
    }
    return outbound;
  }

  /** @throws {@link @voxline/telephony!SerializerError} `not-started` before `start`. */
  requireStarted(): OutboundAudioEncoder {
    const outbound = this.#outbound;
    if (outbound === undefined) {
      throw new SerializerError(
        'not-started',
        `cannot send to ${this.#options.carrierName} before its start message`,
      );
    }
    return outbound;
  }

  #build(inbound: MediaFormat, outbound: MediaFormat): void {
    const { carrierName, jitterDepth, maxPayloadBytes, l16ByteOrder } = this.#options;
    const [inboundEncoding, outboundEncoding] = [inbound, outbound].map((format, index) => {
      const direction = index === 0 ? 'inbound' : 'outbound';
      if (!isTelephonyEncoding(format.encoding)) {
        throw new SerializerError(
          'unsupported-codec',
          `${carrierName} ${direction} codec ${format.encoding} is not supported; only ${TELEPHONY_ENCODINGS.join(', ')} are`,
          true,
        );
      }
      if (format.channels !== 1) {
        throw new SerializerError(
          'unsupported-codec',
          `${carrierName} ${direction} audio has ${format.channels} channels; only mono is supported`,
          true,
        );
      }
      return format.encoding;
    }) as [TelephonyEncoding, TelephonyEncoding];
    const inboundRate = telephonySampleRate(inboundEncoding, inbound.sampleRate);
    const outboundRate = telephonySampleRate(outboundEncoding, outbound.sampleRate);
    // Both constructors throw a fatal SerializerError for rates the resampler cannot convert.
    const inboundPath = new InboundAudioPath({
      codec: telephonyCodec(inboundEncoding, l16ByteOrder, inboundRate),
      carrierSampleRate: inboundRate,
      pipelineSampleRate: this.#params?.inputSampleRate ?? inboundRate,
      maxPayloadBytes,
      jitterDepth,
    });
    const outboundEncoder = new OutboundAudioEncoder({
      codec: telephonyCodec(outboundEncoding, l16ByteOrder, outboundRate),
      carrierSampleRate: outboundRate,
      expectedSampleRate: this.#params?.outputSampleRate ?? outboundRate,
    });
    this.#inbound = this.#stopped ? undefined : inboundPath;
    this.#outbound = outboundEncoder;
  }
}

function invalidMedia(reason: string): SerializerError {
  return new SerializerError('invalid-message', `invalid media message: ${reason}`);
}
