/**
 * The carrier's side of a media stream: the messages Telnyx, Twilio and Plivo send to an agent's
 * WebSocket, and strict parsing of what the agent sends back.
 *
 * Shapes follow the carriers' documentation: Telnyx
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket (snake
 * case, `stream_id` at the top level, `call_control_id` inside `start`); Twilio
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages (camel case, `streamSid`,
 * `start.callSid`, always `audio/x-mulaw` at 8000 Hz). Sequence numbers, chunks and timestamps are
 * strings, as both carriers send them. Plivo
 * https://plivo.com/docs/voice/audio-streaming/audio-streaming: no `connected`, camel case with the
 * ids inside `start` (`callId`, `streamId`), `sequenceNumber` and `media.chunk` as numbers;
 * `playedStream` answers a `checkpoint`, and `clearedAudio` a `clearAudio` (the checkpoints it
 * cleared are never answered).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { InvalidOptionError } from '@voxline/core';
import type { SimulatedCodec } from './carrier-codec.js';

/** Carriers the simulator can play. */
export type SimulatedCarrier = 'telnyx' | 'twilio' | 'plivo';

/** Ids of one simulated call, shaped like the carrier's real ids. */
export interface SimulatedCallIds {
  /** Telnyx `call_control_id` (`v3:…`), Twilio `CallSid` (`CA` + 32 hex) or Plivo `callId` (a UUID). */
  callId: string;
  /** Telnyx `stream_id` (a UUID), Twilio `StreamSid` (`MZ` + 32 hex) or Plivo `streamId` (a UUID). */
  streamId: string;
  /** Telnyx `call_session_id` / Twilio `AccountSid` / Plivo `accountId` (`MA` + 18 characters). */
  accountOrSessionId: string;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** New ids in the carrier's formats. */
export function newCallIds(carrier: SimulatedCarrier): SimulatedCallIds {
  if (carrier === 'twilio') {
    return { callId: `CA${hex(16)}`, streamId: `MZ${hex(16)}`, accountOrSessionId: `AC${hex(16)}` };
  }
  if (carrier === 'plivo') {
    return { callId: randomUUID(), streamId: randomUUID(), accountOrSessionId: `MA${hex(9).toUpperCase()}` };
  }
  return {
    callId: `v3:${randomBytes(24).toString('base64url')}`,
    streamId: randomUUID(),
    accountOrSessionId: randomUUID(),
  };
}

/** Builds the messages one simulated call sends; numbers its sequence. */
export class CarrierMessageWriter {
  #sequence = 0;
  #chunk = 0;

  constructor(
    readonly carrier: SimulatedCarrier,
    readonly ids: SimulatedCallIds,
    readonly codec: SimulatedCodec,
    readonly from: string,
    readonly to: string,
    readonly customParameters: Record<string, string>,
  ) {
    if (carrier === 'twilio' && codec !== 'PCMU')
      throw new InvalidOptionError('codec', 'Twilio media streams are always PCMU (audio/x-mulaw)');
    if (carrier === 'plivo' && codec !== 'PCMU')
      throw new InvalidOptionError(
        'codec',
        'the simulator streams Plivo as PCMU (audio/x-mulaw;rate=8000) only',
      );
  }

  /** Plivo's messages name the stream at the top level (`streamId`) and number it with JSON numbers. */
  #plivo(event: string, fields: Record<string, unknown>): string {
    return JSON.stringify({
      event,
      sequenceNumber: Number(this.#nextSequence()),
      streamId: this.ids.streamId,
      ...fields,
    });
  }

  /**
   * The first message: `connected`. Twilio's carries `protocol`, Telnyx's does not; Plivo sends
   * none (undefined).
   */
  connected(): string | undefined {
    if (this.carrier === 'plivo') return undefined;
    return this.carrier === 'twilio'
      ? JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' })
      : JSON.stringify({ event: 'connected', version: '1.0.0' });
  }

