/**
 * Scale-out costs: the Redis round trips of the shared state (call directory, de-duplication,
 * command bus), with their p50/p99 latency, against a real redis-server started for the run on a
 * free loopback port (no persistence: the cost of the network round trip and the server's work,
 * not of the disk).
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/scale-out/run.ts [--quick]
 */
import { startRedisServer } from '@voxline/call-control/testing';
import { writeResults } from '../lib/report.js';
import { measureRedisRoundTrips } from './redis-round-trips.js';

const quick = process.argv.includes('--quick');
const redis = await startRedisServer({ appendOnly: false });
try {
  const rows = await measureRedisRoundTrips({
    url: redis.url,
    runs: quick ? 4 : 50,
    samplesPerRun: quick ? 50 : 100,
    warmupRuns: quick ? 1 : 5,
  });
  await writeResults('redis-round-trips', {
    title: 'Redis round trips of the shared state (one operation at a time)',
    notes: [
      'Two redisSharedState instances (own connections each, as two processes) on one redis-server on loopback, no persistence.',
      'Each operation is awaited before the next, as a webhook handler does; µs per operation, from the call to its result. The cases take turns in 100-operation slices (50 runs), so a slow spell of the machine is spread over all of them.',
      'p99 includes the scheduling noise of the machine (the run does not have the cores to itself); p50 is the cost to plan with.',
      'A call set up across instances typically costs: calls.put (2 round trips), one claim per webhook (1), calls.update when its media stream attaches (2), and a calls.get plus a bus command for each command sent from another instance.',
    ],
    rows,
    quick,
  });
} finally {
  await redis.stop();
}
