/**
 * What the Redis shared state costs per operation: the latency of each call-directory,
 * de-duplication and command-bus operation a call makes, measured one after another (each
 * awaited, as a webhook handler awaits them) against a real redis-server on loopback.
 *
 * Operations and the Redis round trips each makes:
 *
 * | operation | round trips |
 * |---|---|
 * | `PING` (the health check; the floor) | 1 |
 * | `calls.put`, new call or merge into an existing one | 2 (`GET`, compare-and-set script) |
 * | `calls.get` | 1 |
 * | `calls.update` | 2 (`GET`, compare-and-set script) |
 * | `calls.findByReference` | 2 (`GET` the reference, `GET` the call) |
 * | `deduplication.claim` | 1 (`SET NX PX`) |
 * | bus command A → B and its answer | 2 (publish script; B's `PUBLISH` of the answer) plus both deliveries |
 */
import { redisSharedState, type SharedState, webhookEventKey } from '@voxline/call-control';
import { type BenchmarkRow, percentile } from '../lib/report.js';

/** Options of {@link measureRedisRoundTrips}. */
export interface RedisRoundTripOptions {
  /** The Redis to measure against (`redis://host:port`). */
  url: string;
  /** Timed runs; in each, every case runs `samplesPerRun` operations, in turn. */
  runs: number;
  /** Operations per case per run. */
  samplesPerRun: number;
  /** Untimed runs before the timed ones (JIT, connection warm-up). */
  warmupRuns: number;
}

/** One case: its name, its round trips, and one operation (the sample index keeps keys unique). */
interface OperationCase {
  name: string;
  roundTrips: number;
  run(a: SharedState, b: SharedState, index: number): Promise<unknown>;
}

function callRecord(index: number) {
  return {
    carrier: 'telnyx' as const,
    callId: `v3:benchmark-${index}`,
    reference: `reference-${index}`,
    direction: 'inbound' as const,
    from: '+15550001111',
    to: '+15550002222',
    context: { agent: 'support' },
    state: 'initiated' as const,
  };
}

const cases: OperationCase[] = [
  { name: 'PING (health check)', roundTrips: 1, run: (a) => a.health() },
  { name: 'calls.put (new call)', roundTrips: 2, run: (a, _b, index) => a.calls.put(callRecord(index)) },
  {
    name: 'calls.put (merge into existing)',
    roundTrips: 2,
    run: (a, _b, index) => a.calls.put({ ...callRecord(index), context: { data: { retry: true } } }),
  },
  { name: 'calls.get', roundTrips: 1, run: (a, _b, index) => a.calls.get(`v3:benchmark-${index}`) },
  {
    name: 'calls.update (media instance)',
    roundTrips: 2,
    run: (a, b, index) => a.calls.update(`v3:benchmark-${index}`, { mediaInstance: b.instanceId }),
  },
  {
    name: 'calls.findByReference',
    roundTrips: 2,
    run: (a, _b, index) => a.calls.findByReference(`reference-${index}`),
  },
  {
    name: 'deduplication.claim (new key)',
    roundTrips: 1,
    run: (a, _b, index) => a.deduplication.claim(webhookEventKey('telnyx', `event-${index}`), 60_000),
  },
  {
    name: 'bus command A → B, answered',
    roundTrips: 2,
    run: (a, b, index) => a.bus.send(b.instanceId, `v3:benchmark-${index}`, { type: 'speak', text: 'hello' }),
  },
];

/**
 * Measures each operation between two instances (two `redisSharedState`s with their own
 * connections, as two processes have) on one Redis. The cases take turns run after run, so that a
 * slow spell of a shared machine is spread over all of them instead of landing on one. Latencies
 * are in µs.
 */
export async function measureRedisRoundTrips(options: RedisRoundTripOptions): Promise<BenchmarkRow[]> {
  const prefix = `benchmark-${process.pid}:`;
  const a = redisSharedState({ url: options.url, prefix, instanceId: 'benchmark-a' });
  const b = redisSharedState({ url: options.url, prefix, instanceId: 'benchmark-b' });
  try {
    await b.bus.listen(async () => {});
    const latencies = cases.map((): number[] => []);
    // Warm-up runs have negative numbers; every case sees the same indexes in a run, in case order,
    // so `get` reads the calls `put` wrote just before, as in a real call.
    for (let run = -options.warmupRuns; run < options.runs; run += 1) {
      for (const [caseIndex, operation] of cases.entries()) {
        for (let sample = 0; sample < options.samplesPerRun; sample += 1) {
          const started = performance.now();
          await operation.run(a, b, run * options.samplesPerRun + sample);
          if (run >= 0) latencies[caseIndex]?.push((performance.now() - started) * 1_000);
        }
      }
    }
    const ping = percentile(latencies[0] ?? [], 50);
    return cases.map((operation, caseIndex) => {
      const measured = latencies[caseIndex] ?? [];
      const p50 = percentile(measured, 50);
      return {
        benchmark: 'redis-round-trips',
        case: operation.name,
        unit: 'µs',
        p50,
        p99: percentile(measured, 99),
        samples: measured.length,
        ratio: `${(p50 / ping).toFixed(1)}× a PING`,
        extra: { 'round trips': String(operation.roundTrips) },
      };
    });
  } finally {
    await a.close();
    await b.close();
  }
}
