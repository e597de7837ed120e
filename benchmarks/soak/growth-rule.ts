/**
 * When the soak benchmark calls a resource "growing": the rule, in one place.
 *
 * Readings are taken at quiescence — no call in progress, after a full garbage collection in the
 * server — every few sequential calls, with `x` the number of calls finished. The first quarter of
 * the calls (at least 10) is warm-up: code is compiled, caches and pools fill, and nothing of it
 * is judged. Over the remaining readings:
 *
 * - `slope` is the least-squares slope of the value against calls finished;
 * - `growth` is the median of the last three readings minus the median of the first three (robust
 *   to one noisy reading at either end).
 *
 * A resource grows when both `slope > limitPerCall` and `growth > limitPerCall × span / 2` (span:
 * calls between the first and the last judged reading): a real leak shows in the trend and in the
 * net change; noise moves one of them, rarely both. Memory limits (heap, RSS) are judged only once
 * at least 100 calls are past the warm-up; before that, garbage-collector and allocator noise of a
 * few hundred KiB exceeds any per-call limit worth having. Counted resources (file descriptors,
 * threads) are judged from any span: they do not drift by themselves.
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
  /** Median of the last three judged readings minus median of the first three. */
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
 * @param limitPerCall - the largest growth per call accepted, in the value's unit.
 * @param memory - true for heap and RSS, which are judged only over enough calls.
 */
export function judgeGrowth(
  points: readonly GrowthPoint[],
  totalCalls: number,
  limitPerCall: number,
  memory: boolean,
): GrowthVerdict {
  const judged = points.filter((point) => point.x >= warmUpCalls(totalCalls));
  const span = judged.length > 0 ? (judged.at(-1) as GrowthPoint).x - (judged[0] as GrowthPoint).x : 0;
  const slope = leastSquaresSlope(judged);
  const growth =
    judged.length === 0
      ? 0
      : median(judged.slice(-3).map((p) => p.y)) - median(judged.slice(0, 3).map((p) => p.y));
  const applies = judged.length >= 4 && (!memory || span >= MIN_JUDGED_SPAN_FOR_MEMORY);
  return {
    slope,
    growth,
    span,
    judged: applies,
    grows: applies && slope > limitPerCall && growth > (limitPerCall * span) / 2,
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
