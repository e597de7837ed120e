/**
 * Plivo's messages as its Stream Event Protocol documents them
 * (https://plivo.com/docs/voice/audio-streaming/audio-streaming): camelCase, ids inside `start`,
 * `sequenceNumber` and `media.chunk` as JSON numbers, `extra_headers` as a string.
 */

export const STREAM_ID = '20170ada-f610-433b-8758-c02a2aab3662';
export const CALL_ID = '12345678-1234-1234-1234-123456789abc';
export const ACCOUNT_ID = 'MAXXXXXXXXXXXXXXXXXX';

/** Plivo's `start` for a stream of `encoding` at `sampleRate`. */
export function plivoStart(
  encoding = 'audio/x-mulaw',
  sampleRate = 8000,
  extraHeaders = 'userId=12345;sessionId=abcxyz',
): string {
  return JSON.stringify({
    event: 'start',
    sequenceNumber: 1,
    start: {
      callId: CALL_ID,
      streamId: STREAM_ID,
      accountId: ACCOUNT_ID,
      tracks: ['inbound'],
      mediaFormat: { encoding, sampleRate },
    },
    extra_headers: extraHeaders,
  });
}

/** Plivo's `media` carrying `payload`, the `sequence`-th chunk. */
export function plivoMedia(payload: string, sequence: number, track = 'inbound'): string {
  return JSON.stringify({
    sequenceNumber: sequence + 1,
    streamId: STREAM_ID,
    event: 'media',
    media: { track, timestamp: String(sequence * 20), chunk: sequence, payload },
    extra_headers: 'userId=12345;sessionId=abcxyz',
  });
}

/** The answer to a checkpoint named `name`. */
export function plivoPlayedStream(name: string): string {
  return JSON.stringify({ event: 'playedStream', streamId: STREAM_ID, name });
}

export const PLIVO_CLEARED_AUDIO = JSON.stringify({ event: 'clearedAudio', streamId: STREAM_ID });
export const PLIVO_STOP = JSON.stringify({ event: 'stop', sequenceNumber: 999, streamId: STREAM_ID });

export function plivoDtmf(digit: string): string {
  return JSON.stringify({ event: 'dtmf', sequenceNumber: 5, streamId: STREAM_ID, dtmf: { digit } });
}
