/**
 * Messaging end to end: the LLM (OpenAILLMService against the local OpenAI stand-in) calls the
 * `send_sms` tool and the text reaches the carrier stand-in through the official Telnyx SDK; an
 * inbound SMS, delivered as a signed Telnyx webhook, gets an LLM reply sent back the same way.
 * One case runs on a simulated Telnyx call through `voxline serve`'s server: the caller's number
 * comes from the media stream's `start` message.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SmsAgent, type SmsAgentOutcome, sendSmsFunction } from '@voxline/call-control';
import { AfterReplyWork } from '@voxline/call-control/carrier-kit';
import { type LoopbackServer, listenOnLoopback } from '@voxline/call-control/testing';
import {
  createLogger,
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMTextFrame,
} from '@voxline/core';
import { RecordingLogger, RecordingPipeline, waitUntil } from '@voxline/core/testing';
import { OpenAILLMService } from '@voxline/openai';
import { FakeOpenAIServer } from '@voxline/openai/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { TelnyxMessaging, telnyxMessagingWebhooks } from '@voxline/telnyx';
import { computeTwilioSignature, TwilioMessaging, twilioMessagingWebhooks } from '@voxline/twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentServer, CallerAudio, simulateCall, startAgentServer } from 'voxline';

const OURS = '+13125550100';
const CALLER = '+13125550123';
const PROFILE = '0f512bda-ae1e-4597-8e11-e5f5686b97d3';

function accepted(id: string) {
  return {
    status: 200,
    body: {
      data: { record_type: 'message', id, to: [{ phone_number: CALLER, status: 'queued' }], parts: 1 },
    },
  };
}

let api: CarrierApiStandIn;
let fake: FakeOpenAIServer | undefined;
let logger: RecordingLogger;
let messaging: TelnyxMessaging;

beforeEach(async () => {
  api = await CarrierApiStandIn.start();
  logger = new RecordingLogger();
  messaging = new TelnyxMessaging({
    apiKey: 'KEY0123_agent_test',
    baseURL: `${api.origin}/v2`,
    messagingProfileId: PROFILE,
    logger,
  });
});

afterEach(async () => {
  await fake?.stop();
  fake = undefined;
  await api.close();
});

function llmFor(server: FakeOpenAIServer): OpenAILLMService {
  return new OpenAILLMService({
    apiKey: server.apiKey,
    baseURL: server.baseURL,
    model: 'gpt-4o-mini',
    retry: { maxAttempts: 1 },
  });
}

/** Runs one user turn of a voice agent's LLM with `send_sms` registered; returns what it said. */
async function voiceTurn(llm: OpenAILLMService, userText: string): Promise<string> {
  const pipeline = new RecordingPipeline([llm]).start();
  pipeline.queue(
    new LLMContextFrame(
      new LLMContext([
        { role: 'system', content: 'You are a booking assistant on a phone call.' },
        { role: 'user', content: userText },
      ]),
    ),
  );
  await waitUntil(() => pipeline.downstream(LLMFullResponseEndFrame).length === 2, 10_000, 'two responses');
  await pipeline.end();
  expect(pipeline.errors).toEqual([]);
  return pipeline
    .downstream(LLMTextFrame)
    .map((frame) => frame.text)
    .join('');
}

/** The content of the tool message the model got back in its second request. */
function toolResultSeen(server: FakeOpenAIServer): unknown {
  const messages = server.chatRequests[1]?.body.messages as { role: string; content: string }[];
  const tool = messages.find((message) => message.role === 'tool');
  return JSON.parse(tool?.content ?? 'null');
}

describe('the send_sms tool, called by the LLM during a call', () => {
  it("texts the caller's number: the carrier stand-in gets the SMS and the model learns it was sent", async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [
        {
          toolCalls: [
            {
              id: 'call_sms',
              name: 'send_sms',
              arguments: '{"text":"Your booking link: https://ex.am/b/42"}',
            },
          ],
        },
        { content: 'I have texted you the link.' },
      ],
    });
    api.respondWith(accepted('40385f64-5717-4562-b3fc-2c963f66afa6'));
    const llm = llmFor(fake);
    llm.functions.register(sendSmsFunction({ messaging, from: OURS, recipient: () => CALLER }));

    const said = await voiceTurn(llm, 'Can you text me the booking link?');

    expect(said).toBe('I have texted you the link.');
    const sent = await api.waitFor('POST', /^\/v2\/messages$/);
    expect(JSON.parse(sent[0]!.text)).toEqual({
      to: CALLER,
      from: OURS,
      text: 'Your booking link: https://ex.am/b/42',
      messaging_profile_id: PROFILE,
    });
    expect(toolResultSeen(fake)).toEqual({
      status: 'sent',
      to: 'the caller',
      messageId: '40385f64-5717-4562-b3fc-2c963f66afa6',
    });
    // The model was offered the text alone: no recipient it could choose.
    const tools = fake.chatRequests[0]?.body.tools as { function: { parameters: { properties: object } } }[];
    expect(Object.keys(tools[0]!.function.parameters.properties)).toEqual(['text']);
  });

  it('tells the model in words that the caller opted out (Telnyx 40300)', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [
        { toolCalls: [{ id: 'call_sms', name: 'send_sms', arguments: '{"text":"Your link"}' }] },
        { content: 'It seems you have opted out of texts.' },
      ],
    });
    api.respondWith({
      status: 409,
      body: { errors: [{ code: '40300', title: 'Blocked due to STOP message' }] },
    });
    const llm = llmFor(fake);
    llm.functions.register(sendSmsFunction({ messaging, from: OURS, recipient: CALLER }));
    await voiceTurn(llm, 'Text me the link.');
    expect(toolResultSeen(fake)).toEqual({
      status: 'not-sent',
      error: 'opted-out',
      reason:
        'The recipient has opted out of texts from this number (they replied STOP); they must text START to receive messages again.',
    });
  });

  it('refuses a recipient the model makes up unless allowAnyRecipient is set', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [
        { toolCalls: [{ id: 'call_sms', name: 'send_sms', arguments: '{"text":"hi","to":"+15555550199"}' }] },
        { content: 'I can only text your own number.' },
      ],
    });
    const llm = llmFor(fake);
    llm.functions.register(sendSmsFunction({ messaging, from: OURS, recipient: CALLER }));
    await voiceTurn(llm, 'Text my friend at +1 555 555 0199.');
    expect(toolResultSeen(fake)).toEqual({
      error: "invalid arguments: to is not allowed: messages go to the caller's number only",
    });
    expect(api.requests).toEqual([]);
  });
});

