/**
 * What Voxline does with each Telnyx Call Control webhook, and outbound dialling.
 *
 * | event                                   | what happens                                                    |
 * |-----------------------------------------|-----------------------------------------------------------------|
 * | `call.initiated`, direction `incoming`  | a session is opened; `routeInbound` decides; the call is answered with streaming to our WebSocket (bidirectional RTP, the chosen codec) and our `client_state` |
 * | `call.initiated`, direction `outgoing`  | the session of our dial is opened (if the dial's answer has not arrived yet) |
 * | `call.answered`                         | `answered`; with `recording`, `record_start` (dual, wav, `custom_file_name` = our call reference) |
 * | `call.hangup`                           | `hangup` with the normalized status; the session is removed      |
 * | `call.machine[.premium].detection.ended`| `machine-detection`; on an outbound call answered by a machine, the answering-machine action |
 * | `call.machine[.premium].greeting.ended` | `machine-greeting-ended`; leaves the message if one is waiting   |
 * | `call.speak.ended`                      | `speak-ended`; hangs up after a left message                     |
 * | `streaming.started/stopped/failed`      | `streaming-started/stopped/failed`                               |
 * | `call.dtmf.received`                    | `dtmf`                                                           |
 * | `call.recording.saved`                  | `recording-saved`; the WAV is downloaded and stored (`recording-stored`) |
 * | `call.recording.error`                  | `recording-failed`                                               |
 *
 * Events of calls that are neither in the registry nor carry our `client_state` (another
 * application on the same connection) are ignored. After a restart, events of our calls re-open
 * their session from the `client_state`.
 *
 * Several instances behind a load balancer share calls through the registry's `directory`: a call
 * is written there before it is answered, so its media stream is accepted on any instance; with a
 * `router`, each event also reaches the session on the instance that holds the call's media socket
 * (e.g. the answering-machine result, for the pipeline there); with `deduplication`, `answer`,
 * `record_start` and the hang-up after a left message are sent once even when two instances handle
 * events of the call; recordings go through `recordingJobs` (a durable queue survives the instance).
 */
import { randomUUID } from 'node:crypto';
import {
  type AnsweringMachineAction,
  type CallCommandRouter,
  type CallContext,
  type CallControlEvent,
  type CallControlSession,
  type CallRecordingOptions,
  CallRegistry,
  type DeduplicationStore,
  InProcessRecordingJobQueue,
  type MachineDetectionResult,
  RecordingArchiver,
  type RecordingJobQueue,
} from '@voxline/call-control';
import { AfterReplyWork, callContextOf, SharedCallOperations } from '@voxline/call-control/carrier-kit';
import { type Clock, defaultLogger, type Logger, maskPhoneNumber, type RetryPolicy } from '@voxline/core';
import type { TelnyxWebhookEvent } from '../webhooks/telnyx-webhook-events.js';
import { decodeClientState, type VoxlineClientState } from './client-state.js';
import { telnyxHangupStatus } from './hangup-cause.js';
import type { TelnyxMediaStreamSettings } from './media-stream-settings.js';
import type { TelnyxCallCommands, TelnyxMachineDetection } from './telnyx-call-commands.js';
import { telnyxStreamAuthToken } from './telnyx-stream-auth-token.js';

/** An inbound call, as `routeInbound` sees it. */
export interface TelnyxInboundCall {
  callControlId: string;
  from: string | undefined;
  to: string | undefined;
  connectionId: string | undefined;
  callSessionId: string | undefined;
}

/**
 * What a `stream` function is given to choose the WebSocket: the call's session fields known before
 * the call exists at Telnyx (for an outbound call, the stream URL goes into the dial request).
 */
export type TelnyxStreamTarget = Pick<
  CallControlSession,
  'reference' | 'context' | 'direction' | 'from' | 'to'
>;

