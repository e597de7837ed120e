import { VoxlineError } from '@voxline/core';

/**
 * An error the command line reports as one clear line (no stack trace) and a non-zero exit.
 * Code `'invalid-usage'` for usage mistakes (exit code 2), `'command-failed'` for everything else
 * (exit code 1).
 */
export class CliError extends VoxlineError {
  declare readonly code: 'invalid-usage' | 'command-failed';

  constructor(
    message: string,
    /** Process exit code: 2 for usage mistakes, 1 for everything else. */
    readonly exitCode = 1,
  ) {
    super(exitCode === 2 ? 'invalid-usage' : 'command-failed', message);
    this.name = 'CliError';
  }
}
