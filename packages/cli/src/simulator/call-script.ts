/**
 * What the simulated caller does: a list of steps, read from JSON (`--script turns.json`).
 *
 * ```json
 * {
 *   "steps": [
 *     { "say": { "fromMs": 0, "toMs": 5200, "text": "I would like to book a table" } },
 *     { "waitForBotReply": {} },
 *     { "say": { "fromMs": 5200 } },
 *     { "waitForBotReply": {} },
 *     { "pressKeys": { "digits": "1#" } },
 *     { "bargeIn": { "afterBotAudioMs": 800, "fromMs": 0, "toMs": 1500 } },
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
 * - `bargeIn` waits until `afterBotAudioMs` of the bot's reply has played, then speaks over it.
 * - `pressKeys` sends DTMF events, `toneMs` apart (default 250).
 * - `pause` sends silence for `ms`.
 * - `hangUp` sends `stop` and closes the socket.
 */
import { z } from 'zod';

const slice = {
  fromMs: z.number().min(0).optional(),
  toMs: z.number().positive().optional(),
  text: z.string().min(1).optional(),
};

const stepSchema = z.union([
  z.object({ say: z.object(slice).strict() }).strict(),
  z
    .object({
      waitForBotReply: z
        .object({ silenceMs: z.number().positive().optional(), timeoutMs: z.number().positive().optional() })
        .strict(),
    })
    .strict(),
  z.object({ bargeIn: z.object({ afterBotAudioMs: z.number().min(0), ...slice }).strict() }).strict(),
  z
    .object({
      pressKeys: z
        .object({ digits: z.string().regex(/^[0-9*#A-D]+$/), toneMs: z.number().positive().optional() })
        .strict(),
    })
    .strict(),
  z.object({ pause: z.object({ ms: z.number().positive() }).strict() }).strict(),
  z.object({ hangUp: z.object({}).strict() }).strict(),
]);

/** The script file's schema. */
export const callScriptSchema = z.object({ steps: z.array(stepSchema).min(1) }).strict();

/** A parsed script. */
export type CallScript = z.infer<typeof callScriptSchema>;
/** One step of a script. */
export type CallScriptStep = z.infer<typeof stepSchema>;

/** A script that is not valid; the message names the step and field. */
export class CallScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallScriptError';
  }
}

/**
 * Validates a script object (parsed JSON).
 *
 * @throws CallScriptError naming what is wrong.
 */
export function parseCallScript(value: unknown): CallScript {
  const result = callScriptSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CallScriptError(
      `invalid call script at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`,
    );
  }
  return result.data;
}

/** The script used without `--script`: say the whole recording, wait for the reply, hang up. */
export const defaultCallScript: CallScript = {
  steps: [{ say: {} }, { waitForBotReply: {} }, { hangUp: {} }],
};
