/**
 * A media stream for a call this server did not answer or dial.
 *
 * Anyone who knows the media endpoint's URL can open a WebSocket to it; only streams whose
 * `call_control_id` belongs to a call in the call registry (opened by a verified webhook or by our
 * own dial) get a pipeline, so nobody else can run up provider costs on this server.
 */
export class UnknownCallError extends Error {
  readonly code = 'unknown-call';

  constructor(readonly callId: string) {
    super(`media stream for unknown call ${callId}: refused`);
    this.name = 'UnknownCallError';
  }
}
