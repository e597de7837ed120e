/**
 * Reading the `extra_headers` of Plivo's `start` message: the `<Stream extraHeaders>` attribute
 * (https://plivo.com/docs/voice/xml/audio-streaming), documented as `key=value` pairs separated by
 * `,` in the attribute (`test1=12,test2=123`) and shown separated by `;` in the message
 * (`"userId=12345;sessionId=abc-xyz"`, https://plivo.com/docs/voice/audio-streaming/audio-streaming).
 * Both separators are read; a JSON object (some Plivo-compatible carriers send `"{}"`) too.
 */

/** The pairs of `extraHeaders`, as `CallInfo.customParameters`; never throws. */
export function parseExtraHeaders(
  extraHeaders: string | Record<string, unknown> | undefined,
): Record<string, string> {
  if (extraHeaders === undefined) return {};
  if (typeof extraHeaders === 'object') return stringValues(extraHeaders);
  const text = extraHeaders.trim();
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return stringValues(parsed as Record<string, unknown>);
      }
    } catch {
      // Not JSON after all: read it as pairs.
    }
  }
  const pairs: Record<string, string> = {};
  for (const pair of text.split(/[;,]/)) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const key = pair.slice(0, equals).trim();
    if (key !== '' && key !== '__proto__') pairs[key] = pair.slice(equals + 1).trim();
  }
  return pairs;
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string' && key !== '__proto__') values[key] = value;
  }
  return values;
}
