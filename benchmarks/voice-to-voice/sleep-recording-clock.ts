/**
 * The real clock, recording every sleep: when it was asked for, for how long, and when it really
 * ended. The provider fakes sleep on it to simulate their latency; the difference between the
 * requested and the real duration is timer lateness, which belongs to the fake, not to the
 * framework being measured.
 */
import { type Clock, realClock } from '@voxline/core';

/** One completed sleep, times in ms on `performance.now()`. */
export interface RecordedSleep {
  startedAt: number;
  endedAt: number;
  requestedMs: number;
}

export class SleepRecordingClock implements Clock {
  readonly sleeps: RecordedSleep[] = [];

  now(): number {
    return realClock.now();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const startedAt = realClock.now();
    await realClock.sleep(ms, signal);
    this.sleeps.push({ startedAt, endedAt: realClock.now(), requestedMs: ms });
  }

  /** The first sleep of `requestedMs` that started at or after `from`. */
  firstSleepFrom(from: number, requestedMs: number): RecordedSleep | undefined {
    return this.sleeps.find((sleep) => sleep.startedAt >= from && sleep.requestedMs === requestedMs);
  }
}
