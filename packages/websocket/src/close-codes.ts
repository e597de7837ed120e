/**
 * The WebSocket close codes the transport ends connections with. Values and meanings are
 * RFC 6455 §7.4.1 (https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1).
 */
export const CloseCode = {
  /** 1000: the call ended (the pipeline finished, or the carrier sent `stop`). */
  Normal: 1000,
  /** 1001: the server is shutting down. */
  GoingAway: 1001,
  /**
   * 1003: data the endpoint cannot accept: a binary message (carriers speak JSON text only;
   * Twilio error 31950 calls binary frames a protocol error,
   * https://www.twilio.com/docs/api/errors/31950), or a `start` announcing a codec the serializer
   * cannot decode.
   */
  UnsupportedData: 1003,
  /**
   * 1008: policy violation: a message flood (the per-connection rate limit was exhausted), a
   * stream that is not a served carrier's, a stream that failed verification, no `start` or no
   * media in time, or a protocol error the call cannot survive.
   */
  PolicyViolation: 1008,
  /** 1009: a message larger than the size limit. */
  MessageTooBig: 1009,
  /** 1011: an internal error: the pipeline could not be created, or the transport failed. */
  InternalError: 1011,
  /**
   * 1013: try again later: the server's or the remote address's connection limit is reached
   * (registered in the IANA WebSocket close code registry,
   * https://www.iana.org/assignments/websocket/websocket.xhtml#close-code-number).
   */
  TryAgainLater: 1013,
} as const;

/** One of the {@link CloseCode} values. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
