/**
 * Base of streaming LLM services (OpenAI chat completions, and the like).
 *
 * A subclass implements one method:
 *
 * ```ts
 * protected streamCompletion(context: LLMContext, signal: AbortSignal): AsyncIterable<LLMChunk>
 * ```
 *
 * It sends `context.messages` and `context.tools` (OpenAI chat shape) to the model and yields
 * {@link LLMChunk}s as they arrive: text deltas, tool calls *once fully assembled* (the subclass
 * concatenates argument fragments per index; yield them when the stream says they are complete),
 * and usage. It must stop (throw the `AbortError`) when `signal` aborts — hand `signal` to the SDK.
 * Throw a `ServiceError` or let SDK errors through: they are classified, and transient faults
 * raised before the first chunk are retried with backoff.
 *
 * What the base does, per completion:
 *
 * - runs on `LLMContextFrame` (the context aggregator's) and on `LLMMessagesAppendFrame` with
 *   `runLLM` (appending to the last context seen, or a new one);
 * - pushes `LLMFullResponseStartFrame`, an `LLMTextFrame` per text delta, and
 *   `LLMFullResponseEndFrame` — always, also after an interruption or a failure, so every Start
 *   has its End downstream;
 * - TTFB = request to first chunk, processing = request to end of stream, `llm-usage` from the
 *   usage chunk;
 * - tool calls: appends the assistant message with `tool_calls` (content = the text of that
 *   response) and a placeholder tool message per call, pushes a `FunctionCallInProgressFrame`
 *   per call (both ways, so upstream processors such as the user turn processor see it too)
 *   before the `LLMFullResponseEndFrame`, runs the handlers from {@link functions}
 *   (parallel or in order), fills each tool message with its result, pushes a
 *   `FunctionCallResultFrame` (both ways), and runs the model again (up to `maxToolRounds`);
 * - interruption (`this.signal`): the stream is aborted, calls with `cancelOnInterruption` are
 *   aborted (their tool message says so), the others finish in the background and fill in their
 *   result; the model is not run again (the user's next turn will run it, seeing the results);
 * - a fault left after retries becomes a non-fatal `ErrorFrame` upstream, then
 *   `LLMFullResponseEndFrame`.
 */

import { isAbortError } from '../errors/is-abort-error.js';
import {
  EndFrame,
  FunctionCallInProgressFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
} from '../frames/control.js';
import {
  FunctionCallResultFrame,
  LLMContextFrame,
  LLMMessagesAppendFrame,
  LLMTextFrame,
} from '../frames/data.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import { CancelFrame, InterruptionFrame, StartFrame } from '../frames/system.js';
import { LLMContext, type LLMMessage, type LLMToolCall } from '../llm/llm-context.js';
import { AIService, type AIServiceOptions } from './ai-service.js';
import {
  type FunctionCallOutcome,
  FunctionRegistry,
  formatFunctionResult,
  functionResultValue,
  type RequestedFunctionCall,
} from './function-registry.js';
import { ServiceError } from './service-error.js';

/** One piece of a streamed completion; see the module comment. */
export type LLMChunk =
  /** A text delta (a token or a few). */
  | { type: 'text'; text: string }
  /** A complete tool call; `arguments` is the JSON-encoded arguments object. */
  | { type: 'tool-call'; id: string; name: string; arguments: string }
  /** Token usage of the completion (OpenAI sends it last, with `include_usage`). */
  | { type: 'usage'; promptTokens: number; completionTokens: number; totalTokens?: number };

/** Options of {@link LLMService}. */
export interface LLMServiceOptions extends AIServiceOptions {
  /** The functions the model may call; default an empty registry (add to `service.functions`). */
  functions?: FunctionRegistry;
  /** Most model runs in a row caused by tool calls before giving up; default 8. */
  maxToolRounds?: number;
}

/** Tool message content until a call's result is in. */
const RUNNING_CALL_CONTENT = '{"status":"running"}';

