/**
 * Validation of Twilio's `X-Twilio-Signature` header, for webhooks (form or JSON bodies) and for
 * the signed WebSocket upgrade request of Media Streams.
 *
 * The algorithm, from twilio-node `src/webhooks/webhooks.ts` and
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security :
 *
 * 1. Start from the full URL Twilio requested (scheme, host, path, query string).
 * 2. Form bodies: append each POST parameter as `name + value`, names sorted by code point; a
 *    parameter with several values appends each distinct value, sorted.
 * 3. HMAC-SHA1 with the account's auth token as key over the UTF-8 string; base64 digest.
 * 4. JSON bodies: Twilio adds `bodySHA256=<hex SHA-256 of the raw body>` to the URL's query and
 *    signs the URL alone; the body is checked against that hash.
 * 5. Twilio is inconsistent about standard ports, so the URL is tried with and without `:443` /
 *   `:80`, and with the query re-encoded the way Node's legacy `querystring` module does — the
 *   same candidates the official SDK accepts.
 *
 * Comparisons are constant-time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';

/** Request parameters as Twilio posted them (decoded); repeated names carry arrays. */
export type TwilioParams = Record<string, string | readonly string[]>;

/** What {@link validateTwilioSignature} checks. */
export interface TwilioSignatureInput {
  /** The account's auth token (the HMAC key). */
  authToken: string;
  /**
   * The full public URL Twilio requested, as Twilio saw it (behind a proxy, rebuild the public
   * scheme and host): `https://example.com/twilio/voice?x=1` or `wss://example.com/twilio`.
   */
  url: string;
  /** Decoded form parameters of a form-encoded POST; omit for GET, JSON and WebSocket upgrades. */
  params?: TwilioParams;
  /** The raw request body, for JSON bodies (checked against the URL's `bodySHA256`). */
  rawBody?: string | Uint8Array;
  /** The `X-Twilio-Signature` header value. */
  signature: string | undefined;
}

/** The signature Twilio computes for `url` and `params` (base64 HMAC-SHA1). */
export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name] as string | readonly string[];
    if (typeof value === 'string') data += name + value;
    else for (const item of [...new Set(value)].sort()) data += name + item;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalizing it, so the path and query keep the characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withStandardPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  const secure = /^(https|wss):\/\/$/i.test(parts.scheme);
  return parts.scheme + parts.userInfo + parts.host + (secure ? ':443' : ':80') + parts.rest;
}

function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts ? parts.scheme + parts.userInfo + parts.host + parts.rest : url;
}

function withLegacyQuerystring(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1 || queryStart === url.length - 1) return url;
  return `${url.slice(0, queryStart)}?${stringifyQuery(parseQuery(url.slice(queryStart + 1)))}`;
}

/** The URLs Twilio may have signed for `url`, as the official SDK tries them. */
function candidateUrls(url: string): string[] {
  const candidates = [withoutPort(url), withStandardPort(url)];
  let normalized: string | undefined;
  try {
    normalized = new URL(url).toString();
  } catch {
    return candidates;
  }
  for (const candidate of [withoutPort(normalized), withStandardPort(normalized)]) {
    candidates.push(candidate, withLegacyQuerystring(candidate));
  }
  return [...new Set(candidates)];
}

/** The `bodySHA256` query value of a URL, if any. */
function bodyHashOf(url: string): string | undefined {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return undefined;
  const value = new URLSearchParams(url.slice(queryStart + 1)).get('bodySHA256');
  return value ?? undefined;
}

/**
 * True when `signature` is Twilio's signature of this request; see the module comment for the
 * algorithm and sources. A missing or empty signature is false. When the URL carries
 * `bodySHA256`, `rawBody` is required and must hash to it.
 */
export function validateTwilioSignature(input: TwilioSignatureInput): boolean {
  const { authToken, url, signature } = input;
  if (!signature) return false;
  const bodyHash = bodyHashOf(url);
  if (bodyHash !== undefined) {
    if (input.rawBody === undefined) return false;
    const actual = createHash('sha256').update(input.rawBody).digest('hex');
    if (!constantTimeEqual(bodyHash, actual)) return false;
  }
  const params = bodyHash !== undefined ? {} : (input.params ?? {});
  return candidateUrls(url).some((candidate) =>
    constantTimeEqual(signature, computeTwilioSignature(authToken, candidate, params)),
  );
}
