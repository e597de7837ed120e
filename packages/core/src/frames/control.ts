/**
 * Control frames: ordered like data frames; lifecycle and response boundaries.
 */
import { ControlFrame } from './frame.js';

/**
 * Ends the pipeline gracefully: every frame queued before it is processed first, then processors
 * stop. Uninterruptible. Compare {@link CancelFrame}.
 */
export class EndFrame extends ControlFrame {
  constructor(readonly reason?: string) {
    super();
    this.uninterruptible = true;
  }
}

/**
 * Stops the pipeline like {@link EndFrame} but keeps the processors' resources (connections,
 * sessions) open, for handing a call over to another pipeline. Uninterruptible.
 */
export class StopFrame extends ControlFrame {
  constructor() {
    super();
    this.uninterruptible = true;
  }
}

/**
 * Measures how long frames take to cross the pipeline: the task sends one periodically and
 * compares its `sentAt` with the time it reaches the end.
 */
export class HeartbeatFrame extends ControlFrame {
  constructor(readonly sentAt: number) {
    super();
  }
}

/** The LLM started a response. */
export class LLMFullResponseStartFrame extends ControlFrame {}

/** The LLM finished a response (or was cut off). */
export class LLMFullResponseEndFrame extends ControlFrame {}

/** A TTS service started synthesizing a turn's audio. `contextId` names that turn's TTS context. */
export class TTSStartedFrame extends ControlFrame {
  constructor(readonly contextId?: string) {
    super();
  }
}

/** A TTS service finished a turn's audio. */
export class TTSStoppedFrame extends ControlFrame {
  constructor(readonly contextId?: string) {
    super();
  }
}

/** A function call requested by the LLM has started running. Uninterruptible. */
export class FunctionCallInProgressFrame extends ControlFrame {
  constructor(
    readonly toolCallId: string,
    readonly functionName: string,
    readonly args: unknown,
    /** Whether an interruption cancels this call. */
    readonly cancelOnInterruption = false,
  ) {
    super();
    this.uninterruptible = true;
  }
}
