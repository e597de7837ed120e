/**
 * The user turn processor: decides when the user takes and ends a turn, interrupts the bot when
 * they barge in, and brings the bot back when an interruption turns out to be false.
 *
 * ```
 * transport in → VAD → STT → UserTurnProcessor → user context aggregator → LLM → TTS → transport out
 *                              ▲ BotStarted/BotStopped (upstream, from playback)          │
 *                              └────────────────────────────────────────────────────────────┘
 * ```
 *
 * **In:** `VADUserStartedSpeakingFrame`/`VADUserStoppedSpeakingFrame` (from the VAD),
 * `TranscriptionFrame`/`InterimTranscriptionFrame` (from the STT), `BotStartedSpeakingFrame`/
 * `BotStoppedSpeakingFrame` (from the output transport, upstream; they follow playback, so the
 * bot counts as speaking exactly while the caller hears it), function-call frames (either way).
 *
 * **Out:** `UserStartedSpeakingFrame(speechStartMs)` and `UserStoppedSpeakingFrame(speechEndMs)`,
 * both ways (downstream for the aggregator, upstream so the STT can finalise), carrying the
 * audio time of the real speech edges; `InterruptionFrame` both ways on barge-in; the turn's
 * transcriptions, always between its start and stop frames; on a false interruption, a
 * {@link FalseInterruptionFrame} and the recovery frames. Everything else passes unchanged,
 * including audio and the VAD frames.
 *
 * **How a turn happens.** The first sign of user speech (a VAD start, or a transcription with
 * words) opens a *segment*. Its transcriptions are held back until a turn-start strategy says it
 * is a turn ({@link VADTurnStart} and {@link TranscriptionTurnStart} by default). Then, unless a
 * mute strategy says otherwise, the processor broadcasts an interruption (it always does, even
 * when nothing seems to be playing, so a reply still being generated is cancelled as Pipecat
 * does), pushes `UserStartedSpeakingFrame` and releases the held transcriptions. While the caller
 * hears the bot, the turn waits first for `minInterruptionDurationMs` of speech and
 * `minInterruptionWords` words; speech that ends before reaching them is a backchannel and is
 * dropped. The segment ends when the earliest turn-end strategy says so, or when the stuck-turn
 * watchdog sees no sign of speech for `stuckTurnTimeoutMs`.
 *
 * **False interruptions** (https://github.com/pipecat-ai/pipecat/issues/4308): if an
 * interruption cut off a reply (the bot was speaking, or a reply was on its way) and no
 * transcription with words follows within `falseInterruption.timeoutMs` of the user falling
 * silent, the processor pushes a {@link FalseInterruptionFrame} and the recovery frames, by
 * default `LLMMessagesAppendFrame([], runLLM: true)`, which the user context aggregator answers
 * by running the LLM on the context again, so the bot speaks instead of staying silent.
 *
 * All timeouts run on the pipeline clock through one pending wake-up (never a timer per frame);
 * input audio frames cost one `instanceof` check and a forward.
 */
import { InputAudioRawFrame } from '../frames/audio.js';
import { EndFrame, StopFrame } from '../frames/control.js';
import {
  InterimTranscriptionFrame,
  LLMContextFrame,
  LLMMessagesAppendFrame,
  TranscriptionFrame,
  TTSSpeakFrame,
} from '../frames/data.js';
import { FalseInterruptionFrame } from '../frames/false-interruption-frame.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  CancelFrame,
  StartFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '../frames/system.js';
import { FrameProcessor } from '../processors/frame-processor.js';
import { ClockAlarm } from './clock-alarm.js';
import { ConversationState, type ConversationView } from './conversation-state.js';
import { checkCount, checkDurationMs, TurnOptionsError } from './turn-options-error.js';
import type { UserMuteStrategy } from './user-mute-strategies.js';
import { SpeechSegmentTracker, type UserSpeechEvent } from './user-speech-segment.js';
import { type UserTurnEndStrategy, VADTranscriptTurnEnd } from './user-turn-end-strategies.js';
import {
  TranscriptionTurnStart,
  type UserTurnStartStrategy,
  VADTurnStart,
} from './user-turn-start-strategies.js';
import { countWords } from './word-count.js';

