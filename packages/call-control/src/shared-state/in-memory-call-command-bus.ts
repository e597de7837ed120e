/**
 * The {@link CallCommandBus} of one process: a command addressed to this instance runs here; any
 * other instance is unknown, so commands for it fail with `instance-gone`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { toError } from '@voxline/core';
import type { CallCommandBus, CallCommandExecutor } from './call-command-bus.js';
import { CallCommandError } from './call-command-error.js';
import type { RemoteCallCommand } from './remote-call-command.js';

/** The in-memory {@link CallCommandBus}; see the module comment. */
export class InMemoryCallCommandBus implements CallCommandBus {
  readonly instanceId: string;
  #execute: CallCommandExecutor | undefined;

  /** @param instanceId - default {@link newInstanceId}. */
  constructor(instanceId: string = newInstanceId()) {
    this.instanceId = instanceId;
  }

  async listen(execute: CallCommandExecutor): Promise<void> {
    this.#execute = execute;
  }

  async send(instanceId: string, callId: string, command: RemoteCallCommand): Promise<void> {
    const execute = this.#execute;
    if (instanceId !== this.instanceId || execute === undefined) {
      throw new CallCommandError(
        'instance-gone',
        callId,
        `instance ${instanceId} is not reachable from this process`,
      );
    }
    try {
      await execute(callId, command);
    } catch (error) {
      if (error instanceof CallCommandError) throw error;
      throw new CallCommandError('command-failed', callId, toError(error).message, { cause: error });
    }
  }

  async isAlive(instanceId: string): Promise<boolean> {
    return instanceId === this.instanceId;
  }

  async close(): Promise<void> {
    this.#execute = undefined;
  }
}

/** A new instance id: `<hostname>:<pid>:<8 random hex digits>`, unique across restarts. */
export function newInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
