/**
 * How long this process's event loop was stalled: time in which it could not read its sockets.
 *
 * Per-connection limits (the message rate, inbound audio against real time) must judge what the
 * client sent, not how late we read it. When the loop stalls (a CPU-heavy call, a GC pause, a
 * machine under load), messages an honest carrier sent at 50 a second wait in the socket and then
 * arrive at once: without this, the limits would count our backlog as the client's flood and close
 * good calls (seen: 20 clients at 192 messages/s, all closed with 1008 after a stall). The limits
 * therefore add the stall time that passed to their allowance.
 *
 * One timer per process (every `intervalMs`, unref'd, running only while some connection uses the
 * monitor) measures how late it fires; lateness beyond `toleranceMs` is stall. A stall still under
 * way (the timer has not fired yet) counts too, so the first message read after a stall already
 * gets its credit.
 */
import { performance } from 'node:perf_hooks';

/** The process-wide stall clock; see the module comment. */
export class EventLoopStallMonitor {
  readonly #intervalMs: number;
  readonly #toleranceMs: number;
  #completedStallMs = 0;
  #lastTickAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #users = 0;

  /**
   * @param intervalMs - how often the timer fires; default 50.
   * @param toleranceMs - lateness that is not counted as stall (timer jitter); default 20.
   */
  constructor(intervalMs = 50, toleranceMs = 20) {
    this.#intervalMs = intervalMs;
    this.#toleranceMs = toleranceMs;
  }

  /** Stalled time in ms since the monitor started, the stall under way included; only grows. */
  stallMs(): number {
    if (this.#timer === undefined) return this.#completedStallMs;
    const late = performance.now() - this.#lastTickAt - this.#intervalMs;
    return this.#completedStallMs + (late > this.#toleranceMs ? late : 0);
  }

  /** Starts measuring for one more user (a connection); pair with {@link release}. */
  acquire(): void {
    if (this.#users++ > 0) return;
    this.#lastTickAt = performance.now();
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  /** One user less; the timer stops with the last. */
  release(): void {
    if (this.#users === 0 || --this.#users > 0) return;
    this.#tick();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = performance.now();
    const late = now - this.#lastTickAt - this.#intervalMs;
    if (late > this.#toleranceMs) this.#completedStallMs += late;
    this.#lastTickAt = now;
  }
}

/** The monitor every transport of this process shares. */
export const processStallMonitor = new EventLoopStallMonitor();
