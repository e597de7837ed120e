/**
 * Runs tasks until they finish, and ends them cleanly when the process is told to stop.
 *
 * On the first SIGINT or SIGTERM every running task is cancelled (in-flight work aborted,
 * processors cleaned up, so transports hang calls up and close sockets); `run` resolves once they
 * have finished. A second signal exits the process at once with code 130, for a shutdown that is
 * stuck (Pipecat issue #3929 describes that failure in a peer).
 */
import { defaultLogger, type Logger } from '../logger.js';
import type { PipelineTask, TaskEndReason } from './pipeline-task.js';

/** Options of a {@link PipelineRunner}. */
export interface PipelineRunnerOptions {
  /** Handle SIGINT and SIGTERM; default true. */
  handleSignals?: boolean;
  logger?: Logger;
}

export class PipelineRunner {
  readonly #tasks = new Set<PipelineTask>();
  readonly #logger: Logger;
  readonly #handleSignals: boolean;
  #signalCount = 0;
  readonly #onSignal = (signal: NodeJS.Signals) => {
    this.#signalCount++;
    if (this.#signalCount > 1) {
      this.#logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    this.#logger.info({ signal, tasks: this.#tasks.size }, 'signal received: cancelling running tasks');
    for (const task of this.#tasks) task.cancel(`received ${signal}`);
  };

  constructor(options: PipelineRunnerOptions = {}) {
    this.#handleSignals = options.handleSignals ?? true;
    this.#logger = options.logger ?? defaultLogger();
  }

  /** Number of tasks running now. */
  get runningTasks(): number {
    return this.#tasks.size;
  }

  /** Runs a task to its end; resolves with why it finished. */
  async run(task: PipelineTask): Promise<TaskEndReason> {
    this.#tasks.add(task);
    if (this.#tasks.size === 1 && this.#handleSignals) {
      process.on('SIGINT', this.#onSignal);
      process.on('SIGTERM', this.#onSignal);
    }
    try {
      return await task.run();
    } finally {
      this.#tasks.delete(task);
      if (this.#tasks.size === 0 && this.#handleSignals) {
        process.off('SIGINT', this.#onSignal);
        process.off('SIGTERM', this.#onSignal);
      }
    }
  }

  /** Cancels every running task (as a signal would) and waits for them to finish. */
  async cancelAll(reason = 'runner cancelled'): Promise<void> {
    const running = [...this.#tasks];
    const finished = running.map(
      (task) => new Promise<void>((resolve) => task.once('ended', () => resolve())),
    );
    for (const task of running) task.cancel(reason);
    await Promise.all(finished);
  }
}
