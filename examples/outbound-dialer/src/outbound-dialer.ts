/**
 * Dials a list of numbers, a bounded number of calls at a time, and reports how each call went.
 *
 * Each number gets `dialOutbound` from the Telnyx call flow (with its answering-machine action,
 * e.g. leaving a voicemail) and then occupies one of `concurrency` slots until its hang-up arrives;
 * the next number is dialled when a slot frees up. A dial Telnyx refuses is reported and the list
 * goes on. A call whose hang-up never arrives (a lost webhook) frees its slot after `maxCallMs`,
 * with a hang-up request to make sure.
 */

import type { CallControlSession, CallEndStatus, MachineDetectionResult } from '@voxline/call-control';
import { defaultLogger, InvalidOptionError, type Logger, maskPhoneNumber } from '@voxline/core';
import type { TelnyxCallFlow } from '@voxline/telnyx';

/** How one number went. */
export interface DialResult {
  /** The number dialled, E.164. */
  to: string;
  /** The carrier's call id, once dialled. */
  callId?: string;
  /**
   * How the call ended: a carrier status (`completed`, `busy`, `no-answer`, `failed`, `canceled`),
   * `dial-failed` (Telnyx refused the dial: see `error`), `timed-out` (no hang-up within
   * `maxCallMs`), or `not-dialled` (dialling was stopped first).
   */
  outcome: CallEndStatus | 'dial-failed' | 'timed-out' | 'not-dialled';
  /** Answering-machine detection's verdict, if the call was answered. */
  answeredBy?: MachineDetectionResult;
  /** Whether the voicemail message was spoken to a machine. */
  voicemailLeft: boolean;
  error?: string;
}

/** Options of {@link dialAll}. */
export interface DialOptions {
  /** Places the calls and follows them (its answering-machine action applies). */
  calls: TelnyxCallFlow;
  /** Caller ID: one of your Telnyx numbers, E.164. */
  from: string;
  /** Calls at once; default 2. */
  concurrency?: number;
  /** Seconds to ring before giving up; default Telnyx's (30). */
  ringTimeoutSecs?: number;
  /** Longest wait for a call's hang-up, in ms; default 30 minutes. */
  maxCallMs?: number;
  /** Stops dialling new numbers; calls in progress go on. */
  signal?: AbortSignal;
  logger?: Logger;
}

/**
 * Calls every number; resolves with one result per number, in list order, once every call has
 * ended.
 *
 * @throws {InvalidOptionError} for a `concurrency` that is not a positive integer.
 */
export async function dialAll(numbers: readonly string[], options: DialOptions): Promise<DialResult[]> {
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionError('concurrency', `concurrency must be a positive integer, got ${concurrency}`);
  }
  const results: DialResult[] = numbers.map((to) => ({ to, outcome: 'not-dialled', voicemailLeft: false }));
  let next = 0;
  const slot = async () => {
    while (next < numbers.length && options.signal?.aborted !== true) {
      const index = next++;
      results[index] = await dialOne(numbers[index] as string, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, numbers.length) }, slot));
  return results;
}

async function dialOne(to: string, options: DialOptions): Promise<DialResult> {
  const logger = options.logger ?? defaultLogger();
  let session: CallControlSession;
  try {
    session = await options.calls.dialOutbound({
      to,
      from: options.from,
      ...(options.ringTimeoutSecs !== undefined ? { timeoutSecs: options.ringTimeoutSecs } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error({ to: maskPhoneNumber(to), err: error }, 'dial failed');
    return { to, outcome: 'dial-failed', voicemailLeft: false, error: message };
  }
  let voicemailLeft = false;
  session.on('speak-ended', () => {
    if (session.machineDetection === 'machine') voicemailLeft = true;
  });
  const ended = await endOf(session, options.maxCallMs ?? 30 * 60_000);
  const result: DialResult = {
    to,
    callId: session.callId,
    outcome: ended ?? 'timed-out',
    ...(session.machineDetection !== undefined ? { answeredBy: session.machineDetection } : {}),
    voicemailLeft,
  };
  if (ended === undefined) {
    logger.warn({ callId: session.callId }, 'no hang-up reported in time: hanging up');
    await options.calls.commands.hangup(session.callId).catch((error: unknown) => {
      logger.error({ callId: session.callId, err: error }, 'hang-up failed');
    });
  }
  logger.info(
    {
      to: maskPhoneNumber(to),
      callId: session.callId,
      outcome: result.outcome,
      answeredBy: result.answeredBy,
    },
    'call finished',
  );
  return result;
}

/** The call's end status, or undefined if it has not ended within `timeoutMs`. */
async function endOf(session: CallControlSession, timeoutMs: number): Promise<CallEndStatus | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    const ended = await Promise.race([session.ended, timeout]);
    return ended?.status;
  } finally {
    clearTimeout(timer);
  }
}
