/**
 * OpenAILLMService against the fake Chat Completions API, through the official SDK: streamed
 * text, tool calls assembled by index and answered in a valid follow-up request, usage,
 * retries of 429/500 before any output, and faults reported as ErrorFrames.
 */
import {
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  MetricsFrame,
} from '@voxline/core';
import { RecordingPipeline, waitUntil } from '@voxline/core/testing';
import { OpenAILLMService } from '@voxline/openai';
import { FakeOpenAIServer } from '@voxline/openai/testing';
import { afterEach, describe, expect, it } from 'vitest';

let fake: FakeOpenAIServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

const fastRetry = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0 };

function text(pipeline: RecordingPipeline): string {
  return pipeline
    .downstream(LLMTextFrame)
    .map((frame) => frame.text)
    .join('');
}

function service(
  server: FakeOpenAIServer,
  extra: Partial<ConstructorParameters<typeof OpenAILLMService>[0]> = {},
) {
  return new OpenAILLMService({
    apiKey: server.apiKey,
    baseURL: server.baseURL,
    model: 'gpt-4o-mini',
    retry: fastRetry,
    ...extra,
  });
}

describe('OpenAILLMService', () => {
  it('streams text frames between response boundaries and reports usage', async () => {
    fake = await FakeOpenAIServer.start({ chatReplies: [{ content: 'Hello! How can I help you today?' }] });
    const pipeline = new RecordingPipeline([service(fake)]).start();
    const context = new LLMContext([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there, how', interrupted: true },
      { role: 'user', content: 'Sorry, go on.' },
    ]);
    pipeline.queue(new LLMContextFrame(context));
    await waitUntil(
      () => pipeline.downstream(LLMFullResponseEndFrame).length === 1,
      5000,
      'the response end',
    );

    expect(text(pipeline)).toBe('Hello! How can I help you today?');
    expect(pipeline.downstream(LLMTextFrame).length).toBeGreaterThan(3);
    const kinds = pipeline.downstreamFrames
      .filter(
        (frame) =>
          frame instanceof LLMTextFrame ||
          frame instanceof LLMFullResponseStartFrame ||
          frame instanceof LLMFullResponseEndFrame,
      )
      .map((frame) => frame.constructor.name);
    expect(kinds[0]).toBe('LLMFullResponseStartFrame');
    expect(kinds.at(-1)).toBe('LLMFullResponseEndFrame');
    const usage = pipeline
      .downstream(MetricsFrame)
      .flatMap((frame) => frame.data)
      .find((data) => data.type === 'llm-usage');
    expect(usage).toMatchObject({ promptTokens: 40, model: 'gpt-4o-mini' });

    const request = fake.chatRequests[0];
    expect(request?.status).toBe(200);
    expect(request?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(JSON.stringify(request?.body)).not.toContain('interrupted');
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('assembles interleaved tool calls by index, runs them, and sends a valid follow-up', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [
        {
          content: 'Checking. ',
          toolCalls: [
            { id: 'call_paris', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'call_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
          ],
          interleaveToolCalls: true,
          argumentFragments: 4,
        },
        { content: 'Paris is sunny and Oslo is snowy.' },
      ],
    });
    const llm = service(fake);
    const asked: unknown[] = [];
    llm.functions.register({
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      handler: (args: unknown) => {
        asked.push(args);
        return { sky: (args as { city: string }).city === 'Paris' ? 'sunny' : 'snowy' };
      },
    });
    const pipeline = new RecordingPipeline([llm]).start();
    const context = new LLMContext([{ role: 'user', content: 'Weather in Paris and Oslo?' }]);
    pipeline.queue(new LLMContextFrame(context));
    await waitUntil(() => pipeline.downstream(LLMFullResponseEndFrame).length === 2, 5000, 'two responses');

    expect(asked).toEqual([{ city: 'Paris' }, { city: 'Oslo' }]);
    expect(pipeline.downstream(FunctionCallInProgressFrame).map((frame) => frame.toolCallId)).toEqual([
      'call_paris',
      'call_oslo',
    ]);
    expect(pipeline.downstream(FunctionCallResultFrame).map((frame) => frame.result)).toEqual([
      { sky: 'sunny' },
      { sky: 'snowy' },
    ]);
    expect(text(pipeline)).toBe('Checking. Paris is sunny and Oslo is snowy.');

    // The fake validated the follow-up: assistant tool_calls answered by a tool message per id.
    expect(fake.chatRequests.map((request) => request.status)).toEqual([200, 200]);
    const followUp = fake.chatRequests[1]?.body.messages as Record<string, unknown>[];
    expect(followUp.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Checking. ',
        tool_calls: [
          {
            id: 'call_paris',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          {
            id: 'call_oslo',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_paris', content: '{"sky":"sunny"}' },
      { role: 'tool', tool_call_id: 'call_oslo', content: '{"sky":"snowy"}' },
    ]);
    expect(fake.chatRequests[0]?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather in a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ]);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('retries a 429 (honouring retry-after-ms) and a 500 before any output, then answers', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [
        { error: { status: 429, retryAfterMs: 30 } },
        { error: { status: 500 } },
        { content: 'Recovered.' },
      ],
    });
    const pipeline = new RecordingPipeline([service(fake)]).start();
    pipeline.queue(new LLMContextFrame(new LLMContext([{ role: 'user', content: 'Hi' }])));
    await waitUntil(() => pipeline.downstream(LLMFullResponseEndFrame).length === 1, 5000, 'the response');
    expect(text(pipeline)).toBe('Recovered.');
    expect(fake.chatRequests.map((request) => request.status)).toEqual([429, 500, 200]);
    await pipeline.end();
    expect(pipeline.errors).toEqual([]);
  });

  it('turns exhausted retries into one non-fatal ErrorFrame and still ends the response', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [{ error: { status: 503 } }, { error: { status: 503 } }, { error: { status: 503 } }],
    });
    const pipeline = new RecordingPipeline([service(fake)]).start();
    pipeline.queue(new LLMContextFrame(new LLMContext([{ role: 'user', content: 'Hi' }])));
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'an error');
    expect(pipeline.errors[0]?.fatal).toBe(false);
    expect(pipeline.errors[0]?.message).toContain('503');
    expect(fake.chatRequests).toHaveLength(3);
    await waitUntil(
      () => pipeline.downstream(LLMFullResponseEndFrame).length === 1,
      5000,
      'the response end',
    );
    await pipeline.end();
  });

  it('reports a connection dropped mid-stream without repeating what was said', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [{ content: 'one two three four five', disconnectAfterChunks: 3 }],
    });
    const pipeline = new RecordingPipeline([service(fake)]).start();
    pipeline.queue(new LLMContextFrame(new LLMContext([{ role: 'user', content: 'Count' }])));
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'an error');
    expect(text(pipeline)).toBe('one two ');
    expect(fake.chatRequests).toHaveLength(1);
    expect(fake.chatRequests[0]?.disconnected).toBe(true);
    await waitUntil(
      () => pipeline.downstream(LLMFullResponseEndFrame).length === 1,
      5000,
      'the response end',
    );
    await pipeline.end();
  });

  it('stops streaming at once when aborted while the next chunk is awaited', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [{ content: 'one two three four five six', chunkIntervalMs: 200 }],
    });
    class Probe extends OpenAILLMService {
      run(signal: AbortSignal) {
        return this.streamCompletion(new LLMContext([{ role: 'user', content: 'Count' }]), signal);
      }
    }
    const probe = new Probe({ apiKey: fake.apiKey, baseURL: fake.baseURL });
    const controller = new AbortController();
    const received: string[] = [];
    const reading = (async () => {
      for await (const chunk of probe.run(controller.signal)) {
        if (chunk.type === 'text') received.push(chunk.text);
        if (received.length === 1)
          queueMicrotask(() => controller.abort(new DOMException('Interrupted.', 'AbortError')));
      }
    })();
    const outcome = await Promise.race([
      reading.then(
        () => 'finished',
        (error: unknown) => (error as Error).name,
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 3000)),
    ]);
    expect(outcome).toBe('AbortError');
    expect(received).toEqual(['one ']);
  });

  it('does not retry refused credentials', async () => {
    fake = await FakeOpenAIServer.start({ chatReplies: [{ content: 'never' }] });
    const pipeline = new RecordingPipeline([service(fake, { apiKey: 'sk-wrong-key-1234' })]).start();
    pipeline.queue(new LLMContextFrame(new LLMContext([{ role: 'user', content: 'Hi' }])));
    await waitUntil(() => pipeline.errors.length === 1, 5000, 'an error');
    expect(pipeline.errors[0]?.message).toContain('401');
    expect(fake.chatRequests.map((request) => request.status)).toEqual([401]);
    await pipeline.end();
  });
});
