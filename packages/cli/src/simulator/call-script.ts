/**
 * What the simulated caller does: a list of steps, read from JSON (`--script turns.json`).
 *
 * ```json
 * {
 *   "steps": [
 *     { "say": { "fromMs": 0, "toMs": 5200, "text": "I would like to book a table" } },
 *     { "waitForBotReply": {} },
 *     { "say": { "fromMs": 5200 } },
 *     { "bargeIn": { "afterBotAudioMs": 800, "fromMs": 0, "toMs": 1500 } },
 *     { "waitForBotReply": {} },
 *     { "pressKeys": { "digits": "1#" } },
 *     { "pause": { "ms": 1000 } },
 *     { "hangUp": {} }
 *   ]
 * }
 * ```
 *
 * - `say` speaks a slice of the input recording (ms; default the whole recording); between
 *   steps the caller sends silence, as a real carrier streams continuously. `text` (optional) is
 *   what the slice says; the report prints it next to what the agent heard.
 * - `waitForBotReply` waits until the bot has spoken and then been quiet for `silenceMs`
 *   (default 1200), or gives up after `timeoutMs` (default 20000) and marks the turn unanswered.
 *   Before the first `say`, it waits for the bot's greeting.
 * - `bargeIn` waits until `afterBotAudioMs` of the bot's current utterance has played, then speaks
 *   over it. It interrupts a reply while it plays, so it belongs right after the `say` the bot
 *   answers; after a `waitForBotReply` the reply is over, and unless the agent speaks again the
 *   step gives up after 30 s.
 * - `pressKeys` sends DTMF events, `toneMs` apart (default 250).
 * - `pause` sends silence for `ms`.
 * - `hangUp` sends `stop` and closes the socket.
 */

import { VoxlineError } from '@voxline/core';
import { z } from 'zod';

/** A slice of the input recording, in ms (default: from its start, to its end), and what is said in it. */
const slice = {
  fromMs: z.number().min(0).optional(),
  toMs: z.number().positive().optional(),
  text: z.string().min(1).optional(),
};

/** A slice's `fromMs` must come before its `toMs` when both are given. */
const sliceInOrder = z.superRefine<{ fromMs?: number | undefined; toMs?: number | undefined }>(
  (value, context) => {
    if (value.fromMs !== undefined && value.toMs !== undefined && value.fromMs >= value.toMs) {
      context.addIssue({
        code: 'custom',
        path: ['toMs'],
        message: `fromMs (${value.fromMs}) must be less than toMs (${value.toMs})`,
      });
    }
  },
);

/** Each kind of step by its key, the one key of a step object. */
const stepSchemas = {
  say: z.object({ say: z.object(slice).strict().check(sliceInOrder) }).strict(),
  waitForBotReply: z
    .object({
      waitForBotReply: z
        .object({ silenceMs: z.number().positive().optional(), timeoutMs: z.number().positive().optional() })
        .strict(),
    })
    .strict(),
  bargeIn: z
    .object({
      bargeIn: z
        .object({ afterBotAudioMs: z.number().min(0), ...slice })
        .strict()
        .check(sliceInOrder),
    })
    .strict(),
  pressKeys: z
    .object({
      pressKeys: z
        .object({ digits: z.string().regex(/^[0-9*#A-D]+$/), toneMs: z.number().positive().optional() })
        .strict(),
    })
    .strict(),
  pause: z.object({ pause: z.object({ ms: z.number().positive() }).strict() }).strict(),
  hangUp: z.object({ hangUp: z.object({}).strict() }).strict(),
};

/** The kinds of step, as `--help` and the errors name them: `{ kind: fields }` and what it does. */
export const callScriptStepKinds: Record<keyof typeof stepSchemas, string> = {
  say: '{ fromMs?, toMs? }: speak a slice of the input recording (default: all of it)',
  waitForBotReply:
    '{ silenceMs? = 1200, timeoutMs? = 20000 }: wait until the bot has spoken and then been quiet for silenceMs; after timeoutMs the turn is unanswered',
  bargeIn:
    '{ afterBotAudioMs, fromMs?, toMs? }: speak over the bot once afterBotAudioMs of its reply has played',
  pressKeys: '{ digits, toneMs? = 250 }: send DTMF keys (0-9 * # A-D), toneMs apart',
  pause: '{ ms }: send silence for ms',
  hangUp: '{}: send stop and close the socket',
};

const stepSchema = z.union([
  stepSchemas.say,
  stepSchemas.waitForBotReply,
  stepSchemas.bargeIn,
  stepSchemas.pressKeys,
  stepSchemas.pause,
  stepSchemas.hangUp,
]);

/** The script file's schema. */
export const callScriptSchema = z.object({ steps: z.array(stepSchema).min(1) }).strict();

/** A parsed script. */
export type CallScript = z.infer<typeof callScriptSchema>;
/** One step of a script. */
export type CallScriptStep = z.infer<typeof stepSchema>;

/** A script that is not valid; the message names the step and field. Code `'invalid-call-script'`. */
export class CallScriptError extends VoxlineError {
  declare readonly code: 'invalid-call-script';

  constructor(message: string) {
    super('invalid-call-script', message);
    this.name = 'CallScriptError';
  }
}

/**
 * Validates a script object (parsed JSON). Each step is checked against the schema of its kind,
 * so an error names the field that is wrong rather than every kind it failed to be.
 *
 * @throws CallScriptError naming the step (`steps.2`), the field and what is wrong; a step that
 *   is not one of the kinds gets the list of kinds.
 */
export function parseCallScript(value: unknown): CallScript {
  if (isObject(value) && Array.isArray(value.steps)) {
    value.steps.forEach((step: unknown, index) => {
      checkStep(step, `steps.${index}`);
    });
  }
  const result = callScriptSchema.safeParse(value);
  if (!result.success) throw new CallScriptError(describeIssue(result.error.issues[0]));
  return result.data;
}

const stepKinds = Object.keys(stepSchemas) as (keyof typeof stepSchemas)[];

function checkStep(step: unknown, path: string): void {
  const keys = isObject(step) ? Object.keys(step) : [];
  const kind = stepKinds.find((name) => keys.length === 1 && keys[0] === name);
  if (kind === undefined) {
    throw new CallScriptError(
      `invalid call script at ${path}: a step is an object with one key, one of ${stepKinds.join(', ')}; got ${abbreviate(step)}`,
    );
  }
  const result = stepSchemas[kind].safeParse(step);
  if (!result.success) throw new CallScriptError(describeIssue(result.error.issues[0], path));
}

function describeIssue(issue: z.core.$ZodIssue | undefined, prefix?: string): string {
  const path = [...(prefix ? [prefix] : []), ...(issue?.path ?? []).map(String)].join('.');
  return `invalid call script at ${path || 'top level'}: ${issue?.message ?? 'not a call script'}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as JSON, cut to one readable line. */
function abbreviate(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The script used without `--script`: say the whole recording, wait for the reply, hang up. */
export const defaultCallScript: CallScript = {
  steps: [{ say: {} }, { waitForBotReply: {} }, { hangUp: {} }],
};
