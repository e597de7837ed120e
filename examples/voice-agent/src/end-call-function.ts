/**
 * Lets the language model end the call: an `end_call` function it may call once it has said
 * goodbye, and the processor that turns that call into the end of the pipeline.
 *
 * The model's goodbye and its `end_call` usually come in one response: the goodbye text goes
 * downstream first, then the function result. On the result, {@link EndCallProcessor} asks the
 * task to end (`EndTaskFrame` upstream); the task's `EndFrame` then follows the goodbye through
 * the TTS (which finishes the reply before passing it on) and the output transport (which plays
 * it out), and the transport's call terminator hangs up once the caller has heard the last word.
 */
import {
  EndTaskFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  FunctionCallResultFrame,
  type LLMService,
} from '@voxline/core';

/** The function's name, as the model sees it. */
export const END_CALL_FUNCTION = 'end_call';

/**
 * Offers `end_call` to the model. The model is not run again after it: the goodbye said before
 * the call is the last thing the caller hears.
 */
export function registerEndCallFunction(llm: LLMService): void {
  llm.functions.register({
    name: END_CALL_FUNCTION,
    description:
      'Hang up the phone call. Call it only after you have said goodbye, when the caller has nothing more to ask or asks to end the call.',
    parameters: { type: 'object', properties: {} },
    handler: () => ({ status: 'hanging up after the goodbye' }),
    cancelOnInterruption: false,
    runLLM: false,
  });
}

/** Place it right after the LLM service; see the module comment. */
export class EndCallProcessor extends FrameProcessor {
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (
      direction === FrameDirection.Downstream &&
      frame instanceof FunctionCallResultFrame &&
      frame.functionName === END_CALL_FUNCTION
    ) {
      this.pushFrame(new EndTaskFrame('the agent ended the call'), FrameDirection.Upstream);
    }
  }
}
