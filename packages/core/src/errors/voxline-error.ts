/**
 * The base class of every error Voxline throws.
 *
 * The convention, for every package of the repository:
 *
 * - `code` is a kebab-case string (`'invalid-option'`, `'unsupported-codec'`, `'rate-limited'`)
 *   that is stable and part of the public API: branch on it, log it, count it. A code is never
 *   renamed or reused within a major version; a new failure gets a new code.
 * - One code per distinct failure: a caller that needs to react differently to two failures can
 *   tell them apart by `code` alone, without parsing the message.
 * - `message` is for humans (it names the value and what was expected) and may change in any
 *   release.
 * - `name` is the subclass name (`'InvalidOptionError'`), so logs and stack traces say which class
 *   was thrown.
 * - `cause` (ES2022 `Error` options) holds the underlying error when there is one, e.g. the
 *   provider SDK's error behind a `ServiceError`.
 *
 * The model is undici, whose errors carry a stable `code` next to their message
 * (https://undici.nodejs.org/#/docs/api/Errors). docs/errors.md lists every class and code with
 * what it means and what to do.
 *
 * Errors Voxline did not throw (a peer's message, a provider SDK's error) are not wrapped into
 * this class where they are only passed on; a provider failure reaches the pipeline as an
 * `ErrorFrame` carrying a `ServiceError`.
 */
export class VoxlineError extends Error {
  /** Stable kebab-case code of the failure; see the class comment. */
  readonly code: string;

  /**
   * @param code - kebab-case, stable; see the class comment.
   * @param message - for humans; may change between releases.
   * @param options - `cause`: the underlying error, if any.
   */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