/** What a false-interruption recovery is told. */
export interface FalseInterruptionEvent {
  /** Clock ms when the interruption was broadcast. */
  readonly interruptedAt: number;
  /** Whether the caller was hearing the bot when it was cut off (else a reply was being prepared). */
  readonly botWasSpeaking: boolean;
}

/** Options of the false-interruption recovery. */
export interface FalseInterruptionOptions {
  /**
   * How long after the user falls silent (the later of the interruption and the last VAD stop)
   * a transcription with words may still arrive before the interruption counts as false, in ms.
   * Default 2000, LiveKit's `falseInterruptionTimeout`
   * (https://docs.livekit.io/reference/agents/turn-handling-options/): long enough for a slow
   * STT to deliver a final transcript, short enough that the silence is not awkward.
   */
  timeoutMs?: number;
  /**
   * Frames to push downstream to make the bot speak again. Default
   * `() => [new LLMMessagesAppendFrame([], true)]`: the user context aggregator appends nothing
   * and runs the LLM on the context as it stands, which ends either with the user's message
   * whose reply was cancelled before it was heard, or with the bot's reply truncated to what was
   * heard (`interrupted: true`), so the LLM answers or continues. Return a re-prompt message
   * (`{ role: 'system', content: 'Continue where you left off.' }`) to steer it, a
   * `TTSSpeakFrame` to say something fixed, or `[]` to only get the {@link FalseInterruptionFrame}.
   */
  recover?: (event: FalseInterruptionEvent) => readonly Frame[];
}

/** What happens to speech that starts while a mute strategy says the user is muted. */
export type MutedSpeechPolicy =
  /** The speech is not a turn: its transcriptions are dropped, nothing is pushed for it. */
  | 'drop'
  /** The speech is an ordinary turn (start/stop frames, transcriptions) that does not interrupt the bot. */
  | 'keep';

/** Options of {@link UserTurnProcessor}. */
export interface UserTurnProcessorOptions {
  /** Name for logs and observers. */
  name?: string;
  /**
   * When speech becomes a turn; the first strategy that fires wins. Default
   * `[new VADTurnStart(), new TranscriptionTurnStart()]` (Pipecat's default pair): the VAD for
   * speed, transcriptions for speech the VAD missed.
   */
  startStrategies?: readonly UserTurnStartStrategy[];
  /**
   * When the turn ends; the earliest strategy wins. Default `[new VADTranscriptTurnEnd()]`: VAD
   * silence plus the final transcript, waiting at most 1 s for it.
   */
  endStrategies?: readonly UserTurnEndStrategy[];
  /**
   * The stuck-turn watchdog: a segment with no sign of speech (no VAD edge, no transcription with
   * words) for this long ends anyway, in ms. Default 5000: people talking produce interim
   * transcripts several times a second, so 5 s of nothing while the VAD still says "speaking"
   * means a lost VAD stop or steady noise (TV, music), and the caller would otherwise wait for
   * a bot that never answers. `Infinity` disables it (for pipelines with a VAD but no STT, where
   * long turns show no transcripts).
   */
  stuckTurnTimeoutMs?: number;
  /**
   * Speech needed, while the caller hears the bot, before a turn may interrupt it, in ms of VAD
   * speech counted from the VAD start frame (so on top of the VAD's own `startSecs`). Default 0:
   * the VAD's `startSecs` (200 ms by default) already filters clicks and coughs, and every ms
   * added here is a ms of talking over the caller on each real barge-in; users ask for barge-in
   * that stops the bot within about 100 ms of detection. LiveKit's default is 500 ms, on a VAD
   * with a 50 ms minimum; noise that still gets through is what the false-interruption recovery
   * is for. Segments the VAD did not see use the audio span of their transcribed words.
   */
  minInterruptionDurationMs?: number;
  /**
   * Words (counting the latest interim transcription) needed, while the caller hears the bot,
   * before a turn may interrupt it. Default 0 (as LiveKit's `minInterruptionWords`): waiting
   * for words adds an STT round trip (often 300 ms or more) to every barge-in. Set 2 or 3 to let
   * "mhm"/"ok" pass without stopping the bot. Both minimums must be met.
   */
  minInterruptionWords?: number;
  /** When user speech may not interrupt the bot; any muted → muted. Default none. */
  muteStrategies?: readonly UserMuteStrategy[];
  /**
   * What becomes of speech that starts while muted. Default `'drop'` (as LiveKit's
   * `discardAudioIfUninterruptible: true` and Pipecat's mute filter): speech over the greeting or
   * during a tool call is usually a reaction or echo, and answering it afterwards answers a
   * fragment. A muted segment stays muted until it ends, even if the mute lifts meanwhile.
   */
  mutedSpeech?: MutedSpeechPolicy;
  /** False-interruption recovery; `false` turns it off. Defaults: see {@link FalseInterruptionOptions}. */
  falseInterruption?: FalseInterruptionOptions | false;
}

