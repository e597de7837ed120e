/**
 * The life of one call on one connection: build the pipeline when the carrier's `start` arrives,
 * run it, and end the call exactly once, whoever ends it.
 *
 * | what happens                           | pipeline                  | hang-up (CallTerminator) | socket     |
 * |----------------------------------------|---------------------------|--------------------------|------------|
 * | the pipeline ends (EndFrame)           | final audio plays out     | yes, once                | 1000       |
 * | the pipeline is cancelled / fatal error| stops at once             | yes, once                | 1000 / 1011|
 * | the carrier sends `stop` (caller hung up) | cancelled at once      | no (the call is over)    | 1000       |
 * | the socket closes without `stop`       | cancelled at once         | yes (else the call could stay up, silent) | — |
 * | bad input closes the socket            | cancelled at once         | yes, if the call started | 1003/1008/1009/1011 |
 * | `start` announces a codec we cannot decode | never built           | yes, if verified         | 1003       |
 * | the stream fails verification          | never built               | no                       | 1008       |
 * | no media for `lifecycle.mediaInactivityTimeoutMs` | cancelled at once | yes, once   | 1008       |
 * | server shutdown                        | ended gracefully, bounded | yes, once                | 1001       |
 *
 * The session moves through these states ({@link CallSessionState}); any other move is a bug and
 * throws a `CallSessionStateError` (code `illegal-state-transition`):
 *
 * | state            | what is going on                                  | next states                          |
 * |------------------|---------------------------------------------------|--------------------------------------|
 * | `awaiting-start` | connected; `start` not read yet (start timeout)   | `verifying`, `refusing`, `finished`  |
 * | `verifying`      | `start` read; the carrier's verifier is asked     | `building`, `finished`               |
 * | `building`       | verified (or allowed unverified); pipeline built  | `running`, `ending`, `finished`      |
 * | `running`        | the pipeline task runs                            | `ending`, `finished`                 |
 * | `refusing`       | `start` refused (codec): hanging the call up      | `finished`                           |
 * | `ending`         | the pipeline is over: hang-up, then socket close  | `finished`                           |
 * | `finished`       | the outcome is known: `finished` has resolved     | —                                    |
 *
 * An end that comes while the stream is verified or the pipeline built (the caller hangs up, the
 * socket closes, the server shuts down) is recorded and acted on once that step is done. Each of
 * `ending` and `refusing` is entered at most once, so the call is hung up at most once.
 *
 * Verification comes first: once `start` names the call, the {@link MediaStreamVerifier} of its
 * carrier must accept the stream before anything else happens. A refused stream gets no pipeline
 * and, above all, no hang-up: a stranger's socket that names a real call id must never make us end
 * that call with our credentials. With `allowUnverifiedStreams` (local development only), an
 * unverified stream gets a pipeline, but still no carrier command: every "yes" above becomes "no"
 * for it.
 *
 * The hang-up goes through the carrier's REST API (closing the socket does not end a phone call:
 * Pipecat issues #308, #482, #728), after the final audio was heard (issue #1461), and a hang-up of
 * a call that has already ended counts as success in the terminators (issue #2145).
 */
import {
  type Clock,
  defaultPipelineParams,
  type FrameProcessor,
  InvalidOptionError,
  Pipeline,
  type PipelineParams,
  PipelineTask,
  type PipelineTaskOptions,
  type TaskEndReason,
} from '@voxline/core';
import type {
  CallInfo,
  CallTerminator,
  MediaStreamUpgrade,
  MediaStreamVerdict,
  MediaStreamVerifier,
} from '@voxline/telephony';
import { CallSessionStateError } from './call-session-state-error.js';
import { CloseCode } from './close-codes.js';
import type { TelephonyTransport } from './telephony-transport.js';

/**
 * Builds the pipeline of one call. Put `transport.input()` first, and `transport.output()` after
 * every processor whose audio the caller must hear. Processors after `transport.output()` are
 * allowed: each frame reaches them once the output has sent it to the carrier (audio at real time),
 * with `BotInterruptedFrame` (how much of the reply was heard) and the bot-speaking frames; use them
 * for what follows playback (the assistant context aggregator, a recorder). Audio they push
 * downstream reaches no one.
 */
