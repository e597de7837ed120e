/**
 * What one instance can ask of a call whose media socket another instance holds. A webhook may
 * reach any instance behind a load balancer, but only the instance with the call's WebSocket can
 * act on its pipeline: speak into it, play audio, send DTMF, end it, or hand it a call event (the
 * answering-machine result, a DTMF digit the carrier reported) for its listeners.
 *
 * Commands are JSON, so they cross processes unchanged.
 */
import type { CallControlEvent } from '../call-control-events.js';

/** A command for the pipeline of one call; see the module comment. */
export type RemoteCallCommand =
  /** End the call: the pipeline stops and the carrier is asked to hang up. */
  | { type: 'hang-up'; reason?: string }
  /** Send DTMF digits (`0-9`, `*`, `#`, `A-D`) to the far end. */
  | { type: 'send-dtmf'; digits: string }
  /** Say `text` through the call's TTS, as the agent. */
  | { type: 'speak'; text: string }
  /**
   * Play audio to the caller: `audio` is base64 of 16-bit signed little-endian mono PCM at
   * `sampleRate` Hz (at most 1 MiB decoded: larger audio goes by URL or in several commands).
   */
  | { type: 'play-audio'; audio: string; sampleRate: number }
  /** Deliver a call event to the call's `CallControlSession` on the instance that holds it. */
  | { type: 'deliver-event'; event: CallControlEvent };

/** The `type`s of {@link RemoteCallCommand}. */
export type RemoteCallCommandType = RemoteCallCommand['type'];

/**
 * The pipeline side of a call on the instance that holds its media socket: runs the commands sent
 * to it. Rejecting reports `command-failed` to the sender with the rejection's message.
 */
export interface MediaCallHandle {
  execute(command: RemoteCallCommand): Promise<void>;
}
