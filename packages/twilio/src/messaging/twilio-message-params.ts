/**
 * Parsing Twilio's messaging webhooks into {@link InboundMessage} and {@link MessageStatusEvent}.
 * Both are `application/x-www-form-urlencoded` POSTs with PascalCase names, and Twilio adds
 * parameters without notice, so unknown ones are let through.
 *
 * - Incoming message (the number's "A message comes in" URL;
 *   https://www.twilio.com/docs/messaging/guides/webhook-request): `MessageSid`, `AccountSid`,
 *   `From`, `To`, `Body`, `NumMedia`, and `MediaUrl0`…`MediaUrl{NumMedia-1}`.
 * - Status callback (the `StatusCallback` of a sent message;
 *   https://www.twilio.com/docs/messaging/guides/track-outbound-message-status): `MessageSid`,
 *   `MessageStatus` (`queued`, `sending`, `sent`, `delivered`, `undelivered`, `failed`, `read`, …),
 *   `ErrorCode` on failures, `To`, `From`.
 */
import type { InboundMessage, MessageDeliveryStatus, MessageStatusEvent } from '@voxline/call-control';
import { z } from 'zod';
import type { TwilioParams } from '../webhooks/twilio-signature.js';

const messageSid = z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'not a message SID');

const incomingSchema = z.looseObject({
  MessageSid: messageSid,
  From: z.string().min(1),
  To: z.string().min(1),
  Body: z.string().optional(),
  NumMedia: z
    .string()
    .regex(/^\d{1,2}$/)
    .optional(),
});

const statusSchema = z.looseObject({
  MessageSid: messageSid,
  MessageStatus: z.string().min(1),
  ErrorCode: z.string().optional(),
  To: z.string().optional(),
});

/** What a form body is. */
export type TwilioMessagingParse<T> = { kind: 'ok'; value: T } | { kind: 'malformed'; detail: string };

/** Normalises Twilio's `MessageStatus`; see {@link MessageDeliveryStatus}. */
export function twilioDeliveryStatus(status: string): MessageDeliveryStatus {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** Parses the parameters of an incoming-message webhook; never throws. */
export function parseTwilioIncomingMessage(params: TwilioParams): TwilioMessagingParse<InboundMessage> {
  const values = singleValues(params);
  const parsed = incomingSchema.safeParse(values);
  if (!parsed.success) return { kind: 'malformed', detail: issuePaths(parsed.error) };
  const p = parsed.data;
  const mediaUrls: string[] = [];
  for (let index = 0; index < Number(p.NumMedia ?? '0'); index++) {
    const url = values[`MediaUrl${index}`];
    if (url !== undefined && url !== '') mediaUrls.push(url);
  }
  return {
    kind: 'ok',
    value: { carrier: 'twilio', id: p.MessageSid, from: p.From, to: p.To, text: p.Body ?? '', mediaUrls },
  };
}

/** Parses the parameters of a message status callback; never throws. */
export function parseTwilioMessageStatus(params: TwilioParams): TwilioMessagingParse<MessageStatusEvent> {
  const parsed = statusSchema.safeParse(singleValues(params));
  if (!parsed.success) return { kind: 'malformed', detail: issuePaths(parsed.error) };
  const p = parsed.data;
  return {
    kind: 'ok',
    value: {
      carrier: 'twilio',
      messageId: p.MessageSid,
      status: twilioDeliveryStatus(p.MessageStatus),
      carrierStatus: p.MessageStatus,
      ...(p.To !== undefined ? { to: p.To } : {}),
      ...(p.ErrorCode !== undefined && p.ErrorCode !== '' ? { errorCode: p.ErrorCode } : {}),
    },
  };
}

/** The first value of each parameter (messaging webhooks do not repeat names). */
function singleValues(params: TwilioParams): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : (value[0] ?? ''),
    ]),
  );
}

/** Paths and messages of what failed validation, never values (they may be phone numbers). */
function issuePaths(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`).join('; ');
}
