/**
 * When the soak benchmark calls a resource "growing": the rule, in one place.
 *
 * Readings are taken at quiescence — no call in progress, after a full garbage collection in the
 * server — every few sequential calls, with `x` the number of calls finished. The first quarter of
 * the calls (at least 10) is warm-up: code is compiled, caches and pools fill, and nothing of it
 * is judged. Over the remaining readings:
 *
 * - `slope` is the least-squares slope of the value against calls finished;
 * - `growth` is the rise of the floor: the smallest of the last third of the readings minus the
 *   smallest of the first third. Noise in these readings is one-sided — memory the allocator or a
 *   not-yet-collected WebAssembly instance still holds sits on top of what is in use — so a leak
 *   lifts the floor, and a spike does not.
 *
 * A resource grows when both `slope > limitPerCall` and `growth > max(limitPerCall × span / 2,
 * noiseAllowance)` (span: calls between the first and the last judged reading): a real leak shows
 * in the trend and in the net change; noise moves one of them, rarely both. `noiseAllowance` is
 * the floor movement a resource shows without any leak: RSS swings by tens of MiB between readings
 * (the Flite worker alone, synthesizing 3,000 replies in a loop, moved between 175 and 237 MiB with
 * no trend), so it needs one; counted resources and the heap after a full collection hardly move.
 * Memory (heap, RSS) is judged only once at least 100 calls are past the warm-up.
 */

/** One quiescent reading. */
export interface GrowthPoint {
  /** Calls finished when it was read. */
  x: number;
  /** The value (bytes or a count). */
  y: number;
}

/** The verdict on one resource. */
export interface GrowthVerdict {
  /** Least-squares slope after the warm-up, units per call; NaN with fewer than 2 readings. */
  slope: number;
  /** Smallest of the last third of the judged readings minus smallest of the first third. */
  growth: number;
  /** Calls between the first and the last judged reading. */
  span: number;
  /** Whether the rule was applied (enough calls past the warm-up). */
  judged: boolean;
  /** Whether the resource grows by the rule. */
  grows: boolean;
}

/** Calls at the start that are warm-up and not judged: a quarter of them, at least 10. */
export function warmUpCalls(totalCalls: number): number {
  return Math.max(10, Math.floor(totalCalls / 4));
}

/** Calls past the warm-up below which memory is not judged. */
export const MIN_JUDGED_SPAN_FOR_MEMORY = 100;

/**
 * Applies the rule (see the module comment) to `points` (in order of `x`).
 *
 * @param limits.perCall - the largest growth per call accepted, in the value's unit.
 * @param limits.noiseAllowance - floor movement accepted whatever the span, in the value's unit.
 * @param memory - true for heap and RSS, which are judged only over enough calls.
 */
export function judgeGrowth(
  points: readonly GrowthPoint[],
  totalCalls: number,
  limits: { perCall: number; noiseAllowance: number },
  memory: boolean,
): GrowthVerdict {
  const judged = points.filter((point) => point.x >= warmUpCalls(totalCalls));
  const span = judged.length > 0 ? (judged.at(-1) as GrowthPoint).x - (judged[0] as GrowthPoint).x : 0;
  const slope = leastSquaresSlope(judged);
  const third = Math.max(1, Math.floor(judged.length / 3));
  const growth =
    judged.length === 0
      ? 0
      : Math.min(...judged.slice(-third).map((p) => p.y)) -
        Math.min(...judged.slice(0, third).map((p) => p.y));
  const applies = judged.length >= 4 && (!memory || span >= MIN_JUDGED_SPAN_FOR_MEMORY);
  return {
    slope,
    growth,
    span,
    judged: applies,
    grows:
      applies &&
      slope > limits.perCall &&
      growth > Math.max((limits.perCall * span) / 2, limits.noiseAllowance),
  };
}

function leastSquaresSlope(points: readonly GrowthPoint[]): number {
  if (points.length < 2) return Number.NaN;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}
