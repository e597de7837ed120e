/**
 * Telnyx Call Control commands, as a thin typed layer over the official `telnyx` SDK
 * (`client.calls.dial`, `client.calls.actions.*`; REST paths `POST /v2/calls` and
 * `POST /v2/calls/{call_control_id}/actions/{action}`; https://developers.telnyx.com/docs/voice/programmable-voice/sending-commands).
 *
 * What it adds to the SDK:
 * - Checks of the input that Telnyx would refuse anyway (empty numbers, DTMF characters, the speak
 *   length limit, stream URL and codec), as `CallControlError`s of category `validation`, before
 *   any request.
 * - The stream settings that make the agent audible (`stream_bidirectional_mode: 'rtp'`, a codec);
 *   see {@link telnyxStreamFields}.
 * - `client_state` as base64 JSON of our call context ({@link encodeClientState}).
 * - Idempotency: one `command_id` per logical command (a UUID unless given), the same for every
 *   attempt, so a retry after a lost response is ignored by Telnyx.
 * - Bounded retries with backoff for rate limits, network faults and 5xx, and errors sorted into
 *   `validation`, `authentication`, `rate-limited`, `network` and `api` (`CallControlError`). The SDK's
 *   own retries are off, so this policy is the only one.
 */
import { randomUUID } from 'node:crypto';
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
import type Telnyx from 'telnyx';
import { telnyxClientFor } from '../telnyx-client.js';
import { encodeClientState, type VoxlineClientState } from './client-state.js';
import { type TelnyxMediaStreamSettings, telnyxStreamFields } from './media-stream-settings.js';
import { classifyTelnyxError, TELNYX_CALL_HAS_ENDED } from './telnyx-error-classification.js';

/** Options of {@link TelnyxCallCommands}. */
export interface TelnyxCallCommandsOptions {
  /** A configured SDK client. When omitted, one is created from `apiKey` and `baseURL`. */
  client?: Telnyx;
  /** API key (v2). Default: the SDK's, `process.env.TELNYX_API_KEY`. Ignored with `client`. */
  apiKey?: string;
  /** Base URL of the API. Default: the SDK's, `https://api.telnyx.com/v2`. Ignored with `client`. */
  baseURL?: string;
  /**
   * The Call Control application (`connection_id`) outbound calls are placed from; its outbound
   * voice profile decides where you may call. Required by {@link TelnyxCallCommands.dial} unless
   * given there.
   */
  connectionId?: string;
  /** Time limit of one request in ms. Default 10,000. */
  requestTimeoutMs?: number;
  /** Retry policy; default 3 attempts, 250 ms × 2^n (at most 4 s), ±20 % jitter. */
  retry?: Partial<RetryPolicy>;
  /** Time source of the backoff waits. Default the real clock. */
  clock?: Clock;
  /** Where failures are logged (call ids, never keys or full phone numbers). Default the shared logger. */
  logger?: Logger;
}

/** Fields every command takes. */
export interface TelnyxCommandOptions {
  /**
   * Our context, sent as `client_state` (base64 JSON); Telnyx returns it in the call's later
   * webhooks. Omit to leave the call's state as it is.
   */
  clientState?: VoxlineClientState;
  /** Idempotency key of this logical command. Default a new UUID (reused by every retry). */
  commandId?: string;
}

/** Answering-machine detection modes of Telnyx (`answering_machine_detection`). */
export type TelnyxMachineDetection = 'detect' | 'detect_beep' | 'detect_words' | 'greeting_end' | 'premium';

/** What {@link TelnyxCallCommands.dial} places. */
export interface TelnyxDialRequest extends TelnyxCommandOptions {
  /** Callee: E.164 number (`+13125550123`) or SIP URI. */
  to: string;
  /** Caller ID: one of your Telnyx numbers, E.164. */
  from: string;
  /** Caller name shown where supported. */
  fromDisplayName?: string;
  /** Default: the `connectionId` option. */
  connectionId?: string;
  /** Stream the answered call to our WebSocket (bidirectional RTP). */
  stream?: TelnyxMediaStreamSettings;
  /** Answering-machine detection; default none. */
  machineDetection?: TelnyxMachineDetection;
  /** Seconds to ring before giving up (`timeout_secs`); Telnyx's default 30. */
  timeoutSecs?: number;
  /** Longest the call may last, in seconds (`time_limit_secs`); Telnyx's default 14,400. */
  timeLimitSecs?: number;
  /** Where this call's webhooks go; default the Call Control application's webhook URL. */
  webhookUrl?: string;
}