export type CallPipelineFactory = (
  call: CallInfo,
  transport: TelephonyTransport,
) => FrameProcessor | readonly FrameProcessor[] | Promise<FrameProcessor | readonly FrameProcessor[]>;

/** The pipeline parameters of one call, or the error the `params` function threw. */
type CallAudioParams = { params: Partial<PipelineParams> | undefined } | { error: unknown };

/** The task options a call session leaves to its user (it sets params, clock and logger itself). */
export type CallTaskOptions = Omit<PipelineTaskOptions, 'params' | 'clock' | 'logger'>;

/** Options of a {@link CallSession}. */
export interface CallSessionOptions {
  /** Builds each call's pipeline; see {@link CallPipelineFactory}. */
  createPipeline: CallPipelineFactory;
  /**
   * Hangs calls up at the carrier; the one whose `carrier` matches the call's is used. Without one
   * for the call's carrier, ending the pipeline only closes the socket (logged as a warning): on
   * Twilio `<Connect><Stream>` the call then goes on with the next TwiML verb, on Telnyx it stays up.
   */
  terminator?: CallTerminator | readonly CallTerminator[];
  /** Pipeline parameters (sample rates, interruptions, metrics), fixed or per call; default the core defaults. */
  params?: Partial<PipelineParams> | ((call: CallInfo) => Partial<PipelineParams>);
  /**
   * Further task options (idle timeout, observers, heartbeats, conversation logging), fixed or per
   * call (e.g. observers that report to the call's own record).
   */
  taskOptions?: CallTaskOptions | ((call: CallInfo) => CallTaskOptions);
  /**
   * Prove each stream before its pipeline runs: the verifier whose `carrier` matches the call's is
   * asked (e.g. `TwilioMediaStreamVerifier`, `TelnyxMediaStreamVerifier`). A stream with no
   * verifier for its carrier, or refused by it, is closed with 1008 and never hung up. Default:
   * none, which refuses every stream unless `allowUnverifiedStreams` is set.
   */
  verifiers?: readonly MediaStreamVerifier[];
  /**
   * Local development only: run a pipeline for streams no verifier accepted (but never send a
   * carrier command, such as a hang-up, for their calls). Logged as a warning for every such
   * stream. Default false.
   */
  allowUnverifiedStreams?: boolean;
  /** How long a call may wait at each step of its life; see {@link CallLifecycleOptions}. */
  lifecycle?: CallLifecycleOptions;
}

/** The timeouts of a call's life, in ms. Each must be a finite number of at least 0. */
export interface CallLifecycleOptions {
  /** Close the connection (1008) if no `start` arrives within this many ms of connecting; default 10000. */
  startTimeoutMs?: number;
  /**
   * End the call (pipeline cancelled, call hung up, socket closed with 1008) when no media message
   * arrived for this many ms after `start`. Carriers send a media message every 20 ms for the
   * whole call, silence included, so a long gap means a dead or hostile peer. Default 15000;
   * 0 turns the check off.
   */
  mediaInactivityTimeoutMs?: number;
  /** Give up waiting for the carrier to accept a hang-up after this many ms; default 10000. */
  hangUpTimeoutMs?: number;
}

/** How a call ended, for logs and tests. */
export interface CallOutcome {
  /** Why the pipeline finished, or undefined if none ran (no `start`, or it could not be built). */
  pipeline: TaskEndReason | undefined;
  /** Whether the call was hung up through the terminator (successfully or not). */
  hungUp: boolean;
  /** Who ended the call. */
  endedBy: 'pipeline' | 'carrier' | 'connection' | 'shutdown' | 'error' | 'inactivity' | 'unverified';
}

/** Where a {@link CallSession} is in its life; see the module comment for the moves. */
export type CallSessionState =
  | 'awaiting-start'
  | 'verifying'
  | 'building'
  | 'running'
  | 'refusing'
  | 'ending'
  | 'finished';

