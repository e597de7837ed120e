/**
 * Function calling for the guide: a registry with argument schemas (zod), handlers that honour
 * the call's AbortSignal, and the LLM service that runs them.
 */
// #region register
import { FunctionRegistry } from '@voxline/core';
import { z } from 'zod';

/** Your booking system. */
export interface Bookings {
  book(date: string, partySize: number, signal: AbortSignal): Promise<{ reference: string }>;
}

const bookingArguments = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  partySize: z.number().int().min(1).max(12),
});

export function createFunctions(bookings: Bookings): FunctionRegistry {
  return new FunctionRegistry() // calls of one response run in parallel (execution: 'parallel')
    .register({
      name: 'opening_hours',
      description: 'The restaurant opening hours',
      handler: () => ({ weekdays: '12:00-22:00', weekend: '12:00-23:00' }),
    })
    .register({
      name: 'book_table',
      description: 'Books a table',
      parameters: z.toJSONSchema(bookingArguments), // what the model is told
      validate: bookingArguments, // what is checked; the handler's arguments are typed from it
      handler: ({ date, partySize }, call) => bookings.book(date, partySize, call.signal),
      cancelOnInterruption: false, // a booking under way completes even if the caller talks over it
    });
}

// #endregion register

// #region llm
import { OpenAILLMService } from '@voxline/openai';

export function createLLM(bookings: Bookings, options: { apiKey?: string; baseURL?: string } = {}) {
  return new OpenAILLMService({ ...options, model: 'gpt-4.1-mini', functions: createFunctions(bookings) });
}
// #endregion llm
