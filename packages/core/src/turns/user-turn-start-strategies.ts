/**
 * Turn-start strategies: when does the user's speech become a user turn?
 *
 * The {@link UserTurnProcessor} asks its strategies after every speech event while a segment of
 * speech is not yet a turn; the first that answers yes starts the turn. Pipecat's default pair
 * is VAD plus transcription (https://docs.pipecat.ai/server/utilities/turn-management), and so
 * is ours: the VAD is fastest, and a transcription catches speech the VAD missed (quiet talkers,
 * a VAD threshold set high against noise).
 *
 * Whether the turn then interrupts the bot is decided separately (minimum duration, minimum
 * words and mute strategies on the processor): a strategy only says "the user is taking a turn".
 */
import { checkCount, TurnOptionsError } from './turn-options-error.js';
import type { UserSpeechEvent, UserSpeechSegment } from './user-speech-segment.js';

/** Decides when a segment of user speech becomes a user turn. */
export interface UserTurnStartStrategy {
  /** Whether the turn starts now, right after `event` was applied to `segment`. */
  shouldStart(event: UserSpeechEvent, segment: UserSpeechSegment): boolean;
}

/**
 * Starts the turn when the VAD reports speech ({@link VADUserStartedSpeakingFrame}). The fastest
 * start: the VAD decides after its `startSecs` (200 ms by default) of speech.
 */
export class VADTurnStart implements UserTurnStartStrategy {
  shouldStart(event: UserSpeechEvent): boolean {
    return event.type === 'vad-started';
  }
}

/** Options of {@link TranscriptionTurnStart}. */
export interface TranscriptionTurnStartOptions {
  /**
   * Whether interim transcriptions count; default true. Interim results come hundreds of ms
   * before the final one, and a turn the VAD missed should start as early as possible.
   */
  interim?: boolean;
}

/**
 * Starts the turn on a transcription with words while no turn is open: speech the VAD missed.
 */
export class TranscriptionTurnStart implements UserTurnStartStrategy {
  readonly #interim: boolean;

  constructor(options: TranscriptionTurnStartOptions = {}) {
    this.#interim = options.interim ?? true;
  }

  shouldStart(event: UserSpeechEvent, segment: UserSpeechSegment): boolean {
    if (event.type !== 'transcription' || segment.words === 0) return false;
    return this.#interim || !event.interim;
  }
}

/**
 * Starts the turn once the segment holds `minWords` words, counting the latest interim
 * transcription. Speech that ends with fewer words never becomes a turn (and its transcripts are
 * dropped), so short backchannels ("mhm", "ok") are ignored at the cost of an STT round trip
 * before every turn start. Use it instead of {@link VADTurnStart}, not with it (the VAD would
 * start the turn first).
 */
export class MinWordsTurnStart implements UserTurnStartStrategy {
  readonly minWords: number;

  /**
   * @param minWords words needed, at least 1.
   * @throws {TurnOptionsError} `invalid-option` if `minWords` is not a whole number ≥ 1.
   */
  constructor(minWords: number) {
    if (!(checkCount('minWords', minWords) >= 1)) {
      throw new TurnOptionsError('minWords', `minWords must be at least 1, got ${minWords}`);
    }
    this.minWords = minWords;
  }

  shouldStart(_event: UserSpeechEvent, segment: UserSpeechSegment): boolean {
    return segment.words >= this.minWords;
  }
}
