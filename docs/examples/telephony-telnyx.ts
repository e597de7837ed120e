/**
 * The Telnyx agent of the telephony guide: signed webhooks drive the calls, the media WebSocket
 * runs one pipeline per call, and outbound calls are dialed through the same call flow. It needs
 * a Telnyx account, so it is compiled but not run by the tests.
 */
// #region inbound

import { LocalDirectoryRecordingStorage } from '@voxline/call-control';
import type { FrameProcessor } from '@voxline/core';
import {
  TelnyxCallCommands,
  TelnyxCallFlow,
  TelnyxCallTerminator,
  TelnyxMediaStreamVerifier,
  telnyxCarrier,
  telnyxWebhooks,
} from '@voxline/telnyx';
import { voxlineTelephony } from '@voxline/websocket';
import Fastify from 'fastify';

/** Your agents by name: each returns the processors between transport.input() and transport.output(). */
export type Agents = Record<string, () => FrameProcessor[]>;

export async function startTelnyxAgent(agents: Agents): Promise<TelnyxCallFlow> {
  const app = Fastify({ logger: true });
  const commands = new TelnyxCallCommands({
    apiKey: process.env.TELNYX_API_KEY,
    connectionId: process.env.TELNYX_CONNECTION_ID, // for outbound calls
  });
  const calls = new TelnyxCallFlow({
    commands,
    // Our media WebSocket, bidirectional RTP in PCMU (G.711 µ-law, 8 kHz).
    stream: { url: 'wss://voice.example.com/telnyx', codec: 'PCMU' },
    // Optional: choose the agent per call, or return false to leave the call alone.
    routeInbound: (call) => ({ agent: call.to === '+13125550199' ? 'support' : 'sales' }),
    // Optional: record every answered call, dual channel, and keep the WAVs.
    recording: { storage: new LocalDirectoryRecordingStorage('./recordings') },
  });

  // 1. Webhooks: POST /telnyx/webhook, verified with the public key before anything else.
  await app.register(telnyxWebhooks, { callFlow: calls, publicKey: process.env.TELNYX_PUBLIC_KEY! });

  // 2. Media: the WebSocket Telnyx streams to. The serializer's codec matches `stream.codec`.
  await app.register(voxlineTelephony, {
    path: '/telnyx',
    carriers: [telnyxCarrier({ outboundEncoding: 'PCMU' })],
    // Only streams of calls the call flow answered run a pipeline (or are ever hung up).
    verifiers: [new TelnyxMediaStreamVerifier({ registry: calls.registry })],
    terminator: new TelnyxCallTerminator({ apiKey: process.env.TELNYX_API_KEY }),
    createPipeline: (call, transport) => {
      const session = calls.registry.get(call.callId); // the call's control session
      const agent = agents[session?.context.agent ?? 'sales'] ?? agents.sales!;
      session?.on('dtmf', ({ digit }) => app.log.info({ digit }, 'caller pressed a key'));
      return [transport.input(), ...agent(), transport.output()];
    },
  });

  await app.listen({ host: '0.0.0.0', port: 8080 });
  return calls;
}
// #endregion inbound

// #region outbound
export async function callBack(calls: TelnyxCallFlow): Promise<void> {
  const session = await calls.dialOutbound({
    to: '+13125550123',
    from: '+13125550100', // one of your Telnyx numbers
    agent: 'sales', // carried in client_state; read it in createPipeline
    data: { campaign: 'spring' },
    answeringMachine: { leaveMessage: { text: 'Hi, this is Acme. Please call us back.' } },
  });
  session.on('hangup', ({ status }) => console.log('call ended:', status)); // completed, busy, no-answer, ...
}
// #endregion outbound
