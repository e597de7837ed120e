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
  /**
   * Caller frames in the window never echoed although their slot (had they been sent back to back
   * on the schedule) came more than `toleranceMs` before the hang-up: the server fell behind.
   */
  overdue: number;
  /**
   * Caller frames in the window never echoed because the hang-up came before their slot: queued
   * behind the pacing backlog, by design.
   */
  queued: number;
  /** Caller frames in the measured window. */
  frames: number;
}

/**
 * @param skipFrames - frames at the start left out (pipeline start-up, JIT warm-up).
 * @param untilEpochMs - frames the carrier sent after this are left out (their echo may be cut
 *   off by the hang-up).
 * @param hangUpEpochMs - when the carrier hung up (the server stops sending then).
 * @param toleranceMs - how late an unsent frame's slot may be before the hang-up and still not
 *   count as overdue (the added-latency limit).
 */
export function echoLatency(
  server: CallTiming,
  carrier: CarrierCallReport,
  skipFrames: number,
  untilEpochMs: number,
  hangUpEpochMs: number,
  toleranceMs: number,
  leadMs = DEFAULT_LEAD_MS,
): EchoLatency {
  const result: EchoLatency = { endToEnd: [], added: [], arrivalWait: [], overdue: 0, queued: 0, frames: 0 };
  let playoutEndAt = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < carrier.sentAt.length; k++) {
    const written = carrier.sentAt[k] as number;
    const sent = server.sentAt[k];
    const slot = playoutEndAt + 20 - leadMs;
    // An unsent frame is placed where the schedule would have sent it, so the frames after it
    // keep their slots.
    const due = Math.max(written, slot);
    playoutEndAt = Math.max(playoutEndAt, sent ?? due) + 20;
    if (k < skipFrames || written > untilEpochMs) continue;
    result.frames++;
    const received = server.receivedAt[k];
    if (received !== undefined) result.arrivalWait.push(received - written);
    if (sent === undefined) {
      if (due + toleranceMs < hangUpEpochMs) result.overdue++;
      else result.queued++;
      continue;
    }
    result.endToEnd.push(sent - written);
    result.added.push(sent - Math.max(written, slot));
  }
  return result;
}
