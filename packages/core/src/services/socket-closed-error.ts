/**
 * The error a provider adapter raises when the provider closes its WebSocket while it is still
 * needed. It carries the close frame's code and reason; `classifyServiceError` reads `closeCode`
 * and turns it into the {@link ServiceError} the pipeline sees (1006 `network`, 1011-1014
 * `server-error`, 1003/1007/1008/1009 `bad-request`, others `unknown`), with this error as its
 * `cause`. Close codes: RFC 6455 §7.4.1, https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1.
 */
import { VoxlineError } from '../errors/voxline-error.js';

/** A provider's WebSocket closed unexpectedly; code `socket-closed`. */
export class SocketClosedError extends VoxlineError {
  declare readonly code: 'socket-closed';
  /** The close frame's status code (RFC 6455 §7.4), e.g. 1006 when the connection dropped without one. */
  readonly closeCode: number;
  /** The close frame's reason text; empty when the peer gave none. */
  readonly reason: string;

  /**
   * @param what - who closed, for the message (`'Deepgram closed the stream'`).
   * @param closeCode - the WebSocket close code.
   * @param reason - the close reason, possibly empty.
   */
  constructor(what: string, closeCode: number, reason = '') {
    super('socket-closed', `${what}: ${closeCode}${reason ? ` ${reason}` : ''}`);
    this.closeCode = closeCode;
    this.reason = reason;
  }
}
