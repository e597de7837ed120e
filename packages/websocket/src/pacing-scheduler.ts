/**
 * One timer for the paced output of every call on a clock: each call's due work (its next audio
 * frame, its playback watcher's deadline) is a {@link PacingSlot} in one queue sorted by due time,
 * and one sleep on the clock, to the earliest due time, wakes a pass that runs every slot then due.
 *
 * Why one: with a timer per call, a process serving N calls arms and fires N timers every 20 ms,
 * each with its own promise, abort listener and wake-up; with one, a wake-up serves every call due
 * at that moment, and a call's socket is corked while its slot runs in the pass (see
 * {@link PacingScheduler.corkForPass}), so the messages a call sends in a pass leave in one write,
 * and leave as soon as that call's turn in the pass is over rather than after every other call's.
 *
 * The queue is a binary min-heap ordered by (due time, scheduling order): slots due at the same
 * time run in the order they were scheduled, as separate timers on a clock would fire. A slot
 * remembers its heap position, so moving or cancelling it costs O(log N) and no allocation; a pass
 * and a re-scheduled slot allocate nothing. Times are exact: a slot runs at its due time on a
 * `VirtualClock`, and at the first wake-up at or after it on the real clock (timers are not
 * rounded to a grid).
 *
 * The single sleep is never cancelled (a `Clock` sleep can only be cancelled through an
 * `AbortSignal`, which costs an allocation per re-arm): when a slot is scheduled earlier than the
 * pending wake-up, an extra sleep is armed for it, and a wake-up that finds nothing due re-arms
 * only if no pending wake-up already comes in time. The wake-up times pending are kept in a small
 * sorted array.
 */
import type { Clock } from '@voxline/core';

/** Work a {@link PacingSlot} runs when due. */
export interface PacingTask {
  /**
   * Runs the work due (inside a pass of the scheduler). It may schedule its slot again, for a later
   * time. Must not throw; what it throws anyway goes to {@link PacingTask.failed}.
   */
  runDue(): void;
  /** Receives an error {@link PacingTask.runDue} threw (the other slots of the pass still run). */
  failed(error: unknown): void;
}

/** Something whose writes can be held back and sent together: a socket. */
export interface CorkableWriter {
  /** Holds writes back until the matching {@link CorkableWriter.uncork}. Calls nest. */
  cork(): void;
  /** Ends one {@link CorkableWriter.cork}; the last one sends what was held, in one write. */
  uncork(): void;
}

/** One task's place in a {@link PacingScheduler}'s queue; reused for every time it is scheduled. */
export class PacingSlot {
  /** Clock time in ms at which the task is due; meaningful while scheduled. */
  dueAt = 0;
  /** Position in the scheduler's heap; -1 when not scheduled. */
  heapIndex = -1;
  /** Scheduling order, which breaks ties between equal due times. */
  sequence = 0;

  constructor(
    readonly scheduler: PacingScheduler,
    readonly task: PacingTask,
  ) {}

  /** True while the slot waits in the queue. */
  get scheduled(): boolean {
    return this.heapIndex >= 0;
  }

  /** Schedules the task at clock time `at` (ms), moving it if it was already scheduled. */
  schedule(at: number): void {
    this.scheduler.schedule(this, at);
  }

  /** Takes the task out of the queue; does nothing when it is not scheduled. */
  cancel(): void {
    this.scheduler.cancel(this);
  }
}

const schedulers = new WeakMap<Clock, PacingScheduler>();

/**
 * `slot` when it is on the scheduler of `clock`, else a new slot for `task` on that scheduler (the
 * old one cancelled): a task keeps its slot while its clock stays the same, and follows a clock
 * that changes (a pipeline sets its processors' clock when it starts).
 */
export function slotOnClock(slot: PacingSlot | undefined, clock: Clock, task: PacingTask): PacingSlot {
  if (slot !== undefined && slot.scheduler.clock === clock) return slot;
  slot?.cancel();
  return PacingScheduler.of(clock).slot(task);
}

/** The pacing queue of one clock; see the module comment. Get it with {@link PacingScheduler.of}. */
export class PacingScheduler {
  /** The scheduler of `clock`, created on first use: one per clock, so one per process for the real clock. */
  static of(clock: Clock): PacingScheduler {
    let scheduler = schedulers.get(clock);
    if (scheduler === undefined) {
      scheduler = new PacingScheduler(clock);
      schedulers.set(clock, scheduler);
    }
    return scheduler;
  }

  readonly #clock: Clock;
  readonly #heap: PacingSlot[] = [];
  #nextSequence = 0;
  /** Clock times of the sleeps pending, ascending. */
  readonly #wakeTimes: number[] = [];
  /** Writers corked by the slot running in the pass, uncorked once it has run (reused array). */
  readonly #corked: CorkableWriter[] = [];
  #corkedCount = 0;
  #passRunning = false;

  private constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The clock this scheduler runs on. */
  get clock(): Clock {
    return this.#clock;
  }

