/**
 * The inbound `media` message read in place, without `JSON.parse`: the hot path of a started
 * call. `JSON.parse` allocates the message's object tree and a string per value, ~1 KB a 20 ms
 * frame, most of it the base64 payload, which is only decoded to bytes anyway.
 *
 * The scanner walks the whole text and checks it is one JSON object (RFC 8259: the value grammar,
 * string escapes, numbers, nesting), so it never takes a text `JSON.parse` would refuse. It
 * handles only the ordinary message, and answers "not mine" (false) for anything else, so that
 * the general path (`JSON.parse`, then the checks) decides with its own typed errors:
 *
 * - `event` is the string `media`, and `media` is an object with a `payload` string;
 * - `media.track`, when present, is `inbound` or `inbound_track`;
 * - `media.chunk`, when present, is a decimal string of 1–15 digits (or, with `numericChunk`, a
 *   JSON integer of 1–15 digits);
 * - the stream id field, when present, is the call's stream id;
 * - no key or value it reads has an escape, and no key it reads appears twice;
 * - the payload is padded base64 (RFC 4648 §4) that `decodeBase64Payload` takes, decoded by the
 *   same decoder into the caller's buffer.
 *
 * A text the scanner does not take costs one extra pass over it before `JSON.parse`.
 */

/** What a scanned media message carries, written into a reused object. */
export interface ScannedMedia {
  /** Bytes of the payload written at the start of the scratch buffer. */
  byteLength: number;
  /** The chunk number, or -1 when the message has none. */
  chunk: number;
}

/** What the scan is told about the call. */
export interface MediaScanContext {
  /** The top-level field naming the stream: `stream_id` (Telnyx), `streamSid` (Twilio), `streamId` (Plivo). */
  streamIdField: string;
  /** The call's stream id, from `start`. */
  streamId: string;
  /** Accept `media.chunk` as a JSON integer (Plivo) as well as a decimal string. */
  numericChunk: boolean;
}

import { base64DecodedLength, type decodeBase64Payload } from './media-payload.js';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
/** Deeper nesting (in fields the scanner skips) is left to `JSON.parse`. */
const MAX_DEPTH = 16;
/** A JSON string's characters are read until here; -1 marks a refused text. */
const REFUSED = -1;

/**
 * One call's scanner: reuses its state across messages. Not shared across calls.
 */
export class MediaMessageScanner {
  readonly #context: MediaScanContext;
  readonly #result: ScannedMedia = { byteLength: 0, chunk: -1 };
  #text = '';
  /** End of the last string scanned (after its closing quote), and whether it had an escape. */
  #escaped = false;
  /** The key read last by `#member`: its first character and its closing quote. */
  #keyStart = 0;
  #keyEnd = 0;

  /** False for a stream id that a JSON text would escape: then every message is left to JSON.parse. */
  readonly #enabled: boolean;

  constructor(context: MediaScanContext) {
    this.#context = context;
    this.#enabled = isPlain(context.streamId) && isPlain(context.streamIdField);
  }

