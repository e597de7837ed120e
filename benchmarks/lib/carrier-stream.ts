/**
 * The carrier's side of one media stream, as text messages: what Telnyx and Twilio send to an
 * agent's WebSocket (`connected`, `start`, `media`, `mark` echoes, `stop`), in the shapes the
 * carriers document and the serializers parse (Telnyx
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket, Twilio
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages). Sequence numbers, chunks and
 * timestamps are decimal strings, as both carriers send them.
 */
import { randomUUID } from 'node:crypto';
import { type AudioEncoding, encodeAudio } from '@voxline/audio';

/** A carrier the benchmarks play. */
export type BenchmarkCarrier = 'telnyx' | 'twilio';

/** A wire codec, named as the carriers name it. */
export type CarrierCodec = 'PCMU' | 'PCMA' | 'L16';

const ENCODINGS: Record<CarrierCodec, AudioEncoding> = { PCMU: 'pcmu', PCMA: 'pcma', L16: 'l16' };

/** Builds the messages of one stream and numbers them. Twilio streams are always PCMU at 8000 Hz. */
export class CarrierStream {
  readonly streamId: string;
  readonly callId: string;
  #sequence = 0;
  #chunk = 0;
  readonly #payload: Uint8Array;

  constructor(
    readonly carrier: BenchmarkCarrier,
    readonly codec: CarrierCodec = 'PCMU',
    readonly sampleRate = 8000,
  ) {
    if (carrier === 'twilio' && (codec !== 'PCMU' || sampleRate !== 8000)) {
      throw new RangeError('Twilio media streams are always PCMU at 8000 Hz');
    }
    this.streamId = carrier === 'twilio' ? `MZ${randomUUID().replaceAll('-', '')}` : randomUUID();
    this.callId =
      carrier === 'twilio'
        ? `CA${randomUUID().replaceAll('-', '')}`
        : `v3:${randomUUID().replaceAll('-', '')}`;
    this.#payload = new Uint8Array(sampleRate * (codec === 'L16' ? 2 : 1));
  }

  /** Duration of one media frame in ms. */
  get frameMs(): number {
    return 20;
  }

  /** `connected`. */
  connected(): string {
    return this.carrier === 'twilio'
      ? '{"event":"connected","protocol":"Call","version":"1.0.0"}'
      : '{"event":"connected","version":"1.0.0"}';
  }

  /** `start`, announcing the codec and rate. */
  start(): string {
    const sequence = this.#nextSequence();
    if (this.carrier === 'twilio') {
      return JSON.stringify({
        event: 'start',
        sequenceNumber: sequence,
        streamSid: this.streamId,
        start: {
          streamSid: this.streamId,
          accountSid: `AC${'0'.repeat(32)}`,
          callSid: this.callId,
          tracks: ['inbound'],
          customParameters: {},
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    }
    return JSON.stringify({
      event: 'start',
      sequence_number: sequence,
      stream_id: this.streamId,
      start: {
        user_id: randomUUID(),
        call_control_id: this.callId,
        call_session_id: randomUUID(),
        from: '+13125550100',
        to: '+13125550199',
        tags: [],
        client_state: null,
        custom_parameters: {},
        media_format: { encoding: this.codec, sample_rate: this.sampleRate, channels: 1 },
      },
    });
  }

  /**
   * One `media` message carrying `pcm` (mono, at the stream's rate) encoded in the stream's codec.
   * The chunk number and timestamp advance by one frame per call.
   */
  media(pcm: Int16Array): string {
    const bytes = encodeAudio(pcm, ENCODINGS[this.codec], this.#payload);
    return this.mediaWithPayload(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64'),
    );
  }

  /** One `media` message with an already encoded base64 payload. */
  mediaWithPayload(payloadBase64: string): string {
    const sequence = this.#nextSequence();
    const chunk = ++this.#chunk;
    const timestamp = (chunk - 1) * this.frameMs;
    const media = `{"track":"inbound","chunk":"${chunk}","timestamp":"${timestamp}","payload":"${payloadBase64}"}`;
    return this.carrier === 'twilio'
      ? `{"event":"media","sequenceNumber":"${sequence}","streamSid":"${this.streamId}","media":${media}}`
      : `{"event":"media","sequence_number":"${sequence}","stream_id":"${this.streamId}","media":${media}}`;
  }

  /** The echo of a mark the agent sent, once the audio before it has played. */
  markEcho(name: string): string {
    const sequence = this.#nextSequence();
    return this.carrier === 'twilio'
      ? JSON.stringify({ event: 'mark', sequenceNumber: sequence, streamSid: this.streamId, mark: { name } })
      : JSON.stringify({
          event: 'mark',
          sequence_number: sequence,
          stream_id: this.streamId,
          mark: { name },
        });
  }

  /** `stop`: the caller hung up. */
  stop(): string {
    const sequence = this.#nextSequence();
    return this.carrier === 'twilio'
      ? JSON.stringify({
          event: 'stop',
          sequenceNumber: sequence,
          streamSid: this.streamId,
          stop: { accountSid: `AC${'0'.repeat(32)}`, callSid: this.callId },
        })
      : JSON.stringify({
          event: 'stop',
          sequence_number: sequence,
          stream_id: this.streamId,
          stop: { call_control_id: this.callId },
        });
  }

  #nextSequence(): string {
    return String(++this.#sequence);
  }
}
