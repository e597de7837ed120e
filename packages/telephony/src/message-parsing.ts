/**
 * Reading carrier messages: JSON text to an object, a schema check per event, and the cheap checks
 * the media hot path does by hand instead of a schema. Every failure is a typed
 * {@link @voxline/telephony!SerializerError} whose message says what was wrong (never the payload itself).
 */
import { type ZodType, z } from 'zod';
import { SerializerError } from './telephony-serializer.js';

/** A parsed carrier message: a JSON object with a string `event`. */
export interface CarrierMessage {
  readonly event: string;
  readonly [field: string]: unknown;
}

/**
 * Parses one WebSocket text message.
 *
 * @param text - the message as received.
 * @param maxLength - longest message accepted, in UTF-16 code units; checked before parsing so a
 *   hostile peer cannot make us parse megabytes.
 * @throws {@link @voxline/telephony!SerializerError} `payload-too-large` above `maxLength`; `malformed-json` when the
 *   text is not JSON or not a JSON object; `invalid-message` when `event` is not a string.
 */
export function parseCarrierMessage(text: string, maxLength: number): CarrierMessage {
  if (text.length > maxLength) {
    throw new SerializerError(
      'payload-too-large',
      `message of ${text.length} characters exceeds the ${maxLength} limit`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SerializerError('malformed-json', `message is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SerializerError('malformed-json', 'message is JSON but not an object');
  }
  if (typeof (value as { event?: unknown }).event !== 'string') {
    throw new SerializerError('invalid-message', 'message has no string `event` field');
  }
  return value as CarrierMessage;
}

/**
 * Checks a message against its event's schema.
 *
 * @returns the parsed value (with the schema's transforms applied).
 * @throws {@link @voxline/telephony!SerializerError} `invalid-message`, naming the event and every failing field.
 */
export function validateMessage<T>(schema: ZodType<T>, message: CarrierMessage): T {
  const result = schema.safeParse(message);
  if (result.success) return result.data;
  throw new SerializerError(
    'invalid-message',
    `invalid ${message.event} message: ${z.prettifyError(result.error).replaceAll('\n', '; ')}`,
  );
}

/**
 * Parses a decimal counter sent as a string (`sequence_number`, `chunk`): digits only, at most 15
 * of them (exact in a double).
 *
 * @returns the number, or -1 when `text` is not such a string.
 */
export function parseDecimalCounter(text: string): number {
  const length = text.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * A short, safe description of a value a peer sent, for error messages and logs: a string as JSON
 * (its first `maxLength` characters), a number, boolean or null as JSON, anything else as its kind
 * (`array`, `object`). Never serializes a peer's arrays or objects: `JSON.stringify` of a deeply
 * nested value throws a `RangeError` (call stack exceeded), and a huge one costs its whole size.
 *
 * @param value - any value from a parsed carrier message.
 * @param maxLength - characters of a string kept; default 64.
 */
export function describePeerValue(value: unknown, maxLength = 64): string {
  if (typeof value === 'string') {
    return value.length <= maxLength
      ? JSON.stringify(value)
      : `${JSON.stringify(value.slice(0, maxLength))}...`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'undefined';
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

/** The longest message that can carry a payload of `maxPayloadBytes` decoded bytes, plus room for the other fields. */
export function maxMessageLengthFor(maxPayloadBytes: number): number {
  return Math.ceil(maxPayloadBytes / 3) * 4 + 4096;
}