/** The ids of a call {@link TelnyxCallCommands.dial} placed. */
export interface TelnyxDialedCall {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
}

/** What {@link TelnyxCallCommands.answer} sets up. */
export interface TelnyxAnswerRequest extends TelnyxCommandOptions {
  stream?: TelnyxMediaStreamSettings;
  webhookUrl?: string;
}

/** What {@link TelnyxCallCommands.transfer} dials. */
export interface TelnyxTransferRequest extends TelnyxCommandOptions {
  /** The new destination: E.164 number or SIP URI. */
  to: string;
  /** Caller ID shown to the new destination; default the original caller's. */
  from?: string;
  /** Seconds to ring the new destination. */
  timeoutSecs?: number;
}

/** What {@link TelnyxCallCommands.startRecording} records. */
export interface TelnyxRecordingRequest extends TelnyxCommandOptions {
  /** `dual`: caller and agent on separate channels (default); `single`: mixed. */
  channels?: 'single' | 'dual';
  /** Default `'wav'`. */
  format?: 'wav' | 'mp3';
  /**
   * File name at Telnyx (Telnyx appends a Unix timestamp). Letters, digits, `.`, `_` and `-`
   * only, at most 200 characters.
   */
  customFileName?: string;
  /** Play a beep when recording starts. Default false. */
  playBeep?: boolean;
  /** Longest recording in seconds, 0 (no limit) to 14,400. */
  maxLengthSecs?: number;
}

/** What {@link TelnyxCallCommands.speak} says. */
export interface TelnyxSpeakRequest extends TelnyxCommandOptions {
  /** Text or SSML, at most 3,000 characters. */
  text: string;
  /** Voice, e.g. `AWS.Polly.Joanna-Neural`, `Azure.en-US-JennyNeural`, `Telnyx.KokoroTTS.af`. */
  voice: string;
  /** Default `'text'`. */
  payloadType?: 'text' | 'ssml';
  /** Language, for voices that need it (`en-US`). */
  language?: string;
}

/** What {@link TelnyxCallCommands.startPlayback} plays. */
export interface TelnyxPlaybackRequest extends TelnyxCommandOptions {
  /** An http(s) URL of an MP3 or WAV file. */
  audioUrl: string;
  /** Times to play, 1-100, or `'infinity'`. Default 1. */
  loop?: number | 'infinity';
  /** Mix over other audio rather than replacing it. Default false. */
  overlay?: boolean;
}

/** What {@link TelnyxCallCommands.hangup} found. */
export type TelnyxHangupOutcome = 'hung-up' | 'already-ended';

