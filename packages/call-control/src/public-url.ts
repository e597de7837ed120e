/**
 * The public URL of a webhook request: the URL the carrier requested, which is what Twilio signs.
 *
 * Behind a TLS-terminating proxy, a load balancer or a tunnel (ngrok, cloudflared), the server sees
 * `http://10.0.0.5:8080/twilio/voice` while Twilio requested and signed
 * `https://voice.example.com/twilio/voice`; validating against the internal URL fails every time.
 * Three ways to get it right, in order of preference:
 *
 * 1. `publicUrl: 'https://voice.example.com'`: a fixed base; the request's path and query are
 *    appended as received. If the proxy strips a path prefix, include it in the base
 *    (`'https://example.com/voice'` + `/twilio/voice`).
 * 2. `publicUrl: (request) => string`: any rule of yours, returning the full URL.
 * 3. Nothing: the URL is rebuilt from the request, `${request.protocol}://${request.host}${request.url}`.
 *    With fastify's `trustProxy` on, `protocol` and `host` come from `X-Forwarded-Proto` and
 *    `X-Forwarded-Host`; only turn it on when a proxy you run sets them, or anyone can choose the URL
 *    their signature is checked against (they still need the auth token to sign it).
 */
import { InvalidOptionError } from '@voxline/core';
import type { FastifyRequest } from 'fastify';

/** A fixed public base URL (`https://voice.example.com`), or a function giving the full public URL. */
export type PublicUrlOption = string | ((request: FastifyRequest) => string);

/**
 * Checks a fixed base URL option: http(s), no query or fragment.
 *
 * @throws {InvalidOptionError} naming `optionName` if it is not one.
 */
export function validatePublicUrlBase(base: string, optionName = 'publicUrl'): void {
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new InvalidOptionError(
      optionName,
      `${optionName} must be an absolute URL such as https://voice.example.com`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidOptionError(
      optionName,
      `${optionName} must start with https:// or http://, got ${parsed.protocol}//`,
    );
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new InvalidOptionError(optionName, `${optionName} must not have a query string or fragment`);
  }
}

/** The full public URL of `request`; see the module comment. */
export function publicUrlOf(request: FastifyRequest, publicUrl: PublicUrlOption | undefined): string {
  if (typeof publicUrl === 'function') return publicUrl(request);
  if (typeof publicUrl === 'string') return publicUrl.replace(/\/+$/, '') + request.url;
  return `${request.protocol}://${request.host}${request.url}`;
}

/**
 * The public URL of a WebSocket upgrade request: {@link publicUrlOf} with `https:` turned into
 * `wss:` and `http:` into `ws:` (the scheme the carrier connected with and signed).
 */
export function publicWebSocketUrlOf(
  request: FastifyRequest,
  publicUrl: PublicUrlOption | undefined,
): string {
  return publicUrlOf(request, publicUrl).replace(/^http(s?):\/\//i, (_match, secure: string) =>
    secure ? 'wss://' : 'ws://',
  );
}
