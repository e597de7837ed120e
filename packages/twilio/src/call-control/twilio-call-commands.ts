/**
 * Twilio call commands, as a thin typed layer over the official `twilio` SDK (REST API 2010-04-01:
 * `Calls`, `Calls/{CallSid}/Recordings`, `Calls/{CallSid}/Streams`; form bodies, HTTP Basic auth
 * `AccountSid:AuthToken`).
 *
 * Twilio has no single "speak" or "send DTMF" command for a live call: those are done by giving the
 * call new TwiML (`<Say>`, `<Play digits>`), which **replaces what the call was doing**, including a
 * `<Connect><Stream>` to the agent (its WebSocket closes). Use them to end a call with a message,
 * or after the agent is done; the agent's own voice goes through the media stream.
 *
 * Retries: updates of a call (hang up, new TwiML, stop a recording or stream) are safe to repeat and
 * are retried for rate limits, network faults and 5xx. Creating a call, recording or stream has no
 * idempotency key at Twilio, so it is retried only when the request was surely not processed
 * (HTTP 429, connection refused): a retry after a lost answer could place a second call.
 */

import { CallControlError, type CallControlFailure } from '@voxline/call-control';
import { callControlRetryPolicy, invalidCommand, sendWithRetry } from '@voxline/call-control/carrier-kit';
import {
  type Clock,
  defaultLogger,
  InvalidOptionError,
  type Logger,
  maskPhoneNumber,
  type RetryPolicy,
  realClock,
} from '@voxline/core';
import twilio from 'twilio';
import { twilioClientFor } from '../twilio-client.js';
import { classifyTwilioError, TWILIO_NOT_FOUND } from './twilio-error-classification.js';

/** Options of {@link TwilioCallCommands}. */
export interface TwilioCallCommandsOptions {
  /** A configured SDK client. When omitted, one is created from `accountSid` and `authToken`. */
  client?: twilio.Twilio;
  /** Account SID (`AC...`). Default: the SDK's, `process.env.TWILIO_ACCOUNT_SID`. Ignored with `client`. */
  accountSid?: string;
  /** Auth token. Default: the SDK's, `process.env.TWILIO_AUTH_TOKEN`. Ignored with `client`. */
  authToken?: string;
  /**
   * Base URL of the core API (the SDK's `client.api.baseUrl`), e.g. a proxy or a local stand-in.
   * Default the SDK's, `https://api.twilio.com`. Applied to `client` too.
   */
  apiBaseUrl?: string;
  /** Time limit of one request in ms. Default 10,000. Ignored with `client`. */
  requestTimeoutMs?: number;
  /** Retry policy; default 3 attempts, 250 ms × 2^n (at most 4 s), ±20 % jitter. */
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Where failures are logged (call SIDs, never tokens or full phone numbers). */
  logger?: Logger;
}

/** What {@link TwilioCallCommands.dial} places. */
export interface TwilioDialRequest {
  /** Callee, E.164 (`+13125550123`), SIP URI or `client:name`. */
  to: string;
  /** Caller ID: a Twilio number or verified caller ID, E.164. */
  from: string;
  /** What the answered call does: TwiML text (e.g. from `mediaStreamTwiml`). */
  twiml: string;
  /** Where Twilio posts status changes. */
  statusCallback?: string;
  /** Which changes: default `['initiated', 'ringing', 'answered', 'completed']`. */
  statusCallbackEvents?: ('initiated' | 'ringing' | 'answered' | 'completed')[];
  /**
   * Answering-machine detection: `Enable` (result as soon as known) or `DetectMessageEnd` (for a
   * machine, after its greeting: the moment to leave a message). Run asynchronously: the call
   * connects at once and the result is posted to `machineDetectionCallback`.
   */
  machineDetection?: 'Enable' | 'DetectMessageEnd';
  /** Where the asynchronous detection result goes (`AsyncAmdStatusCallback`); default `statusCallback`. */
  machineDetectionCallback?: string;
  /** Seconds to ring (`Timeout`), 5-600; Twilio's default 60. */
  timeoutSecs?: number;
  /** Longest call in seconds (`TimeLimit`); Twilio's default 4 hours. */
  timeLimitSecs?: number;
}