const DTMF_DIGITS = /^[0-9A-D*#wW]+$/;
const FILE_NAME = /^[A-Za-z0-9._-]{1,200}$/;

/** Telnyx Call Control commands; see the module comment. */
export class TelnyxCallCommands {
  readonly #client: Telnyx;
  readonly #connectionId: string | undefined;
  readonly #timeoutMs: number;
  readonly #policy: Readonly<RetryPolicy>;
  readonly #clock: Clock;
  readonly #logger: Logger;

  /** @throws {InvalidOptionError} for a non-positive `requestTimeoutMs` or an invalid retry policy. */
  constructor(options: TelnyxCallCommandsOptions = {}) {
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    if (!(timeoutMs > 0))
      throw new InvalidOptionError('requestTimeoutMs', `requestTimeoutMs must be positive, got ${timeoutMs}`);
    this.#timeoutMs = timeoutMs;
    this.#policy = callControlRetryPolicy(options.retry);
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? defaultLogger();
    this.#connectionId = options.connectionId;
    this.#client = telnyxClientFor(options, timeoutMs);
  }

  /**
   * Places an outbound call (`POST /calls`). Dialling is asynchronous: `call.initiated`,
   * `call.answered` (or `call.hangup`) and, with `machineDetection`, `call.machine.*` webhooks follow.
   *
   * @throws {CallControlError} `validation` for a missing number or connection id, or bad stream
   *   settings; otherwise the category of the last failure.
   */
  async dial(request: TelnyxDialRequest): Promise<TelnyxDialedCall> {
    const connectionId = request.connectionId ?? this.#connectionId;
    if (!connectionId) {
      throw invalidCommand('telnyx', 'dial', 'a connection id (the Call Control application) is required');
    }
    requireText(request.to, 'dial', 'to');
    requireText(request.from, 'dial', 'from');
    const body: Telnyx.Calls.CallDialParams = {
      connection_id: connectionId,
      to: request.to,
      from: request.from,
      ...common(request),
      ...(request.stream !== undefined ? telnyxStreamFields(request.stream, 'dial') : {}),
      ...(request.fromDisplayName !== undefined ? { from_display_name: request.fromDisplayName } : {}),
      ...(request.machineDetection !== undefined
        ? { answering_machine_detection: request.machineDetection }
        : {}),
      ...(request.timeoutSecs !== undefined ? { timeout_secs: request.timeoutSecs } : {}),
      ...(request.timeLimitSecs !== undefined ? { time_limit_secs: request.timeLimitSecs } : {}),
      ...(request.webhookUrl !== undefined ? { webhook_url: request.webhookUrl } : {}),
    };
    this.#logger.info({ carrier: 'telnyx', to: maskPhoneNumber(request.to) }, 'dialling');
    const response = await this.#send('dial', undefined, (options) => this.#client.calls.dial(body, options));
    const data = response.data;
    if (data === undefined || typeof data.call_control_id !== 'string') {
      throw invalidResponse('dial');
    }
    return {
      callControlId: data.call_control_id,
      callLegId: data.call_leg_id,
      callSessionId: data.call_session_id,
    };
  }

  /** Answers an inbound call (`actions/answer`), streaming it to our WebSocket when `stream` is given. */
  async answer(callControlId: string, request: TelnyxAnswerRequest = {}): Promise<void> {
    const body = {
      ...common(request),
      ...(request.stream !== undefined ? telnyxStreamFields(request.stream, 'answer') : {}),
      ...(request.webhookUrl !== undefined ? { webhook_url: request.webhookUrl } : {}),
    } as Telnyx.Calls.ActionAnswerParams;
    await this.#send('answer', callControlId, (options) =>
      this.#client.calls.actions.answer(callControlId, body, options),
    );
  }

  /**
   * Hangs up (`actions/hangup`). A call that has already ended (HTTP 422, code `90018`) counts as
   * success: `'already-ended'`.
   */
  async hangup(callControlId: string, request: TelnyxCommandOptions = {}): Promise<TelnyxHangupOutcome> {
    try {
      await this.#send(
        'hangup',
        callControlId,
        (options) => this.#client.calls.actions.hangup(callControlId, common(request), options),
        (failure) => failure.carrierCode === TELNYX_CALL_HAS_ENDED,
      );
      return 'hung-up';
    } catch (error) {
      if ((error as { carrierCode?: unknown }).carrierCode === TELNYX_CALL_HAS_ENDED) return 'already-ended';
      throw error;
    }
  }

  /** Transfers the call to another number or SIP URI (`actions/transfer`); our leg leaves the call. */
  async transfer(callControlId: string, request: TelnyxTransferRequest): Promise<void> {
    requireText(request.to, 'transfer', 'to', callControlId);
    const body: Telnyx.Calls.ActionTransferParams = {
      to: request.to,
      ...common(request),
      ...(request.from !== undefined ? { from: request.from } : {}),
      ...(request.timeoutSecs !== undefined ? { timeout_secs: request.timeoutSecs } : {}),
    };
    await this.#send('transfer', callControlId, (options) =>
      this.#client.calls.actions.transfer(callControlId, body, options),
    );
  }

  /**
   * Starts streaming the call to our WebSocket (`actions/streaming_start`); only after the call was
   * answered. `customParameters` arrive in the stream's `start.custom_parameters`.
   */
  async startStreaming(
    callControlId: string,
    request: TelnyxCommandOptions & {
      stream: TelnyxMediaStreamSettings;
      customParameters?: Record<string, string>;
    },
  ): Promise<void> {
    const body = {
      ...common(request),
      ...telnyxStreamFields(request.stream, 'streaming_start'),
      ...(request.customParameters !== undefined
        ? {
            custom_parameters: Object.entries(request.customParameters).map(([name, value]) => ({
              name,
              value,
            })),
          }
        : {}),
    } as Telnyx.Calls.ActionStartStreamingParams;
    await this.#send('streaming_start', callControlId, (options) =>
      this.#client.calls.actions.startStreaming(callControlId, body, options),
    );
  }

  /** Stops one stream (`streamId`) or all of the call's streams (`actions/streaming_stop`). */
  async stopStreaming(
    callControlId: string,
    request: TelnyxCommandOptions & { streamId?: string } = {},
  ): Promise<void> {
    const body = {
      ...common(request),
      ...(request.streamId !== undefined ? { stream_id: request.streamId } : {}),
    };
    await this.#send('streaming_stop', callControlId, (options) =>
      this.#client.calls.actions.stopStreaming(callControlId, body, options),
    );
  }

  /**
   * Sends DTMF tones (`actions/send_dtmf`): `0-9`, `A-D`, `*`, `#`; `w` pauses 0.5 s, `W` 1 s.
   *
   * @param request - command options; `durationMs` is the length of each tone, 100-500 ms, default
   *   Telnyx's (250).
   */
  async sendDtmf(
    callControlId: string,
    digits: string,
    request: TelnyxCommandOptions & { durationMs?: number } = {},
  ): Promise<void> {
    if (typeof digits !== 'string' || !DTMF_DIGITS.test(digits)) {
      throw invalidCommand(
        'telnyx',
        'send_dtmf',
        'digits may only be 0-9, A-D, *, #, w and W',
        callControlId,
      );
    }
    const duration = request.durationMs;
    if (duration !== undefined && !(Number.isInteger(duration) && duration >= 100 && duration <= 500)) {
      throw invalidCommand('telnyx', 'send_dtmf', 'durationMs must be 100-500', callControlId);
    }
    const body = {
      digits,
      ...common(request),
      ...(duration !== undefined ? { duration_millis: duration } : {}),
    };
    await this.#send('send_dtmf', callControlId, (options) =>
      this.#client.calls.actions.sendDtmf(callControlId, body, options),
    );
  }

  /**
   * Starts recording (`actions/record_start`), dual-channel WAV by default. `call.recording.saved`
   * follows once the recording stops (by `stopRecording` or the end of the call).
   */
  async startRecording(callControlId: string, request: TelnyxRecordingRequest = {}): Promise<void> {
    if (request.customFileName !== undefined && !FILE_NAME.test(request.customFileName)) {
      throw invalidCommand(
        'telnyx',
        'record_start',
        'customFileName may only hold letters, digits, . _ - (at most 200)',
        callControlId,
      );
    }
    const maxLength = request.maxLengthSecs;
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength >= 0 && maxLength <= 14_400)) {
      throw invalidCommand('telnyx', 'record_start', 'maxLengthSecs must be 0-14400', callControlId);
    }
    const body: Telnyx.Calls.ActionStartRecordingParams = {
      channels: request.channels ?? 'dual',
      format: request.format ?? 'wav',
      ...common(request),
      ...(request.customFileName !== undefined ? { custom_file_name: request.customFileName } : {}),
      ...(request.playBeep !== undefined ? { play_beep: request.playBeep } : {}),
      ...(maxLength !== undefined ? { max_length: maxLength } : {}),
    };
    await this.#send('record_start', callControlId, (options) =>
      this.#client.calls.actions.startRecording(callControlId, body, options),
    );
  }

  /** Stops recording (`actions/record_stop`). */
  async stopRecording(callControlId: string, request: TelnyxCommandOptions = {}): Promise<void> {
    await this.#send('record_stop', callControlId, (options) =>
      this.#client.calls.actions.stopRecording(callControlId, common(request), options),
    );
  }

  /** Speaks text with Telnyx's text-to-speech (`actions/speak`); `call.speak.ended` follows. */
  async speak(callControlId: string, request: TelnyxSpeakRequest): Promise<void> {
    requireText(request.text, 'speak', 'text', callControlId);
    requireText(request.voice, 'speak', 'voice', callControlId);
    if (request.text.length > 3000) {
      throw invalidCommand('telnyx', 'speak', 'text is longer than 3000 characters', callControlId);
    }
    const body = {
      payload: request.text,
      voice: request.voice,
      ...common(request),
      ...(request.payloadType !== undefined ? { payload_type: request.payloadType } : {}),
      ...(request.language !== undefined ? { language: request.language } : {}),
    } as Telnyx.Calls.ActionSpeakParams;
    await this.#send('speak', callControlId, (options) =>
      this.#client.calls.actions.speak(callControlId, body, options),
    );
  }

  /** Plays an audio file into the call (`actions/playback_start`). */
  async startPlayback(callControlId: string, request: TelnyxPlaybackRequest): Promise<void> {
    if (typeof request.audioUrl !== 'string' || !/^https?:\/\//i.test(request.audioUrl)) {
      throw invalidCommand('telnyx', 'playback_start', 'audioUrl must be an http(s) URL', callControlId);
    }
    const body = {
      audio_url: request.audioUrl,
      ...common(request),
      ...(request.loop !== undefined ? { loop: request.loop } : {}),
      ...(request.overlay !== undefined ? { overlay: request.overlay } : {}),
    } as Telnyx.Calls.ActionStartPlaybackParams;
    await this.#send('playback_start', callControlId, (options) =>
      this.#client.calls.actions.startPlayback(callControlId, body, options),
    );
  }

  /** Stops audio playback (`actions/playback_stop`). */
  async stopPlayback(callControlId: string, request: TelnyxCommandOptions = {}): Promise<void> {
    await this.#send('playback_stop', callControlId, (options) =>
      this.#client.calls.actions.stopPlayback(callControlId, common(request), options),
    );
  }

  /**
   * One command with retries. `common(request)` has already put the `command_id` in the body, so
   * every attempt sends the same one.
   */
  #send<T>(
    command: string,
    callId: string | undefined,
    request: (options: { maxRetries: number; timeout: number }) => PromiseLike<T>,
    expected?: (failure: CallControlFailure) => boolean,
  ): Promise<T> {
    if (callId !== undefined && (typeof callId !== 'string' || callId === '')) {
      throw invalidCommand('telnyx', command, 'a call_control_id is required');
    }
    return sendWithRetry(async () => await request({ maxRetries: 0, timeout: this.#timeoutMs }), {
      carrier: 'telnyx',
      command,
      callId,
      policy: this.#policy,
      clock: this.#clock,
      logger: this.#logger,
      classify: (error): CallControlFailure => classifyTelnyxError(error),
      ...(expected !== undefined ? { expected } : {}),
    });
  }
}

/** `command_id` (given or new) and `client_state` (encoded) of a request. */
function common(request: TelnyxCommandOptions): { command_id: string; client_state?: string } {
  return {
    command_id: request.commandId ?? randomUUID(),
    ...(request.clientState !== undefined ? { client_state: encodeClientState(request.clientState) } : {}),
  };
}

function requireText(value: unknown, command: string, field: string, callId?: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidCommand('telnyx', command, `${field} is required`, callId);
  }
}

function invalidResponse(command: string): CallControlError {
  return new CallControlError(
    { category: 'api', description: 'Telnyx answered without a call_control_id' },
    { carrier: 'telnyx', command, attempts: 1 },
  );
}
