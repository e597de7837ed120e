import { FunctionRegistry, type LLMChunk, LLMContext, type LLMMessage, LLMService } from '@voxline/core';
import { RecordingClock, RecordingLogger } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { sendMessageWithRetry } from '../src/carrier-kit/index.js';
import {
  InMemorySmsConversationStore,
  type MessagingClient,
  MessagingError,
  type MessagingErrorCode,
  type SentMessage,
  SmsAgent,
  type SmsRequest,
  sendSmsFunction,
  trimSmsHistory,
} from '../src/index.js';

const OURS = '+13125550100';
const THEIRS = '+13125550123';

/** A MessagingClient that records requests and answers from a script (an error code fails). */
class ScriptedMessaging implements MessagingClient {
  readonly carrier = 'test';
  readonly requests: SmsRequest[] = [];
  readonly answers: (MessagingErrorCode | 'ok')[] = [];

  async sendSms(request: SmsRequest): Promise<SentMessage> {
    this.requests.push(request);
    const answer = this.answers.shift() ?? 'ok';
    if (answer !== 'ok') {
      throw new MessagingError({ code: answer, description: 'scripted' }, { carrier: 'test', attempts: 1 });
    }
    return { id: `msg-${this.requests.length}`, carrier: 'test', status: 'queued' };
  }

  async sendMms(): Promise<SentMessage> {
    throw new Error('not used');
  }
}

async function invoke(registry: FunctionRegistry, args: object) {
  return registry.invoke(
    { id: 'call_1', name: 'send_sms', arguments: JSON.stringify(args) },
    { context: new LLMContext(), signal: new AbortController().signal },
  );
}

describe('sendSmsFunction', () => {
  it('sends to the caller only, and offers no recipient argument', async () => {
    const messaging = new ScriptedMessaging();
    const definition = sendSmsFunction({ messaging, from: OURS, recipient: THEIRS });
    expect(definition.parameters).toEqual({
      type: 'object',
      properties: { text: { type: 'string', description: expect.any(String) } },
      required: ['text'],
      additionalProperties: false,
    });
    const registry = new FunctionRegistry().register(definition);
    expect(await invoke(registry, { text: 'hello' })).toMatchObject({
      status: 'ok',
      result: { status: 'sent', to: 'the caller', messageId: 'msg-1' },
    });
    expect(await invoke(registry, { text: 'hello', to: '+15555550199' })).toMatchObject({
      status: 'error',
      error: "invalid arguments: to is not allowed: messages go to the caller's number only",
    });
    expect(messaging.requests).toEqual([{ to: THEIRS, from: OURS, text: 'hello' }]);
  });

  it('lets the model choose an E.164 recipient when allowAnyRecipient is set', async () => {
    const messaging = new ScriptedMessaging();
    const registry = new FunctionRegistry().register(
      sendSmsFunction({ messaging, from: OURS, recipient: THEIRS, allowAnyRecipient: true }),
    );
    expect(await invoke(registry, { text: 'hi', to: '+15555550199' })).toMatchObject({
      status: 'ok',
      result: { status: 'sent', to: '+15555550199' },
    });
    expect(await invoke(registry, { text: 'hi', to: '555-0199' })).toMatchObject({ status: 'error' });
    expect(messaging.requests.map((request) => request.to)).toEqual(['+15555550199']);
  });

  it('stops at maxMessages; refusals do not count, a lost answer (network) does', async () => {
    const messaging = new ScriptedMessaging();
    messaging.answers.push('opted-out', 'network', 'ok');
    const registry = new FunctionRegistry().register(
      sendSmsFunction({ messaging, from: OURS, recipient: THEIRS, maxMessages: 2 }),
    );
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push((await invoke(registry, { text: `text ${i}` })) as { result: unknown });
    expect(
      results.map((outcome) => (outcome.result as { status: string; error?: string }).error ?? 'sent'),
    ).toEqual(['opted-out', 'network', 'sent', 'limit-reached']);
    expect(messaging.requests).toHaveLength(3);
  });

  it('answers no-recipient when the caller number is unknown', async () => {
    const registry = new FunctionRegistry().register(
      sendSmsFunction({ messaging: new ScriptedMessaging(), from: OURS, recipient: () => undefined }),
    );
    expect(await invoke(registry, { text: 'hi' })).toMatchObject({
      result: { status: 'not-sent', error: 'no-recipient' },
    });
  });
});

describe('sendMessageWithRetry', () => {
  const context = (failures: { code: MessagingErrorCode; nothingSent?: boolean }[]) => {
    let attempts = 0;
    const clock = new RecordingClock();
    return {
      clock,
      attempts: () => attempts,
      run: () =>
        sendMessageWithRetry(
          async () => {
            attempts += 1;
            const failure = failures.shift();
            if (failure !== undefined) throw failure;
            return 'sent';
          },
          {
            carrier: 'test',
            kind: 'sms',
            policy: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0 },
            clock,
            logger: new RecordingLogger(),
            classify: (error) => ({ ...(error as object), description: 'scripted' }) as never,
          },
        ),
    };
  };

  it('retries a refused connection (nothing sent) but never a network failure that may have sent', async () => {
    const refused = context([{ code: 'network', nothingSent: true }]);
    expect(await refused.run()).toBe('sent');
    expect(refused.attempts()).toBe(2);
    const lost = context([{ code: 'network' }]);
    await expect(lost.run()).rejects.toMatchObject({ code: 'network', attempts: 1 });
    expect(lost.clock.sleeps).toEqual([]);
  });
});

