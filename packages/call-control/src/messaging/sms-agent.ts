/**
 * An SMS-only agent: it answers each inbound text with an LLM reply, sent back through a
 * {@link MessagingClient}, keeping one conversation per pair of numbers (ours, theirs).
 *
 * ```ts
 * const agent = new SmsAgent({
 *   messaging: new TelnyxMessaging({ apiKey, messagingProfileId }),
 *   createLLM: () => new OpenAILLMService({ model: 'gpt-4.1-mini', functions }),
 *   instructions: 'You are the front desk of Example Dental. Answer in one or two short sentences.',
 * });
 * await app.register(telnyxMessagingWebhooks, { publicKey, onMessage: (message) => agent.handle(message) });
 * ```
 *
 * Per message: the history is loaded from the {@link SmsConversationStore} (in memory by default),
 * the LLM runs on instructions + history + the new text (tools included: the service's
 * `functions` are offered and run as in a call), the text of its last response is sent as the
 * reply (cut to 1600 characters), and the exchange is appended to the history. Messages of one
 * conversation are answered one at a time, in arrival order, so each reply sees the ones before it;
 * different conversations run side by side.
 *
 * A text that is only an opt-out or opt-in keyword (STOP, START, HELP, ...) gets no reply: the
 * carrier answers those itself and blocks further texts to someone who opted out (Twilio:
 * https://help.twilio.com/articles/223134027; Telnyx: https://developers.telnyx.com/api/errors/40300).
 *
 * The LLM service is created per reply by `createLLM` (a processor runs in one pipeline at a
 * time); pass the same `functions` registry to each to share tools.
 */
import {
  type Clock,
  InvalidOptionError,
  LLMContext,
  LLMContextFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  type LLMMessage,
  type LLMService,
  LLMTextFrame,
  type Logger,
  Pipeline,
  PipelineTask,
  realClock,
} from '@voxline/core';
import { MAX_MESSAGE_TEXT_LENGTH } from './message-request-check.js';
import type { MessagingClient } from './messaging-client.js';
import { MessagingError } from './messaging-error.js';
import type { InboundMessage } from './messaging-events.js';
import {
  InMemorySmsConversationStore,
  type SmsConversationKey,
  type SmsConversationStore,
  smsConversationId,
} from './sms-conversation-store.js';

/**
 * Texts that are carrier keywords, not conversation: Twilio's default opt-out, opt-in and help
 * keywords (https://help.twilio.com/articles/223134027), which include Telnyx's STOP, END and QUIT.
 */
export const SMS_CARRIER_KEYWORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'START',
  'YES',
  'UNSTOP',
  'HELP',
  'INFO',
];

/** Options of {@link SmsAgent}. */
export interface SmsAgentOptions {
  /** Sends the replies. */
  messaging: MessagingClient;
  /** A new LLM service for one reply; see the module comment. */
  createLLM: () => LLMService;
  /** The system message: who the agent is and how it writes (short, plain text). */
  instructions: string;
  /** The history; default an {@link InMemorySmsConversationStore}. */
  store?: SmsConversationStore;
  /** Texts that get no reply (compared trimmed and upper-cased); default {@link SMS_CARRIER_KEYWORDS}. */
  ignoredKeywords?: readonly string[];
  /** Logger for failures; phone numbers and texts are never logged. */
  logger?: Logger;
  /** Clock of the LLM pipelines; default the real clock. */
  clock?: Clock;
}

/** What became of one inbound message. */
export type SmsAgentOutcome =
  | { status: 'replied'; reply: string; messageId: string }
  | { status: 'ignored'; reason: 'carrier-keyword' | 'empty-message' }
  | { status: 'no-reply'; reason: 'llm-failed' | 'empty-reply'; detail?: string }
  | { status: 'not-sent'; reply: string; error: MessagingError };

/** See the module comment. */
export class SmsAgent {
  readonly #messaging: MessagingClient;
  readonly #createLLM: () => LLMService;
  readonly #instructions: string;
  readonly #store: SmsConversationStore;
  readonly #ignored: ReadonlySet<string>;
  readonly #logger: Logger | undefined;
  readonly #clock: Clock;
  /** The last piece of work per conversation id: the next message waits for it. */
  readonly #queues = new Map<string, Promise<unknown>>();

