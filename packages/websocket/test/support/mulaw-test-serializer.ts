/**
 * A minimal {@link TelephonySerializer} for transport tests: PCMU at 8000 Hz only, pipeline rates
 * 8000 Hz only, Twilio (camelCase) or Telnyx (snake_case) field names. It keeps the transport's
 * tests independent of the carrier serializers' own behaviour (jitter buffering, resampling).
 */
import { decodeMuLaw, encodeMuLaw } from '@voxline/audio';
import { type Frame, InputAudioRawFrame, InputDTMFFrame, OutputAudioRawFrame } from '@voxline/core';
import {
  type CallInfo,
  type DeserializedMessage,
  type SerializerAudioParams,
  SerializerError,
  type TelephonySerializer,
} from '@voxline/telephony';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class MuLawTestSerializer implements TelephonySerializer {
  call: CallInfo | undefined;
  /** Most bytes a media payload may decode to (200 ms of PCMU). */
  readonly maxPayloadBytes = 1600;

  constructor(readonly carrier: 'twilio' | 'telnyx' = 'twilio') {}

  setup(params: SerializerAudioParams): void {
    if (params.inputSampleRate !== 8000 || params.outputSampleRate !== 8000) {
      throw new Error('MuLawTestSerializer runs at 8000 Hz only');
    }
  }

  deserialize(text: string): DeserializedMessage {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      throw new SerializerError('malformed-json', 'not JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new SerializerError('malformed-json', 'not a JSON object');
    }
    const fields = message as Record<string, unknown>;
    switch (fields.event) {
      case 'connected':
        return { frames: [], event: { type: 'connected' } };
      case 'start':
        return this.start(fields);
      case 'media':
        return this.media(fields);
      case 'dtmf': {
        const dtmf = fields.dtmf as { digit?: unknown } | undefined;
        if (typeof dtmf?.digit !== 'string')
          throw new SerializerError('invalid-message', 'dtmf.digit is not a string');
        return { frames: [new InputDTMFFrame(dtmf.digit)], event: { type: 'dtmf', digit: dtmf.digit } };
      }
      case 'mark': {
        const mark = fields.mark as { name?: unknown } | undefined;
        if (typeof mark?.name !== 'string')
          throw new SerializerError('invalid-message', 'mark.name is not a string');
        return { frames: [], event: { type: 'mark', name: mark.name } };
      }
      case 'stop':
        return { frames: [], event: { type: 'stop' } };
      default:
        throw new SerializerError('unknown-event', `unknown event ${JSON.stringify(fields.event)}`);
    }
  }

  private start(fields: Record<string, unknown>): DeserializedMessage {
    const start = fields.start as Record<string, unknown> | undefined;
    const twilio = this.carrier === 'twilio';
    const callId = twilio ? start?.callSid : start?.call_control_id;
    const streamId = twilio ? fields.streamSid : fields.stream_id;
    if (typeof callId !== 'string' || typeof streamId !== 'string') {
      throw new SerializerError('invalid-message', 'start without call or stream id');
    }
    const from = start?.from;
    const to = start?.to;
    this.call = {
      carrier: this.carrier,
      callId,
      streamId,
      from: typeof from === 'string' ? from : undefined,
      to: typeof to === 'string' ? to : undefined,
      customParameters: {},
      mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
      outboundMediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
      extra: {},
    };
    return { frames: [], event: { type: 'start', call: this.call } };
  }

  private media(fields: Record<string, unknown>): DeserializedMessage {
    if (this.call === undefined) throw new SerializerError('media-before-start', 'media before start');
    const media = fields.media as { payload?: unknown; track?: unknown } | undefined;
    if (typeof media?.payload !== 'string')
      throw new SerializerError('invalid-message', 'media.payload is not a string');
    if (media.payload.length % 4 !== 0 || !BASE64.test(media.payload)) {
      throw new SerializerError('invalid-base64', 'media.payload is not base64');
    }
    const bytes = Buffer.from(media.payload, 'base64');
    if (bytes.length > this.maxPayloadBytes) {
      throw new SerializerError('payload-too-large', `payload of ${bytes.length} bytes`);
    }
    if (media.track !== undefined && media.track !== 'inbound') {
      return { frames: [], event: { type: 'ignored', reason: `track ${String(media.track)}` } };
    }
    const audio = decodeMuLaw(new Uint8Array(bytes));
    return { frames: [new InputAudioRawFrame({ audio, sampleRate: 8000 })], event: { type: 'media' } };
  }

  serialize(frame: Frame): string | undefined {
    if (this.call === undefined) throw new SerializerError('not-started', 'serialize before start');
    if (!(frame instanceof OutputAudioRawFrame)) return undefined;
    if (frame.sampleRate !== 8000) throw new Error('MuLawTestSerializer encodes 8000 Hz audio only');
    const payload = Buffer.from(encodeMuLaw(frame.audio)).toString('base64');
    return JSON.stringify({ event: 'media', ...this.streamField(), media: { payload } });
  }

  serializeMark(name: string): string {
    if (this.call === undefined) throw new SerializerError('not-started', 'mark before start');
    return JSON.stringify({ event: 'mark', ...this.streamField(), mark: { name } });
  }

  serializeClear(): string {
    if (this.call === undefined) throw new SerializerError('not-started', 'clear before start');
    return JSON.stringify({ event: 'clear', ...this.streamField() });
  }

  private streamField(): Record<string, string> {
    const streamId = (this.call as CallInfo).streamId;
    return this.carrier === 'twilio' ? { streamSid: streamId } : { stream_id: streamId };
  }
}