/** The states each state may move to (the table in the module comment). */
const nextStates: Readonly<Record<CallSessionState, readonly CallSessionState[]>> = {
  'awaiting-start': ['verifying', 'refusing', 'finished'],
  verifying: ['building', 'finished'],
  building: ['running', 'ending', 'finished'],
  running: ['ending', 'finished'],
  refusing: ['finished'],
  ending: ['finished'],
  finished: [],
};

function isLinked(processor: FrameProcessor): boolean {
  return processor.next !== undefined || processor.previous !== undefined;
}

/** Runs one call on one transport; see the module comment. */
export class CallSession {
  /** Resolves once the call is over: pipeline finished, hang-up done, socket closed or closing. */
  readonly finished: Promise<CallOutcome>;
  #resolveFinished!: (outcome: CallOutcome) => void;
  readonly #clock: Clock;
  #currentState: CallSessionState = 'awaiting-start';
  /** The call's pipeline task, once built. */
  #currentTask: PipelineTask | undefined;
  /** Who ended the call: the first to do so. */
  #endedBy: CallOutcome['endedBy'] | undefined;
  /** The pipeline reported a fatal error: the socket closes with 1011. */
  #fatalError = false;
  /** Ends the wait for `start`. */
  readonly #startTimeout = new AbortController();
  /** Ends the media-inactivity watch. */
  readonly #inactivityWatch = new AbortController();
  /** The verifier's verdict on the stream, once `start` was read (undefined before). */
  #verdict: Promise<MediaStreamVerdict> | undefined;
  #isVerified = false;