/** Base of streaming LLM services; see the module comment. */
export abstract class LLMService extends AIService {
  /** The functions the model may call. Their tools are added to every context it runs on. */
  readonly functions: FunctionRegistry;
  readonly #maxToolRounds: number;
  #lastContext: LLMContext | undefined;
  #lifetime = new AbortController();

  constructor(options: LLMServiceOptions = {}) {
    super(options);
    this.functions = options.functions ?? new FunctionRegistry();
    this.#maxToolRounds = options.maxToolRounds ?? 8;
  }

  /** Streams one completion of `context`; see the module comment. */
  protected abstract streamCompletion(context: LLMContext, signal: AbortSignal): AsyncIterable<LLMChunk>;

  protected override processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (frame instanceof LLMContextFrame) {
      this.#lastContext = frame.context;
      return this.#runTurn(frame.context);
    }
    if (frame instanceof LLMMessagesAppendFrame) {
      const context = (this.#lastContext ??= new LLMContext());
      context.addMessages(frame.messages);
      return frame.runLLM ? this.#runTurn(context) : undefined;
    }
    if (frame instanceof StartFrame) {
      this.applyStartParams();
      this.#lifetime = new AbortController();
    } else if (frame instanceof InterruptionFrame) {
      this.metrics.reset();
    } else if (frame instanceof CancelFrame || frame instanceof EndFrame) {
      this.#lifetime.abort();
    }
    this.pushFrame(frame, direction);
  }

