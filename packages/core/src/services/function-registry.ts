/**
 * The functions (tools) an LLM may call, with their argument schemas and handlers.
 *
 * A function is described to the model by a JSON Schema (`parameters`) and, optionally, validated
 * by a Standard Schema validator (https://standardschema.dev — the interface zod ≥ 3.24, valibot
 * and arktype implement) or a plain function, which also types the handler's arguments. Voxline
 * does not depend on zod: with zod 4 write
 *
 * ```ts
 * const weatherArgs = z.object({ city: z.string() });
 * registry.register({
 *   name: 'get_weather',
 *   description: 'Current weather in a city',
 *   parameters: z.toJSONSchema(weatherArgs),
 *   validate: weatherArgs,                      // handler's `args` is { city: string }
 *   handler: async ({ city }, call) => fetchWeather(city, { signal: call.signal }),
 * });
 * ```
 *
 * The {@link LLMService} runs the calls the model asks for (all at once or one after another, per
 * {@link FunctionRegistry.execution}), puts the results in the context and runs the model again.
 */

import { isAbortError } from '../errors/is-abort-error.js';
import { VoxlineError } from '../errors/voxline-error.js';
import type { LLMContext, LLMTool } from '../llm/llm-context.js';

/** The Standard Schema v1 validator interface (https://standardschema.dev), as zod 4 implements it. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** What a Standard Schema validator returns. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

/** What a handler gets besides its arguments. */
export interface FunctionCallContext {
  /** The model's id of this call, echoed in the tool message. */
  readonly toolCallId: string;
  readonly functionName: string;
  /** The conversation; handlers may read it, and may append messages (after their result). */
  readonly context: LLMContext;
  /**
   * Aborts when the call must stop: on interruption (if `cancelOnInterruption`), and when the
   * pipeline ends or is cancelled. Pass it to `fetch` and SDK calls.
   */
  readonly signal: AbortSignal;
}

/** One callable function. `Args` is the validated argument type. */
export interface FunctionDefinition<Args = unknown> {
  /** Name the model calls it by: 1-64 of `[A-Za-z0-9_-]` (the OpenAI limit). */
  name: string;
  /** What it does, for the model. */
  description?: string;
  /** JSON Schema of the arguments object; default `{ type: 'object', properties: {} }`. */
  parameters?: Record<string, unknown>;
  /**
   * Validates (and may transform) the parsed arguments: a Standard Schema (a zod schema) or a
   * function that returns the arguments or throws. Default: none (arguments are `unknown`).
   */
  validate?: StandardSchemaV1<unknown, Args> | ((args: unknown) => Args);
  /** Runs the call; its resolved value (JSON-serialised unless a string) goes back to the model. */
  handler: (args: Args, call: FunctionCallContext) => unknown;
  /** Whether a barge-in cancels the call; default true. */
  cancelOnInterruption?: boolean;
  /** Whether the model runs again once the result is in; default true. */
  runLLM?: boolean;
}

/** How a call ended. */
export type FunctionCallOutcome =
  | { status: 'ok'; args: unknown; result: unknown }
  | { status: 'error'; args: unknown; error: string }
  | { status: 'cancelled'; args: unknown };

/** A call the model asked for, arguments still JSON-encoded. */
export interface RequestedFunctionCall {
  id: string;
  name: string;
  /** JSON-encoded arguments as the model produced them (may be empty for no arguments). */
  arguments: string;
}

/** Registry misuse; `code` says which. */
export class FunctionRegistryError extends VoxlineError {
  override readonly name = 'FunctionRegistryError';
  constructor(
    override readonly code: 'invalid-name' | 'duplicate-function',
    message: string,
  ) {
    super(code, message);
  }
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function describeIssues(
  issues: ReadonlyArray<{ message: string; path?: ReadonlyArray<unknown> | undefined }>,
): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? [])
        .map((part) =>
          typeof part === 'object' && part !== null && 'key' in part ? String(part.key) : String(part),
        )
        .join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** The content of the tool message for an outcome. */
export function formatFunctionResult(outcome: FunctionCallOutcome): string {
  if (outcome.status === 'ok') {
    return typeof outcome.result === 'string' ? outcome.result : (JSON.stringify(outcome.result) ?? 'null');
  }
  if (outcome.status === 'error') return JSON.stringify({ error: outcome.error });
  return JSON.stringify({ error: 'The call was cancelled because the user interrupted.' });
}

