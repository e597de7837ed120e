import {
  type Clock,
  type ErrorFrame,
  type Frame,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionRegistry,
  FunctionRegistryError,
  InterruptionFrame,
  type LLMChunk,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMMessagesAppendFrame,
  LLMService,
  LLMTextFrame,
  type MetricsData,
  MetricsFrame,
  ServiceError,
  type StandardSchemaV1,
} from '@voxline/core';
import { frameNames, runProcessor, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

function errorCodes(errors: readonly ErrorFrame[]): string[] {
  return errors.map((frame) => (frame.error instanceof ServiceError ? frame.error.code : frame.error.name));
}

/** One scripted completion: chunks with the virtual ms to wait before each, or a fault. */
type Step = { waitMs: number; chunk: LLMChunk } | { waitMs: number; fail: unknown };
type Completion = Step[];

function tokens(text: string, firstMs: number, everyMs: number): Step[] {
  // Split like a tokenizer would: words with their leading space, punctuation apart.
  const pieces = text.match(/\s?[\w']+|[^\w\s]/g) ?? [];
  return pieces.map((piece, i) => ({
    waitMs: i === 0 ? firstMs : everyMs,
    chunk: { type: 'text', text: piece },
  }));
}

/** Answers each request with the next scripted completion; records what it was asked. */
class ScriptedLLM extends LLMService {
  readonly requests: { messages: string; tools: string[]; at: number }[] = [];
  readonly aborted: number[] = [];

  readonly #completions: Completion[];
  constructor(completions: Completion[], options: ConstructorParameters<typeof LLMService>[0] = {}) {
    super({ random: () => 0.5, model: 'scripted-1', ...options });
    this.#completions = completions;
  }

  protected override async *streamCompletion(
    context: LLMContext,
    signal: AbortSignal,
  ): AsyncIterable<LLMChunk> {
    this.requests.push({
      messages: JSON.stringify(context.messages),
      tools: context.tools.map((tool) => tool.function.name),
      at: this.clock.now(),
    });
    const steps = this.#completions.shift() ?? [];
    try {
      for (const step of steps) {
        await this.clock.sleep(step.waitMs, signal);
        if ('fail' in step) throw step.fail;
        yield step.chunk;
      }
    } catch (error) {
      if (signal.aborted) this.aborted.push(this.clock.now());
      throw error;
    }
  }
}

function texts(frames: readonly Frame[]): string {
  return frames
    .filter((frame): frame is LLMTextFrame => frame instanceof LLMTextFrame)
    .map((frame) => frame.text)
    .join('');
}

function metricsOf(frames: readonly { frame: Frame }[]): MetricsData[] {
  return frames.flatMap(({ frame }) => (frame instanceof MetricsFrame ? [...frame.data] : []));
}

function userContext(text: string): LLMContext {
  return new LLMContext([
    { role: 'system', content: 'You are a phone agent.' },
    { role: 'user', content: text },
  ]);
}

describe('LLMService', () => {
  it('streams one response between Start and End, with TTFB, processing and usage on the virtual clock', async () => {
    const llm = new ScriptedLLM([
      [
        ...tokens('Sure. Your table for two is booked at 7.30 pm.', 350, 20),
        { waitMs: 5, chunk: { type: 'usage', promptTokens: 42, completionTokens: 14 } },
      ],
    ]);
    const { downstream, recorded } = await runProcessor(llm, {
      frames: [new LLMContextFrame(userContext('Book a table for two at half past seven.'))],
    });
    const names = frameNames(downstream);
    expect(names[0]).toBe('LLMFullResponseStartFrame');
    expect(names.at(-1)).toBe('LLMFullResponseEndFrame');
    expect(names.slice(1, -1).every((name) => name === 'LLMTextFrame')).toBe(true);
    expect(texts(downstream)).toBe('Sure. Your table for two is booked at 7.30 pm.');

    const metrics = metricsOf(recorded.downstream);
    const tokenCount = downstream.filter((frame) => frame instanceof LLMTextFrame).length;
    expect(metrics).toEqual([
      { type: 'ttfb', processor: llm.name, model: 'scripted-1', valueMs: 350 },
      {
        type: 'llm-usage',
        processor: llm.name,
        model: 'scripted-1',
        promptTokens: 42,
        completionTokens: 14,
        totalTokens: 56,
      },
      {
        type: 'processing',
        processor: llm.name,
        model: 'scripted-1',
        valueMs: 350 + (tokenCount - 1) * 20 + 5,
      },
    ]);
  });

  it('runs on LLMMessagesAppendFrame with runLLM, appending to the last context', async () => {
    const context = userContext('Hi');
    const llm = new ScriptedLLM([tokens('Hello!', 10, 10), tokens('Goodbye.', 10, 10)]);
    const { downstream } = await runProcessor(llm, {
      frames: [
        new LLMContextFrame(context),
        new LLMMessagesAppendFrame([{ role: 'user', content: 'I have to go.' }], false),
        new LLMMessagesAppendFrame([{ role: 'system', content: 'Say goodbye.' }], true),
      ],
    });
    expect(llm.requests).toHaveLength(2);
    expect(context.messages.slice(-2)).toEqual([
      { role: 'user', content: 'I have to go.' },
      { role: 'system', content: 'Say goodbye.' },
    ]);
    expect(texts(downstream)).toBe('Hello!Goodbye.');
  });

  it('aborts the stream on interruption, still closes the response, and answers the next context', async () => {
    const llm = new ScriptedLLM([
      tokens('Let me tell you a very long story about my weekend.', 100, 50),
      tokens('Yes?', 80, 10),
    ]);
    const { downstream } = await runProcessor(llm, {
      frames: [
        new LLMContextFrame(userContext('Tell me a story.')),
        sleep(230), // tokens at 100, 150, 200
        new InterruptionFrame(),
        new LLMContextFrame(userContext('Wait.')),
        sleep(500),
      ],
    });
    expect(llm.aborted).toEqual([230]);
    expect(frameNames(downstream)).toEqual([
      'LLMFullResponseStartFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'InterruptionFrame',
      'LLMFullResponseEndFrame',
      'LLMFullResponseStartFrame',
      'LLMTextFrame',
      'LLMTextFrame',
      'LLMFullResponseEndFrame',
    ]);
    expect(texts(downstream)).toBe('Let me tellYes?');
  });

  it('retries a transient fault raised before any output, then answers', async () => {
    const llm = new ScriptedLLM([
      [{ waitMs: 100, fail: Object.assign(new Error('Rate limit reached'), { status: 429 }) }],
      tokens('Done.', 50, 10),
    ]);
    const { downstream, errors } = await runProcessor(llm, {
      frames: [new LLMContextFrame(userContext('Go'))],
    });
    expect(errors).toEqual([]);
    // 429 at 100 ms, backoff 250 ms, second request at 350 ms.
    expect(llm.requests.map((request) => request.at)).toEqual([0, 350]);
    expect(texts(downstream)).toBe('Done.');
    expect(downstream.filter((frame) => frame instanceof LLMFullResponseStartFrame)).toHaveLength(1);
  });

  it('turns a persistent fault into one ErrorFrame and still ends the response', async () => {
    const unavailable = { waitMs: 10, fail: Object.assign(new Error('Bad gateway'), { status: 502 }) };
    const llm = new ScriptedLLM([[unavailable], [unavailable], [unavailable]], { retry: { maxAttempts: 3 } });
    const { downstream, errors } = await runProcessor(llm, {
      frames: [new LLMContextFrame(userContext('Go'))],
    });
    expect(llm.requests).toHaveLength(3);
    expect(errors).toHaveLength(1);
    expect(errorCodes(errors)[0]).toBe('server-error');
    expect(errors[0]?.fatal).toBe(false);
    expect(frameNames(downstream)).toEqual(['LLMFullResponseStartFrame', 'LLMFullResponseEndFrame']);
  });

  it('does not retry a fault after text went downstream (it would be spoken twice)', async () => {
    const llm = new ScriptedLLM([
      [
        ...tokens('Half a', 10, 10),
        { waitMs: 10, fail: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) },
      ],
      tokens('never asked', 10, 10),
    ]);
    const { downstream, errors } = await runProcessor(llm, {
      frames: [new LLMContextFrame(userContext('Go'))],
    });
    expect(llm.requests).toHaveLength(1);
    expect(errorCodes(errors)[0]).toBe('network');
    expect(texts(downstream)).toBe('Half a');
    expect(downstream.at(-1)).toBeInstanceOf(LLMFullResponseEndFrame);
  });

  it('does not retry a fatal fault', async () => {
    const llm = new ScriptedLLM([
      [{ waitMs: 10, fail: Object.assign(new Error('Incorrect API key'), { status: 401 }) }],
    ]);
    const { errors } = await runProcessor(llm, { frames: [new LLMContextFrame(userContext('Go'))] });
    expect(llm.requests).toHaveLength(1);
    expect(errorCodes(errors)[0]).toBe('auth');
  });
});

// ---- function calling ------------------------------------------------------------------------

/** A tiny Standard Schema validator, as zod 4 exposes one (`schema['~standard']`). */
function cityArgs(): StandardSchemaV1<unknown, { city: string }> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) =>
        typeof value === 'object' && value !== null && typeof (value as { city?: unknown }).city === 'string'
          ? { value: { city: (value as { city: string }).city } }
          : { issues: [{ message: 'expected a string', path: ['city'] }] },
    },
  };
}

