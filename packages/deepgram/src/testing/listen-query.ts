/**
 * The query parameters of a Deepgram live-transcription request (`/v1/listen`), parsed and
 * checked the way the real service checks them at the WebSocket handshake.
 *
 * Sources: `@deepgram/sdk` 5.13 `api/resources/listen/resources/v1/client/Client` (ConnectArgs),
 * `api/types/ListenV1Encoding` (encodings); https://developers.deepgram.com/docs/encoding and
 * https://developers.deepgram.com/docs/sample-rate (raw audio needs both `encoding` and
 * `sample_rate`); https://developers.deepgram.com/docs/endpointing (default 10 ms, or `false`);
 * https://developers.deepgram.com/docs/utterance-end (`utterance_end_ms` needs
 * `interim_results=true`).
 */

/** Encodings the live API accepts (`ListenV1Encoding`). */
export const LISTEN_ENCODINGS = [
  'linear16',
  'linear32',
  'flac',
  'alaw',
  'mulaw',
  'amr-nb',
  'amr-wb',
  'opus',
  'ogg-opus',
  'speex',
  'g729',
] as const;

/** One of {@link LISTEN_ENCODINGS}. */
export type ListenEncoding = (typeof LISTEN_ENCODINGS)[number];

/** Bytes per sample of the raw encodings this fake can measure time in. */
const BYTES_PER_SAMPLE: Partial<Record<ListenEncoding, number>> = {
  linear16: 2,
  linear32: 4,
  mulaw: 1,
  alaw: 1,
};

/** The request options that change what the fake sends back. */
export interface ListenQuery {
  /** `model`, if given. */
  model: string | undefined;
  /** `encoding`, or undefined for containerized audio (WAV, Ogg, ...). */
  encoding: ListenEncoding | undefined;
  /** `sample_rate` in Hz, if given. */
  sampleRate: number | undefined;
  /** `channels`; default 1. */
  channels: number;
  /** `interim_results=true`. */
  interimResults: boolean;
  /** `vad_events=true` (SpeechStarted messages). */
  vadEvents: boolean;
  /** `punctuate=true` or `smart_format=true`: transcripts use the punctuated words. */
  punctuate: boolean;
  /** Endpointing silence in ms; `false` disables it. Default 10 (the service's default). */
  endpointingMs: number | false;
  /** `utterance_end_ms`, if given. */
  utteranceEndMs: number | undefined;
  /**
   * Audio bytes per second when the encoding is raw and measurable (linear16/32, mulaw, alaw),
   * else undefined (the fake then cannot follow audio time and sends no results).
   */
  bytesPerSecond: number | undefined;
  /** Every parameter as sent, for assertions. */
  raw: URLSearchParams;
}

/** A handshake the real service refuses: HTTP status and Deepgram's error body. */
export interface ListenQueryRejection {
  status: 400;
  errCode: 'INVALID_QUERY_PARAMETER' | 'Bad Request';
  message: string;
}

const BOOLEAN_PARAMETERS = [
  'interim_results',
  'vad_events',
  'punctuate',
  'smart_format',
  'diarize',
  'multichannel',
  'numerals',
  'profanity_filter',
  'dictation',
  'filler_words',
  'no_delay',
];

function invalid(message: string): ListenQueryRejection {
  return { status: 400, errCode: 'INVALID_QUERY_PARAMETER', message };
}

function positiveInteger(value: string): number | undefined {
  if (!/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number > 0 ? number : undefined;
}

/**
 * Parses and checks the query of a `/v1/listen` upgrade request.
 *
 * @returns the parsed query, or the rejection the real service would answer with.
 */
export function parseListenQuery(params: URLSearchParams): ListenQuery | ListenQueryRejection {
  for (const name of BOOLEAN_PARAMETERS) {
    const value = params.get(name);
    if (value !== null && value !== 'true' && value !== 'false') {
      return invalid(`Invalid value for '${name}': expected true or false, got '${value}'.`);
    }
  }

  const encodingValue = params.get('encoding');
  let encoding: ListenEncoding | undefined;
  if (encodingValue !== null) {
    if (!(LISTEN_ENCODINGS as readonly string[]).includes(encodingValue)) {
      return invalid(`Invalid encoding '${encodingValue}'. Supported: ${LISTEN_ENCODINGS.join(', ')}.`);
    }
    encoding = encodingValue as ListenEncoding;
  }

  const sampleRateValue = params.get('sample_rate');
  let sampleRate: number | undefined;
  if (sampleRateValue !== null) {
    sampleRate = positiveInteger(sampleRateValue);
    if (sampleRate === undefined) return invalid(`Invalid sample_rate '${sampleRateValue}'.`);
  }
  // Raw (headerless) audio cannot be decoded without knowing its rate.
  if (encoding !== undefined && sampleRate === undefined && encoding !== 'opus' && encoding !== 'ogg-opus') {
    return invalid(`The sample_rate parameter is required when encoding is '${encoding}'.`);
  }

  const channelsValue = params.get('channels');
  const channels = channelsValue === null ? 1 : positiveInteger(channelsValue);
  if (channels === undefined) return invalid(`Invalid channels '${channelsValue}'.`);

  const endpointingValue = params.get('endpointing');
  let endpointingMs: number | false = 10;
  if (endpointingValue === 'false') endpointingMs = false;
  else if (endpointingValue !== null) {
    const parsed = positiveInteger(endpointingValue) ?? (endpointingValue === '0' ? 0 : undefined);
    if (parsed === undefined) return invalid(`Invalid endpointing '${endpointingValue}'.`);
    endpointingMs = parsed;
  }

  const interimResults = params.get('interim_results') === 'true';
  const utteranceEndValue = params.get('utterance_end_ms');
  let utteranceEndMs: number | undefined;
  if (utteranceEndValue !== null) {
    utteranceEndMs = positiveInteger(utteranceEndValue);
    if (utteranceEndMs === undefined) return invalid(`Invalid utterance_end_ms '${utteranceEndValue}'.`);
    if (!interimResults) return invalid('utterance_end_ms requires interim_results=true.');
  }

  const bytesPerSample = encoding === undefined ? undefined : BYTES_PER_SAMPLE[encoding];
  return {
    model: params.get('model') ?? undefined,
    encoding,
    sampleRate,
    channels,
    interimResults,
    vadEvents: params.get('vad_events') === 'true',
    punctuate: params.get('punctuate') === 'true' || params.get('smart_format') === 'true',
    endpointingMs,
    utteranceEndMs,
    bytesPerSecond:
      bytesPerSample !== undefined && sampleRate !== undefined
        ? bytesPerSample * sampleRate * channels
        : undefined,
    raw: params,
  };
}

/** True when {@link parseListenQuery} refused the query. */
export function isListenQueryRejection(
  value: ListenQuery | ListenQueryRejection,
): value is ListenQueryRejection {
  return 'status' in value;
}
