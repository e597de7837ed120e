/**
 * The error `CallSession` throws when asked to move between two states its state table does not
 * connect: a bug in the session, never a peer's doing.
 */
import { VoxlineError } from '@voxline/core';
import type { CallSessionState } from './call-session.js';

/** An illegal move of `CallSession`'s state machine; code `illegal-state-transition`. */
export class CallSessionStateError extends VoxlineError {
  declare readonly code: 'illegal-state-transition';
  constructor(
    /** The state the session was in. */
    readonly from: CallSessionState,
    /** The state it was asked to move to. */
    readonly to: CallSessionState,
  ) {
    super('illegal-state-transition', `CallSession: illegal state transition ${from} -> ${to}`);
  }
}
