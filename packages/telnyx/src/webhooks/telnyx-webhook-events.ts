/**
 * Parsing Telnyx Call Control webhooks.
 *
 * Every webhook is an envelope (telnyx-node `src/resources/webhooks.ts`;
 * https://developers.telnyx.com/docs/voice/programmable-voice/voice-api-webhooks):
 *
 * ```json
 * {"data":{"event_type":"call.initiated","id":"b97d...","occurred_at":"2025-11-23T03:30:00.076316Z",
 *          "payload":{"call_control_id":"v3:...","direction":"incoming","from":"+1...",...},
 *          "record_type":"event"},
 *  "meta":{"attempt":1,"delivered_to":"https://..."}}
 * ```
 *
 * - `data.id` identifies the delivery's event; retries of one event carry the same id.
 * - Event types are dotted (`call.initiated`); some integrations and older docs spell them with
 *   underscores (`call_initiated`), so both are accepted. The type is looked up after mapping `_` to
 *   `.`, so names that contain an underscore themselves (`call.ai_gather.ended`) still match.
 * - Watch the names: `call.recording.saved` (not `recording.saved`) and `streaming.started` (no
 *   `call.` prefix).
 * - `call.recording.saved` carries no `call_control_id` in Telnyx's documented payload; the call is
 *   found through our `client_state` (see `client-state.ts`).
 */
import { z } from 'zod';

/** The envelope's schema. `payload` is checked per event type by {@link parseTelnyxWebhook}. */
export const telnyxWebhookEnvelopeSchema = z.object({
  data: z.object({
    event_type: z.string().min(1),
    id: z.string().min(1),
    occurred_at: z.string().optional(),
    payload: z.record(z.string(), z.unknown()),
    record_type: z.string().optional(),
  }),
  meta: z.looseObject({ attempt: z.number().optional(), delivered_to: z.string().optional() }).optional(),
});

/** The parsed envelope. */
export type TelnyxWebhookEnvelope = z.infer<typeof telnyxWebhookEnvelopeSchema>;

const clientState = z.string().nullish();

/** Fields of every call event payload. */
const callPayload = z.looseObject({
  call_control_id: z.string().min(1),
  call_leg_id: z.string().optional(),
  call_session_id: z.string().optional(),
  connection_id: z.string().optional(),
  client_state: clientState,
  from: z.string().optional(),
  to: z.string().optional(),
});

const recordingUrls = z.looseObject({ wav: z.string().nullish(), mp3: z.string().nullish() }).nullish();

/** Payload schemas of the events the call flow acts on, by canonical (dotted) type. */
const payloadSchemas = {
  'call.initiated': callPayload.extend({ direction: z.enum(['incoming', 'outgoing']) }),
  'call.answered': callPayload,
  'call.hangup': callPayload.extend({
    hangup_cause: z.string().optional(),
    hangup_source: z.string().optional(),
    sip_hangup_cause: z.string().optional(),
  }),
  'call.machine.detection.ended': callPayload.extend({ result: z.string() }),
  'call.machine.premium.detection.ended': callPayload.extend({ result: z.string() }),
  'call.machine.greeting.ended': callPayload.extend({ result: z.string() }),
  'call.machine.premium.greeting.ended': callPayload.extend({ result: z.string() }),
  'call.speak.ended': callPayload.extend({ status: z.string().optional() }),
  'call.dtmf.received': callPayload.extend({ digit: z.string().min(1) }),
  'streaming.started': callPayload.extend({ stream_id: z.string().optional() }),
  'streaming.stopped': callPayload.extend({ stream_id: z.string().optional() }),
  'streaming.failed': callPayload.extend({
    stream_id: z.string().optional(),
    failure_reason: z.string().optional(),
  }),
  'call.recording.saved': z.looseObject({
    call_control_id: z.string().optional(),
    call_leg_id: z.string().optional(),
    call_session_id: z.string().optional(),
    client_state: clientState,
    channels: z.enum(['single', 'dual']).optional(),
    recording_id: z.string().optional(),
    recording_urls: recordingUrls,
    public_recording_urls: recordingUrls,
    recording_started_at: z.string().optional(),
    recording_ended_at: z.string().optional(),
  }),
  'call.recording.error': callPayload.extend({ reason: z.string().optional() }),
} as const;