/** Where the current segment of user speech stands. */
type SegmentRole =
  /** No start strategy has fired yet; transcriptions are held. */
  | 'candidate'
  /** A start strategy fired while the bot speaks; waiting for the barge-in minimums; held. */
  | 'awaiting-barge-in'
  /** Started while muted with `mutedSpeech: 'drop'`: dropped until it ends. */
  | 'muted'
  /** A user turn: `UserStartedSpeakingFrame` was pushed, transcriptions flow. */
  | 'turn';

interface ArmedRecovery {
  interruptedAt: number;
  botWasSpeaking: boolean;
}

const defaultRecovery = (): readonly Frame[] => [new LLMMessagesAppendFrame([], true)];

/** Turn-taking and barge-in; see the module comment. Inline. */
export class UserTurnProcessor extends FrameProcessor {
  readonly #startStrategies: readonly UserTurnStartStrategy[];
  readonly #endStrategies: readonly UserTurnEndStrategy[];
  readonly #stuckTurnTimeoutMs: number;
  readonly #minInterruptionDurationMs: number;
  readonly #minInterruptionWords: number;
  readonly #muteStrategies: readonly UserMuteStrategy[];
  readonly #mutedSpeech: MutedSpeechPolicy;
  readonly #falseInterruptionTimeoutMs: number | undefined;
  readonly #recoverFrames: (event: FalseInterruptionEvent) => readonly Frame[];

  readonly #conversationState = new ConversationState();
  readonly #alarm = new ClockAlarm(() => this.#onAlarm());
  #segment: SpeechSegmentTracker | undefined;
  #role: SegmentRole = 'candidate';
  #held: TranscriptionFrame[] = [];
  #ignoreNextVADStop = false;
  #replyExpected = false;
  #recovery: ArmedRecovery | undefined;
  #lastVADStopAt = Number.NEGATIVE_INFINITY;

