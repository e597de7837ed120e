/**
 * A call-control command a webhook caused (answer, record, hang up after a left message). By the
 * time it runs, the webhook has been answered, so nobody is left to take its error: a failure is
 * logged with the call id, the command and the failure's category, and the webhook's other work
 * goes on.
 */
import type { Logger } from '@voxline/core';
import { type Carrier, traceCarrierRequest } from '@voxline/telephony';

/** Where a {@link runWebhookCommand} failure is logged, and what it names. */
export interface WebhookCommandContext {
  carrier: Carrier;
  callId: string;
  /** The command name (`answer`, `record_start`, ...). */
  command: string;
  logger: Logger;
}

/**
 * Runs `run` and waits for it; a failure is logged as an error (with the `CallControlError`'s
 * `category` when it has one) instead of thrown. The request is published on the carrier request
 * channels of `@voxline/telephony` (`traceCarrierRequest`, operation = the command name).
 */
export async function runWebhookCommand(
  context: WebhookCommandContext,
  run: () => Promise<unknown>,
): Promise<void> {
  try {
    await traceCarrierRequest(
      { carrier: context.carrier, operation: context.command, callId: context.callId },
      run,
    );
  } catch (error) {
    const category = (error as { category?: unknown }).category;
    context.logger.error(
      { carrier: context.carrier, callId: context.callId, command: context.command, category, err: error },
      'call-control command failed',
    );
  }
}
