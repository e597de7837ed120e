/**
 * The base of every frame, and the three scheduling classes.
 *
 * A frame is the unit that moves through a pipeline. Its class decides how processors schedule it:
 *
 * - **system** frames ({@link SystemFrame}) jump every mailbox and are never dropped by an
 *   interruption (start, cancel, errors, interruption itself, speaking state, input audio);
 * - **data** frames ({@link DataFrame}) are processed in order and are dropped from mailboxes
 *   when an interruption arrives (output audio, text, transcriptions, LLM context);
 * - **control** frames ({@link ControlFrame}) are ordered like data frames (end, TTS and LLM
 *   response boundaries).
 *
 * Any frame can be marked `uninterruptible`: an interruption then keeps it in the mailbox
 * (end/stop frames and function-call results are).
 *
 * The classes follow Pipecat's frame taxonomy
 * (https://github.com/pipecat-ai/pipecat/blob/main/src/pipecat/frames/frames.py) and GStreamer's
 * split between serialized and out-of-band events.
 */

/** The scheduling class of a frame: see the module comment. */
export type FrameKind = 'system' | 'data' | 'control';

/** Which way a frame travels: downstream goes from input to output, upstream the other way. */
export const FrameDirection = {
  Downstream: 'downstream',
  Upstream: 'upstream',
} as const;
export type FrameDirection = (typeof FrameDirection)[keyof typeof FrameDirection];

let lastFrameId = 0;

/**
 * Base of all frames.
 *
 * - `id` increases monotonically across the process, so frame order is always recoverable.
 * - `createdAt` is the time in ms on the pipeline clock when the frame first entered a pipeline
 *   (stamped by the first processor that pushes it, or by `PipelineTask.queueFrame`); it is `NaN`
 *   until then. Frames are stamped lazily because they are often built before any pipeline exists.
 * - `metadata` is free-form per-frame data for applications; Voxline itself does not read it.
 */
export abstract class Frame {
  /** The scheduling class; fixed per subclass. */
  abstract readonly kind: FrameKind;
  /** Monotonically increasing id, unique within the process. */
  readonly id: number = ++lastFrameId;
  /** Time in ms on the pipeline clock when the frame entered a pipeline; `NaN` before that. */
  createdAt = Number.NaN;
  /** When true, an interruption never drops this frame from a mailbox. */
  uninterruptible = false;
  /** Free-form per-frame data for applications. */
  metadata: Record<string, unknown> | undefined = undefined;

  /** The frame's class name and id, e.g. `TextFrame#42`; for logs. */
  get name(): string {
    return `${this.constructor.name}#${this.id}`;
  }

  toString(): string {
    return this.name;
  }
}

/** Frames that jump every mailbox and survive interruptions. */
export abstract class SystemFrame extends Frame {
  readonly kind = 'system' as const;
}

/** Frames processed in order, dropped from mailboxes by an interruption unless uninterruptible. */
export abstract class DataFrame extends Frame {
  readonly kind = 'data' as const;
}

/** Frames processed in order like data, used for lifecycle and response boundaries. */
export abstract class ControlFrame extends Frame {
  readonly kind = 'control' as const;
}
