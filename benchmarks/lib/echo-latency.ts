/**
 * Pairs each caller frame of an echo call with its echo and splits the time between them.
 *
 * Times are wall-clock epoch ms from both processes (see `epochMs`): the carrier stamps a media
 * message just before writing it to its socket (on loopback that is when it reaches the server's
 * socket), the server stamps it when its transport gets it (after any wait for the event loop),
 * and stamps the echo when it hands it to the socket. With 20 ms media messages the k-th echo is
 * the k-th caller frame: the echo is 1:1 and the pipeline conceals nothing on an in-order stream.
 * With longer messages (`mediaMessageMs` = m × 20) echo message j carries caller frames
 * j·m … j·m + m − 1, and can leave only once the last of them is in.
 *
 * The output paces audio (its PacedAudioSender): a message may not be sent before its slot,
 * `playoutEndAt + mediaMessageMs - leadMs`, where `playoutEndAt` is when the carrier will have
 * played what was sent (`max(playoutEndAt, now) + mediaMessageMs` after each send). After any burst of arrivals the queue at
 * the carrier is full and, with input arriving exactly as fast as output drains, frames then wait
 * up to `leadMs` for their slot for the rest of the call: that wait is the design, not load. So
 * the latency the server *adds* is measured against the earliest moment the design allows:
 *
 *   added = echo handed to the socket − max(last caller frame of the message written by the
 *           carrier, the message's slot)
 */
import type { CarrierCallReport } from './carrier-load-client.js';
import type { CallTiming } from './echo-server.js';

/** The default lead of the telephony output, in ms. */
export const DEFAULT_LEAD_MS = 60;

/** Duration of each caller frame the carrier sends, in ms. */
const CALLER_FRAME_MS = 20;

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
 * @param server - when each caller frame reached the server's transport (`receivedAt`) and each
 *   echo was handed to its socket (`sentAt`), epoch ms; a call's {@link CallTiming}, or the same
 *   two lists sent over from a server in another process.
 * @param skipFrames - frames at the start left out (pipeline start-up, JIT warm-up).
 * @param untilEpochMs - frames the carrier sent after this are left out (their echo may be cut
 *   off by the hang-up).
 * @param hangUpEpochMs - when the carrier hung up (the server stops sending then).
 * @param toleranceMs - how late an unsent frame's slot may be before the hang-up and still not
 *   count as overdue (the added-latency limit).
 */
export function echoLatency(
  server: Pick<CallTiming, 'sentAt' | 'receivedAt'>,
  carrier: CarrierCallReport,
  skipFrames: number,
  untilEpochMs: number,
  hangUpEpochMs: number,
  toleranceMs: number,
  leadMs = DEFAULT_LEAD_MS,
  mediaMessageMs = CALLER_FRAME_MS,
): EchoLatency {
  const result: EchoLatency = { endToEnd: [], added: [], arrivalWait: [], overdue: 0, queued: 0, frames: 0 };
  const framesPerMessage = mediaMessageMs / CALLER_FRAME_MS;
  let playoutEndAt = Number.NEGATIVE_INFINITY;
  for (let message = 0; (message + 1) * framesPerMessage <= carrier.sentAt.length; message++) {
    const firstFrame = message * framesPerMessage;
    const lastFrame = firstFrame + framesPerMessage - 1;
    // A message can leave once its last caller frame is in, and not before its slot.
    const complete = carrier.sentAt[lastFrame] as number;
    const sent = server.sentAt[message];
    const slot = playoutEndAt + mediaMessageMs - leadMs;
    // An unsent message is placed where the schedule would have sent it, so the messages after it
    // keep their slots.
    const due = Math.max(complete, slot);
    playoutEndAt = Math.max(playoutEndAt, sent ?? due) + mediaMessageMs;
    for (let k = firstFrame; k <= lastFrame; k++) {
      const written = carrier.sentAt[k] as number;
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
      result.added.push(sent - due);
    }
  }
  return result;
}
