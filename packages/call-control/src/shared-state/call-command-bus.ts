/**
 * How commands reach the instance that holds a call's media socket: addressed to one instance,
 * answered by it, with a timeout. The in-memory bus serves one process; the Redis bus
 * (`redisSharedState`) carries commands between processes and machines over Redis pub/sub, and
 * each instance there keeps a heartbeat key so that senders tell a dead instance from a slow one.
 */
import type { RemoteCallCommand } from './remote-call-command.js';

/** Default time a sender waits for the holding instance's answer, in ms. */
export const DEFAULT_CALL_COMMAND_TIMEOUT_MS = 5_000;

/** Runs a command addressed to this instance; a rejection goes back to the sender as `command-failed`. */
export type CallCommandExecutor = (callId: string, command: RemoteCallCommand) => Promise<void>;

/** The command channel between instances; see the module comment. */
export interface CallCommandBus {
  /** This instance's id (unique in the deployment; e.g. `<hostname>:<pid>:<random>`). */
  readonly instanceId: string;
  /** Starts taking the commands addressed to this instance, running each with `execute`. */
  listen(execute: CallCommandExecutor): Promise<void>;
  /**
   * Sends `command` for `callId` to `instanceId` and waits for its answer.
   *
   * @param options.timeoutMs - how long to wait; default {@link DEFAULT_CALL_COMMAND_TIMEOUT_MS}.
   * @throws {CallCommandError} `instance-gone` (no heartbeat), `command-timeout`, `command-failed`,
   *   or `store-unavailable`.
   */
  send(
    instanceId: string,
    callId: string,
    command: RemoteCallCommand,
    options?: { timeoutMs?: number },
  ): Promise<void>;
  /** Whether `instanceId` is alive (its heartbeat is fresh; always true for this instance). */
  isAlive(instanceId: string): Promise<boolean>;
  /** Stops listening, fails the commands still waiting for an answer, releases connections. */
  close(): Promise<void>;
}