function toolCall(id: string, name: string, args: object): Step {
  return { waitMs: 200, chunk: { type: 'tool-call', id, name, arguments: JSON.stringify(args) } };
}

function weatherRegistry(
  clock: () => Clock,
  log: string[],
  execution: 'parallel' | 'sequential',
): FunctionRegistry {
  return new FunctionRegistry({ execution }).register({
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    validate: cityArgs(),
    handler: async ({ city }, call) => {
      log.push(`start ${city} ${clock().now()}`);
      await clock().sleep(city === 'Paris' ? 300 : 100, call.signal);
      log.push(`end ${city} ${clock().now()}`);
      return { city, celsius: city === 'Paris' ? 18 : 24 };
    },
  });
}

describe('LLMService function calling', () => {
  for (const execution of ['parallel', 'sequential'] as const) {
    it(`round-trips tool calls (${execution}) and runs the model again with the results`, async () => {
      const log: string[] = [];
      let llm: ScriptedLLM | undefined;
      const registry = weatherRegistry(() => (llm as unknown as { clock: Clock }).clock, log, execution);
      llm = new ScriptedLLM(
        [
          [
            ...tokens('Let me check.', 100, 10),
            toolCall('call_1', 'get_weather', { city: 'Paris' }),
            toolCall('call_2', 'get_weather', { city: 'Rome' }),
          ],
          tokens('Paris is 18 and Rome 24 degrees.', 150, 10),
        ],
        { functions: registry },
      );
      const context = userContext('Weather in Paris and Rome?');
      const { downstream, upstream } = await runProcessor(llm, { frames: [new LLMContextFrame(context)] });

      // Upstream processors (the user turn processor's mute strategies) see the calls too.
      expect(frameNames(upstream)).toEqual([
        'FunctionCallInProgressFrame',
        'FunctionCallInProgressFrame',
        'FunctionCallResultFrame',
        'FunctionCallResultFrame',
      ]);

      const responseEnd = 100 + 3 * 10 + 200 + 200; // 'Let', ' me', ' check', '.', then two tool calls
      expect(log).toEqual(
        execution === 'parallel'
          ? [
              `start Paris ${responseEnd}`,
              `start Rome ${responseEnd}`,
              `end Rome ${responseEnd + 100}`,
              `end Paris ${responseEnd + 300}`,
            ]
          : [
              `start Paris ${responseEnd}`,
              `end Paris ${responseEnd + 300}`,
              `start Rome ${responseEnd + 300}`,
              `end Rome ${responseEnd + 400}`,
            ],
      );
      expect(frameNames(downstream).filter((name) => !name.startsWith('LLMText'))).toEqual([
        'LLMFullResponseStartFrame',
        'FunctionCallInProgressFrame',
        'FunctionCallInProgressFrame',
        'LLMFullResponseEndFrame',
        'FunctionCallResultFrame',
        'FunctionCallResultFrame',
        'LLMFullResponseStartFrame',
        'LLMFullResponseEndFrame',
      ]);
      const results = downstream.filter((frame) => frame instanceof FunctionCallResultFrame);
      expect(results.map((frame) => frame.toolCallId)).toEqual(
        execution === 'parallel' ? ['call_2', 'call_1'] : ['call_1', 'call_2'],
      );
      const inProgress = downstream.find((frame) => frame instanceof FunctionCallInProgressFrame);
      expect(inProgress?.args).toEqual({ city: 'Paris' });

      // The context holds the call and both results, in the shape OpenAI expects, and the tools.
      expect(context.messages.slice(2)).toEqual([
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            {
              id: 'call_2',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"city":"Paris","celsius":18}' },
        { role: 'tool', tool_call_id: 'call_2', content: '{"city":"Rome","celsius":24}' },
      ]);
      expect(llm.requests.map((request) => request.tools)).toEqual([['get_weather'], ['get_weather']]);
      // The second request saw both results.
      expect(JSON.parse(llm.requests[1]?.messages ?? '[]')).toEqual(context.messages.slice(0, 5));
      expect(texts(downstream)).toBe('Let me check.Paris is 18 and Rome 24 degrees.');
    });
  }

  it('returns invalid arguments and unknown functions to the model as errors it can recover from', async () => {
    const log: string[] = [];
    let llm: ScriptedLLM | undefined;
    const registry = weatherRegistry(() => (llm as unknown as { clock: Clock }).clock, log, 'parallel');
    llm = new ScriptedLLM(
      [
        [toolCall('call_1', 'get_weather', { town: 'Paris' }), toolCall('call_2', 'get_time', {})],
        tokens('Which city?', 10, 10),
      ],
      { functions: registry },
    );
    const context = userContext('Weather?');
    await runProcessor(llm, { frames: [new LLMContextFrame(context)] });
    expect(log).toEqual([]);
    expect(context.messages.filter((message) => message.role === 'tool')).toEqual([
      {
        role: 'tool',
        tool_call_id: 'call_1',
        content: '{"error":"invalid arguments: city: expected a string"}',
      },
      { role: 'tool', tool_call_id: 'call_2', content: '{"error":"unknown function get_time"}' },
    ]);
    expect(llm.requests).toHaveLength(2);
  });

  it('cancels interruptible calls on barge-in and lets the others finish without running the model', async () => {
    let llm: ScriptedLLM | undefined;
    const clock = () => (llm as unknown as { clock: Clock }).clock;
    const aborted: string[] = [];
    const registry = new FunctionRegistry()
      .register({
        name: 'search_flights',
        handler: async (_args, call) => {
          call.signal.addEventListener('abort', () => aborted.push('search_flights'));
          await clock().sleep(2000, call.signal);
          return 'found 3';
        },
      })
      .register({
        name: 'charge_card',
        cancelOnInterruption: false,
        handler: async () => {
          await clock().sleep(1000);
          return { charged: true };
        },
      });
    llm = new ScriptedLLM(
      [
        [toolCall('call_a', 'search_flights', {}), toolCall('call_b', 'charge_card', {})],
        tokens('never', 1, 1),
      ],
      { functions: registry },
    );
    const context = userContext('Book it.');
    const { downstream } = await runProcessor(llm, {
      frames: [new LLMContextFrame(context), sleep(700), new InterruptionFrame(), sleep(2000)],
    });
    expect(aborted).toEqual(['search_flights']);
    expect(llm.requests).toHaveLength(1);
    expect(context.messages.filter((message) => message.role === 'tool')).toEqual([
      {
        role: 'tool',
        tool_call_id: 'call_a',
        content: '{"error":"The call was cancelled because the user interrupted."}',
      },
      { role: 'tool', tool_call_id: 'call_b', content: '{"charged":true}' },
    ]);
    const results = downstream.filter((frame) => frame instanceof FunctionCallResultFrame);
    expect(results.map((frame) => [frame.toolCallId, frame.runLLM])).toEqual([
      ['call_a', false],
      ['call_b', false],
    ]);
    const inProgress = downstream.filter((frame) => frame instanceof FunctionCallInProgressFrame);
    expect(inProgress.map((frame) => frame.cancelOnInterruption)).toEqual([true, false]);
  });

  it('stops after maxToolRounds model runs that only ask for tools', async () => {
    const registry = new FunctionRegistry().register({ name: 'again', handler: () => 'ok' });
    const looping = Array.from({ length: 5 }, (_, i) => [toolCall(`call_${i}`, 'again', {})]);
    const llm = new ScriptedLLM(looping, { functions: registry, maxToolRounds: 3 });
    const { errors } = await runProcessor(llm, { frames: [new LLMContextFrame(userContext('Loop'))] });
    expect(llm.requests).toHaveLength(3);
    expect(errors.map((error) => error.message)).toEqual(['LLM asked for tools 3 times in a row; stopped']);
  });

  it('rejects bad and duplicate function names with typed errors', () => {
    const registry = new FunctionRegistry().register({ name: 'ok_name', handler: () => 1 });
    expect(() => registry.register({ name: 'ok_name', handler: () => 1 })).toThrow(
      expect.objectContaining({ code: 'duplicate-function' }),
    );
    expect(() => registry.register({ name: 'has space', handler: () => 1 })).toThrow(FunctionRegistryError);
    expect(registry.tools()).toEqual([
      { type: 'function', function: { name: 'ok_name', parameters: { type: 'object', properties: {} } } },
    ]);
  });
});
