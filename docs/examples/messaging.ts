/**
 * The messaging sample of the telephony guide: the `send_sms` tool during a call, and an SMS agent
 * answering inbound texts. Compiled by the typecheck; the behaviour is tested in
 * packages/cli/test/messaging-agent.test.ts.
 */
import { SmsAgent, sendSmsFunction } from '@voxline/call-control';
import { OpenAILLMService } from '@voxline/openai';
import type { CallInfo } from '@voxline/telephony';
import { TelnyxMessaging, telnyxMessagingWebhooks } from '@voxline/telnyx';
import type { FastifyInstance } from 'fastify';

/**
 * Gives `llm` the `send_sms` tool for `call` (answered on `ourNumber`, E.164), and answers inbound
 * texts on `app`.
 */
export async function textingAgent(
  app: FastifyInstance,
  llm: OpenAILLMService,
  call: CallInfo,
  ourNumber: string,
) {
  // #region messaging
  const messaging = new TelnyxMessaging({
    apiKey: process.env.TELNYX_API_KEY,
    messagingProfileId: process.env.TELNYX_MESSAGING_PROFILE_ID,
  });

  // During a call: the model may text the caller, and only the caller.
  llm.functions.register(sendSmsFunction({ messaging, from: ourNumber, recipient: () => call.from }));

  // Text conversations: each inbound SMS gets an LLM reply, history kept per pair of numbers.
  const agent = new SmsAgent({
    messaging,
    createLLM: () => new OpenAILLMService({ model: 'gpt-4.1-mini' }),
    instructions: 'You are the front desk of Example Dental. Answer in one or two short sentences.',
  });
  await app.register(telnyxMessagingWebhooks, {
    publicKey: process.env.TELNYX_PUBLIC_KEY!,
    onMessage: (message) => agent.handle(message),
  });
  // #endregion messaging
  return agent;
}
