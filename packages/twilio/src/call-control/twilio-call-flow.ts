/**
 * What Voxline does with Twilio's voice webhooks and callbacks, and outbound dialling.
 *
 * | request                                   | what happens                                                   |
 * |-------------------------------------------|----------------------------------------------------------------|
 * | voice URL (an inbound call)               | `routeInbound` decides; the answer is `<Connect><Stream>` to our WebSocket with `<Parameter>`s (`CallSid`, `From`, `To`, `agent`, yours) and a stream status callback; a session is opened; `false` answers `<Reject>` |
 * | `CallStatus` `initiated`/`ringing`        | `initiated` / `ringing`                                        |
 * | `CallStatus` `in-progress`                | `answered`; with `recording`, a dual-channel recording starts   |
 * | `CallStatus` `completed`, `busy`, `no-answer`, `failed`, `canceled` | `hangup` with that status; the session is removed |
 * | `AnsweredBy` (asynchronous detection)     | `machine-detection` (and `machine-greeting-ended` for `machine_end_*`); on an outbound call answered by a machine, the answering-machine action |
 * | `StreamEvent` `stream-started`            | `streaming-started`; with `recording`, the recording starts (if not yet): an inbound call is in progress once its stream runs |
 * | `StreamEvent` `stream-stopped`/`stream-error` | `streaming-stopped` / `streaming-failed`                  |
 * | `RecordingStatus` `completed`             | `recording-saved`; the WAV (`RecordingUrl` + `.wav`) is downloaded with the account's credentials and stored (`recording-stored`) |
 * | `RecordingStatus` `absent`/`failed`       | `recording-failed`                                             |
 *
 * The session's `reference` is the `CallSid` (Twilio has no `client_state`; the SID is safe for
 * file names and unique).
 *
 * Inbound calls only report `completed` to a phone number's status callback, so set the number's
 * "Call status changes" URL to the status path to see hang-ups (docs/telephony.md).
 *
 * Several instances behind a load balancer share calls through the registry's `directory` (a
 * call is written there before the TwiML that connects its stream is returned); with a `router`,
 * each event also reaches the session on the instance that holds the call's media socket; with
 * `deduplication`, the recording start and the answering-machine commands are sent once across
 * instances; recordings go through `recordingJobs`.
 */

import {
  type AnsweringMachineAction,
  type CallCommandRouter,
  type CallContext,
  type CallControlSession,
  type CallRecordingOptions,
  CallRegistry,
  type DeduplicationStore,
  InProcessRecordingJobQueue,
  RecordingArchiver,
  type RecordingJobQueue,
} from '@voxline/call-control';
import {
  AfterReplyWork,
  callContextOf,
  SharedCallOperations,
  validatePublicUrlBase,
} from '@voxline/call-control/carrier-kit';
import {
  type Clock,
  defaultLogger,
  InvalidOptionError,
  type Logger,
  maskPhoneNumber,
  type RetryPolicy,
} from '@voxline/core';
import twilio from 'twilio';
import type { TwilioCallback, TwilioVoiceParams } from '../webhooks/twilio-webhook-params.js';
import { twilioEndStatus, twilioGreetingEnded, twilioMachineResult } from './call-status.js';
import { checkMediaStreamUrl, mediaStreamTwiml } from './media-stream-twiml.js';
import type { TwilioCallCommands } from './twilio-call-commands.js';

/** An inbound call, as `routeInbound` sees it. */
export interface TwilioInboundCall {
  callSid: string;
  from: string | undefined;
  to: string | undefined;
  accountSid: string;
}

/** How to handle an inbound call: the agent context, plus `<Parameter>`s of yours. */
export interface TwilioRoute extends CallContext {
  /** Extra stream parameters (arrive in `CallInfo.customParameters`). */
  parameters?: Record<string, string>;
}

/**
 * What a `streamUrl` function is given: the call's session fields known before the call exists at
 * Twilio (for an outbound call, the stream URL goes into the dial request's TwiML).
 */
export type TwilioStreamTarget = Pick<CallControlSession, 'context' | 'direction' | 'from' | 'to'>;

