/**
 * Media message size: what 40 ms outbound media messages (`mediaMessageMs: 40`, the output chunk
 * Pipecat writes) save against the default 20 ms, on the concurrency benchmark's echo calls.
 *
 * Two echo servers in this process, identical but for `mediaMessageMs`, take turns: the same N
 * calls from the carrier process (benchmarks/lib/carrier-load-client.ts) stream against one, then
 * the other, for several rounds, so both see the same machine and the noise of a shared VM falls on
 * both alike. Each step is measured as in the concurrency benchmark (load-step.ts): server CPU,
 * added latency against the pacing schedule (for 40 ms messages, against the later of the
 * message's last caller frame and its slot), arrival wait, and whether it held real time. The
 * summary compares CPU per call-second round by round.
 *
 * Run: node --expose-gc --conditions=@voxline/source --import tsx benchmarks/media-message-size/run.ts [--quick]
 */
import { runLoadStep, stepRow } from '../concurrency/load-step.js';
import { startEchoServer } from '../lib/echo-server.js';
import { loadNote, summarize } from '../lib/measure.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';

const quick = process.argv.includes('--quick');
const calls = quick ? 10 : 100;
const rounds = quick ? 1 : 3;
const streamMs = quick ? 2_000 : 12_000;
const warmupMs = quick ? 500 : 3_000;
const MESSAGE_SIZES = [20, 40] as const;

const notes: string[] = [loadNote('at the start of the run')];
const rows: BenchmarkRow[] = [];

const servers = await Promise.all(
  MESSAGE_SIZES.map((mediaMessageMs) => startEchoServer({ vad: false, pipelineRate: 16000, mediaMessageMs })),
);
const cpuPerCallSecond = new Map<number, number[]>(MESSAGE_SIZES.map((size) => [size, []]));
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [index, messageMs] of MESSAGE_SIZES.entries()) {
      const step = await runLoadStep(servers[index] as (typeof servers)[number], calls, streamMs, warmupMs);
      rows.push(
        stepRow(
          'media-message-size',
          `echo, ${messageMs} ms media messages, ${calls} calls, round ${round}`,
          step,
        ),
      );
      cpuPerCallSecond.get(messageMs)?.push((step.serverCores * 1000) / calls);
    }
  }
} finally {
  for (const server of servers) await server.close();
}

const twenty = cpuPerCallSecond.get(20) ?? [];
const forty = cpuPerCallSecond.get(40) ?? [];
const ratios = forty.map((value, round) => value / (twenty[round] as number));
const ratio = summarize(ratios);
rows.push({
  benchmark: 'media-message-size',
  case: `CPU per call-second, 40 ms / 20 ms media messages (${calls} calls, round by round)`,
  unit: 'ratio',
  p50: ratio.p50,
  p99: ratio.p99,
  samples: ratios.length,
  extra: {
    'CPU ms per call-second, 20 ms (median)': summarize(twenty).p50.toFixed(2),
    'CPU ms per call-second, 40 ms (median)': summarize(forty).p50.toFixed(2),
  },
  ratio: `40 ms messages use ${((1 - ratio.p50) * 100).toFixed(0)} % less server CPU per call (median of ${ratios.length} rounds)`,
});

notes.push(
  `Each step: ${calls} echo calls (Telnyx PCMU 8 kHz, pipeline at 16 kHz both ways) connect, stream ${streamMs / 1000} s of jfk-16k.wav at real time from a second process, and hang up; the first ${warmupMs / 1000} s and the last 0.3 s are not measured. The two servers take turns, ${rounds} round(s) each, 20 ms first.`,
  'Server cores = server process CPU time / wall time while streaming; CPU ms per call-second = that × 1000 / calls. Added latency and "held real time" as in the concurrency benchmark (benchmarks/concurrency/load-step.ts).',
  loadNote('at the end of the run'),
);
await writeResults('media-message-size', {
  title: 'Outbound media messages of 20 ms and 40 ms on echo calls (same N, taking turns)',
  notes,
  rows,
  quick,
});
process.exit(0);
