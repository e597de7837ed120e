/**
 * Fan-out/fan-in: every frame entering goes to each branch; what the branches emit is merged.
 *
 * - A frame that several branches pass through unchanged comes out once (the first copy).
 * - Start, End, Stop and Cancel frames come out once every branch has passed them, so nothing
 *   downstream ends while a branch is still working.
 * - Frames a branch creates come out as they are produced.
 *
 * Upstream frames entering from below are fanned out to every branch the same way.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import { isLifecycleFrame } from '../frames/lifecycle.js';
import { FrameProcessor } from '../processors/frame-processor.js';
import { Pipeline } from './pipeline.js';

/** Collects what the branches emit in one direction and passes each frame on once. */
class BranchMerger extends FrameProcessor {
  /** Frame id → copies seen so far, for frames that were fanned out to every branch. */
  readonly #pending = new Map<number, number>();

  readonly #direction: FrameDirection;
  readonly #parallel: ParallelPipeline;
  constructor(parallel: ParallelPipeline, direction: FrameDirection, name: string) {
    super({ name });
    this.#direction = direction;
    this.#parallel = parallel;
  }

  /** Registers a frame that is about to be fanned out to `branches` branches. */
  expect(frame: Frame, branches: number): void {
    this.#pending.set(frame.id, branches);
    // Bound the map: a branch that consumes frames leaves entries behind.
    if (this.#pending.size > 10_000) {
      const oldest = this.#pending.keys().next().value as number;
      this.#pending.delete(oldest);
    }
  }

  override receiveFrame(frame: Frame, direction: FrameDirection = FrameDirection.Downstream): void {
    // Frames arriving here in the other direction are entering the branches (handled by the
    // parallel pipeline itself), so only this merger's direction reaches it.
    if (direction !== this.#direction) return;
    const remaining = this.#pending.get(frame.id);
    if (remaining === undefined) {
      this.#parallel.pushFrame(frame, direction);
      return;
    }
    const total = this.#parallel.branches.length;
    if (isLifecycleFrame(frame)) {
      if (remaining === 1) {
        this.#pending.delete(frame.id);
        this.#parallel.pushFrame(frame, direction);
      } else this.#pending.set(frame.id, remaining - 1);
      return;
    }
    if (remaining === total) this.#parallel.pushFrame(frame, direction);
    if (remaining === 1) this.#pending.delete(frame.id);
    else this.#pending.set(frame.id, remaining - 1);
  }
}

/**
 * Runs branches side by side. Each branch is a list of processors (wrapped in a {@link Pipeline})
 * or a pipeline.
 *
 * @throws {InvalidOptionError} with no branches.
 */
export class ParallelPipeline extends FrameProcessor {
  readonly branches: readonly Pipeline[];
  readonly #downstreamMerger: BranchMerger;
  readonly #upstreamMerger: BranchMerger;

  constructor(branches: readonly (readonly FrameProcessor[] | Pipeline)[], options: { name?: string } = {}) {
    super({ name: options.name ?? undefined });
    if (branches.length === 0)
      throw new InvalidOptionError('branches', 'a parallel pipeline needs at least one branch');
    this.branches = branches.map((branch) => (branch instanceof Pipeline ? branch : new Pipeline(branch)));
    this.#downstreamMerger = new BranchMerger(this, FrameDirection.Downstream, `${this.name}::merge-down`);
    this.#upstreamMerger = new BranchMerger(this, FrameDirection.Upstream, `${this.name}::merge-up`);
    for (const branch of this.branches) {
      branch.link(this.#downstreamMerger);
      // Upstream output of a branch goes to its `previous`; point it at the upstream merger
      // without making the merger's `next` the branch.
      this.#upstreamMerger.link(branch);
    }
  }

  override children(): readonly FrameProcessor[] {
    return [this.#downstreamMerger, this.#upstreamMerger, ...this.branches];
  }

  override receiveFrame(frame: Frame, direction: FrameDirection = FrameDirection.Downstream): void {
    if (Number.isNaN(frame.createdAt)) frame.createdAt = this.clock.now();
    const merger = direction === FrameDirection.Downstream ? this.#downstreamMerger : this.#upstreamMerger;
    merger.expect(frame, this.branches.length);
    for (const branch of this.branches) branch.receiveFrame(frame, direction);
  }
}
