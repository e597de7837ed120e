import { InvalidOptionError } from '@voxline/core';
/**
 * The Plivo XML that connects a call to the agent: one bidirectional `<Stream>`
 * (https://plivo.com/docs/voice/xml/audio-streaming):
 *
 * ```xml
 * <Response><Stream bidirectional="true" keepCallAlive="true" contentType="audio/x-mulaw;rate=8000">wss://voice.example.com/ws</Stream></Response>
 * ```
 *
 * - `bidirectional="true"` lets the agent speak (`playAudio`); `audioTrack` must then stay
 *   `inbound` (the default).
 * - `keepCallAlive="true"` runs the stream alone: the call stays on it until the socket closes.
 * - `contentType`: `audio/x-mulaw;rate=8000`, `audio/x-l16;rate=8000` (Plivo's default) or
 *   `audio/x-l16;rate=16000`.
 * - `extraHeaders`: `key=value` pairs, comma separated, at most 512 bytes, letters and digits only;
 *   they reach the agent as `CallInfo.customParameters`.
 */

/** The audio formats a Plivo stream can carry. */
export type PlivoStreamContentType =
  | 'audio/x-mulaw;rate=8000'
  | 'audio/x-l16;rate=8000'
  | 'audio/x-l16;rate=16000';

/** The stream to connect the call to. */
export interface PlivoStreamOptions {
  /** The agent's WebSocket URL, `wss://` (or `ws://` for local tests). */
  url: string;
  /** Default `audio/x-mulaw;rate=8000`: the phone network's own codec, no transcoding at Plivo. */
  contentType?: PlivoStreamContentType;
  /** Pairs passed to the stream's `start` (letters and digits only; 512 bytes in all). */
  extraHeaders?: Record<string, string>;
  /** Where Plivo reports the stream's status (`StartStream`, `StopStream`, `DroppedStream`). */
  statusCallbackUrl?: string;
}

const CONTENT_TYPES: ReadonlySet<string> = new Set([
  'audio/x-mulaw;rate=8000',
  'audio/x-l16;rate=8000',
  'audio/x-l16;rate=16000',
]);
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

/**
 * The `<Response><Stream …>` document for `options`.
 *
 * @throws {InvalidOptionError} for a `url` that is not `ws://` or `wss://`, an unknown `contentType`, or
 *   `extraHeaders` with characters other than letters and digits or longer than 512 bytes.
 */
export function plivoStreamXml(options: PlivoStreamOptions): string {
  checkStreamOptions(options);
  const contentType = options.contentType ?? 'audio/x-mulaw;rate=8000';
  let attributes = `bidirectional="true" keepCallAlive="true" contentType="${contentType}"`;
  const extraHeaders = Object.entries(options.extraHeaders ?? {});
  if (extraHeaders.length > 0) {
    attributes += ` extraHeaders="${extraHeaders.map(([key, value]) => `${key}=${value}`).join(',')}"`;
  }
  if (options.statusCallbackUrl !== undefined) {
    attributes += ` statusCallbackUrl="${escapeXml(options.statusCallbackUrl)}" statusCallbackMethod="POST"`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Stream ${attributes}>${escapeXml(options.url)}</Stream></Response>`;
}

/** @throws {InvalidOptionError} as {@link plivoStreamXml} does. */
export function checkStreamOptions(options: PlivoStreamOptions): void {
  if (typeof options?.url !== 'string' || !/^wss?:\/\/[^\s]+$/i.test(options.url)) {
    throw new InvalidOptionError(
      'url',
      `stream url must be a ws:// or wss:// URL, got ${String(options?.url)}`,
    );
  }
  if (options.contentType !== undefined && !CONTENT_TYPES.has(options.contentType)) {
    throw new InvalidOptionError(
      'contentType',
      `contentType must be one of ${[...CONTENT_TYPES].join(', ')}, got ${options.contentType}`,
    );
  }
  const pairs = Object.entries(options.extraHeaders ?? {});
  for (const [key, value] of pairs) {
    if (!ALPHANUMERIC.test(key) || !ALPHANUMERIC.test(value)) {
      throw new InvalidOptionError(
        'extraHeaders',
        `extraHeaders may hold letters and digits only, got ${JSON.stringify(`${key}=${value}`)}`,
      );
    }
  }
  const length = pairs.map(([key, value]) => `${key}=${value}`).join(',').length;
  if (length > 512)
    throw new InvalidOptionError('extraHeaders', `extraHeaders must be at most 512 bytes, got ${length}`);
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