  /** Slots waiting in the queue. */
  get size(): number {
    return this.#heap.length;
  }

  /** True while a pass runs its due slots (sends made now are batched per socket). */
  get passRunning(): boolean {
    return this.#passRunning;
  }

  /** A slot for `task` on this scheduler, not yet scheduled. */
  slot(task: PacingTask): PacingSlot {
    return new PacingSlot(this, task);
  }

  /** Schedules `slot` at clock time `at` (ms); see {@link PacingSlot.schedule}. */
  schedule(slot: PacingSlot, at: number): void {
    slot.dueAt = at;
    slot.sequence = this.#nextSequence++;
    const heap = this.#heap;
    if (slot.heapIndex < 0) {
      slot.heapIndex = heap.length;
      heap.push(slot);
      this.#siftUp(slot.heapIndex);
    } else {
      // The key can move either way; only one of the two sifts moves it.
      this.#siftUp(slot.heapIndex);
      this.#siftDown(slot.heapIndex);
    }
    if (!this.#passRunning) this.#armFor(at);
  }

  /** Takes `slot` out of the queue; see {@link PacingSlot.cancel}. */
  cancel(slot: PacingSlot): void {
    const index = slot.heapIndex;
    if (index < 0) return;
    const heap = this.#heap;
    const last = heap.pop() as PacingSlot;
    slot.heapIndex = -1;
    if (last === slot) return;
    heap[index] = last;
    last.heapIndex = index;
    this.#siftUp(index);
    this.#siftDown(last.heapIndex);
  }

  /**
   * During a pass, corks `writer` and uncorks it once the slot running now has run, so what the
   * slot writes to it leaves in one write; outside a pass does nothing (writes go out at once).
   * Each call corks once more, and is matched by one more uncork.
   */
  corkForPass(writer: CorkableWriter): void {
    if (!this.#passRunning) return;
    writer.cork();
    this.#corked[this.#corkedCount++] = writer;
  }

  readonly #onWake = (): void => {
    this.#wakeTimes.shift();
    this.#runPass();
  };

  /** Runs every slot due now (uncorking what each corked once it has run), then arms the next wake-up. */
  #runPass(): void {
    const heap = this.#heap;
    const clock = this.#clock;
    // Slots that fell due while the pass ran (real time moves on) run in one more round, rather
    // than after another timer and a turn of the event loop; a slot its task re-schedules is due
    // after the round's `now`, so each round ends, and two rounds bound the pass.
    let now = clock.now();
    let rounds = 0;
    this.#passRunning = true;
    try {
      while (heap.length > 0) {
        if ((heap[0] as PacingSlot).dueAt > now) {
          if (++rounds === PASS_ROUNDS) break;
          now = clock.now();
          continue;
        }
        const slot = heap[0] as PacingSlot;
        this.cancel(slot);
        try {
          slot.task.runDue();
        } catch (error) {
          slot.task.failed(error);
        } finally {
          this.#uncorkAll();
        }
      }
    } finally {
      this.#passRunning = false;
      // Armed even if a task's `failed` threw, so no other call is left waiting.
      const next = heap[0];
      if (next !== undefined) this.#armFor(next.dueAt);
    }
  }

  #uncorkAll(): void {
    const corked = this.#corked;
    for (let i = 0; i < this.#corkedCount; i++) {
      const writer = corked[i] as CorkableWriter;
      corked[i] = undefined as unknown as CorkableWriter;
      try {
        writer.uncork();
      } catch {
        // A socket destroyed during the pass: nothing is left to send on it.
      }
    }
    this.#corkedCount = 0;
  }

  /** Arms a sleep until `at` unless a pending one wakes by then. */
  #armFor(at: number): void {
    const wakeTimes = this.#wakeTimes;
    if (wakeTimes.length > 0 && (wakeTimes[0] as number) <= at) return;
    wakeTimes.unshift(at);
    this.#clock.sleep(at - this.#clock.now()).then(this.#onWake);
  }

  #siftUp(start: number): void {
    const heap = this.#heap;
    const slot = heap[start] as PacingSlot;
    let index = start;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as PacingSlot;
      if (!runsBefore(slot, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = slot;
    slot.heapIndex = index;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const slot = heap[start] as PacingSlot;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && runsBefore(heap[right] as PacingSlot, heap[left] as PacingSlot)) child = right;
      const childSlot = heap[child] as PacingSlot;
      if (!runsBefore(childSlot, slot)) break;
      heap[index] = childSlot;
      childSlot.heapIndex = index;
      index = child;
    }
    heap[index] = slot;
    slot.heapIndex = index;
  }
}

/** Rounds of a pass: the slots due at the wake-up, then those that fell due while they ran. */
const PASS_ROUNDS = 2;

/** Queue order: earlier due time first, then earlier scheduling. */
function runsBefore(a: PacingSlot, b: PacingSlot): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.sequence < b.sequence);
}