/** Options of {@link TwilioCallFlow}. */
export interface TwilioCallFlowOptions {
  /** The REST client commands go through. */
  commands: TwilioCallCommands;
  /** Our media WebSocket, `wss://voice.example.com/twilio` (no query string), or a function of the session. */
  streamUrl: string | ((call: TwilioStreamTarget) => string);
  /**
   * The public base URL Twilio reaches this server at, `https://voice.example.com`: callback URLs
   * are built from it, and the webhook plugin checks signatures against it.
   */
  webhookBaseUrl: string;
  /** Path of the voice URL; default `/twilio/voice`. */
  voicePath?: string;
  /** Path of every status callback; default `/twilio/status`. */
  statusPath?: string;
  /** The sessions; default a new registry. Share it with the code that builds pipelines. */
  registry?: CallRegistry;
  /** Decides inbound calls: the route to take, or `false` to reject the call. Default: every call, empty context. */
  routeInbound?: (call: TwilioInboundCall) => TwilioRoute | false | Promise<TwilioRoute | false>;
  /** Record calls (dual channel) and keep the recordings. Default: no recording. */
  recording?: CallRecordingOptions & {
    /** Default `'dual'`. */
    channels?: 'dual' | 'mono';
  };
  /** What outbound calls do when a machine answers; default no detection (it is billed). */
  answeringMachine?: AnsweringMachineAction;
  /** Retry policy of recording downloads. */
  retry?: Partial<RetryPolicy>;
  /**
   * Hands each call event to the instance holding the call's media socket, when that is another
   * one (`SharedState` with a `CallCommandRouter`). Default none: one process.
   */
  router?: CallCommandRouter;
  /**
   * Where `record_start` and the answering-machine commands are claimed
   * (`command:twilio:<CallSid>:<command>`, 1 h) so that they go once across instances. Default
   * none: every command is sent.
   */
  deduplication?: DeduplicationStore;
  /**
   * Where finished recordings are queued for download and storage; default an
   * `InProcessRecordingJobQueue` around the `recording` option's archiver.
   */
  recordingJobs?: RecordingJobQueue;
  clock?: Clock;
  logger?: Logger;
}

/** What {@link TwilioCallFlow.dialOutbound} places. */
export interface TwilioOutboundCall {
  to: string;
  from: string;
  /** The agent; sent as the `agent` stream parameter. */
  agent?: string;
  /** Small JSON data; sent as the `data` stream parameter (JSON text). */
  data?: Record<string, unknown>;
  /** Extra stream parameters. */
  parameters?: Record<string, string>;
  /** Default the call flow's; `false` turns detection off for this call. */
  answeringMachine?: AnsweringMachineAction | false;
  /** Seconds to ring. */
  timeoutSecs?: number;
}

/** Handles Twilio webhooks and places outbound calls; see the module comment. */
export class TwilioCallFlow {
  readonly registry: CallRegistry;
  readonly commands: TwilioCallCommands;
  /** Webhook work running after the replies; the webhook plugin schedules on it. */
  readonly work: AfterReplyWork;
  readonly voicePath: string;
  readonly statusPath: string;
  readonly webhookBaseUrl: string;
  readonly #options: TwilioCallFlowOptions;
  readonly #logger: Logger;
  readonly #recordingJobs: RecordingJobQueue | undefined;
  readonly #shared: SharedCallOperations;
  /** Calls whose recording was started (or is starting). */
  readonly #recorded = new Set<string>();
  /** Answering-machine actions of outbound calls, by CallSid. */
  readonly #machineActions = new Map<string, AnsweringMachineAction>();

