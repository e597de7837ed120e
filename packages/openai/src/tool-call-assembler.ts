/**
 * Reassembles streamed tool calls from Chat Completions chunks.
 *
 * Each `delta.tool_calls[]` fragment carries `index` (the only key stable across chunks); the
 * first fragment of a call also carries `id`, `type` and `function.name`, later ones only a piece
 * of `function.arguments`. Several calls may be interleaved by index. Arguments are complete only
 * once the choice has a `finish_reason`. Source: `openai` 6.49 `ChatCompletionChunk.Choice.Delta.
 * ToolCall`; https://platform.openai.com/docs/api-reference/chat-streaming.
 */
import { ServiceError } from '@voxline/core';

/** One fragment, as in `ChatCompletionChunk.choices[0].delta.tool_calls[n]`. */
export interface ToolCallFragment {
  index: number;
  id?: string | undefined;
  type?: string | undefined;
  function?: { name?: string | undefined; arguments?: string | undefined } | undefined;
}

/** A complete tool call. */
export interface AssembledToolCall {
  id: string;
  name: string;
  /** JSON-encoded arguments, concatenated from the fragments. */
  arguments: string;
}

interface PartialCall {
  id: string | undefined;
  name: string | undefined;
  arguments: string;
}

/** See the module comment. One instance per streamed completion. */
export class ToolCallAssembler {
  readonly #calls = new Map<number, PartialCall>();

  /** Whether any fragment was seen. */
  get size(): number {
    return this.#calls.size;
  }

  /** Adds one fragment. */
  add(fragment: ToolCallFragment): void {
    let call = this.#calls.get(fragment.index);
    if (call === undefined) {
      call = { id: undefined, name: undefined, arguments: '' };
      this.#calls.set(fragment.index, call);
    }
    if (fragment.id) call.id = fragment.id;
    if (fragment.function?.name) call.name = (call.name ?? '') + fragment.function.name;
    if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
  }

  /**
   * The calls in index order, once the stream finished.
   *
   * @throws ServiceError `protocol` when a call never got its id or name.
   */
  complete(): AssembledToolCall[] {
    const indexes = [...this.#calls.keys()].sort((a, b) => a - b);
    return indexes.map((index) => {
      const call = this.#calls.get(index) as PartialCall;
      if (call.id === undefined || call.name === undefined) {
        throw new ServiceError(
          'protocol',
          `streamed tool call at index ${index} has no ${call.id === undefined ? 'id' : 'name'}`,
        );
      }
      return { id: call.id, name: call.name, arguments: call.arguments };
    });
  }
}
