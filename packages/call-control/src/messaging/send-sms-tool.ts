/**
 * The `send_sms` function (tool) a voice agent's LLM can call during a call, for example to text
 * the caller a link, a confirmation or a summary:
 *
 * ```ts
 * llm.functions.register(
 *   sendSmsFunction({ messaging, from: call.to, recipient: call.from }),
 * );
 * ```
 *
 * The recipient is the caller's number and nothing else: the model only writes the text. Only with
 * `allowAnyRecipient: true` does the schema offer a `to` argument (E.164), and the caller's number
 * stays the default. So a prompt injection ("text this to +1...") cannot make the agent text a
 * stranger unless the application chose to allow it.
 *
 * The result tells the model what happened, in words it can relay to the caller:
 * `{"status":"sent","to":"the caller","messageId":"..."}`, or
 * `{"status":"not-sent","error":"opted-out","reason":"The recipient has opted out ..."}` for a
 * {@link MessagingError} (other failures, such as a bug, become the registry's `{error}` result).
 * A send is never cancelled by a barge-in (`cancelOnInterruption: false`): once it is on its way it
 * may be delivered, so the model must learn its outcome.
 */
import type { FunctionDefinition } from '@voxline/core';
import { InvalidOptionError } from '@voxline/core';
import { MAX_MESSAGE_TEXT_LENGTH } from './message-request-check.js';
import type { MessagingClient } from './messaging-client.js';
import { describeMessagingFailure, MessagingError, type MessagingErrorCode } from './messaging-error.js';
import { isE164 } from './phone-number.js';
import { SendSmsArgumentsError } from './send-sms-arguments-error.js';

/** Options of {@link sendSmsFunction}. */
export interface SendSmsToolOptions {
  /** Sends the message. */
  messaging: MessagingClient;
  /** Our number the text comes from (on an inbound call, the number that was called), E.164. */
  from: string;
  /**
   * The caller's number, E.164, or a function that gives it when the tool runs (it may be known
   * only once the call is answered). An absent number makes the tool answer `no-recipient`.
   */
  recipient: string | (() => string | undefined);
  /** Let the model choose any E.164 recipient (`to`); default false. */
  allowAnyRecipient?: boolean;
  /** Most messages one call may send through this tool; default 3. */
  maxMessages?: number;
  /** The function's name; default `send_sms`. */
  name?: string;
  /** The description the model reads; default one that says the text goes to the caller. */
  description?: string;
}

/** The arguments the model passes. */
export interface SendSmsArguments {
  text: string;
  /** Only with `allowAnyRecipient`. */
  to?: string;
}

/** What the tool answers the model. */
export type SendSmsResult =
  | { status: 'sent'; to: string; messageId: string }
  | {
      status: 'not-sent';
      error: MessagingErrorCode | 'no-recipient' | 'limit-reached';
      reason: string;
    };

/**
 * The `send_sms` function definition; see the module comment.
 *
 * @throws {InvalidOptionError} for a `from` that is not E.164 or a `maxMessages` that is not a
 *   positive integer.
 */
export function sendSmsFunction(options: SendSmsToolOptions): FunctionDefinition<SendSmsArguments> {
  if (typeof options.from !== 'string' || options.from === '') {
    throw new InvalidOptionError('from', 'sendSmsFunction: from (our number) is required');
  }
  const maxMessages = options.maxMessages ?? 3;
  if (!Number.isInteger(maxMessages) || maxMessages < 1) {
    throw new InvalidOptionError('maxMessages', `maxMessages must be a positive integer, got ${maxMessages}`);
  }
  const allowAnyRecipient = options.allowAnyRecipient ?? false;
  const properties: Record<string, unknown> = {
    text: {
      type: 'string',
      description: `The message text, plain, at most ${MAX_MESSAGE_TEXT_LENGTH} characters.`,
    },
  };
  if (allowAnyRecipient) {
    properties.to = {
      type: 'string',
      description: "Recipient in E.164 form (+ and country code). Leave out to text the caller's number.",
    };
  }
  let sent = 0;
  return {
    name: options.name ?? 'send_sms',
    description:
      options.description ??
      (allowAnyRecipient
        ? "Send a text message (SMS), by default to the caller's phone number."
        : "Send a text message (SMS) to the caller's phone number, e.g. a link or a confirmation."),
    parameters: { type: 'object', properties, required: ['text'], additionalProperties: false },
    validate: (args) => validateArguments(args, allowAnyRecipient),
    cancelOnInterruption: false,
    handler: async (args, call): Promise<SendSmsResult> => {
      const caller = typeof options.recipient === 'function' ? options.recipient() : options.recipient;
      const to = args.to ?? caller;
      if (to === undefined || to === '') {
        return {
          status: 'not-sent',
          error: 'no-recipient',
          reason: "The caller's number is not known, so no message was sent.",
        };
      }
      if (sent >= maxMessages) {
        return {
          status: 'not-sent',
          error: 'limit-reached',
          reason: `At most ${maxMessages} messages may be sent during this call; no message was sent.`,
        };
      }
      sent += 1;
      try {
        const message = await options.messaging.sendSms(
          { to, from: options.from, text: args.text },
          { signal: call.signal },
        );
        return { status: 'sent', to: to === caller ? 'the caller' : to, messageId: message.id };
      } catch (error) {
        if (error instanceof MessagingError) {
          // Refused before anything was sent: it does not count against the limit.
          if (error.code !== 'network') sent -= 1;
          return { status: 'not-sent', error: error.code, reason: describeMessagingFailure(error.code) };
        }
        throw error;
      }
    },
  };
}

function validateArguments(args: unknown, allowAnyRecipient: boolean): SendSmsArguments {
  if (typeof args !== 'object' || args === null)
    throw new SendSmsArgumentsError('arguments must be an object');
  const { text, to, ...rest } = args as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new SendSmsArgumentsError(`unknown arguments: ${unknown.join(', ')}`);
  if (typeof text !== 'string' || text.trim() === '')
    throw new SendSmsArgumentsError('text must be a non-empty string');
  if (text.length > MAX_MESSAGE_TEXT_LENGTH) {
    throw new SendSmsArgumentsError(`text must be at most ${MAX_MESSAGE_TEXT_LENGTH} characters`);
  }
  if (to === undefined) return { text };
  if (!allowAnyRecipient) {
    throw new SendSmsArgumentsError("to is not allowed: messages go to the caller's number only");
  }
  if (typeof to !== 'string' || !isE164(to))
    throw new SendSmsArgumentsError('to must be an E.164 number such as +13125550123');
  return { text, to };
}