  /**
   * @param transport - the connection.
   * @param options - see {@link CallSessionOptions}.
   * @param upgrade - what the WebSocket upgrade request showed, for the verifiers; default an
   *   empty request (no headers), which no carrier's verifier accepts.
   */
  readonly #upgrade: MediaStreamUpgrade;
  readonly #options: CallSessionOptions;
  constructor(
    readonly transport: TelephonyTransport,
    options: CallSessionOptions,
    upgrade: MediaStreamUpgrade = { url: '', headers: {}, remoteAddress: undefined },
  ) {
    this.#upgrade = upgrade;
    this.#options = options;
    this.#clock = transport.clock;
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
    transport.on('start', (call) => {
      if (this.#currentState !== 'awaiting-start') return;
      this.#moveTo('verifying');
      const params = this.#applyAudioParams(call);
      this.#verifyThenRun(call, params).catch((error: unknown) => {
        transport.logger.error({ err: error }, 'the call failed');
        transport.close(CloseCode.InternalError, 'internal error');
        this.#finish(this.#currentTask?.hasFinished ? 'cancel' : undefined);
      });
    });
    transport.on('refusedCall', (call) => {
      this.#hangUpRefused(call).catch((error: unknown) => {
        transport.logger.error({ err: error }, 'the refused call could not be ended');
        this.#finish(undefined);
      });
    });
    transport.on('stop', () => this.#endBy('carrier', 'the carrier stopped the stream'));
    transport.on('closing', (code, reason) => {
      if (code !== CloseCode.Normal && code !== CloseCode.GoingAway) this.#endBy('error', reason);
    });
    transport.on('closed', () => this.#endBy('connection', 'the connection closed'));
    this.#watchStart();
  }

  /** Where the session is in its life; see {@link CallSessionState}. */
  get state(): CallSessionState {
    return this.#currentState;
  }

  /** The call's pipeline task, once the call started and its pipeline was built. */
  get task(): PipelineTask | undefined {
    return this.#currentTask;
  }

  /**
   * True once the stream's verifier accepted it (see {@link CallSessionOptions.verifiers}): only
   * then may carrier commands go to its call.
   */
  get verified(): boolean {
    return this.#isVerified;
  }

  /**
   * Ends the call gracefully (server shutdown): the pipeline gets an EndFrame after what it has
   * queued, the final audio plays, the call is hung up and the socket closed with 1001. After
   * `timeoutMs` the pipeline is cancelled instead. Resolves when the call is over.
   */
  async shutdown(timeoutMs: number): Promise<CallOutcome> {
    this.#endedBy ??= 'shutdown';
    const task = this.#currentTask;
    if (task !== undefined) task.stopWhenDone('server shutting down');
    else if (this.#currentState === 'awaiting-start' || this.#currentState === 'refusing') {
      // No call yet: nothing to end gracefully.
      this.transport.close(CloseCode.GoingAway, 'server shutting down');
      this.#finish(undefined);
    }
    // Otherwise the stream is being verified or the pipeline built; runCall sees the shutdown.
    const timer = new AbortController();
    const timedOut = this.#clock.sleep(timeoutMs, timer.signal).then(
      () => true,
      () => false,
    );
    if (await Promise.race([this.finished.then(() => false), timedOut])) {
      this.transport.logger.warn({ timeoutMs }, 'the call did not end in time for shutdown: cancelling');
      if (this.#currentTask !== undefined) this.#currentTask.cancel('server shutting down');
      else {
        this.transport.close(CloseCode.GoingAway, 'server shutting down');
        this.#finish(undefined);
      }
    }
    timer.abort();
    return this.finished;
  }

  /**
   * The one way the state changes.
   *
   * @throws CallSessionStateError `illegal-state-transition` if the table in the module comment
   *   does not allow the move (a bug here).
   */
  #moveTo(next: CallSessionState): void {
    const current = this.#currentState;
    if (!nextStates[current].includes(next)) {
      throw new CallSessionStateError(current, next);
    }
    this.#currentState = next;
    if (current === 'awaiting-start') this.#startTimeout.abort();
    if (next === 'finished') this.#inactivityWatch.abort();
  }

  #watchStart(): void {
    const timeoutMs = this.#options.lifecycle?.startTimeoutMs ?? 10_000;
    this.#clock.sleep(timeoutMs, this.#startTimeout.signal).then(
      () => {
        if (this.#currentState !== 'awaiting-start' || !this.transport.isOpen) return;
        this.transport.logger.warn({ timeoutMs }, 'no start message in time');
        this.transport.close(CloseCode.PolicyViolation, `no start message within ${timeoutMs} ms`);
      },
      () => {},
    );
  }

  #endBy(who: CallOutcome['endedBy'], reason: string): void {
    this.#startTimeout.abort();
    this.#inactivityWatch.abort();
    this.#endedBy ??= who;
    switch (this.#currentState) {
      case 'awaiting-start':
        this.transport.close(CloseCode.Normal, reason);
        this.#finish(undefined);
        return;
      case 'running':
      case 'ending':
        this.#currentTask?.cancel(reason);
        return;
      default:
      // Verifying or building: the step in progress sees `endedBy` once it is done. Refusing:
      // the hang-up finishes the session. Finished: nothing left to end.
    }
  }

  /**
   * Asks the verifier of the call's carrier about the stream, once; a throw or rejection counts as
   * a refusal.
   */
  #verify(call: CallInfo): Promise<MediaStreamVerdict> {
    this.#verdict ??= (async (): Promise<MediaStreamVerdict> => {
      const verifier = this.#options.verifiers?.find((item) => item.carrier === call.carrier);
      if (verifier === undefined) {
        return { verified: false, reason: `no ${call.carrier} stream verifier is configured` };
      }
      try {
        return await verifier.verify(call, this.#upgrade);
      } catch (error) {
        this.transport.logger.error({ err: error }, 'the stream verifier failed');
        return { verified: false, reason: 'the stream verifier failed' };
      }
    })();
    return this.#verdict;
  }

  /**
   * Sets the call's pipeline rates on the serializer synchronously, inside the handling of
   * `start`: the serializer holds no audio yet, so changing its rates loses nothing (later, while
   * the stream is verified and the pipeline built, audio arrives already at the right rate).
   * Returns the parameters, or the error the `params` function threw.
   */
  #applyAudioParams(call: CallInfo): CallAudioParams {
    try {
      const params =
        typeof this.#options.params === 'function' ? this.#options.params(call) : this.#options.params;
      this.transport.setAudioParams({
        inputSampleRate: params?.audioInSampleRate ?? defaultPipelineParams.audioInSampleRate,
        outputSampleRate: params?.audioOutSampleRate ?? defaultPipelineParams.audioOutSampleRate,
      });
      return { params };
    } catch (error) {
      return { error };
    }
  }

  async #verifyThenRun(call: CallInfo, params: CallAudioParams): Promise<void> {
    const verdict = await this.#verify(call);
    if (this.#currentState === 'finished') return;
    const logger = this.transport.logger;
    if (verdict.verified) this.#isVerified = true;
    else if (this.#options.allowUnverifiedStreams === true) {
      logger.warn(
        { reason: verdict.reason, remoteAddress: this.#upgrade.remoteAddress },
        'UNVERIFIED media stream accepted (allowUnverifiedStreams is for local development only); no carrier command will be sent for this call',
      );
    } else {
      logger.warn(
        { reason: verdict.reason, remoteAddress: this.#upgrade.remoteAddress },
        'unverified media stream refused',
      );
      this.#endedBy ??= 'unverified';
      this.transport.close(CloseCode.PolicyViolation, 'unverified stream');
      this.#finish(undefined);
      return;
    }
    this.#moveTo('building');
    this.#watchMediaInactivity();
    await this.#runCall(call, params);
  }

  /**
   * Ends the call when no media arrives for `lifecycle.mediaInactivityTimeoutMs`: one sleep per
   * timeout period (not per frame), re-armed for the rest of the period after each media message.
   */
  #watchMediaInactivity(): void {
    const timeoutMs = this.#options.lifecycle?.mediaInactivityTimeoutMs ?? 15_000;
    if (timeoutMs === 0) return;
    const signal = this.#inactivityWatch.signal;
    const transport = this.transport;
    const check = (): void => {
      if (signal.aborted || this.#currentState === 'finished' || !transport.isOpen) return;
      const silentForMs = this.#clock.now() - transport.lastMediaAt;
      if (silentForMs >= timeoutMs) {
        transport.logger.warn({ timeoutMs }, 'no media from the carrier in time: ending the call');
        // Named before closing: the close cancels the pipeline through the `closing` listener.
        this.#endedBy ??= 'inactivity';
        transport.close(CloseCode.PolicyViolation, `no media for ${timeoutMs} ms`);
        return;
      }
      this.#clock.sleep(timeoutMs - silentForMs, signal).then(check, () => {});
    };
    this.#clock.sleep(timeoutMs, signal).then(check, () => {});
  }

  /** Builds and runs the pipeline (state `building`, then `running`), then ends the call. */
  async #runCall(call: CallInfo, prepared: CallAudioParams): Promise<void> {
    const transport = this.transport;
    let task: PipelineTask;
    let params: Partial<PipelineParams> | undefined;
    try {
      if ('error' in prepared) throw prepared.error;
      params = prepared.params;
      const built = await this.#options.createPipeline(call, transport);
      const pipeline = Array.isArray(built) ? new Pipeline(built) : (built as FrameProcessor);
      if (!isLinked(transport.input()) || !isLinked(transport.output())) {
        throw new InvalidOptionError(
          'createPipeline',
          'the pipeline must contain transport.input() and transport.output()',
        );
      }
      const taskOptions =
        typeof this.#options.taskOptions === 'function'
          ? this.#options.taskOptions(call)
          : this.#options.taskOptions;
      task = new PipelineTask(pipeline, {
        ...taskOptions,
        params,
        clock: this.#clock,
        logger: transport.logger,
      });
    } catch (error) {
      transport.logger.error({ err: error }, 'could not create the pipeline');
      if (this.#currentState === 'finished') return;
      this.#endedBy ??= 'error';
      this.#moveTo('ending');
      const hungUp = await this.#hangUp(call);
      transport.close(CloseCode.InternalError, 'could not create the pipeline');
      this.#finish(undefined, hungUp);
      return;
    }
    if (this.#currentState === 'finished') return;
    if (this.#endedBy !== undefined && this.#endedBy !== 'shutdown') {
      // The caller hung up, or the connection failed, while the pipeline was being built.
      await this.#afterPipeline(call, undefined);
      return;
    }
    this.#currentTask = task;
    this.#moveTo('running');
    task.on('error', (frame) => {
      if (frame.fatal) this.#fatalError = true;
    });
    if (this.#endedBy === 'shutdown') task.stopWhenDone('server shutting down');
    const reason = await task.run();
    await this.#afterPipeline(call, reason);
  }

  /** The pipeline is over (or never ran): hang up unless the carrier stopped, close, finish. */
  async #afterPipeline(call: CallInfo, reason: TaskEndReason | undefined): Promise<void> {
    if (this.#currentState === 'finished') return;
    this.#moveTo('ending');
    const transport = this.transport;
    this.#endedBy ??= 'pipeline';
    let hungUp = false;
    if (!transport.carrierStopped) hungUp = await this.#hangUp(call);
    if (this.#fatalError) transport.close(CloseCode.InternalError, 'pipeline error');
    else if (this.#endedBy === 'shutdown') transport.close(CloseCode.GoingAway, 'server shutting down');
    else transport.close(CloseCode.Normal, 'call ended');
    transport.logger.info(
      { pipeline: reason, endedBy: this.#endedBy, hungUp, callId: call.callId, counters: transport.counters },
      'call ended',
    );
    this.#finish(reason, hungUp);
  }

  /**
   * The serializer refused the stream at `start` (a codec it cannot decode): hang the call up if
   * the stream is verified, then the session is over.
   */
  async #hangUpRefused(call: CallInfo): Promise<void> {
    if (this.#currentState !== 'awaiting-start') return;
    this.#moveTo('refusing');
    this.#endedBy ??= 'error';
    const verdict = await this.#verify(call);
    if (verdict.verified) this.#isVerified = true;
    this.transport.logger.warn(
      { callId: call.callId, verified: verdict.verified },
      verdict.verified
        ? 'the stream was refused at start: hanging the call up'
        : 'an unverified stream was refused at start: not hanging up a call we cannot prove is ours',
    );
    const hungUp = await this.#hangUp(call);
    this.#finish(undefined, hungUp);
  }

  /**
   * Hangs `call` up through the matching terminator; resolves whether a hang-up was made. Called
   * only on entering `ending` or `refusing`, each entered at most once: the call is hung up once.
   */
  async #hangUp(call: CallInfo): Promise<boolean> {
    // Never a carrier command for a call whose stream did not prove it is ours (see the module comment).
    if (!this.#isVerified) {
      this.transport.logger.info(
        'the stream was not verified: the call is not hung up, only its stream closed',
      );
      return false;
    }
    const configured = this.#options.terminator;
    const terminators = configured === undefined ? [] : Array.isArray(configured) ? configured : [configured];
    const terminator = (terminators as readonly CallTerminator[]).find(
      (item) => item.carrier === call.carrier,
    );
    const logger = this.transport.logger;
    if (terminator === undefined) {
      logger.warn(
        `no ${call.carrier} CallTerminator configured: the call is not hung up, only its stream closed`,
      );
      return false;
    }
    const timeoutMs = this.#options.lifecycle?.hangUpTimeoutMs ?? 10_000;
    const timer = new AbortController();
    try {
      const outcome = await Promise.race([
        terminator.hangUp(call).then(() => 'done' as const),
        this.#clock.sleep(timeoutMs, timer.signal).then(() => 'timeout' as const),
      ]);
      if (outcome === 'timeout') logger.error({ timeoutMs }, 'hang-up did not complete in time');
      else logger.info('call hung up');
    } catch (error) {
      logger.error({ err: error }, 'hang-up failed');
    } finally {
      timer.abort();
    }
    return true;
  }

  /** Records the outcome, once: later calls do nothing. */
  #finish(reason: TaskEndReason | undefined, hungUp = false): void {
    if (this.#currentState === 'finished') return;
    this.#moveTo('finished');
    this.#resolveFinished({ pipeline: reason, hungUp, endedBy: this.#endedBy ?? 'connection' });
  }
}