/** What {@link TwilioCallCommands.startRecording} records. */
export interface TwilioRecordingRequest {
  /** `dual` (caller and agent on separate channels, default) or `mono`. */
  channels?: 'dual' | 'mono';
  /** Where Twilio posts the recording's status (`completed` with the `RecordingUrl`). */
  statusCallback?: string;
  /** Default `['completed', 'absent']`. */
  statusCallbackEvents?: ('in-progress' | 'completed' | 'absent')[];
  /** Which audio: `both` (default), `inbound` or `outbound`. */
  track?: 'both' | 'inbound' | 'outbound';
}

/** What {@link TwilioCallCommands.startStreaming} forks (listen-only). */
export interface TwilioStreamRequest {
  /** `wss://` URL. */
  url: string;
  name?: string;
  track?: 'inbound_track' | 'outbound_track' | 'both_tracks';
  statusCallback?: string;
  /** Up to 99 parameters, arriving in `start.customParameters`. */
  parameters?: Record<string, string>;
}

/** What {@link TwilioCallCommands.hangup} found. */
export type TwilioHangupOutcome = 'hung-up' | 'already-ended';

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const DTMF_DIGITS = /^[0-9*#w]+$/;

/** Twilio call commands; see the module comment. */
export class TwilioCallCommands {
  readonly #client: twilio.Twilio;
  readonly #policy: Readonly<RetryPolicy>;
  readonly #clock: Clock;
  readonly #logger: Logger;

  /** @throws {InvalidOptionError} for a non-positive `requestTimeoutMs` or an invalid retry policy. */
  constructor(options: TwilioCallCommandsOptions = {}) {
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    if (!(timeoutMs > 0))
      throw new InvalidOptionError('requestTimeoutMs', `requestTimeoutMs must be positive, got ${timeoutMs}`);
    this.#policy = callControlRetryPolicy(options.retry);
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? defaultLogger();
    this.#client = twilioClientFor(options, timeoutMs);
  }

  /** The base URL of the core API requests go to (`https://api.twilio.com` unless set). */
  get apiBaseUrl(): string {
    return this.#client.api.baseUrl;
  }

  /**
   * The `Authorization` header for downloading a media URL of this account (a recording), or
   * undefined when the URL is not on the API host this client talks to: credentials are never sent
   * to another host. Twilio can require HTTP Basic auth for media URLs (an account setting); with
   * API key auth, the key SID and secret are used, which Twilio accepts the same way.
   */
  mediaAuthorization(url: string): string | undefined {
    const { username, password } = this.#client;
    if (!username || !password) return undefined;
    try {
      if (new URL(url).origin !== new URL(this.#client.api.baseUrl).origin) return undefined;
    } catch {
      return undefined;
    }
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  /**
   * Places an outbound call (`POST /Accounts/{AC}/Calls.json`) that runs `twiml` when answered.
   *
   * @returns the new call's SID.
   * @throws {CallControlError} `validation` for missing numbers or TwiML; otherwise the category of
   *   the failure (retried only for 429 and refused connections, see the module comment).
   */
  async dial(request: TwilioDialRequest): Promise<{ callSid: string }> {
    requireText(request.to, 'dial', 'to');
    requireText(request.from, 'dial', 'from');
    requireText(request.twiml, 'dial', 'twiml');
    const callback = request.machineDetectionCallback ?? request.statusCallback;
    this.#logger.info({ carrier: 'twilio', to: maskPhoneNumber(request.to) }, 'dialling');
    const call = await this.#send('dial', undefined, false, () =>
      this.#client.calls.create({
        to: request.to,
        from: request.from,
        twiml: request.twiml,
        ...(request.statusCallback !== undefined
          ? {
              statusCallback: request.statusCallback,
              statusCallbackMethod: 'POST',
              statusCallbackEvent: request.statusCallbackEvents ?? [
                'initiated',
                'ringing',
                'answered',
                'completed',
              ],
            }
          : {}),
        ...(request.machineDetection !== undefined
          ? {
              machineDetection: request.machineDetection,
              asyncAmd: 'true',
              ...(callback !== undefined
                ? { asyncAmdStatusCallback: callback, asyncAmdStatusCallbackMethod: 'POST' }
                : {}),
            }
          : {}),
        ...(request.timeoutSecs !== undefined ? { timeout: request.timeoutSecs } : {}),
        ...(request.timeLimitSecs !== undefined ? { timeLimit: request.timeLimitSecs } : {}),
      }),
    );
    if (typeof call.sid !== 'string') {
      throw new CallControlError(
        { category: 'api', description: 'Twilio answered without a call SID' },
        { carrier: 'twilio', command: 'dial', attempts: 1 },
      );
    }
    return { callSid: call.sid };
  }

  /**
   * Ends the call (`Status=completed`). A call Twilio no longer knows or that is over (404, 20404)
   * counts as success: `'already-ended'`.
   */
  async hangup(callSid: string): Promise<TwilioHangupOutcome> {
    try {
      await this.#send(
        'hangup',
        callSid,
        true,
        () => this.#client.calls(callSid).update({ status: 'completed' }),
        (failure) => failure.status === 404,
      );
      return 'hung-up';
    } catch (error) {
      if (
        error instanceof CallControlError &&
        (error.status === 404 || error.carrierCode === String(TWILIO_NOT_FOUND))
      ) {
        return 'already-ended';
      }
      throw error;
    }
  }

  /** Replaces what the call is doing with new TwiML (ends a `<Connect><Stream>`). */
  async updateTwiml(callSid: string, twiml: string): Promise<void> {
    requireText(twiml, 'update', 'twiml', callSid);
    await this.#send('update', callSid, true, () => this.#client.calls(callSid).update({ twiml }));
  }

  /** Transfers the call to another number with `<Dial>`; our stream ends. */
  async transfer(
    callSid: string,
    request: { to: string; callerId?: string; timeoutSecs?: number },
  ): Promise<void> {
    requireText(request.to, 'transfer', 'to', callSid);
    const response = new twilio.twiml.VoiceResponse();
    response.dial(
      {
        ...(request.callerId !== undefined ? { callerId: request.callerId } : {}),
        ...(request.timeoutSecs !== undefined ? { timeout: request.timeoutSecs } : {}),
      },
      request.to,
    );
    await this.#send('transfer', callSid, true, () =>
      this.#client.calls(callSid).update({ twiml: response.toString() }),
    );
  }

  /**
   * Says text with Twilio's text-to-speech (`<Say>`), then hangs up if `hangUpAfter` (default
   * false). Replaces the call's TwiML: see the module comment.
   */
  async speak(
    callSid: string,
    request: { text: string; voice?: string; language?: string; hangUpAfter?: boolean },
  ): Promise<void> {
    requireText(request.text, 'speak', 'text', callSid);
    const response = new twilio.twiml.VoiceResponse();
    response.say(
      {
        ...(request.voice !== undefined ? { voice: request.voice as never } : {}),
        ...(request.language !== undefined ? { language: request.language as never } : {}),
      },
      request.text,
    );
    if (request.hangUpAfter === true) response.hangup();
    await this.#send('speak', callSid, true, () =>
      this.#client.calls(callSid).update({ twiml: response.toString() }),
    );
  }

  /** Plays an audio file (`<Play>`), `loop` times (default 1). Replaces the call's TwiML. */
  async play(callSid: string, request: { audioUrl: string; loop?: number }): Promise<void> {
    if (typeof request.audioUrl !== 'string' || !/^https?:\/\//i.test(request.audioUrl)) {
      throw invalidCommand('twilio', 'play', 'audioUrl must be an http(s) URL', callSid);
    }
    const response = new twilio.twiml.VoiceResponse();
    response.play(request.loop !== undefined ? { loop: request.loop } : {}, request.audioUrl);
    await this.#send('play', callSid, true, () =>
      this.#client.calls(callSid).update({ twiml: response.toString() }),
    );
  }

  /**
   * Plays DTMF tones (`<Play digits>`): `0-9`, `*`, `#`, `w` (0.5 s pause). Replaces the call's
   * TwiML; Twilio media streams cannot send DTMF.
   */
  async sendDtmf(callSid: string, digits: string): Promise<void> {
    if (typeof digits !== 'string' || !DTMF_DIGITS.test(digits)) {
      throw invalidCommand('twilio', 'send_dtmf', 'digits may only be 0-9, *, # and w', callSid);
    }
    const response = new twilio.twiml.VoiceResponse();
    response.play({ digits });
    await this.#send('send_dtmf', callSid, true, () =>
      this.#client.calls(callSid).update({ twiml: response.toString() }),
    );
  }

  /**
   * Starts recording the call (`POST .../Calls/{CallSid}/Recordings.json`), dual-channel by
   * default; the status callback gets `completed` with the `RecordingUrl`.
   *
   * @returns the recording's SID.
   */
  async startRecording(
    callSid: string,
    request: TwilioRecordingRequest = {},
  ): Promise<{ recordingSid: string }> {
    const recording = await this.#send('record_start', callSid, false, () =>
      this.#client.calls(callSid).recordings.create({
        recordingChannels: request.channels ?? 'dual',
        ...(request.track !== undefined ? { recordingTrack: request.track } : {}),
        ...(request.statusCallback !== undefined
          ? {
              recordingStatusCallback: request.statusCallback,
              recordingStatusCallbackMethod: 'POST',
              recordingStatusCallbackEvent: request.statusCallbackEvents ?? ['completed', 'absent'],
            }
          : {}),
      }),
    );
    return { recordingSid: recording.sid };
  }

  /** Stops a recording; default the call's current one (`Twilio.CURRENT`). */
  async stopRecording(callSid: string, recordingSid = 'Twilio.CURRENT'): Promise<void> {
    await this.#send('record_stop', callSid, true, () =>
      this.#client.calls(callSid).recordings(recordingSid).update({ status: 'stopped' }),
    );
  }

  /**
   * Forks the call's audio to a WebSocket (`POST .../Calls/{CallSid}/Streams.json`): listen-only,
   * like `<Start><Stream>`. The agent's bidirectional stream is the `<Connect><Stream>` of the
   * call's TwiML instead.
   *
   * @returns the stream's SID.
   */
  async startStreaming(callSid: string, request: TwilioStreamRequest): Promise<{ streamSid: string }> {
    if (typeof request.url !== 'string' || !/^wss:\/\/[^/?#\s]+[^?#\s]*$/i.test(request.url)) {
      throw invalidCommand(
        'twilio',
        'stream_start',
        'the stream URL must be wss:// without a query string',
        callSid,
      );
    }
    const parameters = Object.entries(request.parameters ?? {});
    if (parameters.length > 99)
      throw invalidCommand('twilio', 'stream_start', 'at most 99 parameters', callSid);
    const numbered: Record<string, string> = {};
    parameters.forEach(([name, value], index) => {
      numbered[`parameter${index + 1}.name`] = name;
      numbered[`parameter${index + 1}.value`] = value;
    });
    const stream = await this.#send('stream_start', callSid, false, () =>
      this.#client.calls(callSid).streams.create({
        url: request.url,
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.track !== undefined ? { track: request.track } : {}),
        ...(request.statusCallback !== undefined
          ? { statusCallback: request.statusCallback, statusCallbackMethod: 'POST' }
          : {}),
        ...numbered,
      }),
    );
    return { streamSid: stream.sid };
  }

  /** Stops a stream by SID or name. */
  async stopStreaming(callSid: string, streamSidOrName: string): Promise<void> {
    requireText(streamSidOrName, 'stream_stop', 'stream', callSid);
    await this.#send('stream_stop', callSid, true, () =>
      this.#client.calls(callSid).streams(streamSidOrName).update({ status: 'stopped' }),
    );
  }

  #send<T>(
    command: string,
    callSid: string | undefined,
    idempotent: boolean,
    request: () => Promise<T>,
    expected?: (failure: CallControlFailure) => boolean,
  ): Promise<T> {
    if (callSid !== undefined && !CALL_SID.test(callSid)) {
      return Promise.reject(invalidCommand('twilio', command, 'not a call SID (CA + 32 hex digits)'));
    }
    return sendWithRetry(() => request(), {
      carrier: 'twilio',
      command,
      callId: callSid,
      policy: this.#policy,
      clock: this.#clock,
      logger: this.#logger,
      classify: (error) => classifyTwilioError(error, idempotent),
      ...(expected !== undefined ? { expected } : {}),
    });
  }
}

function requireText(value: unknown, command: string, field: string, callSid?: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidCommand('twilio', command, `${field} is required`, callSid);
  }
}
