/**
 * A chain of processors that is itself a processor, so pipelines nest.
 *
 * ```
 *            ┌──────────────────── Pipeline ────────────────────┐
 *  previous ─┼─> source ─> a ─> b ─> c ─> sink ─┼─> next     (downstream)
 *  previous <┼── source <─ a <─ b <─ c <─ sink <┼── next     (upstream)
 *            └──────────────────────────────────────────────────┘
 * ```
 *
 * The source and sink are inline pass-throughs that connect the inner chain to the pipeline's
 * own neighbours.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { type Frame, FrameDirection } from '../frames/frame.js';
import { FrameProcessor } from '../processors/frame-processor.js';

/** Entry of a pipeline: forwards downstream into the chain, upstream out of the pipeline. */
class PipelineSource extends FrameProcessor {
  readonly #pipeline: Pipeline;
  constructor(pipeline: Pipeline) {
    super({ name: `${pipeline.name}::source` });
    this.#pipeline = pipeline;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) this.pushFrame(frame, direction);
    else this.#pipeline.pushFrame(frame, direction);
  }
}

/** Exit of a pipeline: forwards downstream out of the pipeline, upstream into the chain. */
class PipelineSink extends FrameProcessor {
  readonly #pipeline: Pipeline;
  constructor(pipeline: Pipeline) {
    super({ name: `${pipeline.name}::sink` });
    this.#pipeline = pipeline;
  }
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (direction === FrameDirection.Downstream) this.#pipeline.pushFrame(frame, direction);
    else this.pushFrame(frame, direction);
  }
}

/**
 * Links `processors` in order. A pipeline is inline: its hops cost what its processors cost.
 *
 * @throws {InvalidOptionError} if a processor appears twice (a processor has one place in one pipeline).
 */
export class Pipeline extends FrameProcessor {
  readonly processors: readonly FrameProcessor[];
  readonly #source: PipelineSource;
  readonly #sink: PipelineSink;

  constructor(processors: readonly FrameProcessor[], options: { name?: string } = {}) {
    super({ name: options.name ?? undefined });
    if (new Set(processors).size !== processors.length) {
      throw new InvalidOptionError('processors', 'a processor may appear only once in a pipeline');
    }
    this.processors = processors;
    this.#source = new PipelineSource(this);
    this.#sink = new PipelineSink(this);
    let last: FrameProcessor = this.#source;
    for (const processor of processors) last = last.link(processor);
    last.link(this.#sink);
  }

  override children(): readonly FrameProcessor[] {
    return [this.#source, ...this.processors, this.#sink];
  }

  override receiveFrame(frame: Frame, direction: FrameDirection = FrameDirection.Downstream): void {
    if (direction === FrameDirection.Downstream) this.#source.receiveFrame(frame, direction);
    else this.#sink.receiveFrame(frame, direction);
  }
}