  /**
   * Reads `text` as an ordinary media message of this call, decoding its payload into `scratch`.
   *
   * @returns the payload's length and chunk (an object reused by the next call), or undefined when
   *   the text is not one this scanner takes (see the module comment); `scratch` may then have
   *   been written.
   */
  scan(text: string, scratch: Buffer): ScannedMedia | undefined {
    if (!this.#enabled) return undefined;
    this.#text = text;
    let at = skipSpace(text, 0);
    if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
    at = skipSpace(text, at + 1);
    let sawEvent = false;
    let sawStreamId = false;
    let sawMedia = false;
    const result = this.#result;
    result.byteLength = -1;
    result.chunk = -1;
    if (text.charCodeAt(at) === CLOSE_BRACE) return undefined;
    for (;;) {
      at = this.#member(at);
      if (at === REFUSED) return undefined;
      const keyStart = this.#keyStart;
      const keyEnd = this.#keyEnd;
      if (isKey(text, keyStart, keyEnd, 'event')) {
        if (sawEvent) return undefined;
        sawEvent = true;
        at = plainStringEnd(text, at, 'media');
      } else if (isKey(text, keyStart, keyEnd, this.#context.streamIdField)) {
        if (sawStreamId) return undefined;
        sawStreamId = true;
        at = plainStringEnd(text, at, this.#context.streamId);
      } else if (isKey(text, keyStart, keyEnd, 'media')) {
        if (sawMedia) return undefined;
        sawMedia = true;
        at = this.#media(at, scratch);
      } else {
        at = this.#skipValue(at, 0);
      }
      if (at === REFUSED) return undefined;
      at = skipSpace(text, at);
      const next = text.charCodeAt(at);
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return undefined;
      at = skipSpace(text, at + 1);
    }
    if (skipSpace(text, at + 1) !== text.length) return undefined;
    return sawEvent && sawMedia && result.byteLength >= 0 ? result : undefined;
  }

  /** The `media` object from `at`: payload decoded, track and chunk checked; returns the end. */
  #media(start: number, scratch: Buffer): number {
    const text = this.#text;
    let at = start;
    if (text.charCodeAt(at) !== OPEN_BRACE) return REFUSED;
    at = skipSpace(text, at + 1);
    if (text.charCodeAt(at) === CLOSE_BRACE) return REFUSED;
    let sawPayload = false;
    let sawTrack = false;
    let sawChunk = false;
    for (;;) {
      at = this.#member(at);
      if (at === REFUSED) return REFUSED;
      const keyStart = this.#keyStart;
      const keyEnd = this.#keyEnd;
      if (isKey(text, keyStart, keyEnd, 'payload')) {
        if (sawPayload || text.charCodeAt(at) !== QUOTE) return REFUSED;
        sawPayload = true;
        // A payload with a backslash or a control character is not base64, which the decoder
        // refuses, so the closing quote is the first quote.
        const end = text.indexOf('"', at + 1);
        if (end < 0) return REFUSED;
        const byteLength = decodePayloadSlice(text, at + 1, end, scratch);
        if (byteLength < 0) return REFUSED;
        this.#result.byteLength = byteLength;
        at = end + 1;
      } else if (isKey(text, keyStart, keyEnd, 'track')) {
        if (sawTrack) return REFUSED;
        sawTrack = true;
        const end = plainStringEnd(text, at, 'inbound');
        at = end === REFUSED ? plainStringEnd(text, at, 'inbound_track') : end;
      } else if (isKey(text, keyStart, keyEnd, 'chunk')) {
        if (sawChunk) return REFUSED;
        sawChunk = true;
        at = this.#chunk(at);
      } else {
        at = this.#skipValue(at, 1);
      }
      if (at === REFUSED) return REFUSED;
      at = skipSpace(text, at);
      const next = text.charCodeAt(at);
      if (next === CLOSE_BRACE) return sawPayload ? at + 1 : REFUSED;
      if (next !== COMMA) return REFUSED;
      at = skipSpace(text, at + 1);
    }
  }

  /**
   * Reads a member's `"key":` from `at` (JSON whitespace around the colon); returns where its
   * value starts, or REFUSED, with the key's characters at [`#keyStart`, `#keyEnd`). A key with an
   * escape is refused: it could spell a field this scanner reads.
   */
  #member(at: number): number {
    const text = this.#text;
    if (text.charCodeAt(at) !== QUOTE) return REFUSED;
    const keyEnd = this.#stringEnd(at + 1);
    if (keyEnd === REFUSED || this.#escaped) return REFUSED;
    const colon = skipSpace(text, keyEnd + 1);
    if (text.charCodeAt(colon) !== COLON) return REFUSED;
    this.#keyStart = at + 1;
    this.#keyEnd = keyEnd;
    return skipSpace(text, colon + 1);
  }

  /** `media.chunk` from `at` into the result; returns the end of the value. */
  #chunk(start: number): number {
    const text = this.#text;
    const quoted = text.charCodeAt(start) === QUOTE;
    if (!quoted && !this.#context.numericChunk) return REFUSED;
    const digitsStart = quoted ? start + 1 : start;
    let at = digitsStart;
    let value = 0;
    for (let code = text.charCodeAt(at); code >= ZERO && code <= NINE; code = text.charCodeAt(++at)) {
      value = value * 10 + (code - ZERO);
    }
    const digits = at - digitsStart;
    if (digits === 0 || digits > 15) return REFUSED;
    if (quoted) {
      if (text.charCodeAt(at) !== QUOTE) return REFUSED;
      at += 1;
    } else {
      // A JSON number has no leading zero; a fraction or exponent is left to JSON.parse.
      if (digits > 1 && text.charCodeAt(digitsStart) === ZERO) return REFUSED;
      const next = text.charCodeAt(at);
      if (next === DOT || next === 101 || next === 69) return REFUSED;
    }
    this.#result.chunk = value;
    return at;
  }

  /**
   * The index of the closing quote of the string whose characters start at `start`, or REFUSED
   * for an unterminated string, a control character or a bad escape; sets `#escaped`.
   */
  #stringEnd(start: number): number {
    const text = this.#text;
    const length = text.length;
    let escaped = false;
    for (let at = start; at < length; at++) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) {
        this.#escaped = escaped;
        return at;
      }
      if (code < 0x20) return REFUSED;
      if (code === BACKSLASH) {
        escaped = true;
        const next = text.charCodeAt(at + 1);
        if (next === 117) {
          // \uXXXX
          for (let i = 2; i < 6; i++) if (!isHexDigit(text.charCodeAt(at + i))) return REFUSED;
          at += 5;
        } else if (
          next === QUOTE ||
          next === BACKSLASH ||
          next === 47 ||
          next === 98 ||
          next === 102 ||
          next === 110 ||
          next === 114 ||
          next === 116
        ) {
          at += 1;
        } else {
          return REFUSED;
        }
      }
    }
    return REFUSED;
  }

  /** Checks and skips any JSON value from `at`; returns its end, or REFUSED. */
  #skipValue(at: number, depth: number): number {
    const text = this.#text;
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      const end = this.#stringEnd(at + 1);
      return end === REFUSED ? REFUSED : end + 1;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (depth >= MAX_DEPTH) return REFUSED;
      const isObject = code === OPEN_BRACE;
      const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
      let next = skipSpace(text, at + 1);
      if (text.charCodeAt(next) === close) return next + 1;
      for (;;) {
        if (isObject) {
          if (text.charCodeAt(next) !== QUOTE) return REFUSED;
          const keyEnd = this.#stringEnd(next + 1);
          if (keyEnd === REFUSED) return REFUSED;
          next = skipSpace(text, keyEnd + 1);
          if (text.charCodeAt(next) !== COLON) return REFUSED;
          next = skipSpace(text, next + 1);
        }
        next = this.#skipValue(next, depth + 1);
        if (next === REFUSED) return REFUSED;
        next = skipSpace(text, next);
        const after = text.charCodeAt(next);
        if (after === close) return next + 1;
        if (after !== COMMA) return REFUSED;
        next = skipSpace(text, next + 1);
      }
    }
    if (code === MINUS || (code >= ZERO && code <= NINE)) return skipNumber(text, at);
    if (text.startsWith('true', at) || text.startsWith('null', at)) return at + 4;
    if (text.startsWith('false', at)) return at + 5;
    return REFUSED;
  }
}

