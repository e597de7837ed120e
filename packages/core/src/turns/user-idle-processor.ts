/**
 * Notices when the caller has gone quiet: no user speech for a while, with the bot silent too,
 * so the agent can re-prompt ("Are you still there?") or hang up.
 *
 * Place it after the {@link UserTurnProcessor} (it reads the user turn frames that processor
 * pushes downstream and the bot speaking frames coming up from the output transport).
 *
 * The countdown runs only while nobody is talking and nothing is pending: it pauses while the
 * user is in a turn or the VAD hears them, while the caller hears the bot, and while a function
 * call runs, and restarts from zero when each of those ends. It starts after the conversation's
 * first turn ends (the bot's greeting or the user's first turn), never before. Each expiry calls
 * `onIdle` with a retry count that grows until the user shows any activity (a turn, a
 * transcription, a VAD start, a DTMF key: a caller keying digits is not idle, see
 * https://github.com/pipecat-ai/pipecat/issues/3742). Bot speech restarts the countdown without
 * resetting the count, so the bot's own re-prompt does not make the caller count as active.
 *
 * One pending wake-up on the pipeline clock, re-armed only when the countdown's end moves
 * earlier; frames never start timers.
 */
import { InputAudioRawFrame } from '../frames/audio.js';
import { EndFrame, StopFrame } from '../frames/control.js';
import { TranscriptionFrame } from '../frames/data.js';
import type { Frame, FrameDirection } from '../frames/frame.js';
import {
  BotStoppedSpeakingFrame,
  CancelFrame,
  InputDTMFFrame,
  StartFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '../frames/system.js';
import { FrameProcessor } from '../processors/frame-processor.js';
import { ClockAlarm } from './clock-alarm.js';
import { ConversationState, type ConversationView } from './conversation-state.js';
import { checkDurationMs } from './turn-options-error.js';

/** What {@link UserIdleProcessorOptions.onIdle} is told. */
export interface UserIdleEvent {
  /** 1 for the first expiry since the user was last active, 2 for the next, and so on. */
  readonly retryCount: number;
  /** How long the countdown ran, in ms (the timeout). */
  readonly idleMs: number;
  /**
   * The processor, to push frames from: `processor.pushFrame(new TTSSpeakFrame('Are you still
   * there?'))` re-prompts, `processor.pushFrame(new EndTaskFrame('user idle'), 'upstream')`
   * ends the call.
   */
  readonly processor: UserIdleProcessor;
}

/** Options of {@link UserIdleProcessor}. */
export interface UserIdleProcessorOptions {
  /** Name for logs and observers. */
  name?: string;
  /**
   * Quiet time before `onIdle`, in ms. Default 15 000, LiveKit's `userAwayTimeout`
   * (https://docs.livekit.io/reference/agents-js/interfaces/agents.voice.VoiceOptions.html):
   * long enough for a caller to think or look something up, short enough that a caller who
   * walked away is not left on an open line.
   */
  timeoutMs?: number;
  /**
   * Called on each expiry. Return `false` (or a promise of it) to stop watching until the user is
   * next active; anything else keeps watching, with the countdown restarted. A throw (or
   * rejection) is reported as a non-fatal error and watching goes on.
   */
  onIdle: (event: UserIdleEvent) => boolean | undefined | Promise<boolean | undefined>;
}

/** User idle detection; see the module comment. Inline. */
export class UserIdleProcessor extends FrameProcessor {
  readonly timeoutMs: number;
  readonly #onIdle: UserIdleProcessorOptions['onIdle'];
  readonly #conversationState = new ConversationState();
  readonly #alarm = new ClockAlarm(() => this.#onAlarm());
  #started = false;
  #watching = true;
  #userTurnOpen = false;
  #vadSpeaking = false;
  #countdownFrom = 0;
  #retryCount = 0;
  /** Bumped on every user activity, so a late `false` from an async `onIdle` cannot stop watching a user who has since spoken. */
  #activityGeneration = 0;

  /** @throws {TurnOptionsError} `invalid-option` if `timeoutMs` is negative or NaN. */
  constructor(options: UserIdleProcessorOptions) {
    super({ name: options.name, mode: 'inline' });
    this.timeoutMs = checkDurationMs('timeoutMs', options.timeoutMs ?? 15_000);
    this.#onIdle = options.onIdle;
  }

  /** The bot's state as this processor sees it. */
  get conversation(): ConversationView {
    return this.#conversationState;
  }

  /** Expiries since the user was last active. */
  get retries(): number {
    return this.#retryCount;
  }

  /** Whether the countdown is running now. */
  get counting(): boolean {
    return (
      this.#started &&
      this.#watching &&
      !this.#userTurnOpen &&
      !this.#vadSpeaking &&
      !this.#conversationState.botSpeaking &&
      this.#conversationState.functionCallsInProgress === 0
    );
  }

  override async cleanup(): Promise<void> {
    this.#alarm.stop();
    await super.cleanup();
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (frame instanceof InputAudioRawFrame) return; // the hot path: never affects idleness
    if (frame instanceof StartFrame) {
      this.#alarm.start(this.clock);
      return;
    }
    if (frame instanceof EndFrame || frame instanceof StopFrame || frame instanceof CancelFrame) {
      this.#alarm.stop();
      return;
    }
    const wasCounting = this.counting;
    if (frame instanceof UserStartedSpeakingFrame) {
      this.#userTurnOpen = true;
      this.#onUserActivity();
    } else if (frame instanceof UserStoppedSpeakingFrame) {
      this.#userTurnOpen = false;
      this.#started = true;
      this.#onUserActivity();
    } else if (frame instanceof VADUserStartedSpeakingFrame) {
      this.#vadSpeaking = true;
      this.#onUserActivity();
    } else if (frame instanceof VADUserStoppedSpeakingFrame) {
      this.#vadSpeaking = false;
      this.#onUserActivity();
    } else if (
      (frame instanceof TranscriptionFrame && frame.text.trim() !== '') ||
      frame instanceof InputDTMFFrame
    ) {
      this.#onUserActivity();
    } else if (this.#conversationState.update(frame)) {
      if (frame instanceof BotStoppedSpeakingFrame) this.#started = true;
    } else {
      return;
    }
    if (this.counting && !wasCounting) this.#countdownFrom = this.clock.now();
    this.#arm();
  }

  #onUserActivity(): void {
    this.#activityGeneration++;
    this.#retryCount = 0;
    this.#watching = true;
    this.#countdownFrom = this.clock.now();
  }

  #arm(): void {
    if (this.counting) this.#alarm.setAt(this.#countdownFrom + this.timeoutMs);
  }

  #onAlarm(): void {
    if (!this.counting) return;
    const now = this.clock.now();
    if (now < this.#countdownFrom + this.timeoutMs) {
      this.#arm();
      return;
    }
    this.#retryCount++;
    this.#countdownFrom = now;
    this.logger.info({ retryCount: this.#retryCount, timeoutMs: this.timeoutMs }, 'user idle');
    const generation = this.#activityGeneration;
    let result: ReturnType<UserIdleProcessorOptions['onIdle']>;
    try {
      result = this.#onIdle({ retryCount: this.#retryCount, idleMs: this.timeoutMs, processor: this });
    } catch (error) {
      this.#reportCallbackError(error);
      this.#arm();
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (keepWatching) => {
          if (generation === this.#activityGeneration) this.#afterIdle(keepWatching);
        },
        (error: unknown) => {
          this.#reportCallbackError(error);
          this.#arm();
        },
      );
    } else {
      this.#afterIdle(result);
    }
  }

  #afterIdle(keepWatching: boolean | undefined): void {
    if (keepWatching === false) {
      this.#watching = false;
      return;
    }
    this.#arm();
  }

  #reportCallbackError(error: unknown): void {
    this.pushError(error);
  }
}
