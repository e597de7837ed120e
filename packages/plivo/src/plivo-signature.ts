/**
 * Plivo's request signature, `X-Plivo-Signature-V3`, with its `X-Plivo-Signature-V3-Nonce`.
 *
 * "All requests Plivo makes to your server URLs include X-Plivo-Signature-V3 and
 * X-Plivo-Signature-V3-Nonce HTTP headers" (https://docs.plivo.com/docs/voice/xml/request/validation).
 * The signature is the base64 HMAC-SHA256, keyed with the auth token, of the URL Plivo requested
 * and its parameters, then `.` and the nonce (https://www.plivo.com/docs/voice/concepts/signature-validation):
 *
 * - GET: `scheme://host[:port]/path`, then `?` and the query parameters sorted by name then value
 *   as `name=value` joined with `&` (when there are any);
 * - POST: the same URL, `?`, its sorted query followed by `.` when there is one, then each form
 *   parameter sorted by name then value as `namevalue`, with no separator (without form parameters,
 *   as a GET).
 *
 * The header may carry several signatures separated by commas (one per auth token of the
 * account); one match is enough. Validation is the SDK's own `validateV3Signature` (plivo-node
 * `lib/utils/v3Security.js`); {@link computePlivoSignature} builds the same string, for senders
 * (the simulator) and tests.
 *
 * Plivo signs no timestamp, so a captured request could be sent again as is: {@link PlivoNonces}
 * remembers the nonces it has accepted and refuses a second use.
 */
import { createHmac } from 'node:crypto';
import { RecentEventIds } from '@voxline/call-control/carrier-kit';
import * as plivo from 'plivo';

/** The signature header, lower case as Node reports header names. */
export const PLIVO_SIGNATURE_HEADER = 'x-plivo-signature-v3';
/** The nonce header, lower case. */
export const PLIVO_NONCE_HEADER = 'x-plivo-signature-v3-nonce';

/** Request parameters: a form body's (POST) or a query's (GET). A repeated name has several values. */
export type PlivoParams = Record<string, string | string[]>;

/** What a Plivo signature covers. */
export interface PlivoSignatureInput {
  /** The account's (or subaccount's) auth token: the HMAC key. */
  authToken: string;
  /** The request's method: Plivo requests `GET` or `POST`; the WebSocket upgrade is a `GET`. */
  method: 'GET' | 'POST';
  /** The URL Plivo requested, as Plivo saw it (the public one behind a proxy), with any query. */
  url: string;
  /** The form parameters of a POST; ignored for GET (its parameters are in `url`). */
  params?: PlivoParams;
  /** `X-Plivo-Signature-V3-Nonce`. */
  nonce: string;
}

/**
 * The `X-Plivo-Signature-V3` Plivo sends for `input`.
 *
 * @throws {TypeError} for a `url` that is not absolute.
 */
export function computePlivoSignature(input: PlivoSignatureInput): string {
  const url = new URL(input.url);
  const base = `${url.protocol}//${url.host}${url.pathname}`;
  const query = sortedPairs(queryParams(url))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  let signed: string;
  if (input.method === 'GET') {
    signed = query === '' ? base : `${base}?${query}`;
  } else {
    const form = sortedPairs(input.params ?? {})
      .map(([name, value]) => `${name}${value}`)
      .join('');
    if (form === '') signed = query === '' ? base : `${base}?${query}`;
    // With parameters, `?` follows the URL even without a query (plivo-node `construct_post_url`).
    else signed = query === '' ? `${base}?${form}` : `${base}?${query}.${form}`;
  }
  return createHmac('sha256', input.authToken).update(`${signed}.${input.nonce}`).digest('base64');
}

/**
 * Whether `signature` (the `X-Plivo-Signature-V3` header, possibly several comma-separated
 * signatures) signs `input`. Never throws: anything malformed is `false`.
 */
export function validatePlivoSignature(input: PlivoSignatureInput & { signature: string }): boolean {
  if (!input.authToken || !input.nonce || !input.signature) return false;
  try {
    return (
      plivo.validateV3Signature(
        input.method,
        input.url,
        input.nonce,
        input.authToken,
        input.signature,
        input.method === 'POST' ? (input.params ?? {}) : {},
      ) === true
    );
  } catch {
    return false;
  }
}

/**
 * The nonces of accepted requests, to refuse a replayed one. Remembers the last `capacity`
 * (default 10,000); a nonce older than that is forgotten, so pair it with a short-lived capture.
 */
export class PlivoNonces {
  readonly #seen: RecentEventIds;

  /** @throws {InvalidOptionError} (`capacity`) for a `capacity` that is not a positive integer. */
  constructor(capacity = 10_000) {
    this.#seen = new RecentEventIds(capacity);
  }

  /** True the first time `nonce` is offered, false ever after (while remembered). */
  firstUse(nonce: string): boolean {
    return this.#seen.firstSeen(nonce);
  }
}

/** The URL's query as {@link PlivoParams}. */
function queryParams(url: URL): PlivoParams {
  const params: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (params[name] ??= []).push(value);
  return params;
}

/** Every name/value pair, sorted by name, then by value within a name. */
function sortedPairs(params: PlivoParams): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    for (const one of (Array.isArray(value) ? [...value] : [value]).sort()) pairs.push([name, one]);
  }
  return pairs;
}