/**
 * The end (after the closing quote) of the JSON string at `at` when it is exactly `expected`, else
 * REFUSED. `expected` must be plain (no quote, backslash or control character), so characters
 * equal to it followed by a quote are the whole string, with no escape: nothing to scan.
 */
function plainStringEnd(text: string, at: number, expected: string): number {
  const end = at + 1 + expected.length;
  return text.charCodeAt(at) === QUOTE && text.charCodeAt(end) === QUOTE && text.startsWith(expected, at + 1)
    ? end + 1
    : REFUSED;
}

/** Whether `text` can be compared raw with a JSON string's characters: no quote, backslash or control character. */
function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === QUOTE || code === BACKSLASH) return false;
  }
  return true;
}

/** Whether `text[start, end)` is `key`. */
function isKey(text: string, start: number, end: number, key: string): boolean {
  return end - start === key.length && text.startsWith(key, start);
}

function isHexDigit(code: number): boolean {
  return (code >= ZERO && code <= NINE) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** Skips JSON whitespace (space, tab, line feed, carriage return). */
function skipSpace(text: string, start: number): number {
  let at = start;
  for (let code = text.charCodeAt(at); code === 32 || code === 9 || code === 10 || code === 13; ) {
    code = text.charCodeAt(++at);
  }
  return at;
}

/** Skips a JSON number (RFC 8259 §6) from `start`; returns its end, or REFUSED. */
function skipNumber(text: string, start: number): number {
  let at = start;
  if (text.charCodeAt(at) === MINUS) at++;
  const first = text.charCodeAt(at);
  if (first === ZERO) at++;
  else if (first > ZERO && first <= NINE) at = skipDigits(text, at);
  else return REFUSED;
  if (text.charCodeAt(at) === DOT) {
    const end = skipDigits(text, at + 1);
    if (end === at + 1) return REFUSED;
    at = end;
  }
  const exponent = text.charCodeAt(at);
  if (exponent === 101 || exponent === 69) {
    at++;
    const sign = text.charCodeAt(at);
    if (sign === PLUS || sign === MINUS) at++;
    const end = skipDigits(text, at);
    if (end === at) return REFUSED;
    at = end;
  }
  return at;
}

function skipDigits(text: string, start: number): number {
  let at = start;
  for (let code = text.charCodeAt(at); code >= ZERO && code <= NINE; code = text.charCodeAt(++at)) {}
  return at;
}

/**
 * Decodes the base64 payload `text[start, end)` into `out` exactly as {@link decodeBase64Payload}
 * does (the same decoder, so the same bytes), returning the byte count, or -1 where that throws.
 * The payload is a slice of the message (a view, not a copy of its characters).
 */
function decodePayloadSlice(text: string, start: number, end: number, out: Buffer): number {
  const payload = text.substring(start, end);
  const expected = base64DecodedLength(payload);
  if (expected < 0 || expected > out.length) return -1;
  return out.write(payload, 0, expected, 'base64') === expected ? expected : -1;
}
