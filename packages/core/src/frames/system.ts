/**
 * System frames: they jump every mailbox and are never dropped by an interruption.
 */
import { VoxlineError } from '../errors/voxline-error.js';
import type { MetricsData } from '../metrics/metrics-data.js';
import { SystemFrame } from './frame.js';

/** Parameters a pipeline starts with; carried by {@link StartFrame}. */
export interface PipelineParams {
  /** Sample rate in Hz of audio entering the pipeline; default 16000. */
  audioInSampleRate: number;
  /** Sample rate in Hz of audio the pipeline produces; default 24000. */
  audioOutSampleRate: number;
  /** Whether user speech may interrupt the bot; default true. */
  allowInterruptions: boolean;
  /** Whether services report TTFB and processing-time metrics; default true. */
  enableMetrics: boolean;
  /** Whether services report usage metrics (tokens, characters, audio seconds); default true. */
  enableUsageMetrics: boolean;
}

/** The defaults of {@link PipelineParams}. */
export const defaultPipelineParams: Readonly<PipelineParams> = Object.freeze({
  audioInSampleRate: 16000,
  audioOutSampleRate: 24000,
  allowInterruptions: true,
  enableMetrics: true,
  enableUsageMetrics: true,
});

/** The first frame of every pipeline run. Processors read the pipeline parameters from it. */
export class StartFrame extends SystemFrame {
  constructor(readonly params: Readonly<PipelineParams> = defaultPipelineParams) {
    super();
  }
}

/**
 * Stops the pipeline at once: in-flight work is aborted, mailboxes are emptied, nothing more is
 * processed. Compare {@link EndFrame}, which ends after everything queued before it.
 */
export class CancelFrame extends SystemFrame {
  constructor(readonly reason?: string) {
    super();
  }
}

/**
 * An error, pushed upstream from where it happened. A fatal error ends the task (it is cancelled);
 * a non-fatal one is reported through the task's `error` event and the pipeline goes on.
 */
export class ErrorFrame extends SystemFrame {
  /** Whether the task must stop. */
  readonly fatal: boolean;
  /** The underlying error. */
  readonly error: Error;
  /** Name of the processor where the error happened, when known. */
  processor: string | undefined;
  /**
   * @param error - the error; a string becomes a `VoxlineError` of code `reported-error` with it as
   *   its message (the processor reported a failure in words only).
   */
  constructor(error: Error | string, options: { fatal?: boolean; processor?: string } = {}) {
    super();
    this.error = typeof error === 'string' ? new VoxlineError('reported-error', error) : error;
    this.fatal = options.fatal ?? false;
    this.processor = options.processor;
  }
  /** The error message. */
  get message(): string {
    return this.error.message;
  }
}

/**
 * Barge-in: the bot must stop what it is doing. Every queued processor aborts its work in flight
 * (the `AbortSignal` it handed to SDK calls fires), drops queued interruptible frames, keeps
 * uninterruptible ones, and forwards this frame.
 */
export class InterruptionFrame extends SystemFrame {}

/**
 * The user started a turn (decided by the user-turn strategies, possibly later than the VAD edge).
 * `speechStartMs` is the audio time in ms (from the start of the input stream) at which speech
 * really began, when known.
 */
export class UserStartedSpeakingFrame extends SystemFrame {
  constructor(readonly speechStartMs?: number) {
    super();
  }
}

/**
 * The user finished a turn. `speechEndMs` is the audio time in ms at which speech really ended
 * (the start of the trailing silence), so latency can be measured from it rather than from the
 * moment the VAD decided.
 */
export class UserStoppedSpeakingFrame extends SystemFrame {
  constructor(readonly speechEndMs?: number) {
    super();
  }
}

/** The VAD detected the start of speech. `speechStartMs` is the audio time of the edge in ms. */
export class VADUserStartedSpeakingFrame extends SystemFrame {
  constructor(readonly speechStartMs?: number) {
    super();
  }
}

/** The VAD detected the end of speech. `speechEndMs` is the audio time of the edge in ms. */
export class VADUserStoppedSpeakingFrame extends SystemFrame {
  constructor(readonly speechEndMs?: number) {
    super();
  }
}

/** The caller started hearing the bot (playback-accurate where the transport supports it). */
export class BotStartedSpeakingFrame extends SystemFrame {}

/**
 * The caller stopped hearing the bot. Where the transport tracks playback (carrier marks), this
 * follows the end of playback, not the end of sending.
 */
export class BotStoppedSpeakingFrame extends SystemFrame {}

/** Sent periodically (about every 200 ms) while the bot's audio is playing. */
export class BotSpeakingFrame extends SystemFrame {}

/** A DTMF key the caller pressed: one of `0-9`, `*`, `#`, `A-D`. */
export class InputDTMFFrame extends SystemFrame {
  constructor(readonly digit: string) {
    super();
  }
}

/** A message from the transport's peer that is not audio (e.g. a carrier event); urgent. */
export class InputTransportMessageFrame extends SystemFrame {
  constructor(readonly message: unknown) {
    super();
  }
}

/** Metrics (TTFB, processing time, usage, overflow counts) reported by processors. */
export class MetricsFrame extends SystemFrame {
  constructor(readonly data: readonly MetricsData[]) {
    super();
  }
}

/** Upstream request to the task: end the pipeline gracefully (an EndFrame is queued). */
export class EndTaskFrame extends SystemFrame {
  constructor(readonly reason?: string) {
    super();
  }
}

/** Upstream request to the task: cancel the pipeline now. */
export class CancelTaskFrame extends SystemFrame {
  constructor(readonly reason?: string) {
    super();
  }
}
