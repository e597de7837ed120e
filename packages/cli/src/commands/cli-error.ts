/**
 * An error the command line reports as one clear line (no stack trace) and a non-zero exit.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** Process exit code: 2 for usage mistakes, 1 for everything else. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
