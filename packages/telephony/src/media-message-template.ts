/**
 * The outbound `media` message as one string built in place: a fixed text before the payload,
 * the payload's base64 written straight into a per-call buffer, a fixed text after it, and one
 * `latin1` read of the whole.
 *
 * Concatenating a base64 string into a template allocates the base64 string and two rope
 * (cons) strings, and the WebSocket write then flattens the rope into a third copy. Here each
 * message allocates only its own text, flat, once. Base64 (RFC 4648 §4) is ASCII and needs no
 * JSON escaping, so the two fixed parts are written once, at `start`.
 */

/** The standard base64 alphabet (RFC 4648 §4, Table 1), as character codes. */
const BASE64_ALPHABET = Uint8Array.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  (character) => character.charCodeAt(0),
);
/** `=`, base64 padding. */
const PADDING = 61;
/**
 * Every 12-bit value → its two base64 characters (first in the low byte): one lookup per two
 * characters instead of one per character.
 */
const BASE64_PAIRS = (() => {
  const pairs = new Uint16Array(4096);
  for (let i = 0; i < 4096; i++) pairs[i] = BASE64_ALPHABET[i >> 6]! | (BASE64_ALPHABET[i & 63]! << 8);
  return pairs;
})();

/** Whether every character of `text` is ASCII (one latin1 byte that reads back the same). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * One call's outbound media message: `prefix + base64(bytes) + suffix`. Not shared across calls.
 */
export class MediaMessageTemplate {
  readonly #prefix: string;
  readonly #suffix: string;
  /** Whether both fixed parts are ASCII, so the message can be built as bytes (else concatenated). */
  readonly #inPlace: boolean;
  #buffer: Buffer;

  /**
   * @param prefix - JSON text up to the payload's first character, e.g.
   *   `{"event":"media","media":{"payload":"`.
   * @param suffix - JSON text after the payload's last character, e.g. `"}}`.
   * @param payloadBytes - the usual payload size in bytes (sizes the buffer; larger ones grow it).
   */
  constructor(prefix: string, suffix: string, payloadBytes = 160) {
    this.#prefix = prefix;
    this.#suffix = suffix;
    this.#inPlace = isAscii(prefix) && isAscii(suffix);
    this.#buffer = this.#allocate(payloadBytes);
  }

  /**
   * The message carrying `bytes` as standard padded base64.
   *
   * @param bytes - the encoded audio; read before this returns, not kept.
   */
  render(bytes: Uint8Array): string {
    if (!this.#inPlace) {
      return `${this.#prefix}${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')}${this.#suffix}`;
    }
    const textLength = Math.ceil(bytes.length / 3) * 4;
    const length = this.#prefix.length + textLength + this.#suffix.length;
    if (length > this.#buffer.length) this.#buffer = this.#allocate(bytes.length * 2);
    const buffer = this.#buffer;
    let at = writeBase64(bytes, buffer, this.#prefix.length);
    const suffix = this.#suffix;
    for (let i = 0; i < suffix.length; i++) buffer[at++] = suffix.charCodeAt(i);
    return buffer.toString('latin1', 0, at);
  }

  /** A buffer for payloads of up to `payloadBytes`, with the prefix written at its start. */
  #allocate(payloadBytes: number): Buffer {
    const buffer = Buffer.allocUnsafe(
      this.#prefix.length + Math.ceil(payloadBytes / 3) * 4 + this.#suffix.length,
    );
    if (this.#inPlace) buffer.write(this.#prefix, 0, 'latin1');
    return buffer;
  }
}

/** Writes `bytes` as padded base64 into `out` from `offset`; returns the offset after the last character. */
function writeBase64(bytes: Uint8Array, out: Buffer, offset: number): number {
  const alphabet = BASE64_ALPHABET;
  const pairs = BASE64_PAIRS;
  const whole = bytes.length - (bytes.length % 3);
  let at = offset;
  let i = 0;
  for (; i < whole; i += 3) {
    const triple = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    const high = pairs[triple >> 12]!;
    const low = pairs[triple & 4095]!;
    out[at] = high & 255;
    out[at + 1] = high >> 8;
    out[at + 2] = low & 255;
    out[at + 3] = low >> 8;
    at += 4;
  }
  const left = bytes.length - whole;
  if (left === 1) {
    const first = bytes[i]!;
    out[at] = alphabet[first >> 2]!;
    out[at + 1] = alphabet[(first & 3) << 4]!;
    out[at + 2] = PADDING;
    out[at + 3] = PADDING;
    at += 4;
  } else if (left === 2) {
    const pair = (bytes[i]! << 8) | bytes[i + 1]!;
    out[at] = alphabet[pair >> 10]!;
    out[at + 1] = alphabet[(pair >> 4) & 63]!;
    out[at + 2] = alphabet[(pair & 15) << 2]!;
    out[at + 3] = PADDING;
    at += 4;
  }
  return at;
}