  /** @throws {InvalidOptionError} without `messaging`, `createLLM` or `instructions`. */
  constructor(options: SmsAgentOptions) {
    if (options?.messaging === undefined)
      throw new InvalidOptionError('messaging', 'SmsAgent: messaging is required');
    if (typeof options.createLLM !== 'function') {
      throw new InvalidOptionError(
        'createLLM',
        'SmsAgent: createLLM must be a function returning an LLM service',
      );
    }
    if (typeof options.instructions !== 'string' || options.instructions.trim() === '') {
      throw new InvalidOptionError(
        'instructions',
        'SmsAgent: instructions (the system message) are required',
      );
    }
    this.#messaging = options.messaging;
    this.#createLLM = options.createLLM;
    this.#instructions = options.instructions;
    this.#store = options.store ?? new InMemorySmsConversationStore();
    this.#ignored = new Set(
      (options.ignoredKeywords ?? SMS_CARRIER_KEYWORDS).map((word) => word.toUpperCase()),
    );
    this.#logger = options.logger;
    this.#clock = options.clock ?? realClock;
  }

  /**
   * Answers one inbound message (after the ones of the same conversation still in progress).
   * Never throws for the LLM's or the carrier's failures: they are the outcome. A failing store
   * rejects.
   */
  handle(message: InboundMessage): Promise<SmsAgentOutcome> {
    const key: SmsConversationKey = { ours: message.to, theirs: message.from };
    const id = smsConversationId(key);
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#answer(key, message));
    this.#queues.set(id, next);
    const forget = () => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    };
    next.then(forget, forget);
    return next;
  }

  async #answer(key: SmsConversationKey, message: InboundMessage): Promise<SmsAgentOutcome> {
    const text = message.text.trim();
    if (text === '') return { status: 'ignored', reason: 'empty-message' };
    if (this.#ignored.has(text.toUpperCase())) return { status: 'ignored', reason: 'carrier-keyword' };
    const history = await this.#store.load(key);
    const context = new LLMContext([
      { role: 'system', content: this.#instructions },
      ...history,
      { role: 'user', content: text },
    ]);
    const run = await this.#runLLM(context);
    const exchange: LLMMessage[] = context.messages.slice(1 + history.length);
    if (run.failure !== undefined || run.reply === '') {
      await this.#store.append(key, exchange.slice(0, 1));
      if (run.failure !== undefined) {
        this.#logger?.warn(
          { carrier: message.carrier, messageId: message.id, err: run.failure },
          'SMS reply failed',
        );
        return { status: 'no-reply', reason: 'llm-failed', detail: run.failure.message };
      }
      return { status: 'no-reply', reason: 'empty-reply' };
    }
    const reply = run.reply.slice(0, MAX_MESSAGE_TEXT_LENGTH);
    try {
      const sent = await this.#messaging.sendSms({ to: message.from, from: message.to, text: reply });
      await this.#store.append(key, [...exchange, { role: 'assistant', content: reply }]);
      return { status: 'replied', reply, messageId: sent.id };
    } catch (error) {
      if (!(error instanceof MessagingError)) throw error;
      await this.#store.append(key, exchange.slice(0, 1));
      return { status: 'not-sent', reply, error };
    }
  }

  /** Runs the LLM on `context` in a pipeline of its own; the reply is its last response's text. */
  async #runLLM(context: LLMContext): Promise<{ reply: string; failure?: Error }> {
    const task = new PipelineTask(new Pipeline([this.#createLLM()]), {
      clock: this.#clock,
      ...(this.#logger !== undefined ? { logger: this.#logger } : {}),
      logConversation: false,
    });
    let reply = '';
    let response = '';
    let failure: Error | undefined;
    task.on('frame', (frame) => {
      if (frame instanceof LLMFullResponseStartFrame) response = '';
      else if (frame instanceof LLMTextFrame) response += frame.text;
      else if (frame instanceof LLMFullResponseEndFrame && response.trim() !== '') reply = response.trim();
    });
    task.on('error', (frame) => {
      failure = frame.error;
    });
    task.queueFrame(new LLMContextFrame(context));
    task.stopWhenDone();
    await task.run();
    return failure !== undefined ? { reply, failure } : { reply };
  }
}
