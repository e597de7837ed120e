/**
 * The telephony paths as an application on the peers' libraries would assemble them: JSON.parse,
 * base64 through `Buffer`, G.711 through `alawmulaw` (the package Node voice projects use), a
 * peer resampler, and the same frame objects Voxline produces. No jitter buffer: none of these
 * libraries has one, so the peer path does less work than Voxline's.
 */
import { createRequire } from 'node:module';
import { InputAudioRawFrame, type OutputAudioRawFrame } from '@voxline/core';
import type { BenchmarkResampler } from '../lib/peer-resamplers.js';

const require = createRequire(import.meta.url);
const alawmulaw = require('alawmulaw') as typeof import('alawmulaw');

/** G.711 law of a path: µ-law (PCMU) or A-law (PCMA). */
export type G711Law = 'PCMU' | 'PCMA';

function lawOf(codec: G711Law) {
  return codec === 'PCMU' ? alawmulaw.mulaw : alawmulaw.alaw;
}

/**
 * Carrier text message → `InputAudioRawFrame` at the pipeline rate, or undefined when the
 * resampler released nothing for this message.
 */
export function peerIngress(
  codec: G711Law,
  resampler: BenchmarkResampler | undefined,
  pipelineRate: number,
): (text: string) => InputAudioRawFrame | undefined {
  const law = lawOf(codec);
  return (text) => {
    const message = JSON.parse(text) as { event: string; media?: { payload?: string } };
    const payload = message.media?.payload;
    if (message.event !== 'media' || payload === undefined) return undefined;
    let pcm = law.decode(Buffer.from(payload, 'base64'));
    if (resampler !== undefined) {
      const resampled = resampler.process(pcm);
      if (resampled.length === 0) return undefined;
      // The frame outlives the resampler's reused buffer: it gets its own copy, as in Voxline.
      pcm = resampled.slice();
    }
    return new InputAudioRawFrame({ audio: pcm, sampleRate: pipelineRate });
  };
}

/**
 * `OutputAudioRawFrame` at the pipeline rate → the carrier's media message, or undefined when the
 * resampler released nothing for this frame.
 */
export function peerEgress(
  carrier: 'telnyx' | 'twilio',
  codec: G711Law,
  resampler: BenchmarkResampler | undefined,
  streamSid: string,
): (frame: OutputAudioRawFrame) => string | undefined {
  const law = lawOf(codec);
  return (frame) => {
    const pcm = resampler === undefined ? frame.audio : resampler.process(frame.audio);
    if (pcm.length === 0) return undefined;
    const bytes = law.encode(pcm);
    const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
    return carrier === 'twilio'
      ? JSON.stringify({ event: 'media', streamSid, media: { payload } })
      : JSON.stringify({ event: 'media', media: { payload } });
  };
}

/** What a naive ingress does first: JSON.parse and base64 decoding into a new Buffer, nothing else. */
export function parseAndDecodeBase64(text: string): number {
  const message = JSON.parse(text) as { media?: { payload?: string } };
  return Buffer.from(message.media?.payload ?? '', 'base64').length;
}