describe('SmsAgent answering inbound texts delivered as signed Telnyx webhooks', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const PUBLIC_KEY = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer)
    .subarray(12)
    .toString('base64');
  let server: LoopbackServer;
  let work: AfterReplyWork;
  let outcomes: SmsAgentOutcome[];

  async function startWith(replies: { content: string }[]): Promise<void> {
    fake = await FakeOpenAIServer.start({ chatReplies: replies });
    const openai = fake;
    const agent = new SmsAgent({
      messaging,
      createLLM: () => llmFor(openai),
      instructions: 'You are the front desk of Example Dental. Answer in one short sentence.',
      logger,
    });
    work = new AfterReplyWork(logger);
    outcomes = [];
    server = await listenOnLoopback((app) =>
      app.register(telnyxMessagingWebhooks, {
        publicKey: PUBLIC_KEY,
        work,
        logger,
        onMessage: async (message) => {
          outcomes.push(await agent.handle(message));
        },
      }),
    );
  }

  afterEach(async () => {
    await server?.close();
  });

  /** Delivers a signed `message.received` from the caller to our number, and waits for its work. */
  async function text(body: string): Promise<void> {
    const payload = JSON.stringify({
      data: {
        record_type: 'event',
        id: randomUUID(),
        event_type: 'message.received',
        occurred_at: '2026-12-08T03:30:00.000Z',
        payload: {
          id: randomUUID(),
          direction: 'inbound',
          type: 'SMS',
          from: { phone_number: CALLER },
          to: [{ phone_number: OURS, status: 'delivered' }],
          text: body,
          media: [],
        },
      },
      meta: { attempt: 1 },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${server.origin}/telnyx/messaging`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': sign(null, Buffer.from(`${timestamp}|${payload}`), privateKey).toString(
          'base64',
        ),
      },
      body: payload,
    });
    expect(response.status).toBe(200);
    await work.idle();
  }

  it('replies with the LLM text from our number to theirs, and keeps the conversation for the next text', async () => {
    await startWith([
      { content: 'Yes, we are open until 6 pm today.' },
      { content: 'Tomorrow at 9 am is free.' },
    ]);
    api.respondWith(accepted('reply-1'), accepted('reply-2'));

    await text('Are you open today?');
    await text('Can I come tomorrow morning?');

    const sent = api.requestsTo('POST', /^\/v2\/messages$/).map((request) => JSON.parse(request.text));
    expect(sent).toEqual([
      { to: CALLER, from: OURS, text: 'Yes, we are open until 6 pm today.', messaging_profile_id: PROFILE },
      { to: CALLER, from: OURS, text: 'Tomorrow at 9 am is free.', messaging_profile_id: PROFILE },
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['replied', 'replied']);
    // The second completion saw the first exchange: the same context, per pair of numbers.
    expect(fake?.chatRequests[1]?.body.messages).toEqual([
      { role: 'system', content: 'You are the front desk of Example Dental. Answer in one short sentence.' },
      { role: 'user', content: 'Are you open today?' },
      { role: 'assistant', content: 'Yes, we are open until 6 pm today.' },
      { role: 'user', content: 'Can I come tomorrow morning?' },
    ]);
    expect(JSON.stringify(logger.records)).not.toContain(CALLER);
  });

  it('does not answer STOP (the carrier does), and asks the LLM nothing', async () => {
    await startWith([]);
    await text('STOP');
    expect(outcomes).toEqual([{ status: 'ignored', reason: 'carrier-keyword' }]);
    expect(fake?.chatRequests).toEqual([]);
    expect(api.requests).toEqual([]);
  });
});

/**
 * Stands in for STT and the user turn: when the caller's first audio arrives, the LLM is asked
 * (once) what the caller would have said.
 */
class AskOnFirstAudio extends FrameProcessor {
  #asked = false;

  constructor(readonly request: string) {
    super({ name: 'ask-on-first-audio', mode: 'inline' });
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (this.#asked || !(frame instanceof InputAudioRawFrame) || direction !== FrameDirection.Downstream)
      return;
    this.#asked = true;
    const context = new LLMContext([
      { role: 'system', content: 'You are a booking assistant on a phone call.' },
      { role: 'user', content: this.request },
    ]);
    this.pushFrame(new LLMContextFrame(context), FrameDirection.Downstream);
  }
}

describe('send_sms on a simulated Telnyx call', () => {
  const jfkPath = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    '..',
    'shared',
    'data',
    'jfk-16k.wav',
  );
  let server: AgentServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("texts the number the call came from, through the agent's LLM, while the call is up", async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [
        {
          toolCalls: [
            {
              id: 'call_sms',
              name: 'send_sms',
              arguments: '{"text":"Your booking link: https://ex.am/b/7"}',
            },
          ],
        },
        { content: 'Done, I texted you the link.' },
      ],
    });
    api.respondWith(accepted('sms-on-call'));
    const openai = fake;
    server = await startAgentServer({
      agent: {
        name: 'sms-test',
        description: 'texts the caller',
        params: { audioInSampleRate: 8000, audioOutSampleRate: 8000 },
        notices: [],
        createPipeline: (call, transport) => {
          const llm = llmFor(openai);
          llm.functions.register(
            sendSmsFunction({ messaging, from: call.to ?? OURS, recipient: () => call.from }),
          );
          return [
            transport.input(),
            new AskOnFirstAudio('Text me the booking link.'),
            llm,
            transport.output(),
          ];
        },
      },
      port: 0,
      logger: createLogger({ level: 'silent' }),
      env: { VOXLINE_STREAM_SECRET: 'messaging-test-secret' },
    });
    const report = await simulateCall({
      carrier: 'telnyx',
      codec: 'PCMU',
      url: `${server.webSocketUrl}/telnyx`,
      credentials: { telnyxStreamSecret: 'messaging-test-secret' },
      from: CALLER,
      to: OURS,
      audio: CallerAudio.fromWavFile(jfkPath, 8000),
      script: { steps: [{ say: { fromMs: 0, toMs: 1000 } }, { pause: { ms: 1500 } }, { hangUp: {} }] },
    });
    expect(report.protocolViolations).toEqual([]);
    // Sent before the caller hung up: the request is in when the simulated call is over.
    const sent = api.requestsTo('POST', /^\/v2\/messages$/);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.text)).toEqual({
      to: CALLER,
      from: OURS,
      text: 'Your booking link: https://ex.am/b/7',
      messaging_profile_id: PROFILE,
    });
    await waitUntil(() => (fake?.chatRequests.length ?? 0) === 2, 5000, 'the follow-up completion');
    expect(toolResultSeen(fake)).toEqual({ status: 'sent', to: 'the caller', messageId: 'sms-on-call' });
  }, 60_000);
});

describe('SmsAgent answering an inbound text delivered as a signed Twilio webhook', () => {
  const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
  const AUTH_TOKEN = 'auth-token-for-sms-agent';
  const PUBLIC = 'https://voice.example.com';
  let server: LoopbackServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('replies through the Messages API from the number that was texted', async () => {
    fake = await FakeOpenAIServer.start({ chatReplies: [{ content: 'We open at 8 am.' }] });
    const openai = fake;
    const twilioMessaging = new TwilioMessaging({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiBaseUrl: api.origin,
    });
    const agent = new SmsAgent({
      messaging: twilioMessaging,
      createLLM: () => llmFor(openai),
      instructions: 'Be brief.',
    });
    const work = new AfterReplyWork(logger);
    const outcomes: SmsAgentOutcome[] = [];
    server = await listenOnLoopback((app) =>
      app.register(twilioMessagingWebhooks, {
        authToken: AUTH_TOKEN,
        publicUrl: PUBLIC,
        work,
        logger,
        onMessage: async (message) => {
          outcomes.push(await agent.handle(message));
        },
      }),
    );
    api.respondWith({
      status: 201,
      body: { sid: 'SMfedcba9876543210fedcba9876543210', status: 'queued', num_segments: '1' },
    });
    const params = {
      MessageSid: 'SM0123456789abcdef0123456789abcdef',
      AccountSid: ACCOUNT_SID,
      From: CALLER,
      To: OURS,
      Body: 'When do you open?',
      NumMedia: '0',
    };
    const response = await fetch(`${server.origin}/twilio/sms`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, `${PUBLIC}/twilio/sms`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    await work.idle();
    expect(outcomes).toEqual([
      { status: 'replied', reply: 'We open at 8 am.', messageId: 'SMfedcba9876543210fedcba9876543210' },
    ]);
    const sent = api.requestsTo('POST', /Messages\.json$/);
    expect(sent).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(sent[0]!.text))).toEqual({
      To: CALLER,
      From: OURS,
      Body: 'We open at 8 am.',
    });
  });
});
