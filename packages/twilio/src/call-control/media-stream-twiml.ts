/**
 * The TwiML that connects a call to our WebSocket, built with the official SDK's
 * `twiml.VoiceResponse`:
 *
 * ```xml
 * <Response><Connect><Stream url="wss://voice.example.com/twilio" statusCallback="https://voice.example.com/twilio/status">
 *   <Parameter name="CallSid" value="CA..."/><Parameter name="From" value="+1..."/>...
 * </Stream></Connect></Response>
 * ```
 *
 * - `<Connect><Stream>` is bidirectional (the agent can speak); `<Start><Stream>` is listen-only.
 *   `<Connect>` holds the call until the WebSocket closes (https://www.twilio.com/docs/voice/twiml/stream).
 * - The URL must be `wss://` (Twilio error 31922) and must not carry a query string: Twilio drops
 *   it. Values travel as `<Parameter>`s and arrive in the stream's `start.customParameters`
 *   (Twilio errors 31920 and 31922, https://www.twilio.com/docs/api/errors/31922).
 * - With `<Connect>`, only the inbound track is streamed, so no `track` attribute is set.
 */
import { invalidCommand } from '@voxline/call-control/carrier-kit';
import twilio from 'twilio';

/** What {@link mediaStreamTwiml} connects. */
export interface MediaStreamTwimlOptions {
  /** Our WebSocket, `wss://voice.example.com/twilio`: no query string, no fragment. */
  url: string;
  /** `<Parameter>`s, in order: call context such as `CallSid`, `From`, `To`, `agent`. */
  parameters?: Record<string, string>;
  /** Where Twilio posts `stream-started`, `stream-stopped` and `stream-error`. */
  statusCallback?: string;
  /** Stream name (`name`), e.g. to stop it by name later. */
  name?: string;
}

/**
 * Checks a media stream URL: `wss://`, with a host, no query string or fragment.
 *
 * @throws {CallControlError} `validation` otherwise.
 */
export function checkMediaStreamUrl(url: string): void {
  if (typeof url !== 'string' || !/^wss:\/\/[^/?#\s]+[^?#\s]*$/i.test(url)) {
    throw invalidCommand(
      'twilio',
      'stream',
      'the media stream URL must be wss://host/path without a query string (Twilio drops it; use parameters)',
    );
  }
}

/** The `<Response><Connect><Stream>` document; see the module comment. */
export function mediaStreamTwiml(options: MediaStreamTwimlOptions): string {
  checkMediaStreamUrl(options.url);
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({
    url: options.url,
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.statusCallback !== undefined
      ? { statusCallback: options.statusCallback, statusCallbackMethod: 'POST' as const }
      : {}),
  });
  for (const [name, value] of Object.entries(options.parameters ?? {})) stream.parameter({ name, value });
  return response.toString();
}