/**
 * The `result` of the `FunctionCallResultFrame` for an outcome: the function's result, `{ error }`
 * after a failure, or `{ cancelled: true }` after an interruption.
 */
export function functionResultValue(outcome: FunctionCallOutcome): unknown {
  if (outcome.status === 'ok') return outcome.result;
  return outcome.status === 'error' ? { error: outcome.error } : { cancelled: true };
}

/** Parses a model's JSON-encoded arguments; an empty string means no arguments (`{}`). */
export function parseFunctionArguments(encoded: string): unknown {
  return encoded.trim() === '' ? {} : JSON.parse(encoded);
}

/** Registered functions; see the module comment. */
export class FunctionRegistry {
  /** Whether several calls from one response run at once (`'parallel'`, default) or in order. */
  readonly execution: 'parallel' | 'sequential';
  readonly #functions = new Map<string, FunctionDefinition<unknown>>();

  constructor(options: { execution?: 'parallel' | 'sequential' } = {}) {
    this.execution = options.execution ?? 'parallel';
  }

  /** Number of registered functions. */
  get size(): number {
    return this.#functions.size;
  }

  /**
   * Registers a function.
   *
   * @throws FunctionRegistryError `invalid-name` for a name the model APIs reject,
   *   `duplicate-function` if the name is taken.
   */
  register<Args>(definition: FunctionDefinition<Args>): this {
    if (!FUNCTION_NAME.test(definition.name)) {
      throw new FunctionRegistryError(
        'invalid-name',
        `function name must be 1-64 of [A-Za-z0-9_-], got ${JSON.stringify(definition.name)}`,
      );
    }
    if (this.#functions.has(definition.name)) {
      throw new FunctionRegistryError(
        'duplicate-function',
        `function ${definition.name} is already registered`,
      );
    }
    this.#functions.set(definition.name, definition as FunctionDefinition<unknown>);
    return this;
  }

  /** Removes a function; returns whether it was registered. */
  unregister(name: string): boolean {
    return this.#functions.delete(name);
  }

  /** The definition registered under `name`. */
  get(name: string): FunctionDefinition<unknown> | undefined {
    return this.#functions.get(name);
  }

  /** The tools to offer the model, in registration order (OpenAI `tools` shape). */
  tools(): LLMTool[] {
    return [...this.#functions.values()].map((definition) => ({
      type: 'function',
      function: {
        name: definition.name,
        ...(definition.description === undefined ? {} : { description: definition.description }),
        parameters: definition.parameters ?? { type: 'object', properties: {} },
      },
    }));
  }

  /**
   * Runs one call: parses and validates the arguments, then the handler. Never throws: an unknown
   * function, malformed or invalid arguments, and a throwing handler become an `error` outcome the
   * model can read and recover from; an abort of `signal` becomes `cancelled`.
   */
  async invoke(
    call: RequestedFunctionCall,
    options: { context: LLMContext; signal: AbortSignal },
  ): Promise<FunctionCallOutcome> {
    const definition = this.#functions.get(call.name);
    let args: unknown;
    try {
      args = parseFunctionArguments(call.arguments);
    } catch {
      return {
        status: 'error',
        args: call.arguments,
        error: `arguments are not valid JSON: ${call.arguments}`,
      };
    }
    if (definition === undefined) return { status: 'error', args, error: `unknown function ${call.name}` };
    if (options.signal.aborted) return { status: 'cancelled', args };
    try {
      const validated = await this.#validate(definition, args);
      if (!validated.ok) return { status: 'error', args, error: `invalid arguments: ${validated.error}` };
      const result = await definition.handler(validated.value, {
        toolCallId: call.id,
        functionName: call.name,
        context: options.context,
        signal: options.signal,
      });
      if (options.signal.aborted) return { status: 'cancelled', args };
      return { status: 'ok', args: validated.value, result };
    } catch (error) {
      if (isAbortError(error) || options.signal.aborted) return { status: 'cancelled', args };
      return { status: 'error', args, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async #validate(
    definition: FunctionDefinition<unknown>,
    args: unknown,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
    const validate = definition.validate;
    if (validate === undefined) return { ok: true, value: args };
    if (typeof validate === 'function') {
      try {
        return { ok: true, value: validate(args) };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    const result = await validate['~standard'].validate(args);
    if (result.issues !== undefined) return { ok: false, error: describeIssues(result.issues) };
    return { ok: true, value: result.value };
  }
}
