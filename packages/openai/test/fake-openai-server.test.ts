/**
 * The fake Chat Completions API, driven by the official `openai` SDK: what it streams, and what
 * it refuses the way the real API does.
 */
import { FakeOpenAIServer } from '@voxline/openai/testing';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';

let fake: FakeOpenAIServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

function client(server: FakeOpenAIServer, apiKey = server.apiKey): OpenAI {
  return new OpenAI({ apiKey, baseURL: server.baseURL, maxRetries: 0 });
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('FakeOpenAIServer chat completions through the openai SDK', () => {
  it('streams text, interleaved tool-call fragments by index, and a usage chunk with empty choices', async () => {
    fake = await FakeOpenAIServer.start();
    fake.enqueueChatReply({
      content: 'Let me check. ',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_b', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      ],
      interleaveToolCalls: true,
    });
    const chunks = await collect(
      await client(fake).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
        tools: [weatherTool],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Let me check. ');

    const fragments = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(
      fragments
        .filter((fragment) => fragment.id !== undefined)
        .map((fragment) => [fragment.index, fragment.id, fragment.function?.name]),
    ).toEqual([
      [0, 'call_a', 'get_weather'],
      [1, 'call_b', 'get_weather'],
    ]);
    expect(fragments[1]?.index).toBe(1); // interleaved
    const argumentsByIndex = new Map<number, string>();
    for (const fragment of fragments) {
      expect(fragment.id === undefined || fragment.function?.arguments === '').toBe(true);
      argumentsByIndex.set(
        fragment.index,
        (argumentsByIndex.get(fragment.index) ?? '') + (fragment.function?.arguments ?? ''),
      );
    }
    expect(argumentsByIndex).toEqual(
      new Map([
        [0, '{"city":"Paris"}'],
        [1, '{"city":"Oslo"}'],
      ]),
    );

    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish?.choices[0]?.finish_reason).toBe('tool_calls');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 10 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('refuses a missing or wrong API key with 401', async () => {
    fake = await FakeOpenAIServer.start();
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
    await expect(client(fake, 'sk-wrong-key-0000').chat.completions.create(request)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    expect(fake.chatRequests[0]?.status).toBe(401);
  });

  it('refuses malformed tool messages with the API 400 errors', async () => {
    fake = await FakeOpenAIServer.start();
    const orphanTool: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'hi' },
      { role: 'tool', tool_call_id: 'call_x', content: '{}' },
    ];
    await expect(
      client(fake).chat.completions.create({ model: 'gpt-4o-mini', messages: orphanTool }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining(
        "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
      ),
    });
    const unanswered: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_y', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'user', content: 'well?' },
    ];
    await expect(
      client(fake).chat.completions.create({ model: 'gpt-4o-mini', messages: unanswered }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('did not have response messages: call_y'),
    });
    await expect(
      client(fake).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream_options: { include_usage: true },
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(fake.chatRequests.map((request) => request.status)).toEqual([400, 400, 400]);
  });

  it('answers scripted 429 errors with retry-after-ms and drops a stream mid-way', async () => {
    fake = await FakeOpenAIServer.start();
    fake.enqueueChatReply(
      { error: { status: 429, retryAfterMs: 20 } },
      { content: 'one two three four', disconnectAfterChunks: 3 },
    );
    const openai = client(fake);
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'hi' }],
      stream: true as const,
    };
    const limited = await openai.chat.completions.create(request).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after-ms')).toBe('20');
    const received: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of await openai.chat.completions.create(request))
          received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(received.join('')).toBe('one two ');
    expect(fake.chatRequests[1]?.disconnected).toBe(true);
  });
});
