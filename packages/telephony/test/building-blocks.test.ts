import { decodeMuLaw, encodeMuLaw } from '@voxline/audio';
import type { InputAudioRawFrame } from '@voxline/core';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import {
  base64DecodedLength,
  decodeBase64Payload,
  type HangUpFailure,
  InboundAudioPath,
  normalizeTrack,
  OutboundAudioEncoder,
  parseCarrierMessage,
  parseDecimalCounter,
  RetryingCallTerminator,
} from '../src/carrier-kit/index.js';
import { type CallInfo, SerializerError, telephonyCodec } from '../src/index.js';
import { bestCorrelation, concat, jfk16k, resample } from './support/recordings.js';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof SerializerError) return error.code;
    throw error;
  }
  return undefined;
}

describe('base64 payloads', () => {
  it('knows the decoded length of padded base64', () => {
    expect(base64DecodedLength('')).toBe(0);
    expect(base64DecodedLength('QQ==')).toBe(1);
    expect(base64DecodedLength('QUI=')).toBe(2);
    expect(base64DecodedLength('QUJD')).toBe(3);
    expect(base64DecodedLength('QUJ')).toBe(-1);
  });

  it('decodes into the scratch buffer and refuses what Node’s lenient decoder would skip', () => {
    const scratch = Buffer.alloc(8);
    expect(decodeBase64Payload('QUJD', scratch)).toBe(3);
    expect(scratch.subarray(0, 3).toString()).toBe('ABC');
    expect(codeOf(() => decodeBase64Payload('QU!D', scratch))).toBe('invalid-base64');
    expect(codeOf(() => decodeBase64Payload('A===', scratch))).toBe('invalid-base64');
    expect(codeOf(() => decodeBase64Payload('QQ==QUJD', scratch))).toBe('invalid-base64');
    expect(codeOf(() => decodeBase64Payload('QUJDQUJDQUJD', scratch))).toBe('payload-too-large');
  });

  it('strips a _track suffix', () => {
    expect(normalizeTrack('inbound_track')).toBe('inbound');
    expect(normalizeTrack('inbound')).toBe('inbound');
    expect(normalizeTrack('outbound_track')).toBe('outbound');
  });
});

describe('message parsing', () => {
  it('parses decimal counters sent as strings', () => {
    expect(parseDecimalCounter('0')).toBe(0);
    expect(parseDecimalCounter('4294967296')).toBe(4294967296);
    for (const bad of ['', '-1', '1.5', '1e3', ' 1', '0x10', '1234567890123456'])
      expect(parseDecimalCounter(bad)).toBe(-1);
  });

  it('checks the length before parsing', () => {
    expect(codeOf(() => parseCarrierMessage(`{"event":"media","pad":"${'x'.repeat(100)}"}`, 50))).toBe(
      'payload-too-large',
    );
    expect(parseCarrierMessage('{"event":"stop"}', 50)).toEqual({ event: 'stop' });
  });
});

describe('InboundAudioPath', () => {
  const jfk8k = resample(jfk16k(), 16000, 8000).subarray(8000, 8000 + 160 * 25);
  const payloadOf = (index: number) =>
    Buffer.from(encodeMuLaw(jfk8k.subarray(index * 160, (index + 1) * 160))).toString('base64');

  it('gives every frame its own buffer, including when resampling through the buffer pool', () => {
    for (const pipelineSampleRate of [8000, 16000]) {
      const path = new InboundAudioPath({
        codec: telephonyCodec('PCMU'),
        carrierSampleRate: 8000,
        pipelineSampleRate,
        maxPayloadBytes: 1024,
        jitterDepth: 3,
      });
      const frames: InputAudioRawFrame[] = [];
      for (let i = 0; i < 25; i++) path.push(payloadOf(i), i + 1, frames);
      path.drain(frames);
      expect(frames).toHaveLength(25);
      expect(new Set(frames.map((frame) => frame.audio.buffer)).size).toBe(25);
      expect(frames.every((frame) => frame.sampleRate === pipelineSampleRate)).toBe(true);
      if (pipelineSampleRate === 8000) {
        expect(concat(frames.map((frame) => frame.audio))).toEqual(decodeMuLaw(encodeMuLaw(jfk8k)));
      }
    }
  });

  it('releases in arrival order once a message comes without a chunk number', () => {
    const path = new InboundAudioPath({
      codec: telephonyCodec('PCMU'),
      carrierSampleRate: 8000,
      pipelineSampleRate: 8000,
      maxPayloadBytes: 1024,
      jitterDepth: 3,
    });
    const frames: InputAudioRawFrame[] = [];
    path.push(payloadOf(0), 1, frames);
    expect(frames).toHaveLength(0);
    path.push(payloadOf(1), undefined, frames);
    expect(frames).toHaveLength(2);
    expect(path.reordering).toBe(false);
  });
});

