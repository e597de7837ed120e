/**
 * The conformance suite of voice activity detectors: the `VADAnalyzer` contract of
 * `@voxline/audio` (a subclass supplies the window size and a confidence per window; the base owns
 * windowing and the speech state machine), checked on a real recording.
 *
 * `@voxline/core` cannot depend on `@voxline/audio` (audio depends on core), so the suite takes the
 * analyzer by its shape, {@link VADAnalyzerContract}; every `VADAnalyzer` has it. Error codes
 * checked are the contract's `VADErrorCode`s.
 */
import { audioMs, type ConformanceAudio } from './conformance-audio.js';
import type { ConformanceCheck, ConformanceSuite } from './conformance-suite.js';
import {
  describeError,
  errorCode,
  expectContract,
  expectRejectsCode,
  expectValidOptions,
} from './contract-assertions.js';

/** A speech edge, as a `VADAnalyzer` reports it (times in ms of audio fed). */
export type VADEdgeContract =
  | { readonly type: 'started'; readonly startMs: number; readonly decidedAtMs: number }
  | {
      readonly type: 'stopped';
      readonly startMs: number;
      readonly stopMs: number;
      readonly decidedAtMs: number;
    };

/** The shape of a `VADAnalyzer` (`@voxline/audio`) the suite drives. */
export interface VADAnalyzerContract {
  readonly sampleRate: number;
  readonly windowSize: number;
  analyze(pcm: Int16Array): Promise<{
    readonly state: string;
    readonly windows: number;
    readonly analyzedMs: number;
    readonly events: readonly VADEdgeContract[];
  }>;
  reset(): void;
  close(): void;
}

/** Options of {@link vadAnalyzerConformance}. */
export interface VADAnalyzerConformanceOptions {
  /** Suite name; default `'VAD analyzer conformance'`. */
  name?: string;
  /** Creates a fresh analyzer for one stream at `sampleRate` Hz. */
  create: (sampleRate: number) => VADAnalyzerContract | Promise<VADAnalyzerContract>;
  /** A recording with speech and pauses, mono, at a rate the analyzer supports (2-30 s). */
  speech: ConformanceAudio;
  /** Where the first speech in `speech` starts, in ms (a hand label), when known. */
  speechStartsAtMs?: number;
  /** How far the first `started` edge may be from `speechStartsAtMs`, in ms; default 150. */
  toleranceMs?: number;
  /** A rate the analyzer does not support: `create` must refuse it with `unsupported-vad-sample-rate`. */
  unsupportedSampleRate?: number;
}

