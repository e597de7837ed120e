import { VADError } from '@voxline/audio';

/** Options of the restarts of a Silero inference process (`SileroBatchScheduler`'s `restart`). */
export interface SileroProcessRestartOptions {
  /**
   * Wait before starting a process after the first crash, in ms; it doubles with each crash that
   * follows a short-lived process (one that ran less than {@link stableAfterMs}), up to
   * {@link maxBackoffMs}. Default 100. Finite, ≥ 0.
   */
  initialBackoffMs?: number;
  /** Longest wait before a restart, in ms. Default 5000. Finite, ≥ {@link initialBackoffMs}. */
  maxBackoffMs?: number;
  /**
   * Most restarts in any 60 s; past it, batches fail at once (their windows report
   * `vad-inference-failed`) until the oldest restart is a minute old. Default 10. Integer ≥ 1.
   */
  maxRestartsPerMinute?: number;
  /** A process that ran this long, in ms, resets the backoff to {@link initialBackoffMs}. Default 10 000. */
  stableAfterMs?: number;
}

const MINUTE_MS = 60_000;

/**
 * When the next inference process may start after crashes: an exponential backoff over
 * consecutive short-lived processes, and a cap on restarts per minute so that a process that
 * crashes at every start (a broken installation, an input that always crashes the library) does
 * not turn into a fork loop.
 */
export class ProcessRestartBudget {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxRestartsPerMinute: number;
  readonly stableAfterMs: number;
  /** Start times of the restarts in the last minute (oldest first). */
  readonly #restarts: number[] = [];
  /** Crashes of short-lived processes in a row. */
  #consecutiveCrashes = 0;
  /** When the last process died; undefined before any crash. */
  #lastCrashAt: number | undefined;

  /** @throws {VADError} `invalid-vad-params` for options out of range. */
  constructor(options: SileroProcessRestartOptions = {}) {
    const {
      initialBackoffMs = 100,
      maxBackoffMs = 5000,
      maxRestartsPerMinute = 10,
      stableAfterMs = 10_000,
    } = options;
    if (!(Number.isFinite(initialBackoffMs) && initialBackoffMs >= 0))
      throw new VADError(
        'invalid-vad-params',
        `restart.initialBackoffMs must be finite and ≥ 0, got ${initialBackoffMs}`,
      );
    if (!(Number.isFinite(maxBackoffMs) && maxBackoffMs >= initialBackoffMs))
      throw new VADError(
        'invalid-vad-params',
        `restart.maxBackoffMs must be finite and ≥ initialBackoffMs, got ${maxBackoffMs}`,
      );
    if (!(Number.isInteger(maxRestartsPerMinute) && maxRestartsPerMinute >= 1))
      throw new VADError(
        'invalid-vad-params',
        `restart.maxRestartsPerMinute must be an integer ≥ 1, got ${maxRestartsPerMinute}`,
      );
    if (!(Number.isFinite(stableAfterMs) && stableAfterMs >= 0))
      throw new VADError(
        'invalid-vad-params',
        `restart.stableAfterMs must be finite and ≥ 0, got ${stableAfterMs}`,
      );
    this.initialBackoffMs = initialBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.maxRestartsPerMinute = maxRestartsPerMinute;
    this.stableAfterMs = stableAfterMs;
  }

  /** Restarts in the minute before `now`. */
  restartsInLastMinute(now: number): number {
    this.#forgetBefore(now - MINUTE_MS);
    return this.#restarts.length;
  }

  /** A process that started at `startedAt` died at `now` (crashed, was killed, or failed to load). */
  crashed(startedAt: number, now: number): void {
    if (now - startedAt >= this.stableAfterMs) this.#consecutiveCrashes = 0;
    this.#consecutiveCrashes++;
    this.#lastCrashAt = now;
  }

  /**
   * How long from `now` to wait before starting a process: 0 for the first start (or once the
   * backoff has passed), the rest of the backoff after a crash, or `undefined` when the restarts
   * of the last minute have reached the cap (see {@link retryAt}).
   */
  delayBeforeStart(now: number): number | undefined {
    if (this.#lastCrashAt === undefined) return 0;
    if (this.restartsInLastMinute(now) >= this.maxRestartsPerMinute) return undefined;
    const backoff = Math.min(this.initialBackoffMs * 2 ** (this.#consecutiveCrashes - 1), this.maxBackoffMs);
    return Math.max(0, this.#lastCrashAt + backoff - now);
  }

  /** When the cap lets the next restart happen (ms, the clock of `now`). */
  retryAt(now: number): number {
    this.#forgetBefore(now - MINUTE_MS);
    const oldest = this.#restarts[0];
    return oldest === undefined ? now : oldest + MINUTE_MS;
  }

  /** A process is starting at `now`; after a crash, it counts as a restart. */
  starting(now: number): void {
    if (this.#lastCrashAt !== undefined) this.#restarts.push(now);
  }

  #forgetBefore(time: number): void {
    while (this.#restarts.length > 0 && this.#restarts[0]! <= time) this.#restarts.shift();
  }
}