type PayloadSchemas = typeof payloadSchemas;

/** Event types the call flow acts on. */
export type TelnyxHandledEventType = keyof PayloadSchemas;

/**
 * Telnyx event types that are known but not acted on (acknowledged and logged at debug level). From
 * the telnyx-node webhook union (`src/resources/webhooks.ts`).
 */
const KNOWN_UNHANDLED_TYPES = [
  'call.bridged',
  'call.gather.ended',
  'call.playback.started',
  'call.playback.ended',
  'call.speak.started',
  'call.recording.transcription.saved',
  'call.fork.started',
  'call.fork.stopped',
  'call.transcription',
  'call.cost',
  'call.enqueued',
  'call.dequeued',
  'call.hold',
  'call.unhold',
  'call.refer.started',
  'call.refer.completed',
  'call.refer.failed',
  'call.conversation.ended',
  'call.ai_gather.ended',
  'call.ai_gather.partial_results',
  'call.ai_gather.message_history_updated',
  'call.siprec.started',
  'call.siprec.stopped',
  'call.siprec.failed',
] as const;

/** Mapping key of an event type: `_` and `.` are the same. */
function typeKey(type: string): string {
  return type.replace(/_/g, '.');
}

const canonicalTypes = new Map<string, string>(
  [...Object.keys(payloadSchemas), ...KNOWN_UNHANDLED_TYPES].map((type) => [typeKey(type), type]),
);

/**
 * The canonical dotted name of an event type (`call_initiated` → `call.initiated`), or undefined
 * for a type Voxline does not know.
 */
export function normalizeTelnyxEventType(type: string): string | undefined {
  return canonicalTypes.get(typeKey(type));
}

/** One handled event, parsed: its canonical type with that type's payload. */
export type TelnyxWebhookEvent = {
  [Type in TelnyxHandledEventType]: {
    /** `data.id`: the same for every delivery of this event. */
    id: string;
    type: Type;
    occurredAt: string | undefined;
    /** `meta.attempt`: 1 for the first delivery. */
    attempt: number | undefined;
    payload: z.infer<PayloadSchemas[Type]>;
  };
}[TelnyxHandledEventType];

/** What {@link parseTelnyxWebhook} made of a body. */
export type TelnyxWebhookParseResult =
  | { kind: 'event'; event: TelnyxWebhookEvent }
  /** A valid envelope of a type the call flow does not act on (`type` as received). */
  | { kind: 'ignored'; id: string; type: string; known: boolean }
  | { kind: 'malformed'; detail: string };

/** Parses a webhook body (raw bytes as received, already verified). */
export function parseTelnyxWebhook(rawBody: Buffer | string): TelnyxWebhookParseResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { kind: 'malformed', detail: 'the body is not JSON' };
  }
  const envelope = telnyxWebhookEnvelopeSchema.safeParse(json);
  if (!envelope.success) return { kind: 'malformed', detail: describeIssues(envelope.error) };
  const data = envelope.data.data;
  const type = normalizeTelnyxEventType(data.event_type);
  if (type === undefined || !(type in payloadSchemas)) {
    return { kind: 'ignored', id: data.id, type: data.event_type, known: type !== undefined };
  }
  const schema = payloadSchemas[type as TelnyxHandledEventType];
  const payload = schema.safeParse(data.payload);
  if (!payload.success)
    return { kind: 'malformed', detail: `${type} payload: ${describeIssues(payload.error)}` };
  return {
    kind: 'event',
    event: {
      id: data.id,
      type,
      occurredAt: data.occurred_at,
      attempt: envelope.data.meta?.attempt,
      payload: payload.data,
    } as TelnyxWebhookEvent,
  };
}

/** A short description of what failed validation: paths and messages, never values. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