/** The conformance suite of a VAD analyzer; see the module comment. */
export function vadAnalyzerConformance(options: VADAnalyzerConformanceOptions): ConformanceSuite {
  const { speech } = options;
  const rate = speech.sampleRate;
  const tolerance = options.toleranceMs ?? 150;

  /** Feeds `audio` in `chunkMs` pieces (whole audio when 0), awaiting each call; returns the edges. */
  const edges = async (analyzer: VADAnalyzerContract, audio: Int16Array, chunkMs: number) => {
    const size = chunkMs === 0 ? audio.length : Math.round((rate * chunkMs) / 1000);
    const found: VADEdgeContract[] = [];
    for (let offset = 0; offset < audio.length; offset += size) {
      const result = await analyzer.analyze(audio.subarray(offset, offset + size));
      found.push(...result.events);
    }
    return found;
  };

  const withAnalyzer =
    (body: (analyzer: VADAnalyzerContract) => Promise<void>): (() => Promise<void>) =>
    async () => {
      const duration = audioMs(speech);
      expectValidOptions(
        duration >= 2000 && duration <= 30_000,
        `speech must last 2-30 s, got ${Math.round(duration)} ms`,
      );
      const analyzer = await options.create(rate);
      try {
        await body(analyzer);
      } finally {
        analyzer.close();
      }
    };

  const sameEdges = (
    actual: readonly VADEdgeContract[],
    expected: readonly VADEdgeContract[],
    what: string,
  ) =>
    expectContract(
      JSON.stringify(actual) === JSON.stringify(expected),
      `${what}: expected the edges ${describeEdges(expected)}, got ${describeEdges(actual)}`,
    );

  const checks: ConformanceCheck[] = [
    {
      name: 'finds speech in the recording: started and stopped edges alternate, in time order',
      run: withAnalyzer(async (analyzer) => {
        expectContract(
          analyzer.sampleRate === rate,
          `sampleRate should be ${rate}, got ${analyzer.sampleRate}`,
        );
        const found = await edges(analyzer, speech.samples, 20);
        expectContract(
          found.length >= 2,
          `speech should give at least one started/stopped pair, got ${describeEdges(found)}`,
        );
        let previous = Number.NEGATIVE_INFINITY;
        for (const [index, edge] of found.entries()) {
          expectContract(
            edge.type === (index % 2 === 0 ? 'started' : 'stopped'),
            `edges must alternate started/stopped from started: ${describeEdges(found)}`,
          );
          const at = edge.type === 'started' ? edge.startMs : edge.stopMs;
          expectContract(at >= previous, `edges must be in time order: ${describeEdges(found)}`);
          expectContract(
            at <= edge.decidedAtMs,
            `an edge cannot be decided before it happened: ${JSON.stringify(edge)}`,
          );
          if (edge.type === 'stopped') {
            const started = found[index - 1] as VADEdgeContract;
            expectContract(
              edge.startMs === started.startMs && edge.stopMs > edge.startMs,
              `a stopped edge must close the segment its started edge opened: ${JSON.stringify(edge)}`,
            );
          }
          previous = at;
        }
        const first = found[0] as VADEdgeContract;
        if (options.speechStartsAtMs !== undefined) {
          expectContract(
            Math.abs(first.startMs - options.speechStartsAtMs) <= tolerance,
            `the first speech starts at ${options.speechStartsAtMs} ms; the first edge is at ${first.startMs} ms (tolerance ${tolerance} ms)`,
          );
        }
      }),
    },
    {
      name: 'finds no speech in digital silence',
      run: withAnalyzer(async (analyzer) => {
        const found = await edges(analyzer, new Int16Array(rate * 3), 20);
        expectContract(found.length === 0, `3 s of digital silence gave ${describeEdges(found)}`);
      }),
    },
    {
      name: 'gives the same edges however the audio is cut (7, 10, 30 ms pieces and one call)',
      run: withAnalyzer(async (analyzer) => {
        const reference = await edges(analyzer, speech.samples, 20);
        for (const chunkMs of [7, 10, 30, 0]) {
          const other = await options.create(rate);
          try {
            sameEdges(
              await edges(other, speech.samples, chunkMs),
              reference,
              `${chunkMs === 0 ? 'one call' : `${chunkMs} ms pieces`}`,
            );
          } finally {
            other.close();
          }
        }
      }),
    },
    {
      name: 'counts analysed audio in whole windows: analyzedMs = windows × windowSize / sampleRate',
      run: withAnalyzer(async (analyzer) => {
        expectContract(
          Number.isInteger(analyzer.windowSize) && analyzer.windowSize > 0,
          'windowSize must be a positive integer',
        );
        // Pieces of 7 ms never line up with windows, so partial windows must wait for the next piece.
        const size = Math.round(rate * 0.007);
        let fed = 0;
        let windows = 0;
        for (let offset = 0; offset < rate; offset += size) {
          const piece = speech.samples.subarray(offset, offset + size);
          const result = await analyzer.analyze(piece);
          fed += piece.length;
          windows += result.windows;
          const whole = Math.floor(fed / analyzer.windowSize);
          expectContract(
            windows === whole,
            `after ${fed} samples, ${whole} windows should be analysed, got ${windows}`,
          );
          expectContract(
            Math.abs(result.analyzedMs - (whole * analyzer.windowSize * 1000) / rate) < 1e-6,
            `analyzedMs should be ${(whole * analyzer.windowSize * 1000) / rate}, got ${result.analyzedMs}`,
          );
        }
      }),
    },
    {
      name: 'resolves overlapping analyze calls in call order, with the same edges as awaited calls',
      run: withAnalyzer(async (analyzer) => {
        const reference = await edges(analyzer, speech.samples, 20);
        const overlapping = await options.create(rate);
        try {
          const size = rate / 50;
          const order: number[] = [];
          const calls: Promise<{ events: readonly VADEdgeContract[] }>[] = [];
          for (let offset = 0, index = 0; offset < speech.samples.length; offset += size, index++) {
            const call = overlapping.analyze(speech.samples.subarray(offset, offset + size));
            calls.push(
              call.then((result) => {
                order.push(index);
                return result;
              }),
            );
          }
          const results = await Promise.all(calls);
          expectContract(
            order.every((value, index) => value === index),
            'analyze calls must resolve in the order they were made',
          );
          sameEdges(
            results.flatMap((result) => result.events),
            reference,
            'overlapping calls',
          );
        } finally {
          overlapping.close();
        }
      }),
    },
    {
      name: 'reset starts a new stream: the same audio gives the same edges again',
      run: withAnalyzer(async (analyzer) => {
        const first = await edges(analyzer, speech.samples, 20);
        analyzer.reset();
        sameEdges(await edges(analyzer, speech.samples, 20), first, 'after reset');
      }),
    },
    {
      name: 'keeps streams apart: two analyzers fed in turn give the edges each gives alone',
      run: withAnalyzer(async (analyzer) => {
        const alone = await edges(analyzer, speech.samples, 20);
        const [a, b] = [await options.create(rate), await options.create(rate)];
        try {
          const size = rate / 50;
          const found: VADEdgeContract[] = [];
          const silence = new Int16Array(size);
          const silentEdges: VADEdgeContract[] = [];
          for (let offset = 0; offset < speech.samples.length; offset += size) {
            found.push(...(await a.analyze(speech.samples.subarray(offset, offset + size))).events);
            silentEdges.push(...(await b.analyze(silence)).events);
          }
          sameEdges(found, alone, 'an analyzer sharing the process with another');
          expectContract(
            silentEdges.length === 0,
            `the analyzer fed silence found ${describeEdges(silentEdges)}`,
          );
        } finally {
          a.close();
          b.close();
        }
      }),
    },
    {
      name: 'refuses bad input with coded errors: invalid-vad-audio, then vad-closed after an idempotent close',
      run: withAnalyzer(async (analyzer) => {
        await expectRejectsCode(
          analyzer.analyze(new Float32Array(320) as unknown as Int16Array),
          'invalid-vad-audio',
          'analyze(Float32Array)',
        );
        // The analyzer still works after refusing input.
        await analyzer.analyze(new Int16Array(rate / 50));
        analyzer.close();
        analyzer.close();
        await expectRejectsCode(
          analyzer.analyze(new Int16Array(rate / 50)),
          'vad-closed',
          'analyze after close',
        );
      }),
    },
    ...(options.unsupportedSampleRate === undefined
      ? []
      : [
          {
            name: `refuses an unsupported sample rate with unsupported-vad-sample-rate`,
            run: async () => {
              const unsupported = options.unsupportedSampleRate as number;
              try {
                const analyzer = await options.create(unsupported);
                analyzer.close();
              } catch (error) {
                expectContract(
                  errorCode(error) === 'unsupported-vad-sample-rate',
                  `expected unsupported-vad-sample-rate, got ${describeError(error)}`,
                );
                return;
              }
              expectContract(false, `creating an analyzer at ${unsupported} Hz should fail`);
            },
          },
        ]),
  ];

  return { name: options.name ?? 'VAD analyzer conformance', checks, checkTimeoutMs: 60_000 };
}

function describeEdges(edges: readonly VADEdgeContract[]): string {
  if (edges.length === 0) return 'no edges';
  return edges
    .map((edge) => (edge.type === 'started' ? `started@${edge.startMs}` : `stopped@${edge.stopMs}`))
    .join(', ');
}
