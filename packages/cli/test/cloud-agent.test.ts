import type { CallInfo } from '@voxline/telephony';
import { describe, expect, it } from 'vitest';
import { cloudAgentOutputSampleRate, createCloudVoiceAgent } from '../src/agents/cloud-agent.js';

function telnyxCall(encoding: string, sampleRate: number): CallInfo {
  const format = { encoding, sampleRate, channels: 1 };
  return {
    carrier: 'telnyx',
    callId: 'v3:call',
    streamId: 'stream',
    customParameters: {},
    mediaFormat: format,
    outboundMediaFormat: format,
    extra: {},
  };
}

describe('the cloud agent on narrowband and wideband calls', () => {
  it('speaks at 16000 Hz on a wideband call and 8000 Hz on G.711, hearing at 16000 Hz on both', () => {
    const agent = createCloudVoiceAgent({});
    expect(typeof agent.params).toBe('function');
    const params = agent.params as (call: CallInfo) => {
      audioInSampleRate?: number;
      audioOutSampleRate?: number;
    };
    expect(params(telnyxCall('PCMU', 8000))).toMatchObject({
      audioInSampleRate: 16000,
      audioOutSampleRate: 8000,
    });
    expect(params(telnyxCall('G722', 16000))).toMatchObject({
      audioInSampleRate: 16000,
      audioOutSampleRate: 16000,
    });
    expect(cloudAgentOutputSampleRate(telnyxCall('OPUS', 16000))).toBe(16000);
    expect(cloudAgentOutputSampleRate(telnyxCall('L16', 24000))).toBe(16000);
    expect(cloudAgentOutputSampleRate(telnyxCall('PCMA', 8000))).toBe(8000);
  });
});
