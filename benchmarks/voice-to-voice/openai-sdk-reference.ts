/**
 * The reference for the stage "end of turn → first LLM text": the same streamed chat completion
 * through the official `openai` SDK alone — no pipeline, no Voxline code — against the same fake
 * in the same process, from `client.chat.completions.create()` to the first chunk with text.
 *
 * It is what that stage would cost if the framework added nothing: the SDK's request building,
 * `fetch` (undici) over a loopback socket, the fake's validation and SSE, and the SDK's SSE
 * parsing. The conversation grows by one user and one assistant message per request, as the
 * agent's context does over a call, and requests are spaced so the kept-alive connection is
 * reused as it is between turns.
 */
import { FakeOpenAIServer } from '@voxline/openai/testing';
import OpenAI from 'openai';

/** Times in ms from `create()` to the first text chunk, one per request after `warmups`. */
export async function measureOpenAISdkAlone(
  requests: number,
  warmups: number,
  spacingMs: number,
): Promise<number[]> {
  const fake = await FakeOpenAIServer.start();
  const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0 });
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a helpful phone agent.' },
  ];
  const times: number[] = [];
  try {
    for (let request = 0; request < warmups + requests; request++) {
      fake.enqueueChatReply({ content: 'All right.' });
      messages.push({ role: 'user', content: 'And so, my fellow Americans' });
      const startedAt = performance.now();
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      let firstTextAt = Number.NaN;
      let reply = '';
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta?.content;
        if (!text) continue;
        if (Number.isNaN(firstTextAt)) firstTextAt = performance.now();
        reply += text;
      }
      messages.push({ role: 'assistant', content: reply });
      if (request >= warmups) times.push(firstTextAt - startedAt);
      await new Promise((resolve) => setTimeout(resolve, spacingMs));
    }
  } finally {
    await fake.stop();
  }
  return times;
}
