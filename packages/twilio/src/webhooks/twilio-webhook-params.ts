/**
 * Parsing Twilio voice webhooks: the voice URL request and the callbacks Voxline asks for (call
 * status, asynchronous answering-machine detection, media stream status, recording status). All
 * are `application/x-www-form-urlencoded` POSTs (or GET with the same parameters in the query)
 * with PascalCase names (https://www.twilio.com/docs/voice/twiml#request-parameters).
 *
 * Which callback a request is, is told by its parameters: `StreamEvent` (stream status),
 * `RecordingStatus` (recording status), `CallStatus` (call status; may carry `AnsweredBy` with
 * synchronous detection), or `AnsweredBy` alone (asynchronous detection).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { TwilioParams } from './twilio-signature.js';

/** Decoded form (or query) parameters; a name given several times maps to all its values. */
export function parseTwilioForm(text: string): TwilioParams {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

/** The parameters of a request: the query for GET, the form body for POST. */
export function twilioParamsOf(request: FastifyRequest, rawBody: Buffer): TwilioParams {
  if (request.method === 'GET') {
    const queryStart = request.url.indexOf('?');
    return queryStart === -1 ? {} : parseTwilioForm(request.url.slice(queryStart + 1));
  }
  const type = String(request.headers['content-type'] ?? '');
  return type.startsWith('application/x-www-form-urlencoded')
    ? parseTwilioForm(rawBody.toString('utf8'))
    : {};
}

/** The first value of each parameter (Twilio's callbacks do not repeat names). */
function singleValues(params: TwilioParams): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : (value[0] ?? ''),
    ]),
  );
}

const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'not a call SID');
const accountSid = z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'not an account SID');

/** Parameters of the voice URL request. */
export const twilioVoiceParamsSchema = z.looseObject({
  CallSid: callSid,
  AccountSid: accountSid,
  From: z.string().optional(),
  To: z.string().optional(),
  CallStatus: z.string().optional(),
  Direction: z.string().optional(),
});

/** The voice URL request. */
export type TwilioVoiceParams = z.infer<typeof twilioVoiceParamsSchema>;

const callStatusSchema = z.looseObject({
  CallSid: callSid,
  AccountSid: accountSid,
  CallStatus: z.string().min(1),
  Direction: z.string().optional(),
  From: z.string().optional(),
  To: z.string().optional(),
  CallDuration: z.string().optional(),
  SequenceNumber: z.string().optional(),
  Timestamp: z.string().optional(),
  AnsweredBy: z.string().optional(),
});

const machineDetectionSchema = z.looseObject({
  CallSid: callSid,
  AccountSid: accountSid,
  AnsweredBy: z.string().min(1),
  MachineDetectionDuration: z.string().optional(),
});

const streamStatusSchema = z.looseObject({
  CallSid: callSid,
  AccountSid: accountSid,
  StreamSid: z.string().min(1),
  StreamEvent: z.enum(['stream-started', 'stream-stopped', 'stream-error']),
  StreamName: z.string().optional(),
  StreamError: z.string().optional(),
  Timestamp: z.string().optional(),
});

const recordingStatusSchema = z.looseObject({
  CallSid: callSid,
  AccountSid: accountSid,
  RecordingSid: z.string().regex(/^RE[0-9a-fA-F]{32}$/, 'not a recording SID'),
  RecordingStatus: z.string().min(1),
  RecordingUrl: z.string().url().optional(),
  RecordingChannels: z.string().optional(),
  RecordingDuration: z.string().optional(),
  RecordingStartTime: z.string().optional(),
  ErrorCode: z.string().optional(),
});

/** One status callback, parsed. */
export type TwilioCallback =
  | { kind: 'call-status'; params: z.infer<typeof callStatusSchema> }
  | { kind: 'machine-detection'; params: z.infer<typeof machineDetectionSchema> }
  | { kind: 'stream'; params: z.infer<typeof streamStatusSchema> }
  | { kind: 'recording'; params: z.infer<typeof recordingStatusSchema> };

/** What {@link parseTwilioCallback} made of a request. */
export type TwilioCallbackParseResult =
  | { kind: 'callback'; callback: TwilioCallback }
  | { kind: 'unknown' }
  | { kind: 'malformed'; detail: string };

/** Parses a status callback's parameters; see the module comment for how the kind is told. */
export function parseTwilioCallback(params: TwilioParams): TwilioCallbackParseResult {
  const values = singleValues(params);
  const parse = <Kind extends TwilioCallback['kind']>(
    kind: Kind,
    schema: z.ZodType<Extract<TwilioCallback, { kind: Kind }>['params']>,
  ): TwilioCallbackParseResult => {
    const result = schema.safeParse(values);
    if (!result.success) return { kind: 'malformed', detail: `${kind}: ${describeIssues(result.error)}` };
    return { kind: 'callback', callback: { kind, params: result.data } as TwilioCallback };
  };
  if ('StreamEvent' in values) return parse('stream', streamStatusSchema);
  if ('RecordingStatus' in values) return parse('recording', recordingStatusSchema);
  if ('CallStatus' in values) return parse('call-status', callStatusSchema);
  if ('AnsweredBy' in values) return parse('machine-detection', machineDetectionSchema);
  return { kind: 'unknown' };
}

/** Parses the voice URL request's parameters. */
export function parseTwilioVoiceRequest(
  params: TwilioParams,
): { kind: 'voice'; params: TwilioVoiceParams } | { kind: 'malformed'; detail: string } {
  const result = twilioVoiceParamsSchema.safeParse(singleValues(params));
  return result.success
    ? { kind: 'voice', params: result.data }
    : { kind: 'malformed', detail: describeIssues(result.error) };
}

/**
 * The de-duplication key of a callback: Twilio's `I-Twilio-Idempotency-Token` header when present
 * (the same for every retry of one delivery), else the fields that identify the change.
 */
export function twilioCallbackKey(callback: TwilioCallback, idempotencyToken: string | undefined): string {
  if (idempotencyToken) return `token:${idempotencyToken}`;
  const p = callback.params;
  switch (callback.kind) {
    case 'call-status':
      return `status:${p.CallSid}:${callback.params.CallStatus}:${callback.params.SequenceNumber ?? ''}`;
    case 'machine-detection':
      return `amd:${p.CallSid}:${callback.params.AnsweredBy}`;
    case 'stream':
      return `stream:${p.CallSid}:${callback.params.StreamSid}:${callback.params.StreamEvent}`;
    case 'recording':
      return `recording:${p.CallSid}:${callback.params.RecordingSid}:${callback.params.RecordingStatus}`;
  }
}

/** Paths and messages of what failed validation, never values. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
