/**
 * Keeping the exact request bytes of carrier webhooks.
 *
 * Carrier signatures are computed over the body exactly as it was sent: Telnyx signs
 * `"<timestamp>|<raw body>"` (Ed25519), Twilio hashes JSON bodies with SHA-256 and signs form bodies
 * after decoding them. A body parsed and serialized again (`JSON.stringify(request.body)`) differs in
 * whitespace, key order and escapes, and the signature no longer matches. So webhook routes replace
 * fastify's body parsers with one that keeps the bytes as a `Buffer` in `request.body`; the route
 * verifies the signature first and only then parses.
 */
import { InvalidOptionError } from '@voxline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Media types whose bodies are kept as raw bytes. */
export const RAW_BODY_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded'] as const;

/** Options of {@link keepRawBodies}. */
export interface RawBodyOptions {
  /** Largest body accepted, in bytes; larger ones are refused by fastify with 413. Default 1,048,576 (1 MiB). */
  bodyLimit?: number;
}

/**
 * Makes every body arrive as the raw `Buffer` in `request.body` on `instance`: JSON and form bodies,
 * and those of any other type (`text/plain`, none at all), so a signature is always checked over
 * the bytes that were sent, never over an empty body that fastify's own text parser left behind.
 *
 * Call it inside an encapsulated plugin (a plain `app.register(async (scope) => ...)`), so other
 * routes of the server keep fastify's normal JSON parsing.
 *
 * @throws {InvalidOptionError} if `bodyLimit` is not a positive integer.
 */
export function keepRawBodies(instance: FastifyInstance, options: RawBodyOptions = {}): void {
  const bodyLimit = options.bodyLimit ?? 1_048_576;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) {
    throw new InvalidOptionError(
      'bodyLimit',
      `bodyLimit must be a positive integer of bytes, got ${bodyLimit}`,
    );
  }
  for (const type of [...RAW_BODY_CONTENT_TYPES, 'text/plain']) {
    if (instance.hasContentTypeParser(type)) instance.removeContentTypeParser(type);
  }
  const keepBytes = (_request: FastifyRequest, body: Buffer, done: (error: null, body: Buffer) => void) =>
    done(null, body);
  instance.addContentTypeParser([...RAW_BODY_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit }, keepBytes);
  instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, keepBytes);
}

/**
 * The raw body bytes of a request on a route set up with {@link keepRawBodies}; an empty buffer for
 * a request without a body (a GET webhook).
 */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}
