/**
 * Parsing Telnyx messaging webhooks into {@link InboundMessage} and {@link MessageStatusEvent}.
 *
 * Every webhook is `{"data":{"record_type":"event","id","event_type","occurred_at","payload"},"meta":{"attempt","delivered_to"}}`
 * (https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks). Event types acted on:
 *
 * - `message.received`: an inbound SMS/MMS; payload `id`, `from.phone_number`,
 *   `to[].phone_number`, `text`, `media[].url`, `received_at`
 *   (https://developers.telnyx.com/api-reference/callbacks/inbound-message);
 * - `message.sent` and `message.finalized`: an outbound message was handed on, or reached its
 *   final state; payload `id`, `to[].phone_number`, `to[].status` (`queued`, `sending`, `sent`,
 *   `delivered`, `sending_failed`, `delivery_failed`, `delivery_unconfirmed`, `expired`) and
 *   `errors[].code`/`title` (https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks).
 *
 * Schemas check what is read and let unknown fields through.
 */
import type { InboundMessage, MessageDeliveryStatus, MessageStatusEvent } from '@voxline/call-control';
import { z } from 'zod';

const envelope = z.looseObject({
  data: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    payload: z.unknown().optional(),
  }),
  meta: z.looseObject({ attempt: z.number().optional() }).optional(),
});

const inboundPayload = z.looseObject({
  id: z.string().min(1),
  from: z.looseObject({ phone_number: z.string().min(1) }),
  to: z.array(z.looseObject({ phone_number: z.string().min(1) })).min(1),
  text: z.string().nullable().optional(),
  media: z
    .array(z.looseObject({ url: z.string().nullable().optional() }))
    .nullable()
    .optional(),
  received_at: z.string().nullable().optional(),
});

const statusPayload = z.looseObject({
  id: z.string().min(1),
  to: z.array(z.looseObject({ phone_number: z.string().optional(), status: z.string().optional() })).min(1),
  errors: z
    .array(
      z.looseObject({ code: z.union([z.string(), z.number()]).optional(), title: z.string().optional() }),
    )
    .nullable()
    .optional(),
});

/** The messaging event types Voxline acts on. */
export const TELNYX_MESSAGING_EVENT_TYPES = [
  'message.received',
  'message.sent',
  'message.finalized',
] as const;

/** What a messaging webhook body is. */
export type TelnyxMessagingWebhook =
  | { kind: 'message'; eventId: string; eventType: 'message.received'; message: InboundMessage }
  | {
      kind: 'status';
      eventId: string;
      eventType: 'message.sent' | 'message.finalized';
      status: MessageStatusEvent;
    }
  | { kind: 'ignored'; eventId: string; eventType: string }
  | { kind: 'malformed'; detail: string };

/** Normalises a Telnyx recipient status; see the module comment. */
export function telnyxDeliveryStatus(status: string | undefined): MessageDeliveryStatus {
  switch (status) {
    case 'queued':
    case 'sending':
      return 'queued';
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'delivery_failed':
    case 'expired':
      return 'undelivered';
    case 'sending_failed':
      return 'failed';
    default:
      return 'unknown';
  }
}

/** Parses a verified webhook body (raw bytes); never throws. */
export function parseTelnyxMessagingWebhook(rawBody: Buffer | string): TelnyxMessagingWebhook {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { kind: 'malformed', detail: 'the body is not JSON' };
  }
  const outer = envelope.safeParse(json);
  if (!outer.success) return { kind: 'malformed', detail: issuePaths(outer.error) };
  const { id: eventId, event_type: eventType, payload } = outer.data.data;
  if (eventType === 'message.received') {
    const parsed = inboundPayload.safeParse(payload);
    if (!parsed.success) return { kind: 'malformed', detail: issuePaths(parsed.error, 'data.payload') };
    const p = parsed.data;
    return {
      kind: 'message',
      eventId,
      eventType,
      message: {
        carrier: 'telnyx',
        id: p.id,
        from: p.from.phone_number,
        to: p.to[0]?.phone_number ?? '',
        text: p.text ?? '',
        mediaUrls: (p.media ?? []).flatMap((media) => (typeof media.url === 'string' ? [media.url] : [])),
        ...(typeof p.received_at === 'string' ? { receivedAt: p.received_at } : {}),
      },
    };
  }
  if (eventType === 'message.sent' || eventType === 'message.finalized') {
    const parsed = statusPayload.safeParse(payload);
    if (!parsed.success) return { kind: 'malformed', detail: issuePaths(parsed.error, 'data.payload') };
    const p = parsed.data;
    const recipient = p.to[0];
    const error = p.errors?.[0];
    return {
      kind: 'status',
      eventId,
      eventType,
      status: {
        carrier: 'telnyx',
        messageId: p.id,
        status: telnyxDeliveryStatus(recipient?.status),
        carrierStatus: recipient?.status ?? '',
        ...(recipient?.phone_number !== undefined ? { to: recipient.phone_number } : {}),
        ...(error?.code !== undefined ? { errorCode: String(error.code) } : {}),
        ...(error?.title !== undefined ? { errorTitle: error.title } : {}),
      },
    };
  }
  return { kind: 'ignored', eventId, eventType };
}

/** Paths and messages of what failed validation, never values (they may be phone numbers). */
function issuePaths(error: z.ZodError, prefix?: string): string {
  return error.issues
    .map((issue) => `${[prefix, ...issue.path.map(String)].filter(Boolean).join('.')}: ${issue.message}`)
    .join('; ');
}
