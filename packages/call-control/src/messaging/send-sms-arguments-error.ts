/**
 * The model called `send_sms` with arguments the tool refuses; the tool reports the message to the
 * model, which can call again with corrected arguments.
 */
import { VoxlineError } from '@voxline/core';

/** `send_sms` arguments refused: `invalid-sms-arguments`, the message says which and why. */
export class SendSmsArgumentsError extends VoxlineError {
  declare readonly code: 'invalid-sms-arguments';

  constructor(message: string) {
    super('invalid-sms-arguments', message);
  }
}
