/**
 * The Twilio agent of the telephony guide: signed webhooks answer calls with TwiML, only signed
 * WebSocket upgrades become calls, and outbound calls are dialed through the same call flow. It
 * needs a Twilio account, so it is compiled but not run by the tests.
 */
// #region inbound

import { S3RecordingStorage } from '@voxline/call-control';
import type { FrameProcessor } from '@voxline/core';
import {
  TwilioCallCommands,
  TwilioCallFlow,
  TwilioCallTerminator,
  TwilioMediaStreamVerifier,
  twilioCarrier,
  twilioMediaStreamVerifier,
  twilioWebhooks,
} from '@voxline/twilio';
import { voxlineTelephony } from '@voxline/websocket';
import Fastify from 'fastify';

/** Your agents by name: each returns the processors between transport.input() and transport.output(). */
export type Agents = Record<string, () => FrameProcessor[]>;

export async function startTwilioAgent(agents: Agents): Promise<TwilioCallFlow> {
  const app = Fastify({ logger: true });
  const accountSid = process.env.TWILIO_ACCOUNT_SID!;
  const authToken = process.env.TWILIO_AUTH_TOKEN!;

  const calls = new TwilioCallFlow({
    commands: new TwilioCallCommands({ accountSid, authToken }),
    streamUrl: 'wss://voice.example.com/twilio', // wss, no query string
    webhookBaseUrl: 'https://voice.example.com', // what Twilio calls; signatures are checked against it
    routeInbound: () => ({ agent: 'support', parameters: { tier: 'gold' } }),
    recording: { storage: new S3RecordingStorage({ bucket: 'acme-call-recordings', region: 'eu-west-1' }) },
  });

  // 1. Webhooks: /twilio/voice (TwiML) and /twilio/status (callbacks), X-Twilio-Signature first.
  await app.register(twilioWebhooks, { callFlow: calls, authToken });

  // 2. Media: only WebSocket upgrades signed by Twilio become calls.
  await app.register(voxlineTelephony, {
    path: '/twilio',
    carriers: [twilioCarrier()],
    verifyUpgrade: twilioMediaStreamVerifier({ authToken, publicUrl: 'https://voice.example.com' }),
    verifiers: [new TwilioMediaStreamVerifier({ authToken })],
    publicUrl: 'https://voice.example.com',
    terminator: new TwilioCallTerminator({ accountSid, authToken }),
    createPipeline: (call, transport) => {
      const session = calls.registry.get(call.callId); // call.callId is the CallSid
      // call.customParameters: { CallSid, From, To, agent, tier }
      const agent = agents[session?.context.agent ?? 'support'] ?? agents.support!;
      return [transport.input(), ...agent(), transport.output()];
    },
  });

  await app.listen({ host: '0.0.0.0', port: 8080 });
  return calls;
}
// #endregion inbound

// #region outbound
export async function callBack(calls: TwilioCallFlow): Promise<void> {
  const session = await calls.dialOutbound({
    to: '+13125550123',
    from: '+13125550100', // one of your Twilio numbers or a verified caller ID
    agent: 'sales',
    answeringMachine: {
      leaveMessage: { text: 'Hi, this is Acme. Please call us back.', voice: 'Polly.Joanna-Neural' },
    },
  });
  session.on('hangup', ({ status }) => console.log('call ended:', status));
}
// #endregion outbound
