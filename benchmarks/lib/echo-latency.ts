/**
 * Pairs each caller frame of an echo call with its echo and splits the time between them.
 *
 * Times are wall-clock epoch ms from both processes (see `epochMs`): the carrier stamps a media
 * message just before writing it to its socket (on loopback that is when it reaches the server's
 * socket), the server stamps it when its transport gets it (after any wait for the event loop),
 * and stamps the echo when it hands it to the socket. The k-th echo is the k-th caller frame: the
 * echo is 1:1 and the pipeline conceals nothing on an in-order stream.
 *
 * The output paces audio (TelephonyOutputProcessor): a frame may not be sent before its slot,
 * `playoutEndAt + 20 - leadMs`, where `playoutEndAt` is when the carrier will have played what was
 * sent (`max(playoutEndAt, now) + 20` after each send). After any burst of arrivals the queue at
 * the carrier is full and, with input arriving exactly as fast as output drains, frames then wait
 * up to `leadMs` for their slot for the rest of the call: that wait is the design, not load. So
 * the latency the server *adds* is measured against the earliest moment the design allows:
 *
 *   added = echo handed to the socket − max(caller frame written by the carrier, the frame's slot)
 */
import type { CarrierCallReport } from './carrier-load-client.js';
import type { CallTiming } from './echo-server.js';

/** The default lead of the telephony output, in ms. */
export const DEFAULT_LEAD_MS = 60;

/** Per-frame figures of one echo call, in ms. */
export interface EchoLatency {
  /** Echo handed to the socket − caller frame written by the carrier (pacing wait included). */
  endToEnd: number[];
  /** Echo handed to the socket − the earliest moment the pacing schedule allowed (see module comment). */
  added: number[];
  /** Caller frame reached the transport − written by the carrier (loopback, event-loop wait). */
  arrivalWait: number[];
  /** Caller frames the carrier sent in the measured window that were never echoed. */
  missing: number;
  /** Caller frames in the measured window. */
  frames: number;
}

/**
 * @param skipFrames - frames at the start left out (pipeline start-up, JIT warm-up).
 * @param untilEpochMs - frames the carrier sent after this are left out (their echo may be cut
 *   off by the hang-up).
 */
export function echoLatency(
  server: CallTiming,
  carrier: CarrierCallReport,
  skipFrames: number,
  untilEpochMs: number,
  leadMs = DEFAULT_LEAD_MS,
): EchoLatency {
  const result: EchoLatency = { endToEnd: [], added: [], arrivalWait: [], missing: 0, frames: 0 };
  let playoutEndAt = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < carrier.sentAt.length; k++) {
    const written = carrier.sentAt[k] as number;
    const sent = server.sentAt[k];
    const slot = playoutEndAt + 20 - leadMs;
    if (sent !== undefined) playoutEndAt = Math.max(playoutEndAt, sent) + 20;
    if (k < skipFrames || written > untilEpochMs) continue;
    result.frames++;
    const received = server.receivedAt[k];
    if (received !== undefined) result.arrivalWait.push(received - written);
    if (sent === undefined) {
      result.missing++;
      continue;
    }
    result.endToEnd.push(sent - written);
    result.added.push(sent - Math.max(written, slot));
  }
  return result;
}
