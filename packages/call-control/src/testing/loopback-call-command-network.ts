/**
 * Several {@link CallCommandBus}es in one process that carry commands to each other by instance
 * id: a test harness for behaviour across instances (a webhook on one, the media socket on another)
 * without a network. Each bus answers like a real one: `instance-gone` for an instance that is not
 * listening, `command-failed` with the executor's message when the command fails there.
 */
import { toError } from '@voxline/core';
import type { CallCommandBus, CallCommandExecutor } from '../shared-state/call-command-bus.js';
import { CallCommandError } from '../shared-state/call-command-error.js';
import type { RemoteCallCommand } from '../shared-state/remote-call-command.js';

/** The buses of a test's instances; see the module comment. */
export class LoopbackCallCommandNetwork {
  readonly #executors = new Map<string, CallCommandExecutor>();

  /** A bus for the instance `instanceId` on this network. */
  bus(instanceId: string): CallCommandBus {
    const executors = this.#executors;
    return {
      instanceId,
      listen: async (execute) => {
        executors.set(instanceId, execute);
      },
      send: async (target: string, callId: string, command: RemoteCallCommand) => {
        const execute = executors.get(target);
        if (execute === undefined) {
          throw new CallCommandError('instance-gone', callId, `instance ${target} is not listening`);
        }
        try {
          await execute(callId, structuredClone(command));
        } catch (error) {
          if (error instanceof CallCommandError) throw error;
          throw new CallCommandError('command-failed', callId, toError(error).message, { cause: error });
        }
      },
      isAlive: async (target: string) => executors.has(target),
      close: async () => {
        executors.delete(instanceId);
      },
    };
  }
}
