/**
 * The Call Control parameters that stream a call's audio to our WebSocket, both ways.
 *
 * Telnyx streams are one-way unless `stream_bidirectional_mode` is set, and its default
 * bidirectional mode, `mp3`, plays whole MP3 files rather than 20 ms frames: the agent's audio is
 * ignored unless the mode is `rtp` with a codec (telnyx-node `StreamBidirectionalMode`;
 * https://developers.telnyx.com/api-reference/call-commands/streaming-start). The codec names
 * are case-sensitive. Inbound (`stream_codec`) and outbound (`stream_bidirectional_codec`) get the
 * same codec, so the serializer (`TelnyxFrameSerializer`) decodes and encodes one format; configure
 * it with the same `outboundEncoding` and `outboundSampleRate`.
 *
 * Field names and values as Telnyx's SDK declares them for the dial and answer commands
 * (`stream_codec`: PCMU, PCMA, G722, OPUS, AMR-WB, L16, default; `stream_bidirectional_codec`: the
 * same without default; `stream_bidirectional_sampling_rate`: 8000, 16000, 22050, 24000, 48000):
 * https://github.com/team-telnyx/telnyx-node/blob/master/src/resources/calls/calls.ts and
 * https://developers.telnyx.com/docs/voice/programmable-voice/texml-verbs/stream (Telnyx's default
 * sampling rate is 8000, so wideband codecs must ask for 16000 explicitly).
 */
import { invalidCommand } from '@voxline/call-control/carrier-kit';

/** Codecs the Voxline serializer handles (AMR-WB is not decoded). */
export type TelnyxStreamCodec = 'PCMU' | 'PCMA' | 'L16' | 'G722' | 'OPUS';

/** Sample rates Telnyx offers for bidirectional RTP streams, in Hz. */
export type TelnyxStreamSamplingRate = 8000 | 16000 | 22050 | 24000 | 48000;

/** Where and how a call's audio is streamed. */
export interface TelnyxMediaStreamSettings {
  /** Our WebSocket URL, `wss://voice.example.com/telnyx` (`ws://` only for local tests). */
  url: string;
  /**
   * Codec of both directions. Default `'PCMU'` (G.711 µ-law, 8000 Hz); `'G722'` or `'OPUS'` for
   * wideband (16000 Hz) audio both ways.
   */
  codec?: TelnyxStreamCodec;
  /**
   * Sample rate in Hz of the audio we send (`stream_bidirectional_sampling_rate`). PCMU and PCMA are
   * always 8000 and G722 always 16000 (sent explicitly, as Telnyx's default is 8000); OPUS 8000
   * or 16000; for L16 choose 8000, 16000, 22050, 24000 or 48000. Default: 16000 for G722 and OPUS,
   * else Telnyx's, 8000.
   */
  samplingRate?: TelnyxStreamSamplingRate;
  /** Which audio Telnyx sends us: the caller's (`inbound_track`, default) or both. */
  track?: 'inbound_track' | 'both_tracks';
  /**
   * `stream_auth_token`: a token (at most 4000 characters) Telnyx sends back in the WebSocket
   * upgrade's `x-telnyx-streaming-auth-token` header, for our server to check (see
   * `TelnyxMediaStreamVerifier`; https://developers.telnyx.com/api-reference/call-commands/streaming-start).
   */
  authToken?: string;
}

/** The snake_case request fields of {@link TelnyxMediaStreamSettings}. */
export interface TelnyxStreamFields {
  stream_url: string;
  stream_track: 'inbound_track' | 'both_tracks';
  stream_codec: TelnyxStreamCodec;
  stream_bidirectional_mode: 'rtp';
  stream_bidirectional_codec: TelnyxStreamCodec;
  stream_bidirectional_sampling_rate?: TelnyxStreamSamplingRate;
  stream_auth_token?: string;
}

const CODECS: readonly string[] = ['PCMU', 'PCMA', 'L16', 'G722', 'OPUS'];

/** The one rate each fixed-rate codec allows. */
const FIXED_RATES: Readonly<Record<string, number>> = { PCMU: 8000, PCMA: 8000, G722: 16000 };
const RATES: readonly number[] = [8000, 16000, 22050, 24000, 48000];

/**
 * The request fields for `settings`.
 *
 * @throws {CallControlError} `validation` for a URL that is not ws(s), an unknown codec, or a rate
 *   other than 8000 with PCMU/PCMA, other than 16000 with G722, or other than 8000/16000 with OPUS.
 */
export function telnyxStreamFields(settings: TelnyxMediaStreamSettings, command: string): TelnyxStreamFields {
  if (typeof settings.url !== 'string' || !/^wss?:\/\/[^/?#\s]+/i.test(settings.url)) {
    throw invalidCommand('telnyx', command, 'the stream URL must be a wss:// (or ws://) URL');
  }
  const codec = settings.codec ?? 'PCMU';
  if (!CODECS.includes(codec)) {
    throw invalidCommand(
      'telnyx',
      command,
      `stream codec must be one of ${CODECS.join(', ')}, got ${String(codec)}`,
    );
  }
  const fixedRate = FIXED_RATES[codec];
  const rate = settings.samplingRate ?? (codec === 'G722' || codec === 'OPUS' ? 16000 : undefined);
  const opusRateRefused = codec === 'OPUS' && rate !== 8000 && rate !== 16000;
  if (
    rate !== undefined &&
    (!RATES.includes(rate) || (fixedRate !== undefined && rate !== fixedRate) || opusRateRefused)
  ) {
    throw invalidCommand('telnyx', command, `sampling rate ${rate} Hz is not offered for ${codec}`);
  }
  return {
    stream_url: settings.url,
    stream_track: settings.track ?? 'inbound_track',
    stream_codec: codec,
    stream_bidirectional_mode: 'rtp',
    stream_bidirectional_codec: codec,
    ...(rate !== undefined ? { stream_bidirectional_sampling_rate: rate } : {}),
    ...(settings.authToken !== undefined ? { stream_auth_token: settings.authToken } : {}),
  };
}
