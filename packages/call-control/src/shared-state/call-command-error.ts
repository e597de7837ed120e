/**
 * Why a command for a call could not be carried out on the instance that holds its media socket.
 */
import { VoxlineError } from '@voxline/core';

/**
 * The codes of a {@link CallCommandError}:
 *
 * - `call-not-found`: no instance knows the call (never ours, ended, or expired from the directory);
 * - `no-media-stream`: the call is known, but no media stream has connected for it yet;
 * - `instance-gone`: the instance that held the media socket stopped sending its heartbeat (it
 *   crashed or was stopped), so the call's pipeline is gone with it;
 * - `command-timeout`: the holding instance did not answer within the timeout;
 * - `command-failed`: the holding instance ran the command and it failed (the message says why);
 * - `store-unavailable`: the shared store could not be reached to route the command.
 */
export type CallCommandErrorCode =
  | 'call-not-found'
  | 'no-media-stream'
  | 'instance-gone'
  | 'command-timeout'
  | 'command-failed'
  | 'store-unavailable';

/** A command for a call failed; `code` says why (see {@link CallCommandErrorCode}). */
export class CallCommandError extends VoxlineError {
  declare readonly code: CallCommandErrorCode;
  /** The call the command was for. */
  readonly callId: string;

  constructor(code: CallCommandErrorCode, callId: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.callId = callId;
  }
}
