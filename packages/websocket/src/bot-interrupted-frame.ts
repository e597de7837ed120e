/**
 * How much of an interrupted utterance the caller actually heard.
 */
import { SystemFrame } from '@voxline/core';

/**
 * The bot was interrupted while its audio was playing. Pushed by the telephony output transport,
 * both upstream and downstream, right before it forwards the {@link InterruptionFrame} that caused
 * it, so a context aggregator on either side holds the numbers when the interruption reaches it
 * and can truncate the assistant's message to what was heard (Pipecat issues #2791 and #1591 are
 * the failure this prevents: a context that claims the bot said what the caller never heard).
 *
 * `heardMs` is an estimate from carrier playback reports: the last mark the carrier echoed (it
 * echoes a mark once the audio before it has played) plus the time since that echo, bounded by the
 * audio sent and by the real-time schedule of what was sent (the carrier cannot play faster than
 * real time). Its error is about the one-way network delay to the carrier (tens of ms).
 */
export class BotInterruptedFrame extends SystemFrame {
  constructor(
    /** Audio of the interrupted utterance the caller heard, in ms (0 ≤ heardMs ≤ sentMs). */
    readonly heardMs: number,
    /** Audio of the interrupted utterance sent to the carrier, in ms. */
    readonly sentMs: number,
  ) {
    super();
  }
}
