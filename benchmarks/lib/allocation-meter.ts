/**
 * Bytes a whole process allocates over a stretch of time it keeps running (a load test), where
 * benchmarks/lib/measure.ts's `bytesPerCall` (windows with no garbage collection) cannot apply.
 *
 * Allocated so far = bytes in use now + bytes every garbage collection since the start freed, where
 * "in use" is the V8 heap plus external memory (ArrayBuffer backing stores), and what a collection
 * freed is its before-minus-after from `v8.GCProfiler`. External memory freed outside a collection
 * is not seen, so the figure can only err low.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

export class AllocationMeter {
  #profiler = new GCProfiler();
  #freed = 0;

  constructor() {
    this.#profiler.start();
  }

  /** Bytes allocated since the meter was created. Call it as often as needed (e.g. every 250 ms). */
  allocatedBytes(): number {
    // The profiler reports collections only when stopped: stop, count, start again.
    for (const { beforeGC, afterGC } of this.#profiler.stop().statistics) {
      const before = beforeGC.heapStatistics;
      const after = afterGC.heapStatistics;
      this.#freed +=
        before.usedHeapSize + before.externalMemory - (after.usedHeapSize + after.externalMemory);
    }
    this.#profiler = new GCProfiler();
    this.#profiler.start();
    const now = getHeapStatistics();
    return now.used_heap_size + now.external_memory + this.#freed;
  }

  stop(): void {
    this.#profiler.stop();
  }
}