/** Options of {@link TelnyxCallFlow}. */
export interface TelnyxCallFlowOptions {
  /** The Call Control client commands go through. */
  commands: TelnyxCallCommands;
  /**
   * Our media WebSocket: `{ url: 'wss://voice.example.com/telnyx', codec: 'PCMU' }`, or a function
   * of the call's session (e.g. a URL per agent).
   */
  stream: TelnyxMediaStreamSettings | ((call: TelnyxStreamTarget) => TelnyxMediaStreamSettings);
  /** The sessions; default a new registry. Share it with the code that builds pipelines. */
  registry?: CallRegistry;
  /**
   * When set, inbound calls are answered with a `stream_auth_token` derived from this secret and
   * the call's id ({@link telnyxStreamAuthToken}), so a `TelnyxMediaStreamVerifier` with the same
   * `tokenSecret` can prove the stream on any instance. Default: no token (the registry proves it).
   */
  streamTokenSecret?: string;
  /**
   * Decides inbound calls: return the context (e.g. `{ agent: 'support' }`) to answer with, or
   * `false` to leave the call alone (another application may answer it; else it rings out).
   * Default: answer every call with an empty context.
   */
  routeInbound?: (call: TelnyxInboundCall) => CallContext | false | Promise<CallContext | false>;
  /** Record answered calls and keep the recordings. Default: no recording. */
  recording?: CallRecordingOptions & {
    /** Default `'dual'` (caller and agent on separate channels). */
    channels?: 'single' | 'dual';
    /** Default `'wav'`. */
    format?: 'wav' | 'mp3';
  };
  /**
   * What outbound calls do when a machine answers (per call in {@link TelnyxCallFlow.dialOutbound}).
   * Default: no detection at all (Telnyx bills it).
   */
  answeringMachine?: AnsweringMachineAction;
  /** Retry policy of recording downloads. */
  retry?: Partial<RetryPolicy>;
  /**
   * Hands each call event to the instance holding the call's media socket, when that is another
   * one (`SharedState` with a `CallCommandRouter`). Default none: one process.
   */
  router?: CallCommandRouter;
  /**
   * Where `answer`, `record_start` and the hang-up after a left message are claimed
   * (`command:telnyx:<call_control_id>:<command>`, 1 h) so that they go once across instances.
   * Default none: every command is sent.
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

/** What {@link TelnyxCallFlow.dialOutbound} places. */
export interface TelnyxOutboundCall {
  /** Callee, E.164. */
  to: string;
  /** Caller ID: one of your Telnyx numbers, E.164. */
  from: string;
  /** The agent that should handle the call (carried in `client_state`; read it in `createPipeline`). */
  agent?: string;
  /** Small JSON data carried with the call. */
  data?: Record<string, unknown>;
  /**
   * What to do when a machine answers; default the call flow's. Any action turns detection on
   * (`detect_beep` when leaving a message, else `detect`; `'continue'` only reports the result);
   * `false` turns it off for this call.
   */
  answeringMachine?: AnsweringMachineAction | false;
  /** Seconds to ring; Telnyx's default 30. */
  timeoutSecs?: number;
  /** Default the `TelnyxCallCommands`'s `connectionId`. */
  connectionId?: string;
}

/** The default voice of a left message on Telnyx. */
export const DEFAULT_TELNYX_MESSAGE_VOICE = 'AWS.Polly.Joanna-Neural';

/** Where an outbound call stands with its answering-machine action. */
interface MachineFlow {
  action: AnsweringMachineAction;
  /** `waiting`: machine detected, waiting for the greeting's end; `speaking`: the message plays. */
  message: 'none' | 'waiting' | 'speaking' | 'done';
  greetingEnded: boolean;
}

/** Handles Telnyx webhooks and places outbound calls; see the module comment. */
export class TelnyxCallFlow {
  readonly registry: CallRegistry;
  readonly commands: TelnyxCallCommands;
  /** Webhook work running after the replies (see `AfterReplyWork`); the webhook plugin schedules on it. */
  readonly work: AfterReplyWork;
  readonly #options: TelnyxCallFlowOptions;
  readonly #logger: Logger;
  readonly #recordingJobs: RecordingJobQueue | undefined;
  readonly #shared: SharedCallOperations;
  /** Answering-machine flows of outbound calls, by call reference. */
  readonly #machineFlows = new Map<string, MachineFlow>();

