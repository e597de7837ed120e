/**
 * Why a shared store could not do what it was asked: Redis could not be reached, or it holds a
 * value Voxline did not write.
 */
import { VoxlineError } from '@voxline/core';

/**
 * The codes of a {@link SharedStateError}:
 *
 * - `shared-state-unavailable`: Redis is not connected (down, restarting, or unreachable); the
 *   client reconnects by itself, so the same call can succeed a moment later;
 * - `shared-state-corrupt`: a key holds something that is not a record Voxline wrote (another
 *   application uses the same prefix?).
 */
export type SharedStateErrorCode = 'shared-state-unavailable' | 'shared-state-corrupt';

/** A shared-store operation failed; `code` says why (see {@link SharedStateErrorCode}). */
export class SharedStateError extends VoxlineError {
  declare readonly code: SharedStateErrorCode;
}
