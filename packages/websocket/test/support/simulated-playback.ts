/**
 * The carrier's side of playback, simulated: audio we send queues and plays at real time on the
 * given clock; a mark is echoed once the audio before it has played (at once if nothing is
 * queued); a `clear` empties the queue and returns every pending mark at once (the Telnyx
 * "Mark Callback Frame" behaviour,
 * https://developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket). Works on
 * a VirtualClock and on the real one.
 */
import type { Clock } from '@voxline/core';

/** One outbound media message as the carrier received it. */
export interface ReceivedMedia {
  /** Clock time in ms when it arrived at the carrier. */
  at: number;
  /** Base64 payload (µ-law, 8000 Hz). */
  payload: string;
  /** Audio queued at the carrier right after it arrived, in ms (including it). */
  queuedMs: number;
}

export interface SimulatedPlaybackOptions {
  /** One-way network delay in ms, applied to what we send and to echoes; default 0. */
  latencyMs?: number;
  /** Whether marks are echoed at all; default true. */
  echoMarks?: boolean;
}

export class SimulatedPlayback {
  readonly media: ReceivedMedia[] = [];
  readonly marks: { name: string; at: number }[] = [];
  readonly clears: number[] = [];
  /** Echoes sent, with their time and whether a clear returned them. */
  readonly echoes: { name: string; at: number; returnedByClear: boolean }[] = [];
  #playoutEnd = 0;
  readonly #pending = new Map<string, AbortController>();
  readonly #latencyMs: number;
  readonly #echoMarks: boolean;

  readonly #echo: (name: string) => void;
  readonly #clock: Clock;
  constructor(clock: Clock, echo: (name: string) => void, options: SimulatedPlaybackOptions = {}) {
    this.#echo = echo;
    this.#clock = clock;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#echoMarks = options.echoMarks ?? true;
  }

  /** Handles one message we sent (call it when it is sent; the latency is added here). */
  onOutbound(text: string): void {
    const message = JSON.parse(text) as {
      event: string;
      media?: { payload: string };
      mark?: { name: string };
    };
    if (this.#latencyMs > 0) {
      this.#clock.sleep(this.#latencyMs).then(() => this.#arrive(message));
    } else this.#arrive(message);
  }

  #arrive(message: { event: string; media?: { payload: string }; mark?: { name: string } }): void {
    const now = this.#clock.now();
    if (message.event === 'media' && message.media) {
      const durationMs = Buffer.from(message.media.payload, 'base64').length / 8;
      this.#playoutEnd = Math.max(this.#playoutEnd, now) + durationMs;
      this.media.push({ at: now, payload: message.media.payload, queuedMs: this.#playoutEnd - now });
    } else if (message.event === 'mark' && message.mark) {
      const name = message.mark.name;
      this.marks.push({ name, at: now });
      if (!this.#echoMarks) return;
      const controller = new AbortController();
      this.#pending.set(name, controller);
      const playedAt = Math.max(this.#playoutEnd, now);
      this.#clock.sleep(playedAt - now + this.#latencyMs, controller.signal).then(
        () => {
          this.#pending.delete(name);
          this.echoes.push({ name, at: this.#clock.now(), returnedByClear: false });
          this.#echo(name);
        },
        () => {},
      );
    } else if (message.event === 'clear') {
      this.clears.push(now);
      this.#playoutEnd = now;
      for (const [name, controller] of this.#pending) {
        controller.abort();
        this.#pending.delete(name);
        const deliver = () => {
          this.echoes.push({ name, at: this.#clock.now(), returnedByClear: true });
          this.#echo(name);
        };
        if (this.#latencyMs > 0) this.#clock.sleep(this.#latencyMs).then(deliver);
        else deliver();
      }
    }
  }

  /** Audio the carrier still has to play, in ms. */
  queuedMs(): number {
    return Math.max(0, this.#playoutEnd - this.#clock.now());
  }
}
