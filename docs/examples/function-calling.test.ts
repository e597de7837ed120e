import { FunctionCallResultFrame, LLMContext, LLMContextFrame, LLMTextFrame } from '@voxline/core';
import { RecordingPipeline } from '@voxline/core/testing';
import { FakeOpenAIServer } from '@voxline/openai/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Bookings, createFunctions, createLLM } from './function-calling.js';

const bookings: Bookings = {
  book: async (date, partySize) => ({ reference: `R-${date}-${partySize}` }),
};

let fake: FakeOpenAIServer | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

describe('the function calling guide', () => {
  it('validates arguments: the model reads what was wrong', async () => {
    const functions = createFunctions(bookings);
    const context = new LLMContext();
    const signal = new AbortController().signal;
    const good = await functions.invoke(
      { id: 'call_1', name: 'book_table', arguments: '{"date":"2026-12-24","partySize":4}' },
      { context, signal },
    );
    expect(good).toEqual({
      status: 'ok',
      args: { date: '2026-12-24', partySize: 4 },
      result: { reference: 'R-2026-12-24-4' },
    });
    const bad = await functions.invoke(
      { id: 'call_2', name: 'book_table', arguments: '{"date":"tomorrow","partySize":40}' },
      { context, signal },
    );
    expect(bad).toMatchObject({
      status: 'error',
      error: expect.stringContaining('date: a date as YYYY-MM-DD'),
    });
    expect(functions.tools().map((tool) => tool.function.name)).toEqual(['opening_hours', 'book_table']);
  });

  it('runs the call the model asks for and answers with its result', async () => {
    fake = await FakeOpenAIServer.start({
      chatReplies: [
        { toolCalls: [{ name: 'book_table', arguments: '{"date":"2026-12-24","partySize":4}' }] },
        { content: 'Booked: your reference is R-2026-12-24-4.' },
      ],
    });
    const pipeline = new RecordingPipeline(
      createLLM(bookings, { apiKey: fake.apiKey, baseURL: fake.baseURL }),
    );
    await pipeline.started();
    const context = new LLMContext([{ role: 'user', content: 'A table for four on Christmas Eve, please.' }]);
    pipeline.queue(new LLMContextFrame(context));
    await pipeline.waitFor(() => pipeline.downstream(LLMTextFrame).length > 0, 'the reply');
    await pipeline.end();
    expect(pipeline.downstream(FunctionCallResultFrame)[0]?.result).toEqual({ reference: 'R-2026-12-24-4' });
    expect(
      pipeline
        .downstream(LLMTextFrame)
        .map((frame) => frame.text)
        .join(''),
    ).toBe('Booked: your reference is R-2026-12-24-4.');
    expect(fake.chatRequests[0]?.body.tools).toHaveLength(2);
  });
});