  constructor(options: TelnyxCallFlowOptions) {
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
      carrier: 'telnyx',
      registry: this.registry,
      work: this.work,
      logger: this.#logger,
      ...(options.router !== undefined ? { router: options.router } : {}),
      ...(options.deduplication !== undefined ? { deduplication: options.deduplication } : {}),
    });
  }

  /**
   * Places an outbound call that streams into a new pipeline once answered (`stream_url` on the
   * dial, bidirectional RTP), with answering-machine detection per `answeringMachine`.
   *
   * @returns the call's session (already in the registry; `answered`, `hangup`, ... follow).
   * @throws {CallControlError} when the dial is refused or fails.
   */
  async dialOutbound(call: TelnyxOutboundCall): Promise<CallControlSession> {
    const reference = randomUUID();
    const context = callContextOf(call);
    const configured = call.answeringMachine ?? this.#options.answeringMachine;
    const action: AnsweringMachineAction =
      configured === undefined || configured === false ? 'continue' : configured;
    // Detection is billed, so it is on only when an action was asked for.
    const detection: TelnyxMachineDetection | undefined =
      configured === undefined || configured === false
        ? undefined
        : typeof configured === 'object'
          ? 'detect_beep'
          : 'detect';
    this.#machineFlows.set(reference, { action, message: 'none', greetingEnded: false });
    const stream = this.#streamFor({
      reference,
      context,
      direction: 'outbound',
      from: call.from,
      to: call.to,
    });
    try {
      const dialed = await this.commands.dial({
        to: call.to,
        from: call.from,
        stream,
        clientState: { reference, direction: 'outbound', ...context },
        ...(detection !== undefined ? { machineDetection: detection } : {}),
        ...(call.timeoutSecs !== undefined ? { timeoutSecs: call.timeoutSecs } : {}),
        ...(call.connectionId !== undefined ? { connectionId: call.connectionId } : {}),
      });
      // `call.initiated` may have opened the session already; register() returns it then.
      return await this.#shared.register({
        carrier: 'telnyx',
        callId: dialed.callControlId,
        reference,
        direction: 'outbound',
        from: call.from,
        to: call.to,
        context,
      });
    } catch (error) {
      this.#machineFlows.delete(reference);
      throw error;
    }
  }

  /**
   * Resolves once the work of every webhook received so far (commands, forwarded events) and the
   * recording jobs this process started have finished.
   */
  async idle(): Promise<void> {
    await this.work.idle();
    await this.#recordingJobs?.idle();
  }

  /**
   * Acts on one verified webhook event (see the module comment). Failures of the commands it sends
   * are logged, not thrown: the webhook has been answered already.
   */
  async handle(event: TelnyxWebhookEvent): Promise<void> {
    switch (event.type) {
      case 'call.initiated':
        if (event.payload.direction === 'incoming') return this.#inbound(event);
        return this.#deliver(event, this.#initiated(event, 'outbound'));
      case 'call.answered':
        return this.#answered(event);
      case 'call.hangup':
        return this.#hangup(event);
      case 'call.machine.detection.ended':
      case 'call.machine.premium.detection.ended':
        return this.#machineDetected(event);
      case 'call.machine.greeting.ended':
      case 'call.machine.premium.greeting.ended':
        return this.#greetingEnded(event);
      case 'call.speak.ended':
        return this.#speakEnded(event);
      case 'call.dtmf.received':
        return this.#deliver(event, {
          type: 'dtmf',
          callId: event.payload.call_control_id,
          digit: event.payload.digit,
        });
      case 'streaming.started':
      case 'streaming.stopped':
        return this.#deliver(event, {
          type: event.type === 'streaming.started' ? 'streaming-started' : 'streaming-stopped',
          callId: event.payload.call_control_id,
          ...(event.payload.stream_id !== undefined ? { streamId: event.payload.stream_id } : {}),
        });
      case 'streaming.failed':
        this.#logger.warn(
          { carrier: 'telnyx', callId: event.payload.call_control_id, reason: event.payload.failure_reason },
          'media streaming failed',
        );
        return this.#deliver(event, {
          type: 'streaming-failed',
          callId: event.payload.call_control_id,
          ...(event.payload.stream_id !== undefined ? { streamId: event.payload.stream_id } : {}),
          ...(event.payload.failure_reason !== undefined ? { reason: event.payload.failure_reason } : {}),
        });
      case 'call.recording.saved':
        return this.#recordingSaved(event);
      case 'call.recording.error':
        return this.#deliver(event, {
          type: 'recording-failed',
          callId: event.payload.call_control_id,
          reason: event.payload.reason ?? 'Telnyx reported a recording error',
        });
    }
  }

  async #inbound(event: Extract<TelnyxWebhookEvent, { type: 'call.initiated' }>): Promise<void> {
    const payload = event.payload;
    const callId = payload.call_control_id;
    const route = this.#options.routeInbound ?? ((): CallContext => ({}));
    const decision = await route({
      callControlId: callId,
      from: payload.from,
      to: payload.to,
      connectionId: payload.connection_id,
      callSessionId: payload.call_session_id,
    });
    if (decision === false) {
      this.#logger.info({ carrier: 'telnyx', callId }, 'inbound call not routed to an agent: left alone');
      return;
    }
    // In the shared directory before the answer: the stream may reach another instance.
    const session = await this.#shared.register({
      carrier: 'telnyx',
      callId,
      direction: 'inbound',
      from: payload.from,
      to: payload.to,
      context: decision,
    });
    await this.#shared.deliver(this.#initiated(event, 'inbound'));
    this.#logger.info(
      { carrier: 'telnyx', callId, from: maskPhoneNumber(payload.from ?? ''), agent: decision.agent },
      'answering inbound call',
    );
    await this.#shared.once(callId, 'answer', () =>
      this.commands.answer(callId, {
        stream: this.#withAuthToken(this.#streamFor(session), callId),
        clientState: clientStateOf(session),
      }),
    );
  }

  async #answered(event: Extract<TelnyxWebhookEvent, { type: 'call.answered' }>): Promise<void> {
    const session = await this.#sessionOf(event.payload);
    if (session === undefined) return;
    await this.#shared.deliver({ type: 'answered', callId: session.callId, occurredAt: event.occurredAt });
    const recording = this.#options.recording;
    if (recording === undefined) return;
    await this.#shared.once(session.callId, 'record_start', () =>
      this.commands.startRecording(session.callId, {
        channels: recording.channels ?? 'dual',
        format: recording.format ?? 'wav',
        customFileName: session.reference,
        clientState: clientStateOf(session),
      }),
    );
  }

  async #hangup(event: Extract<TelnyxWebhookEvent, { type: 'call.hangup' }>): Promise<void> {
    const payload = event.payload;
    const session = await this.#sessionOf(payload);
    if (session === undefined) return;
    this.#machineFlows.delete(session.reference);
    const source = payload.hangup_source;
    await this.#shared.deliver({
      type: 'hangup',
      callId: session.callId,
      occurredAt: event.occurredAt,
      status: telnyxHangupStatus(payload.hangup_cause, session.state === 'answered'),
      cause: payload.hangup_cause ?? 'unspecified',
      ...(source === 'caller' || source === 'callee' || source === 'unknown' ? { source } : {}),
      ...(payload.sip_hangup_cause !== undefined ? { sipCode: payload.sip_hangup_cause } : {}),
    });
    this.#logger.info(
      { carrier: 'telnyx', callId: session.callId, status: session.endStatus, cause: payload.hangup_cause },
      'call ended',
    );
  }

  async #machineDetected(
    event: Extract<
      TelnyxWebhookEvent,
      { type: 'call.machine.detection.ended' | 'call.machine.premium.detection.ended' }
    >,
  ): Promise<void> {
    const session = await this.#sessionOf(event.payload);
    if (session === undefined) return;
    const result = telnyxMachineResult(event.payload.result);
    await this.#shared.deliver({
      type: 'machine-detection',
      callId: session.callId,
      occurredAt: event.occurredAt,
      result,
      carrierResult: event.payload.result,
    });
    const flow = this.#machineFlows.get(session.reference);
    if (flow === undefined || session.direction !== 'outbound' || result !== 'machine') return;
    const callId = session.callId;
    if (flow.action === 'hang-up') {
      this.#logger.info({ carrier: 'telnyx', callId }, 'answering machine: hanging up');
      await this.#command(callId, 'hangup', () => this.commands.hangup(callId));
      return;
    }
    if (typeof flow.action !== 'object' || flow.message !== 'none') return;
    flow.message = 'waiting';
    this.#logger.info(
      { carrier: 'telnyx', callId },
      'answering machine: leaving a message after the greeting',
    );
    // The agent must not talk over the greeting or the message.
    await this.#command(callId, 'streaming_stop', () => this.commands.stopStreaming(callId));
    if (flow.greetingEnded) await this.#leaveMessage(session, flow);
  }

  async #greetingEnded(
    event: Extract<
      TelnyxWebhookEvent,
      { type: 'call.machine.greeting.ended' | 'call.machine.premium.greeting.ended' }
    >,
  ): Promise<void> {
    const session = await this.#sessionOf(event.payload);
    if (session === undefined) return;
    await this.#shared.deliver({
      type: 'machine-greeting-ended',
      callId: session.callId,
      occurredAt: event.occurredAt,
      beep: event.payload.result === 'beep_detected',
      carrierResult: event.payload.result,
    });
    const flow = this.#machineFlows.get(session.reference);
    if (flow === undefined) return;
    flow.greetingEnded = true;
    if (flow.message === 'waiting') await this.#leaveMessage(session, flow);
  }

  async #leaveMessage(session: CallControlSession, flow: MachineFlow): Promise<void> {
    if (typeof flow.action !== 'object') return;
    flow.message = 'speaking';
    const message = flow.action.leaveMessage;
    await this.#command(session.callId, 'speak', () =>
      this.commands.speak(session.callId, {
        text: message.text,
        voice: message.voice ?? DEFAULT_TELNYX_MESSAGE_VOICE,
        ...(message.language !== undefined ? { language: message.language } : {}),
        clientState: clientStateOf(session),
      }),
    );
  }

  async #speakEnded(event: Extract<TelnyxWebhookEvent, { type: 'call.speak.ended' }>): Promise<void> {
    const session = await this.#sessionOf(event.payload);
    if (session === undefined) return;
    await this.#shared.deliver({ type: 'speak-ended', callId: session.callId, occurredAt: event.occurredAt });
    const flow = this.#machineFlows.get(session.reference);
    if (flow?.message !== 'speaking') return;
    flow.message = 'done';
    this.#logger.info({ carrier: 'telnyx', callId: session.callId }, 'message left: hanging up');
    await this.#shared.once(session.callId, 'hangup', () => this.commands.hangup(session.callId));
  }

  async #recordingSaved(event: Extract<TelnyxWebhookEvent, { type: 'call.recording.saved' }>): Promise<void> {
    const payload = event.payload;
    const state = decodeClientState(payload.client_state);
    const session =
      (payload.call_control_id !== undefined
        ? await this.#shared.lookup(payload.call_control_id)
        : undefined) ??
      (state !== undefined ? await this.#shared.lookupByReference(state.reference) : undefined);
    const reference = state?.reference ?? session?.reference;
    if (reference === undefined) {
      this.#logger.debug(
        { carrier: 'telnyx', eventId: event.id },
        'recording of a call that is not ours: ignored',
      );
      return;
    }
    const wav = payload.recording_urls?.wav ?? payload.public_recording_urls?.wav ?? undefined;
    const mp3 = payload.recording_urls?.mp3 ?? payload.public_recording_urls?.mp3 ?? undefined;
    const url = wav ?? mp3;
    const callId = payload.call_control_id ?? session?.callId ?? payload.call_leg_id ?? '';
    if (url === undefined) {
      this.#logger.warn({ carrier: 'telnyx', callId }, 'call.recording.saved without a recording URL');
      return;
    }
    const saved = {
      type: 'recording-saved' as const,
      callId,
      occurredAt: event.occurredAt,
      url,
      format: wav !== undefined ? ('wav' as const) : ('mp3' as const),
      channels: payload.channels === 'dual' ? (2 as const) : (1 as const),
      ...(payload.recording_id !== undefined ? { recordingId: payload.recording_id } : {}),
      ...(payload.recording_started_at !== undefined ? { startedAt: payload.recording_started_at } : {}),
      ...(payload.recording_ended_at !== undefined ? { endedAt: payload.recording_ended_at } : {}),
    };
    if (session !== undefined) await this.#shared.deliver({ ...saved, callId: session.callId });
    // Telnyx's links are presigned: no credentials are sent with the download.
    await this.#recordingJobs?.enqueue({ carrier: 'telnyx', callReference: reference, saved });
  }

  /** Delivers an event to the session of a call event's payload, if the call is ours. */
  async #deliver(event: TelnyxWebhookEvent, normalized: CallControlEvent): Promise<void> {
    const session = await this.#sessionOf(
      event.payload as { call_control_id: string; client_state?: string | null },
    );
    if (session === undefined) return;
    await this.#shared.deliver({ ...normalized, callId: session.callId, occurredAt: event.occurredAt });
  }

  /**
   * The session of a call event: from the registry, else re-opened from our `client_state` (an
   * outbound call whose dial answer has not arrived yet, or a call from before a restart); undefined
   * for calls that are not ours.
   */
  async #sessionOf(payload: {
    call_control_id: string;
    client_state?: string | null;
    from?: string;
    to?: string;
  }): Promise<CallControlSession | undefined> {
    const existing = await this.#shared.lookup(payload.call_control_id);
    if (existing !== undefined) return existing;
    const state = decodeClientState(payload.client_state);
    if (state === undefined) {
      this.#logger.debug(
        { carrier: 'telnyx', callId: payload.call_control_id },
        'event of a call that is not ours',
      );
      return undefined;
    }
    return this.registry.open({
      carrier: 'telnyx',
      callId: payload.call_control_id,
      reference: state.reference,
      direction: state.direction ?? 'outbound',
      from: payload.from,
      to: payload.to,
      context: callContextOf(state),
    });
  }

  #initiated(event: TelnyxWebhookEvent, direction: 'inbound' | 'outbound') {
    return {
      type: 'initiated' as const,
      callId: (event.payload as { call_control_id: string }).call_control_id,
      occurredAt: event.occurredAt,
      direction,
    };
  }

  #withAuthToken(stream: TelnyxMediaStreamSettings, callId: string): TelnyxMediaStreamSettings {
    const secret = this.#options.streamTokenSecret;
    if (secret === undefined || secret === '' || stream.authToken !== undefined) return stream;
    return { ...stream, authToken: telnyxStreamAuthToken(secret, callId) };
  }

  #streamFor(target: TelnyxStreamTarget): TelnyxMediaStreamSettings {
    const stream = this.#options.stream;
    return typeof stream === 'function' ? stream(target) : stream;
  }

  /** Runs a command for a webhook; logs a failure instead of throwing it (the webhook is answered). */
  #command(callId: string, command: string, run: () => Promise<unknown>): Promise<void> {
    return this.#shared.command(callId, command, run);
  }
}

function clientStateOf(session: CallControlSession): VoxlineClientState {
  return { reference: session.reference, direction: session.direction, ...session.context };
}

/** Telnyx detection results (standard and premium) as {@link MachineDetectionResult}. */
export function telnyxMachineResult(result: string): MachineDetectionResult {
  switch (result) {
    case 'human':
    case 'human_residence':
    case 'human_business':
      return 'human';
    case 'machine':
      return 'machine';
    case 'fax_detected':
      return 'fax';
    case 'silence':
      return 'silence';
    default:
      return 'not-sure';
  }
}