  /** @throws {TurnOptionsError} `invalid-option` on a negative/NaN duration or count, an empty strategy list, or an unknown `mutedSpeech`. */
  constructor(options: UserTurnProcessorOptions = {}) {
    super({ name: options.name, mode: 'inline' });
    this.#startStrategies = options.startStrategies ?? [new VADTurnStart(), new TranscriptionTurnStart()];
    this.#endStrategies = options.endStrategies ?? [new VADTranscriptTurnEnd()];
    if (this.#startStrategies.length === 0 || this.#endStrategies.length === 0) {
      throw new TurnOptionsError(
        this.#startStrategies.length === 0 ? 'startStrategies' : 'endStrategies',
        'startStrategies and endStrategies must not be empty',
      );
    }
    this.#stuckTurnTimeoutMs = checkDurationMs('stuckTurnTimeoutMs', options.stuckTurnTimeoutMs ?? 5000);
    this.#minInterruptionDurationMs = checkDurationMs(
      'minInterruptionDurationMs',
      options.minInterruptionDurationMs ?? 0,
    );
    this.#minInterruptionWords = checkCount('minInterruptionWords', options.minInterruptionWords ?? 0);
    this.#muteStrategies = options.muteStrategies ?? [];
    this.#mutedSpeech = options.mutedSpeech ?? 'drop';
    if (this.#mutedSpeech !== 'drop' && this.#mutedSpeech !== 'keep') {
      throw new TurnOptionsError(
        'mutedSpeech',
        `mutedSpeech must be 'drop' or 'keep', got ${this.#mutedSpeech}`,
      );
    }
    const falseInterruption = options.falseInterruption ?? {};
    if (falseInterruption === false) {
      this.#falseInterruptionTimeoutMs = undefined;
      this.#recoverFrames = defaultRecovery;
    } else {
      this.#falseInterruptionTimeoutMs = checkDurationMs(
        'falseInterruption.timeoutMs',
        falseInterruption.timeoutMs ?? 2000,
      );
      this.#recoverFrames = falseInterruption.recover ?? defaultRecovery;
    }
  }

  /** The bot's state as this processor sees it (speaking, utterances played, function calls). */
  get conversation(): ConversationView {
    return this.#conversationState;
  }

  /** Whether a user turn is open: its start frame was pushed and its stop frame not yet. */
  get userTurnOpen(): boolean {
    return this.#segment !== undefined && this.#role === 'turn';
  }

  /** Whether a false-interruption recovery is waiting to fire. */
  get falseInterruptionPending(): boolean {
    return this.#recovery !== undefined;
  }

  override async cleanup(): Promise<void> {
    this.#alarm.stop();
    await super.cleanup();
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame) {
      // The hot path: 50 frames a second that never affect turns.
      this.pushFrame(frame, direction);
    } else if (frame instanceof VADUserStartedSpeakingFrame) {
      this.pushFrame(frame, direction);
      this.#onVADStarted(frame);
    } else if (frame instanceof VADUserStoppedSpeakingFrame) {
      this.pushFrame(frame, direction);
      this.#onVADStopped(frame);
    } else if (frame instanceof TranscriptionFrame && direction === FrameDirection.Downstream) {
      this.#onTranscription(frame);
    } else if (frame instanceof StartFrame) {
      this.pushFrame(frame, direction);
      this.#alarm.start(this.clock);
    } else if (frame instanceof EndFrame || frame instanceof StopFrame || frame instanceof CancelFrame) {
      this.#alarm.stop();
      this.pushFrame(frame, direction);
    } else {
      this.pushFrame(frame, direction);
      if (this.#conversationState.update(frame)) this.#onConversationChanged(frame);
      else if (direction === FrameDirection.Downstream && requestsBotSpeech(frame)) this.#onReplyRequested();
    }
  }

  #onVADStarted(frame: VADUserStartedSpeakingFrame): void {
    const now = this.clock.now();
    this.#ignoreNextVADStop = false;
    const segment = this.#openSegment(now);
    segment.onVADStarted(frame.speechStartMs, now);
    this.#afterSpeechEvent({ type: 'vad-started', speechStartMs: frame.speechStartMs });
  }

  #onVADStopped(frame: VADUserStoppedSpeakingFrame): void {
    if (this.#ignoreNextVADStop) {
      // The watchdog already ended the segment this stop belongs to.
      this.#ignoreNextVADStop = false;
      return;
    }
    const now = this.clock.now();
    this.#lastVADStopAt = now;
    if (this.#segment === undefined) {
      this.#evaluate();
      return;
    }
    this.#segment.onVADStopped(frame.speechEndMs, now);
    this.#afterSpeechEvent({ type: 'vad-stopped', speechEndMs: frame.speechEndMs });
  }

  #onTranscription(frame: TranscriptionFrame): void {
    const interim = frame instanceof InterimTranscriptionFrame;
    const hasWords = countWords(frame.text) > 0;
    // Words from the user mean the last interruption was real.
    if (hasWords) this.#recovery = undefined;
    if (this.#segment === undefined && !hasWords) return; // belongs to no turn: dropped
    const segment = this.#openSegment(this.clock.now());
    segment.onTranscription(frame, interim, this.clock.now());
    if (this.#role === 'turn') this.pushFrame(frame, FrameDirection.Downstream);
    else if (this.#role !== 'muted') this.#held.push(frame);
    this.#afterSpeechEvent({ type: 'transcription', frame, interim });
  }

  #onConversationChanged(frame: Frame): void {
    if (frame instanceof BotStartedSpeakingFrame) {
      // The bot is talking again: nothing to recover.
      this.#recovery = undefined;
    } else if (frame instanceof BotStoppedSpeakingFrame) {
      this.#replyExpected = false;
    }
    this.#evaluate();
  }

  #onReplyRequested(): void {
    this.#replyExpected = true;
    this.#recovery = undefined;
  }

  #openSegment(now: number): SpeechSegmentTracker {
    if (this.#segment === undefined) {
      this.#segment = new SpeechSegmentTracker(now);
      this.#role = 'candidate';
    }
    return this.#segment;
  }

  #afterSpeechEvent(event: UserSpeechEvent): void {
    const segment = this.#segment;
    if (segment !== undefined && this.#role === 'candidate') {
      if (this.#startStrategies.some((strategy) => strategy.shouldStart(event, segment))) this.#decideStart();
    }
    this.#evaluate();
  }

  /** A start strategy fired (or the barge-in wait may be over): mute, wait, or start the turn. */
  #decideStart(): void {
    const segment = this.#segment as SpeechSegmentTracker;
    const muted = this.#muteStrategies.some((strategy) => strategy.isMuted(this.#conversationState));
    if (muted && this.#mutedSpeech === 'drop') {
      this.#role = 'muted';
      this.#held = [];
      this.logger.debug('user speech while muted: dropped');
      return;
    }
    const interrupt = !muted && this.params.allowInterruptions;
    if (
      interrupt &&
      this.#conversationState.botSpeaking &&
      !this.#bargeInAllowed(segment, this.clock.now())
    ) {
      this.#role = 'awaiting-barge-in';
      return;
    }
    this.#startTurn(segment, interrupt);
  }

  #bargeInAllowed(segment: SpeechSegmentTracker, now: number): boolean {
    if (segment.words < this.#minInterruptionWords) return false;
    const speechMs = segment.vadSeen
      ? segment.vadSpeechMs(now)
      : (segment.transcriptSpanMs ?? Number.POSITIVE_INFINITY);
    return speechMs >= this.#minInterruptionDurationMs;
  }

  #startTurn(segment: SpeechSegmentTracker, interrupt: boolean): void {
    this.#role = 'turn';
    if (interrupt) this.#interrupt(segment);
    this.pushFrame(new UserStartedSpeakingFrame(segment.speechStartMs), FrameDirection.Downstream);
    this.pushFrame(new UserStartedSpeakingFrame(segment.speechStartMs), FrameDirection.Upstream);
    const held = this.#held;
    this.#held = [];
    for (const frame of held) this.pushFrame(frame, FrameDirection.Downstream);
  }

  #interrupt(segment: SpeechSegmentTracker): void {
    const now = this.clock.now();
    const botWasSpeaking = this.#conversationState.botSpeaking;
    const cutOffReply = botWasSpeaking || this.#replyExpected;
    this.logger.debug({ botWasSpeaking, cutOffReply }, 'user turn: interrupting');
    this.broadcastInterruption();
    this.#conversationState.onInterruption();
    this.#replyExpected = false;
    // A turn that already has words is a real interruption; one that cut nothing off leaves an
    // earlier armed recovery in place.
    if (segment.words > 0) this.#recovery = undefined;
    else if (cutOffReply && this.#falseInterruptionTimeoutMs !== undefined) {
      this.#recovery = { interruptedAt: now, botWasSpeaking };
    }
  }

  #endSegment(): void {
    const segment = this.#segment as SpeechSegmentTracker;
    const role = this.#role;
    this.#segment = undefined;
    this.#role = 'candidate';
    this.#held = [];
    if (segment.vadSpeaking) this.#ignoreNextVADStop = true;
    if (role === 'turn') {
      this.pushFrame(new UserStoppedSpeakingFrame(segment.speechEndMs), FrameDirection.Downstream);
      this.pushFrame(new UserStoppedSpeakingFrame(segment.speechEndMs), FrameDirection.Upstream);
      if (segment.words > 0) this.#replyExpected = true;
    } else if (role !== 'muted') {
      this.logger.debug({ words: segment.words, role }, 'user speech was not a turn: dropped');
    }
  }

  #recover(recovery: ArmedRecovery): void {
    this.#recovery = undefined;
    this.logger.info(
      { interruptedAt: recovery.interruptedAt },
      'false interruption: making the bot speak again',
    );
    this.pushFrame(
      new FalseInterruptionFrame(recovery.interruptedAt, recovery.botWasSpeaking),
      FrameDirection.Downstream,
    );
    const frames = this.#recoverFrames({ ...recovery });
    for (const frame of frames) this.pushFrame(frame, FrameDirection.Downstream);
    if (frames.length > 0) this.#replyExpected = true;
  }

  /** Fires whatever is due now, then arms the alarm for the next deadline. */
  #evaluate(): void {
    const now = this.clock.now();
    if (this.#segment !== undefined && this.#role === 'awaiting-barge-in') {
      if (!this.#conversationState.botSpeaking || this.#bargeInAllowed(this.#segment, now))
        this.#decideStart();
    }
    if (this.#segment !== undefined) {
      const endAt = this.#segmentEndAt(this.#segment);
      if (endAt <= now) this.#endSegment();
    }
    const recovery = this.#recovery;
    if (this.#segment === undefined && recovery !== undefined && this.#recoveryAt(recovery) <= now) {
      this.#recover(recovery);
    }
    this.#alarm.setAt(this.#nextDeadline(now));
  }

  #onAlarm(): void {
    try {
      this.#evaluate();
    } catch (error) {
      this.pushError(error);
    }
  }

  #segmentEndAt(segment: SpeechSegmentTracker): number {
    let endAt = segment.lastActivityAt + this.#stuckTurnTimeoutMs;
    for (const strategy of this.#endStrategies) {
      const at = strategy.endAt(segment);
      if (at !== undefined && at < endAt) endAt = at;
    }
    return endAt;
  }

  #recoveryAt(recovery: ArmedRecovery): number {
    return Math.max(recovery.interruptedAt, this.#lastVADStopAt) + (this.#falseInterruptionTimeoutMs ?? 0);
  }

  #nextDeadline(now: number): number {
    const segment = this.#segment;
    if (segment === undefined) {
      return this.#recovery === undefined ? Number.POSITIVE_INFINITY : this.#recoveryAt(this.#recovery);
    }
    let at = this.#segmentEndAt(segment);
    if (
      this.#role === 'awaiting-barge-in' &&
      segment.vadSpeaking &&
      segment.words >= this.#minInterruptionWords
    ) {
      at = Math.min(at, now + this.#minInterruptionDurationMs - segment.vadSpeechMs(now));
    }
    return at;
  }
}

/** Frames that make the bot speak when they reach the services below. */
function requestsBotSpeech(frame: Frame): boolean {
  return (
    frame instanceof LLMContextFrame ||
    frame instanceof TTSSpeakFrame ||
    (frame instanceof LLMMessagesAppendFrame && frame.runLLM)
  );
}