describe('OutboundAudioEncoder', () => {
  it('follows a change of output rate mid-stream with a new resampler', () => {
    const encoder = new OutboundAudioEncoder({
      codec: telephonyCodec('PCMU'),
      carrierSampleRate: 8000,
      expectedSampleRate: 24000,
    });
    const jfk = jfk16k().subarray(16000, 16000 + 320 * 40);
    const at24k = resample(jfk, 16000, 24000);
    const decoded: Int16Array[] = [];
    for (let i = 0; i < 20; i++) {
      decoded.push(
        decodeMuLaw(Buffer.from(encoder.encode(at24k.subarray(i * 480, (i + 1) * 480), 24000)!, 'base64')),
      );
    }
    for (let i = 20; i < 40; i++) {
      decoded.push(
        decodeMuLaw(Buffer.from(encoder.encode(jfk.subarray(i * 320, (i + 1) * 320), 16000)!, 'base64')),
      );
    }
    expect(decoded.slice(0, 20).every((part) => part.length === 160)).toBe(true);
    expect(bestCorrelation(concat(decoded), resample(jfk, 16000, 8000), 64)).toBeGreaterThan(0.9);
    expect(encoder.encode(new Int16Array(0), 8000)).toBeUndefined();
  });

  it('refuses a rate the resampler cannot convert (fatal)', () => {
    const encoder = new OutboundAudioEncoder({
      codec: telephonyCodec('PCMU'),
      carrierSampleRate: 8000,
      expectedSampleRate: 8000,
    });
    expect(() => encoder.encode(new Int16Array(100), 11025)).toThrow(
      expect.objectContaining({ code: 'unsupported-codec', fatal: true }),
    );
  });
});

describe('RetryingCallTerminator', () => {
  class CountingTerminator extends RetryingCallTerminator {
    readonly carrier = 'twilio' as const;
    requests: string[] = [];
    protected override async sendHangUp(call: CallInfo): Promise<void> {
      this.requests.push(call.callId);
    }
    protected override classifyFailure(): HangUpFailure {
      return { kind: 'permanent', description: 'never fails' };
    }
  }
  const call = (callId: string): CallInfo => ({
    carrier: 'twilio',
    callId,
    streamId: 'MZ1',
    customParameters: {},
    mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
    extra: {},
  });

  it('remembers at most `rememberedCalls` ended calls, forgetting the oldest', async () => {
    const terminator = new CountingTerminator({
      rememberedCalls: 2,
      clock: new RecordingClock(),
      logger: new RecordingLogger(),
    });
    for (const id of ['CA1', 'CA2', 'CA3']) await terminator.hangUp(call(id));
    await terminator.hangUp(call('CA3'));
    await terminator.hangUp(call('CA2'));
    expect(terminator.requests).toEqual(['CA1', 'CA2', 'CA3']);
    await terminator.hangUp(call('CA1'));
    expect(terminator.requests).toEqual(['CA1', 'CA2', 'CA3', 'CA1']);
  });
});