  /**
   * @throws {InvalidOptionError} for a `webhookBaseUrl` that is not an http(s) URL without query, or paths not
   *   starting with `/`; {@link @voxline/call-control!CallControlError} for a fixed `streamUrl` that is
   *   not `wss://` without a query.
   */
  constructor(options: TwilioCallFlowOptions) {
    validatePublicUrlBase(options.webhookBaseUrl, 'webhookBaseUrl');
    if (typeof options.streamUrl === 'string') checkMediaStreamUrl(options.streamUrl);
    this.voicePath = options.voicePath ?? '/twilio/voice';
    this.statusPath = options.statusPath ?? '/twilio/status';
    for (const path of [this.voicePath, this.statusPath]) {
      if (!path.startsWith('/'))
        throw new InvalidOptionError(
          path === this.voicePath ? 'voicePath' : 'statusPath',
          `webhook paths must start with '/', got ${path}`,
        );
    }
    this.webhookBaseUrl = options.webhookBaseUrl.replace(/\/+$/, '');
    this.#options = options;
    this.commands = options.commands;
    this.#logger = options.logger ?? defaultLogger();
    this.registry = options.registry ?? new CallRegistry({ logger: this.#logger });
    this.work = new AfterReplyWork(this.#logger);
    const archiver = RecordingArchiver.forCallRecording(options.recording, {
      registry: this.registry,
      logger: this.#logger,
      clock: options.clock,
      retry: options.retry,
    });
    this.#recordingJobs =
      options.recordingJobs ??
      (archiver !== undefined ? new InProcessRecordingJobQueue(archiver) : undefined);
    this.#shared = new SharedCallOperations({
      carrier: 'twilio',
      registry: this.registry,
      work: this.work,
      logger: this.#logger,
      ...(options.router !== undefined ? { router: options.router } : {}),
      ...(options.deduplication !== undefined ? { deduplication: options.deduplication } : {}),
    });
  }

  /** The public URL of the status callbacks. */
  get statusCallbackUrl(): string {
    return this.webhookBaseUrl + this.statusPath;
  }

  /**
   * Resolves once the work of every callback received so far (commands, forwarded events) and the
   * recording jobs this process started have finished.
   */
  async idle(): Promise<void> {
    await this.work.idle();
    await this.#recordingJobs?.idle();
  }

  /** Runs `routeInbound` for the call of a voice request (default: every call, empty context). */
  async decideInbound(params: TwilioVoiceParams): Promise<TwilioRoute | false> {
    const route = this.#options.routeInbound;
    if (route === undefined) return {};
    return route({
      callSid: params.CallSid,
      from: params.From,
      to: params.To,
      accountSid: params.AccountSid,
    });
  }

  /**
   * {@link voiceResponse}, once the call is in the registry's shared directory (so that its media
   * stream is accepted on any instance). The webhook plugin answers with this.
   */
  async voiceAnswer(params: TwilioVoiceParams, decision: TwilioRoute | false = {}): Promise<string> {
    if (decision !== false) {
      const { parameters: _parameters, ...context } = decision;
      await this.#shared.register({
        carrier: 'twilio',
        callId: params.CallSid,
        reference: params.CallSid,
        direction: directionOf(params),
        from: params.From,
        to: params.To,
        context,
      });
    }
    return this.voiceResponse(params, decision);
  }

  /**
   * The TwiML answer to the voice URL for a decision of {@link decideInbound}: `<Connect><Stream>`
   * to our WebSocket (and the call's session is opened), or `<Reject>` for `false`.
   */
  voiceResponse(params: TwilioVoiceParams, decision: TwilioRoute | false = {}): string {
    const callSid = params.CallSid;
    if (decision === false) {
      this.#logger.info({ carrier: 'twilio', callId: callSid }, 'inbound call rejected by routeInbound');
      const response = new twilio.twiml.VoiceResponse();
      response.reject();
      return response.toString();
    }
    const { parameters, ...context } = decision;
    const direction = directionOf(params);
    const session = this.registry.open({
      carrier: 'twilio',
      callId: callSid,
      reference: callSid,
      direction,
      from: params.From,
      to: params.To,
      context,
    });
    session.deliver({ type: 'initiated', callId: callSid, direction });
    this.#logger.info(
      { carrier: 'twilio', callId: callSid, from: maskPhoneNumber(params.From ?? ''), agent: context.agent },
      'connecting inbound call to the media stream',
    );
    return mediaStreamTwiml({
      url: this.#streamUrlFor(session),
      statusCallback: this.statusCallbackUrl,
      parameters: {
        CallSid: callSid,
        ...(params.From !== undefined ? { From: params.From } : {}),
        ...(params.To !== undefined ? { To: params.To } : {}),
        ...contextParameters(context),
        ...parameters,
      },
    });
  }

  /**
   * Places an outbound call that streams into a new pipeline once answered (`<Connect><Stream>`
   * TwiML with the call context as parameters), with status and asynchronous answering-machine
   * callbacks to the status path.
   *
   * @throws {CallControlError} when the call cannot be placed.
   */
  async dialOutbound(call: TwilioOutboundCall): Promise<CallControlSession> {
    const configured = call.answeringMachine ?? this.#options.answeringMachine;
    const context = callContextOf(call);
    const streamUrl = this.#streamUrlFor({ context, direction: 'outbound', from: call.from, to: call.to });
    const twiml = mediaStreamTwiml({
      url: streamUrl,
      statusCallback: this.statusCallbackUrl,
      parameters: { From: call.from, To: call.to, ...contextParameters(context), ...call.parameters },
    });
    const { callSid } = await this.commands.dial({
      to: call.to,
      from: call.from,
      twiml,
      statusCallback: this.statusCallbackUrl,
      ...(configured === undefined || configured === false
        ? {}
        : { machineDetection: typeof configured === 'object' ? 'DetectMessageEnd' : 'Enable' }),
      ...(call.timeoutSecs !== undefined ? { timeoutSecs: call.timeoutSecs } : {}),
    });
    if (configured !== undefined && configured !== false) this.#machineActions.set(callSid, configured);
    return this.#shared.register({
      carrier: 'twilio',
      callId: callSid,
      reference: callSid,
      direction: 'outbound',
      from: call.from,
      to: call.to,
      context,
    });
  }

  /**
   * Acts on one verified status callback. Failures of the commands it sends are logged, not
   * thrown: the callback has been answered already.
   */
  async handle(callback: TwilioCallback): Promise<void> {
    switch (callback.kind) {
      case 'call-status':
        return this.#callStatus(callback.params);
      case 'machine-detection':
        return this.#machineDetected(callback.params.CallSid, callback.params.AnsweredBy);
      case 'stream':
        return this.#streamStatus(callback.params);
      case 'recording':
        return this.#recordingStatus(callback.params);
    }
  }

  async #callStatus(params: Extract<TwilioCallback, { kind: 'call-status' }>['params']): Promise<void> {
    const callSid = params.CallSid;
    const session = await this.#sessionOf(callSid, params);
    const status = params.CallStatus;
    const end = twilioEndStatus(status);
    if (end !== undefined) {
      this.#recorded.delete(callSid);
      this.#machineActions.delete(callSid);
      const duration = params.CallDuration !== undefined ? Number(params.CallDuration) : Number.NaN;
      await this.#shared.deliver({
        type: 'hangup',
        callId: callSid,
        status: end,
        cause: status,
        ...(Number.isFinite(duration) ? { durationSeconds: duration } : {}),
      });
      this.#logger.info({ carrier: 'twilio', callId: callSid, status: end }, 'call ended');
      return;
    }
    if (status === 'ringing') await this.#shared.deliver({ type: 'ringing', callId: callSid });
    else if (status === 'in-progress') {
      await this.#shared.deliver({ type: 'answered', callId: callSid });
      if (params.AnsweredBy !== undefined) await this.#machineDetected(callSid, params.AnsweredBy);
      await this.#startRecording(session);
    } else if (status === 'initiated' || status === 'queued') {
      await this.#shared.deliver({ type: 'initiated', callId: callSid, direction: session.direction });
    }
  }

  async #machineDetected(callSid: string, answeredBy: string): Promise<void> {
    const session = await this.#shared.lookup(callSid);
    if (session === undefined) return;
    const result = twilioMachineResult(answeredBy);
    await this.#shared.deliver({
      type: 'machine-detection',
      callId: callSid,
      result,
      carrierResult: answeredBy,
    });
    if (twilioGreetingEnded(answeredBy)) {
      await this.#shared.deliver({
        type: 'machine-greeting-ended',
        callId: callSid,
        beep: answeredBy === 'machine_end_beep',
        carrierResult: answeredBy,
      });
    }
    const action = this.#machineActions.get(callSid);
    if (action === undefined || result !== 'machine' || session.direction !== 'outbound') return;
    this.#machineActions.delete(callSid);
    if (action === 'hang-up') {
      this.#logger.info({ carrier: 'twilio', callId: callSid }, 'answering machine: hanging up');
      await this.#shared.once(callSid, 'hangup', () => this.commands.hangup(callSid));
    } else if (typeof action === 'object') {
      // Detection ran with DetectMessageEnd: the greeting is over. New TwiML ends the agent's stream.
      const message = action.leaveMessage;
      this.#logger.info({ carrier: 'twilio', callId: callSid }, 'answering machine: leaving a message');
      await this.#shared.once(callSid, 'speak', () =>
        this.commands.speak(callSid, {
          text: message.text,
          ...(message.voice !== undefined ? { voice: message.voice } : {}),
          ...(message.language !== undefined ? { language: message.language } : {}),
          hangUpAfter: true,
        }),
      );
    }
  }

  async #streamStatus(params: Extract<TwilioCallback, { kind: 'stream' }>['params']): Promise<void> {
    const session = await this.#shared.lookup(params.CallSid);
    if (session === undefined) return;
    const streamId = params.StreamSid;
    if (params.StreamEvent === 'stream-started') {
      await this.#shared.deliver({ type: 'streaming-started', callId: session.callId, streamId });
      await this.#startRecording(session);
    } else if (params.StreamEvent === 'stream-stopped') {
      await this.#shared.deliver({ type: 'streaming-stopped', callId: session.callId, streamId });
    } else {
      this.#logger.warn(
        { carrier: 'twilio', callId: session.callId, reason: params.StreamError },
        'media stream failed',
      );
      await this.#shared.deliver({
        type: 'streaming-failed',
        callId: session.callId,
        streamId,
        ...(params.StreamError !== undefined ? { reason: params.StreamError } : {}),
      });
    }
  }

  async #recordingStatus(params: Extract<TwilioCallback, { kind: 'recording' }>['params']): Promise<void> {
    const callSid = params.CallSid;
    if (params.RecordingStatus === 'absent' || params.RecordingStatus === 'failed') {
      await this.#shared.lookup(callSid);
      await this.#shared.deliver({
        type: 'recording-failed',
        callId: callSid,
        reason: `Twilio recording ${params.RecordingStatus}${params.ErrorCode ? ` (error ${params.ErrorCode})` : ''}`,
      });
      return;
    }
    if (params.RecordingStatus !== 'completed' || params.RecordingUrl === undefined) return;
    const duration = params.RecordingDuration !== undefined ? Number(params.RecordingDuration) : Number.NaN;
    const saved = {
      type: 'recording-saved' as const,
      callId: callSid,
      recordingId: params.RecordingSid,
      url: `${params.RecordingUrl}.wav`,
      format: 'wav' as const,
      channels: params.RecordingChannels === '2' ? (2 as const) : (1 as const),
      ...(params.RecordingStartTime !== undefined ? { startedAt: params.RecordingStartTime } : {}),
      ...(Number.isFinite(duration) ? { durationSeconds: duration } : {}),
    };
    const session = await this.#shared.lookup(callSid);
    await this.#shared.deliver(saved);
    // The account's credentials go only to the API host itself (see mediaAuthorization).
    const authorization = this.commands.mediaAuthorization(saved.url);
    await this.#recordingJobs?.enqueue({
      carrier: 'twilio',
      callReference: session?.reference ?? callSid,
      saved,
      ...(authorization !== undefined ? { headers: { authorization } } : {}),
    });
  }

  async #startRecording(session: CallControlSession): Promise<void> {
    const recording = this.#options.recording;
    if (recording === undefined || this.#recorded.has(session.callId)) return;
    this.#recorded.add(session.callId);
    await this.#shared.once(session.callId, 'record_start', () =>
      this.commands.startRecording(session.callId, {
        channels: recording.channels ?? 'dual',
        statusCallback: this.statusCallbackUrl,
      }),
    );
  }

  /** The session of a call-status callback, opened if unknown (a callback before our dial's answer). */
  async #sessionOf(
    callSid: string,
    params: { Direction?: string; From?: string; To?: string },
  ): Promise<CallControlSession> {
    return (
      (await this.#shared.lookup(callSid)) ??
      this.registry.open({
        carrier: 'twilio',
        callId: callSid,
        reference: callSid,
        direction: directionOf(params),
        from: params.From,
        to: params.To,
      })
    );
  }

  #streamUrlFor(target: TwilioStreamTarget): string {
    const streamUrl = this.#options.streamUrl;
    if (typeof streamUrl === 'string') return streamUrl;
    const url = streamUrl(target);
    checkMediaStreamUrl(url);
    return url;
  }
}

/** `agent` and `data` (JSON text) as stream parameters. */
function contextParameters(context: CallContext): Record<string, string> {
  return {
    ...(context.agent !== undefined ? { agent: context.agent } : {}),
    ...(context.data !== undefined ? { data: JSON.stringify(context.data) } : {}),
  };
}

/** The call's direction from Twilio's `Direction` (`inbound`, `outbound-api`, `outbound-dial`). */
function directionOf(params: { Direction?: string }): 'inbound' | 'outbound' {
  return params.Direction?.startsWith('outbound') ? 'outbound' : 'inbound';
}
