/**
 * PlivoFrameSerializer passes the serializer conformance suite of @voxline/core/testing, with
 * messages shaped as Plivo documents them (https://plivo.com/docs/voice/audio-streaming/audio-streaming),
 * for each of the stream's formats: µ-law 8000 Hz and L16 8000 and 16000 Hz.
 */
import { describeConformance, serializerConformance } from '@voxline/core/testing';
import { PlivoFrameSerializer } from '@voxline/plivo';
import { describe, it } from 'vitest';
import {
  PLIVO_STOP,
  plivoDtmf,
  plivoMedia,
  plivoPlayedStream,
  plivoStart,
  STREAM_ID,
} from './plivo-messages.js';

/** The inbound message carrying the payload of an outbound `playAudio`. */
function inboundMedia(outbound: string, sequence: number): string {
  const { media } = JSON.parse(outbound) as { media: { payload: string } };
  return plivoMedia(media.payload, sequence);
}

for (const format of [
  { encoding: 'audio/x-mulaw', sampleRate: 8000 },
  { encoding: 'audio/x-l16', sampleRate: 8000 },
  { encoding: 'audio/x-l16', sampleRate: 16000 },
]) {
  for (const rates of [
    { inputSampleRate: 16000, outputSampleRate: 24000 },
    { inputSampleRate: 8000, outputSampleRate: 8000 },
  ]) {
    describeConformance(
      serializerConformance({
        name: `PlivoFrameSerializer (${format.encoding} ${format.sampleRate} Hz, pipeline ${rates.inputSampleRate}/${rates.outputSampleRate} Hz) conformance`,
        create: () => new PlivoFrameSerializer(),
        rates,
        messages: {
          start: plivoStart(format.encoding, format.sampleRate),
          stop: PLIVO_STOP,
          markEcho: plivoPlayedStream,
          inboundMedia,
          dtmf: { message: plivoDtmf('7'), digit: '7' },
          invalid: [
            {
              message: JSON.stringify({
                event: 'media',
                streamId: STREAM_ID,
                media: { track: 'inbound', chunk: 2, timestamp: '40', payload: 'not base64!' },
              }),
              code: 'invalid-base64',
            },
            {
              message: JSON.stringify({ event: 'no_such_event', streamId: STREAM_ID }),
              code: 'unknown-event',
            },
          ],
        },
      }),
      { describe, it },
    );
  }
}
