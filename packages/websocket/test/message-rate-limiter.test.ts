import { VirtualClock } from '@voxline/core';
import { describe, expect, it } from 'vitest';
import { EventLoopStallMonitor } from '../src/event-loop-stall-monitor.js';
import { MessageRateLimiter, type StallClock } from '../src/message-rate-limiter.js';

/** A stall clock the test moves by hand. */
class ManualStalls implements StallClock {
  stalled = 0;
  stallMs(): number {
    return this.stalled;
  }
}

function takeMany(limiter: MessageRateLimiter, count: number): number {
  let taken = 0;
  for (let index = 0; index < count; index++) if (limiter.tryTake()) taken++;
  return taken;
}

describe('MessageRateLimiter', () => {
  it('lets a burst through, then refills at the sustained rate', async () => {
    const clock = new VirtualClock();
    const limiter = new MessageRateLimiter({ messagesPerSecond: 200, burst: 400 }, clock);
    expect(takeMany(limiter, 500)).toBe(400);
    await clock.advance(1000);
    expect(takeMany(limiter, 500)).toBe(200);
  });

  it("does not count our stall as the client's flood: what arrives at once after a 3 s stall is taken", async () => {
    const clock = new VirtualClock();
    const stalls = new ManualStalls();
    const limiter = new MessageRateLimiter({ messagesPerSecond: 200, burst: 400 }, clock, stalls);
    // An honest client at 192 messages/s; our loop stalls for 3 s, then reads all 576 at once.
    await clock.advance(3000);
    stalls.stalled = 3000;
    expect(takeMany(limiter, 576)).toBe(576);
    // The credit is what was sent meanwhile, no more: a flood right after is still limited.
    expect(takeMany(limiter, 2000)).toBeLessThan(1000);
  });

  it('gives no credit to a client that was idle while the loop ran freely', async () => {
    const clock = new VirtualClock();
    const limiter = new MessageRateLimiter({ messagesPerSecond: 200, burst: 400 }, clock, new ManualStalls());
    await clock.advance(3000);
    expect(takeMany(limiter, 576)).toBe(400);
  });
});

describe('EventLoopStallMonitor', () => {
  it('measures a blocked event loop, the stall under way included', async () => {
    const monitor = new EventLoopStallMonitor(20, 10);
    monitor.acquire();
    try {
      const before = monitor.stallMs();
      const until = performance.now() + 300;
      while (performance.now() < until) {
        // Block the loop as a CPU-heavy call would.
      }
      // Still inside the stall: the timer has not fired, yet the stall counts.
      expect(monitor.stallMs() - before).toBeGreaterThan(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const after = monitor.stallMs() - before;
      expect(after).toBeGreaterThan(200);
      expect(after).toBeLessThan(600);
    } finally {
      monitor.release();
    }
  });
});
