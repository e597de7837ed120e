/**
 * A conformance suite is a named list of checks: plain async functions that resolve when the
 * implementation under test honours one part of a contract and reject with a
 * {@link ConformanceError} saying what it broke.
 *
 * The checks do not import a test framework, so `@voxline/core` does not depend on one: register
 * them with whichever your plugin uses by handing over its `describe` and `it`:
 *
 * ```ts
 * import { describe, it } from 'vitest'; // or 'node:test'
 * import { describeConformance, ttsServiceConformance } from '@voxline/core/testing';
 *
 * describeConformance(ttsServiceConformance({ create: () => new MyTTS(), sampleRate: 24000 }), { describe, it });
 * ```
 *
 * or run them without one with {@link runConformanceSuite}.
 */

/** One check of a suite. */
export interface ConformanceCheck {
  /** What the check asserts, as a sentence (used as the test name). */
  readonly name: string;
  /**
   * Runs the check. Resolves when the contract holds; rejects with a `ConformanceError` when it
   * does not (or with whatever the implementation threw unexpectedly).
   */
  run(): Promise<void>;
}

/** A named list of checks. */
export interface ConformanceSuite {
  /** The suite's name, e.g. `'STT service conformance'`. */
  readonly name: string;
  /** The checks, in the order they should run. */
  readonly checks: readonly ConformanceCheck[];
  /**
   * Upper bound of one check's duration in ms: the test framework's timeout for it. Checks time
   * out on their own before that (with a `ConformanceError` of code `timed-out`).
   */
  readonly checkTimeoutMs: number;
}

/**
 * The two functions of a test framework the suites need. Vitest's and `node:test`'s `describe`
 * and `it` fit as they are.
 */
export interface TestRegistrar {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>, timeoutMs?: number): unknown;
}

/** Registers `suite` as one `describe` block with one `it` per check. */
export function describeConformance(suite: ConformanceSuite, registrar: TestRegistrar): void {
  registrar.describe(suite.name, () => {
    for (const check of suite.checks) registrar.it(check.name, () => check.run(), suite.checkTimeoutMs);
  });
}

/** The outcome of one check run by {@link runConformanceSuite}. */
export interface ConformanceCheckResult {
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed, when it did. */
  readonly error?: unknown;
}

/** Runs every check of `suite` in order, without a test framework; never throws. */
export async function runConformanceSuite(suite: ConformanceSuite): Promise<ConformanceCheckResult[]> {
  const results: ConformanceCheckResult[] = [];
  for (const check of suite.checks) {
    try {
      await check.run();
      results.push({ name: check.name, passed: true });
    } catch (error) {
      results.push({ name: check.name, passed: false, error });
    }
  }
  return results;
}