  /** The `start` message announcing ids and the media format. */
  start(): string {
    const sequence = this.#nextSequence();
    if (this.carrier === 'plivo') {
      return JSON.stringify({
        event: 'start',
        sequenceNumber: Number(sequence),
        start: {
          callId: this.ids.callId,
          streamId: this.ids.streamId,
          accountId: this.ids.accountOrSessionId,
          tracks: ['inbound'],
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 },
        },
        extra_headers: Object.entries(this.customParameters)
          .map(([key, value]) => `${key}=${value}`)
          .join(';'),
      });
    }
    if (this.carrier === 'twilio') {
      return JSON.stringify({
        event: 'start',
        sequenceNumber: sequence,
        streamSid: this.ids.streamId,
        start: {
          streamSid: this.ids.streamId,
          accountSid: this.ids.accountOrSessionId,
          callSid: this.ids.callId,
          tracks: ['inbound'],
          customParameters: this.customParameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
    }
    return JSON.stringify({
      event: 'start',
      sequence_number: sequence,
      stream_id: this.ids.streamId,
      start: {
        user_id: randomUUID(),
        call_control_id: this.ids.callId,
        call_session_id: this.ids.accountOrSessionId,
        from: this.from,
        to: this.to,
        tags: [],
        client_state: null,
        custom_parameters: this.customParameters,
        // G.722 and Opus run at 16000 Hz here (for G.722, Telnyx may also announce its RTP clock rate, 8000).
        media_format: {
          encoding: this.codec,
          sample_rate: this.codec === 'PCMU' || this.codec === 'PCMA' ? 8000 : 16000,
          channels: 1,
        },
      },
    });
  }

  /** One `media` message of the caller's audio; `timestampMs` is ms since the stream started. */
  media(payloadBase64: string, timestampMs: number): string {
    if (this.carrier === 'plivo') {
      const media = {
        track: 'inbound',
        timestamp: String(Math.round(timestampMs)),
        chunk: ++this.#chunk,
        payload: payloadBase64,
      };
      return this.#plivo('media', { media });
    }
    const sequence = this.#nextSequence();
    const chunk = String(++this.#chunk);
    const media = {
      track: 'inbound',
      chunk,
      timestamp: String(Math.round(timestampMs)),
      payload: payloadBase64,
    };
    return this.carrier === 'twilio'
      ? JSON.stringify({ event: 'media', sequenceNumber: sequence, streamSid: this.ids.streamId, media })
      : JSON.stringify({ event: 'media', sequence_number: sequence, stream_id: this.ids.streamId, media });
  }

  /** A key press. Twilio's dtmf `track` is `inbound_track` (unlike its media `inbound`). */
  dtmf(digit: string): string {
    if (this.carrier === 'plivo') return this.#plivo('dtmf', { dtmf: { digit } });
    const sequence = this.#nextSequence();
    return this.carrier === 'twilio'
      ? JSON.stringify({
          event: 'dtmf',
          sequenceNumber: sequence,
          streamSid: this.ids.streamId,
          dtmf: { track: 'inbound_track', digit },
        })
      : JSON.stringify({
          event: 'dtmf',
          sequence_number: sequence,
          stream_id: this.ids.streamId,
          dtmf: { digit },
        });
  }

  /** The echo of an agent's mark once the audio before it has played (Plivo: `playedStream`). */
  markEcho(name: string): string {
    if (this.carrier === 'plivo') return this.#plivo('playedStream', { name });
    const sequence = this.#nextSequence();
    return this.carrier === 'twilio'
      ? JSON.stringify({
          event: 'mark',
          sequenceNumber: sequence,
          streamSid: this.ids.streamId,
          mark: { name },
        })
      : JSON.stringify({
          event: 'mark',
          sequence_number: sequence,
          stream_id: this.ids.streamId,
          mark: { name },
        });
  }

  /**
   * What the carrier answers to a `clear`: Telnyx and Twilio echo the marks it voided
   * (`echoesClearedMarks`); Plivo drops them and sends `clearedAudio` instead.
   */
  get echoesClearedMarks(): boolean {
    return this.carrier !== 'plivo';
  }

  /** Plivo's `clearedAudio`; undefined for the carriers that send none. */
  cleared(): string | undefined {
    return this.carrier === 'plivo' ? this.#plivo('clearedAudio', {}) : undefined;
  }

  /** The last message: the call ended. */
  stop(): string {
    if (this.carrier === 'plivo') return this.#plivo('stop', {});
    const sequence = this.#nextSequence();
    return this.carrier === 'twilio'
      ? JSON.stringify({
          event: 'stop',
          sequenceNumber: sequence,
          streamSid: this.ids.streamId,
          stop: { accountSid: this.ids.accountOrSessionId, callSid: this.ids.callId },
        })
      : JSON.stringify({
          event: 'stop',
          sequence_number: sequence,
          stream_id: this.ids.streamId,
          stop: { call_control_id: this.ids.callId },
        });
  }

  #nextSequence(): string {
    return String(++this.#sequence);
  }
}

/** A message from the agent, checked the way the carrier checks it. */
export type AgentMessage =
  | { type: 'media'; payload: Uint8Array }
  | { type: 'mark'; name: string }
  | { type: 'clear' }
  | { type: 'violation'; reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses a text message from the agent. Anything a carrier would refuse (unknown events, a
 * missing `streamSid` on Twilio, invalid base64) is a `violation` with the reason; Twilio
 * documents such failures as errors 31924 and 31950 (https://www.twilio.com/docs/api/errors).
 * Plivo's messages are `playAudio`, `checkpoint` and `clearAudio`; see {@link parsePlivoMessage}.
 */
export function parseAgentMessage(carrier: SimulatedCarrier, streamId: string, text: string): AgentMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { type: 'violation', reason: 'not JSON' };
  }
  if (typeof message !== 'object' || message === null)
    return { type: 'violation', reason: 'not a JSON object' };
  const record = message as Record<string, unknown>;
  if (carrier === 'plivo') return parsePlivoMessage(record, streamId);
  if (carrier === 'twilio' && record.streamSid !== streamId) {
    return { type: 'violation', reason: `streamSid ${String(record.streamSid)} is not this stream's` };
  }
  if (carrier === 'telnyx' && record.stream_id !== undefined && record.stream_id !== streamId) {
    return { type: 'violation', reason: `stream_id ${String(record.stream_id)} is not this stream's` };
  }
  switch (record.event) {
    case 'media': {
      const payload = (record.media as { payload?: unknown } | undefined)?.payload;
      if (typeof payload !== 'string' || payload.length === 0 || !BASE64.test(payload)) {
        return { type: 'violation', reason: 'media.payload is not base64' };
      }
      return { type: 'media', payload: Buffer.from(payload, 'base64') };
    }
    case 'mark': {
      const name = (record.mark as { name?: unknown } | undefined)?.name;
      if (typeof name !== 'string' || name.length === 0)
        return { type: 'violation', reason: 'mark.name is missing' };
      return { type: 'mark', name };
    }
    case 'clear':
      return { type: 'clear' };
    default:
      return { type: 'violation', reason: `unknown event ${JSON.stringify(record.event)}` };
  }
}

/**
 * A Plivo message from the agent: `playAudio` in the stream's format (µ-law 8000 Hz here),
 * `checkpoint` with a name, `clearAudio`; a `streamId`, when present, must be this stream's
 * (https://plivo.com/docs/voice/audio-streaming/audio-streaming).
 */
function parsePlivoMessage(record: Record<string, unknown>, streamId: string): AgentMessage {
  if (record.streamId !== undefined && record.streamId !== streamId) {
    return { type: 'violation', reason: `streamId ${String(record.streamId)} is not this stream's` };
  }
  switch (record.event) {
    case 'playAudio': {
      const media = record.media as
        | { contentType?: unknown; sampleRate?: unknown; payload?: unknown }
        | undefined;
      if (media?.contentType !== 'audio/x-mulaw' || Number(media.sampleRate) !== 8000) {
        return {
          type: 'violation',
          reason: "playAudio is not audio/x-mulaw at 8000 Hz, the stream's format",
        };
      }
      const payload = media.payload;
      if (typeof payload !== 'string' || payload.length === 0 || !BASE64.test(payload)) {
        return { type: 'violation', reason: 'media.payload is not base64' };
      }
      return { type: 'media', payload: Buffer.from(payload, 'base64') };
    }
    case 'checkpoint':
      if (typeof record.name !== 'string' || record.name.length === 0)
        return { type: 'violation', reason: 'checkpoint name is missing' };
      return { type: 'mark', name: record.name };
    case 'clearAudio':
      return { type: 'clear' };
    default:
      return { type: 'violation', reason: `unknown event ${JSON.stringify(record.event)}` };
  }
}
