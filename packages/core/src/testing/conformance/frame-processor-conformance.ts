/**
 * The conformance suite every processor should pass, whatever it does: the lifecycle and
 * pass-through rules of `FrameProcessor` (forward every frame you do not consume, lifecycle frames
 * included, each way). It runs the processor with {@link runProcessor} on a virtual clock, so it
 * suits processors that do not wait on real I/O; services have their own suites.
 */
import { EndFrame } from '../../frames/control.js';
import { type Frame, FrameDirection } from '../../frames/frame.js';
import { CancelFrame, InterruptionFrame, type PipelineParams, StartFrame } from '../../frames/system.js';
import type { FrameProcessor } from '../../processors/frame-processor.js';
import {
  ConformanceControlProbeFrame,
  ConformanceProbeFrame,
  ConformanceSystemProbeFrame,
} from '../frames/conformance-probe-frames.js';
import { runProcessor } from '../run-processor.js';
import type { ConformanceCheck, ConformanceSuite } from './conformance-suite.js';
import { expectContract } from './contract-assertions.js';

/** Options of {@link frameProcessorConformance}. */
export interface FrameProcessorConformanceOptions {
  /** Suite name; default `'Frame processor conformance'`. */
  name?: string;
  /** Creates a fresh processor. */
  create: () => FrameProcessor | Promise<FrameProcessor>;
  /** Frames the processor handles (it must take them without errors); default none. */
  input?: () => readonly Frame[];
  /** Pipeline parameters of the runs. */
  params?: Partial<PipelineParams>;
}

/** The conformance suite of any processor; see the module comment. */
export function frameProcessorConformance(options: FrameProcessorConformanceOptions): ConformanceSuite {
  const run = async (runOptions: Parameters<typeof runProcessor>[1]) =>
    runProcessor(await options.create(), { params: options.params, ignore: [], ...runOptions });

  const expectNoErrors = (errors: readonly { message: string }[]) =>
    expectContract(
      errors.length === 0,
      `no errors expected, got: ${errors.map((error) => error.message).join(' | ')}`,
    );

  const checks: ConformanceCheck[] = [
    {
      name: 'forwards the StartFrame and the EndFrame: the pipeline starts and ends, without errors',
      run: async () => {
        const result = await run({});
        expectContract(result.downstream[0] instanceof StartFrame, 'the StartFrame must come out first');
        expectContract(result.downstream.at(-1) instanceof EndFrame, 'the EndFrame must come out last');
        expectContract(
          result.reason === 'end',
          `the pipeline should end gracefully, ended with ${result.reason}`,
        );
        expectNoErrors(result.errors);
      },
    },
    {
      name: 'forwards frames it does not know, each way, unchanged and in order',
      run: async () => {
        const down = [
          new ConformanceProbeFrame('down-1'),
          new ConformanceControlProbeFrame('down-2'),
          new ConformanceProbeFrame('down-3'),
          new ConformanceSystemProbeFrame('down-4'),
        ];
        const up = [new ConformanceProbeFrame('up-1'), new ConformanceSystemProbeFrame('up-2')];
        const result = await run({ frames: down, upstreamFrames: up });
        const cameDown = result.downstream.filter((frame) => down.includes(frame as never));
        const cameUp = result.upstream.filter((frame) => up.includes(frame as never));
        // System frames may overtake queued ones; data and control frames keep their order.
        const ordered = (frames: readonly Frame[]) => frames.filter((frame) => frame.kind !== 'system');
        expectContract(
          cameDown.length === down.length && sameOrder(ordered(cameDown), ordered(down)),
          `unknown frames sent downstream must all come out, in order: sent ${labels(down)}, got ${labels(cameDown)}`,
        );
        expectContract(
          cameUp.length === up.length,
          `unknown frames sent upstream must all come out at the top: sent ${labels(up)}, got ${labels(cameUp)}`,
        );
        expectNoErrors(result.errors);
      },
    },
    {
      name: 'forwards an InterruptionFrame each way',
      run: async () => {
        const down = new InterruptionFrame();
        const up = new InterruptionFrame();
        const result = await run({ frames: [down], upstreamFrames: [up] });
        expectContract(
          result.downstream.includes(down),
          'an InterruptionFrame sent downstream must come out at the bottom',
        );
        expectContract(
          result.upstream.includes(up),
          'an InterruptionFrame sent upstream must come out at the top',
        );
      },
    },
    {
      name: 'forwards a CancelFrame: a cancelled pipeline ends at once',
      run: async () => {
        const result = await run({
          frames: [new ConformanceProbeFrame('before-cancel')],
          sendEndFrame: false,
        });
        expectContract(
          result.reason === 'cancel',
          `the pipeline should end cancelled, ended with ${result.reason}`,
        );
        expectContract(
          result.recorded.downstream.some((entry) => entry.frame instanceof CancelFrame),
          'the CancelFrame must be forwarded (the task otherwise waits out its cancel timeout)',
        );
        expectNoErrors(result.errors);
      },
    },
    ...(options.input === undefined
      ? []
      : [
          {
            name: 'handles its input without errors and ends',
            run: async () => {
              const input = (options.input as () => readonly Frame[])();
              const result = await run({ frames: input });
              expectNoErrors(result.errors);
              expectContract(
                result.reason === 'end',
                `the pipeline should end gracefully, ended with ${result.reason}`,
              );
              expectContract(
                result.recorded.downstream.at(-1)?.frame instanceof EndFrame &&
                  result.recorded.downstream.at(-1)?.direction === FrameDirection.Downstream,
                'the EndFrame must come out last',
              );
            },
          },
        ]),
  ];

  return { name: options.name ?? 'Frame processor conformance', checks, checkTimeoutMs: 30_000 };
}

function sameOrder(actual: readonly Frame[], expected: readonly Frame[]): boolean {
  return actual.length === expected.length && actual.every((frame, index) => frame === expected[index]);
}

function labels(frames: readonly Frame[]): string {
  return `[${frames.map((frame) => (frame as { label?: string }).label ?? frame.name).join(', ')}]`;
}