  /** One user turn: a completion, then as many tool rounds as the model asks for. */
  async #runTurn(context: LLMContext): Promise<void> {
    const signal = this.signal;
    this.#offerTools(context);
    for (let round = 0; ; round++) {
      const toolCalls = await this.#runCompletion(context, signal);
      if (toolCalls.length === 0 || signal.aborted) return;
      const runAgain = await this.#runFunctionCalls(context, toolCalls, signal);
      if (!runAgain || signal.aborted) return;
      if (round + 1 >= this.#maxToolRounds) {
        this.pushError(
          new ServiceError('protocol', `LLM asked for tools ${this.#maxToolRounds} times in a row; stopped`),
        );
        return;
      }
    }
  }

  #offerTools(context: LLMContext): void {
    if (this.functions.size === 0) return;
    const offered = new Set(context.tools.map((tool) => tool.function.name));
    for (const tool of this.functions.tools()) {
      if (!offered.has(tool.function.name)) context.tools.push(tool);
    }
  }

  /** Streams one completion downstream; returns the tool calls it asked for (empty if none). */
  async #runCompletion(context: LLMContext, signal: AbortSignal): Promise<RequestedFunctionCall[]> {
    this.pushDown(new LLMFullResponseStartFrame());
    this.metrics.startTtfb();
    let text = '';
    let produced = false;
    const toolCalls: RequestedFunctionCall[] = [];
    const firstOutput = () => {
      if (produced) return;
      produced = true;
      this.metrics.stopTtfb();
    };
    try {
      await this.retry(
        'LLM completion',
        async () => {
          for await (const chunk of this.streamCompletion(context, signal)) {
            signal.throwIfAborted();
            if (chunk.type === 'text') {
              if (chunk.text === '') continue;
              firstOutput();
              text += chunk.text;
              this.pushDown(new LLMTextFrame(chunk.text));
            } else if (chunk.type === 'tool-call') {
              firstOutput();
              toolCalls.push({ id: chunk.id, name: chunk.name, arguments: chunk.arguments });
            } else {
              this.reportUsage({
                type: 'llm-usage',
                processor: this.name,
                model: this.model,
                promptTokens: chunk.promptTokens,
                completionTokens: chunk.completionTokens,
                totalTokens: chunk.totalTokens ?? chunk.promptTokens + chunk.completionTokens,
              });
            }
          }
        },
        signal,
        // Once text went downstream a retry would repeat it: only retry faults before any output.
        () => !produced,
      );
    } catch (error) {
      this.metrics.reset();
      if (!isAbortError(error) && !signal.aborted) this.reportFailure(error, 'LLM completion failed');
      // Always close the response: control frames survive interruptions in mailboxes, so an
      // unclosed Start would reach the TTS and the aggregators after the barge-in.
      this.pushDown(new LLMFullResponseEndFrame());
      return [];
    }
    this.metrics.stopProcessing();
    if (toolCalls.length > 0) this.#recordToolCalls(context, text, toolCalls);
    this.pushDown(new LLMFullResponseEndFrame());
    return toolCalls;
  }

  /** Appends the assistant tool-call message and placeholder tool messages; announces the calls. */
  #recordToolCalls(context: LLMContext, text: string, toolCalls: readonly RequestedFunctionCall[]): void {
    const calls: LLMToolCall[] = toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
    context.addMessage({ role: 'assistant', content: text === '' ? null : text, tool_calls: calls });
    for (const call of toolCalls) {
      context.addMessage({ role: 'tool', tool_call_id: call.id, content: RUNNING_CALL_CONTENT });
      const definition = this.functions.get(call.name);
      const args = safeParse(call.arguments);
      const cancelOnInterruption = definition?.cancelOnInterruption ?? true;
      // Both ways: processors upstream (the user turn processor's mute strategies, idle
      // detection) need to know a call is running as much as those downstream.
      this.pushDown(new FunctionCallInProgressFrame(call.id, call.name, args, cancelOnInterruption));
      this.pushFrame(
        new FunctionCallInProgressFrame(call.id, call.name, args, cancelOnInterruption),
        FrameDirection.Upstream,
      );
    }
  }

  /**
   * Runs the calls; resolves true when the model should run again. Stops waiting on interruption
   * (calls that survive it keep running and fill in their results later).
   */
  async #runFunctionCalls(
    context: LLMContext,
    toolCalls: readonly RequestedFunctionCall[],
    signal: AbortSignal,
  ): Promise<boolean> {
    const lifetime = this.#lifetime.signal;
    const runOne = async (call: RequestedFunctionCall): Promise<boolean> => {
      const definition = this.functions.get(call.name);
      const cancellable = definition?.cancelOnInterruption ?? true;
      const callSignal = cancellable ? AbortSignal.any([signal, lifetime]) : lifetime;
      const outcome = await this.functions.invoke(call, { context, signal: callSignal });
      // After a barge-in the model is not run again for this result: the user's next turn will.
      const runLLM = outcome.status !== 'cancelled' && (definition?.runLLM ?? true) && !signal.aborted;
      this.#recordResult(context, call, outcome, runLLM);
      if (outcome.status === 'error')
        this.logger.warn({ function: call.name, error: outcome.error }, 'function call failed');
      return runLLM;
    };
    const all =
      this.functions.execution === 'parallel'
        ? Promise.all(toolCalls.map(runOne))
        : (async () => {
            const results: boolean[] = [];
            for (const call of toolCalls) results.push(await runOne(call));
            return results;
          })();
    const results = await untilAborted(all, signal);
    return results?.some(Boolean) === true;
  }

  #recordResult(
    context: LLMContext,
    call: RequestedFunctionCall,
    outcome: FunctionCallOutcome,
    runLLM: boolean,
  ): void {
    const message = context.messages.find(
      (entry): entry is Extract<LLMMessage, { role: 'tool' }> =>
        entry.role === 'tool' && entry.tool_call_id === call.id,
    );
    const content = formatFunctionResult(outcome);
    if (message !== undefined) message.content = content;
    else context.addMessage({ role: 'tool', tool_call_id: call.id, content });
    const result = functionResultValue(outcome);
    this.pushDown(new FunctionCallResultFrame(call.id, call.name, outcome.args, result, runLLM));
    this.pushFrame(
      new FunctionCallResultFrame(call.id, call.name, outcome.args, result, runLLM),
      FrameDirection.Upstream,
    );
  }
}

function safeParse(encoded: string): unknown {
  try {
    return encoded.trim() === '' ? {} : JSON.parse(encoded);
  } catch {
    return encoded;
  }
}

/** Resolves with `promise`'s value, or with undefined as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
