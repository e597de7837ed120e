/**
 * The options of a telephony transport's output (pacing, marks, speaking state, queue) and their
 * checks, in one place: the output processor, the transport and the fastify plugin all read them
 * through {@link resolveOutputOptions}, so a bad value is refused the same way, with the option's
 * full path, wherever it is given.
 */
import { InvalidOptionError } from '@voxline/core';

/** Default duration in ms of the audio in each `media` message sent to the carrier. */
export const OUTPUT_FRAME_MS = 20;

/** Largest `mediaMessageMs` accepted, in ms. */
const MAX_MEDIA_MESSAGE_MS = 200;

/** Largest `leadMs` accepted, in ms. */
const MAX_LEAD_MS = 1000;

/** Pacing and playback-tracking options of a `TelephonyOutputProcessor`. */
export interface TelephonyOutputOptions {
  /**
   * Most audio in ms queued at the carrier after each send: the margin that absorbs network jitter
   * without gaps. Default 60; at least 20 (one frame), at most 1000. More lead means more audio
   * already at the carrier when the caller barges in (a `clear` discards it, so it is not heard).
   */
  leadMs?: number;
  /**
   * Duration in ms of the audio in each `media` message: a multiple of 20 from 20 to 200, at most
   * `leadMs`; default 20 (what both carriers send). Longer messages cost fewer messages, socket
   * writes and pacing wake-ups per second of speech — 40 halves them, and is what Pipecat's output
   * transports send by default (`audio_out_10ms_chunks = 4`, `pipecat/transports/base_output.py`)
   * — at the price of up to one message's worth of extra latency for live (non-TTS) audio, which
   * waits for a whole message to fill. Telnyx accepts 20 ms to 30 s per message in RTP mode
   * (https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket);
   * Twilio documents no limit.
   */
  mediaMessageMs?: number;
  /** A playback-position mark is sent every this many ms of audio; default 1000. */
  markIntervalMs?: number;
  /** A `BotSpeakingFrame` goes out every this many ms of audio sent; default 200. */
  speakingIntervalMs?: number;
  /**
   * How long the carrier must have had nothing to play, with no new audio, before the utterance is
   * taken to have ended (without a `TTSStoppedFrame`), in ms; default 300.
   */
  utteranceGapMs?: number;
  /**
   * How long after the scheduled end of playback the last mark's echo may take before the bot is
   * declared stopped anyway (and `markEchoTimeouts` counted), in ms; default 1500.
   */
  markEchoTimeoutMs?: number;
  /**
   * Frames the output mailbox holds before dropping the oldest audio; default 4096 (over 80 s of
   * TTS audio in 20 ms chunks, more in larger chunks).
   */
  queueCapacity?: number;
  /**
   * For live audio only — `OutputAudioRawFrame`s that are not `TTSAudioRawFrame`s, such as an echo
   * or a bridged call's audio — the most audio in ms that may wait in the output queue: beyond it
   * the oldest live frames are dropped (`counters.liveAudioDroppedMs`) until the stream is back
   * within it, so a stall (a garbage-collection pause, a slow producer catching up) does not stay
   * in the call as permanent delay. Default: off (never drop), because a burst of prerecorded
   * audio pushed as plain `OutputAudioRawFrame`s is meant to be played whole. Must be at least 20.
   */
  liveAudioMaxBacklogMs?: number;
}

/** {@link TelephonyOutputOptions} with every default applied (`liveAudioMaxBacklogMs` off is `Infinity`). */
export type ResolvedOutputOptions = Readonly<Required<TelephonyOutputOptions>>;

/**
 * Applies the defaults to `options` and checks them.
 *
 * @param optionPath - prefix of the option names in error messages, e.g. `'output.'` when the
 *   options are nested under `output`; default none.
 * @throws {InvalidOptionError} naming the option (with `optionPath`) if `leadMs` is outside 20..1000,
 *   `mediaMessageMs` is not a multiple of 20 from 20 to 200 or exceeds `leadMs`, an interval is
 *   not positive, or `liveAudioMaxBacklogMs` is below 20.
 */
export function resolveOutputOptions(
  options: TelephonyOutputOptions = {},
  optionPath = '',
): ResolvedOutputOptions {
  const resolved: ResolvedOutputOptions = {
    leadMs: options.leadMs ?? 60,
    mediaMessageMs: options.mediaMessageMs ?? OUTPUT_FRAME_MS,
    markIntervalMs: options.markIntervalMs ?? 1000,
    speakingIntervalMs: options.speakingIntervalMs ?? 200,
    utteranceGapMs: options.utteranceGapMs ?? 300,
    markEchoTimeoutMs: options.markEchoTimeoutMs ?? 1500,
    queueCapacity: options.queueCapacity ?? 4096,
    liveAudioMaxBacklogMs: options.liveAudioMaxBacklogMs ?? Number.POSITIVE_INFINITY,
  };
  const name = (option: keyof TelephonyOutputOptions): string => `${optionPath}${option}`;
  if (!(resolved.liveAudioMaxBacklogMs >= OUTPUT_FRAME_MS)) {
    throw new InvalidOptionError(
      name('liveAudioMaxBacklogMs'),
      `${name('liveAudioMaxBacklogMs')} must be at least ${OUTPUT_FRAME_MS}, got ${options.liveAudioMaxBacklogMs}`,
    );
  }
  const { leadMs, mediaMessageMs } = resolved;
  if (!(leadMs >= OUTPUT_FRAME_MS && leadMs <= MAX_LEAD_MS)) {
    throw new InvalidOptionError(
      name('leadMs'),
      `${name('leadMs')} must be between ${OUTPUT_FRAME_MS} and ${MAX_LEAD_MS}, got ${leadMs}`,
    );
  }
  if (
    !Number.isInteger(mediaMessageMs / OUTPUT_FRAME_MS) ||
    mediaMessageMs < OUTPUT_FRAME_MS ||
    mediaMessageMs > MAX_MEDIA_MESSAGE_MS
  ) {
    throw new InvalidOptionError(
      name('mediaMessageMs'),
      `${name('mediaMessageMs')} must be a multiple of ${OUTPUT_FRAME_MS} from ${OUTPUT_FRAME_MS} to ${MAX_MEDIA_MESSAGE_MS}, got ${mediaMessageMs}`,
    );
  }
  if (mediaMessageMs > leadMs) {
    throw new InvalidOptionError(
      name('mediaMessageMs'),
      `${name('mediaMessageMs')} (${mediaMessageMs}) must not exceed ${name('leadMs')} (${leadMs})`,
    );
  }
  for (const option of [
    'markIntervalMs',
    'speakingIntervalMs',
    'utteranceGapMs',
    'markEchoTimeoutMs',
  ] as const) {
    const value = resolved[option];
    if (!(value > 0))
      throw new InvalidOptionError(name(option), `${name(option)} must be positive, got ${value}`);
  }
  return resolved;
}
