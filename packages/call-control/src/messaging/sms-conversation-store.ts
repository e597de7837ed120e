/**
 * Where an SMS conversation's history lives between messages: one list of chat messages per pair
 * of numbers (ours, theirs), in the OpenAI chat shape the LLM services use.
 *
 * The in-memory store is the default and keeps history for the life of the process. Behind a load
 * balancer, or across restarts, back it with a shared store (the Redis connection of the
 * deployment's shared state can hold it: one list per conversation, `RPUSH` then `LTRIM`, with an
 * expiry, https://redis.io/docs/latest/commands/ltrim/) by implementing this interface.
 */
import type { LLMMessage } from '@voxline/core';
import { InvalidOptionError } from '@voxline/core';

/** A conversation: our number and theirs, both E.164. */
export interface SmsConversationKey {
  /** Our number (the one they texted). */
  ours: string;
  /** Their number. */
  theirs: string;
}

/** The history of SMS conversations; see the module comment. */
export interface SmsConversationStore {
  /** The conversation's messages, oldest first; empty for a new conversation. */
  load(key: SmsConversationKey): Promise<LLMMessage[]>;
  /** Appends messages of one exchange (user text, tool calls and results, the reply). */
  append(key: SmsConversationKey, messages: readonly LLMMessage[]): Promise<void>;
  /** Forgets the conversation. */
  clear(key: SmsConversationKey): Promise<void>;
}

/** Options of {@link InMemorySmsConversationStore}. */
export interface InMemorySmsConversationStoreOptions {
  /** Most conversations kept; the least recently used is forgotten first. Default 10,000. */
  maxConversations?: number;
  /**
   * Most messages kept per conversation; older exchanges are dropped whole (never a tool result
   * without its call). Default 50.
   */
  maxMessages?: number;
}

/** The text form of a key, for maps and shared stores: `<ours>|<theirs>`. */
export function smsConversationId(key: SmsConversationKey): string {
  return `${key.ours}|${key.theirs}`;
}

/**
 * Drops the oldest messages so at most `maxMessages` remain, and then any leading messages that
 * are not the user's, so the history starts at an exchange's beginning.
 */
export function trimSmsHistory(messages: LLMMessage[], maxMessages: number): LLMMessage[] {
  let start = Math.max(0, messages.length - maxMessages);
  while (start < messages.length && messages[start]?.role !== 'user') start += 1;
  return start === 0 ? messages : messages.slice(start);
}

/** The process-local {@link SmsConversationStore}; see the module comment. */
export class InMemorySmsConversationStore implements SmsConversationStore {
  /** History by conversation id, least recently used first (a Map iterates in insertion order). */
  readonly #conversations = new Map<string, LLMMessage[]>();
  readonly #maxConversations: number;
  readonly #maxMessages: number;

  /** @throws {InvalidOptionError} for limits that are not positive integers. */
  constructor(options: InMemorySmsConversationStoreOptions = {}) {
    this.#maxConversations = positiveInteger('maxConversations', options.maxConversations ?? 10_000);
    this.#maxMessages = positiveInteger('maxMessages', options.maxMessages ?? 50);
  }

  async load(key: SmsConversationKey): Promise<LLMMessage[]> {
    return structuredClone(this.#conversations.get(smsConversationId(key)) ?? []);
  }

  async append(key: SmsConversationKey, messages: readonly LLMMessage[]): Promise<void> {
    const id = smsConversationId(key);
    const history = [...(this.#conversations.get(id) ?? []), ...structuredClone(messages)];
    this.#conversations.delete(id);
    this.#conversations.set(id, trimSmsHistory(history, this.#maxMessages));
    if (this.#conversations.size > this.#maxConversations) {
      this.#conversations.delete(this.#conversations.keys().next().value as string);
    }
  }

  async clear(key: SmsConversationKey): Promise<void> {
    this.#conversations.delete(smsConversationId(key));
  }

  /** Conversations kept. */
  get size(): number {
    return this.#conversations.size;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(name, `${name} must be a positive integer, got ${value}`);
  }
  return value;
}