describe('InMemorySmsConversationStore', () => {
  const exchange = (n: number): LLMMessage[] => [
    { role: 'user', content: `question ${n}` },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: `c${n}`, type: 'function', function: { name: 'f', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: `c${n}`, content: '{}' },
    { role: 'assistant', content: `answer ${n}` },
  ];

  it('drops whole exchanges, never a tool result without its call', async () => {
    const store = new InMemorySmsConversationStore({ maxMessages: 6 });
    const key = { ours: OURS, theirs: THEIRS };
    await store.append(key, exchange(1));
    await store.append(key, exchange(2));
    const history = await store.load(key);
    expect(history).toEqual(exchange(2));
    expect(trimSmsHistory([...exchange(1), ...exchange(2)], 5)).toEqual(exchange(2));
    // Less room than one exchange: nothing rather than half of one.
    expect(trimSmsHistory([...exchange(1), ...exchange(2)], 3)).toEqual([]);
  });

  it('keeps conversations apart per pair of numbers and forgets the least recently used', async () => {
    const store = new InMemorySmsConversationStore({ maxConversations: 2 });
    await store.append({ ours: OURS, theirs: '+13125550001' }, exchange(1));
    await store.append({ ours: OURS, theirs: '+13125550002' }, exchange(2));
    await store.append({ ours: '+13125550999', theirs: '+13125550001' }, exchange(3));
    expect(store.size).toBe(2);
    expect(await store.load({ ours: OURS, theirs: '+13125550001' })).toEqual([]);
    expect(await store.load({ ours: '+13125550999', theirs: '+13125550001' })).toEqual(exchange(3));
  });
});

/** An LLM that answers with the text it is given per completion, after a delay in ms. */
class EchoLLM extends LLMService {
  constructor(
    readonly reply: (context: LLMContext) => string,
    readonly delayMs: number,
  ) {
    super({ retry: { maxAttempts: 1 } });
  }

  protected override async *streamCompletion(context: LLMContext): AsyncIterable<LLMChunk> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    yield { type: 'text', text: this.reply(context) };
  }
}

describe('SmsAgent', () => {
  const inbound = (text: string, id: string) => ({
    carrier: 'test',
    id,
    from: THEIRS,
    to: OURS,
    text,
    mediaUrls: [],
  });
  /** The reply names the user texts the LLM saw, so the order of the history shows. */
  const seen = (context: LLMContext) =>
    context.messages
      .filter((message) => message.role === 'user')
      .map((message) => message.content)
      .join(' / ');

  it('answers the texts of one conversation in arrival order, each seeing the ones before', async () => {
    const messaging = new ScriptedMessaging();
    let delay = 150;
    const agent = new SmsAgent({
      messaging,
      // The first reply is slower than the second: without ordering, the second would go first.
      createLLM: () => new EchoLLM(seen, (delay -= 50)),
      instructions: 'Be brief.',
      logger: new RecordingLogger(),
    });
    const outcomes = await Promise.all([
      agent.handle(inbound('one', 'm1')),
      agent.handle(inbound('two', 'm2')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['replied', 'replied']);
    expect(messaging.requests).toEqual([
      { to: THEIRS, from: OURS, text: 'one' },
      { to: THEIRS, from: OURS, text: 'one / two' },
    ]);
  });

  it('keeps only the text of an exchange whose reply could not be sent, and reports why', async () => {
    const messaging = new ScriptedMessaging();
    messaging.answers.push('opted-out');
    const store = new InMemorySmsConversationStore();
    const agent = new SmsAgent({
      messaging,
      store,
      createLLM: () => new EchoLLM(() => 'ok', 0),
      instructions: 'x',
    });
    const outcome = await agent.handle(inbound('hello', 'm1'));
    expect(outcome).toMatchObject({ status: 'not-sent', reply: 'ok', error: { code: 'opted-out' } });
    expect(await store.load({ ours: OURS, theirs: THEIRS })).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('reports an LLM failure as no-reply and sends nothing', async () => {
    const messaging = new ScriptedMessaging();
    const failing = () =>
      new EchoLLM(() => {
        throw new Error('model down');
      }, 0);
    const agent = new SmsAgent({
      messaging,
      createLLM: failing,
      instructions: 'x',
      logger: new RecordingLogger(),
    });
    expect(await agent.handle(inbound('hello', 'm1'))).toMatchObject({
      status: 'no-reply',
      reason: 'llm-failed',
    });
    expect(messaging.requests).toEqual([]);
  });
});
