/**
 * Memory over a long call: does a call's memory grow with its length?
 *
 * One hour-long telephony echo call on the virtual clock (virtual-call.ts), without and with an
 * AudioBufferProcessor streaming the call to a WAV file (the recording policy: audio goes to disk
 * as it is aligned, about one 1 s chunk per track stays in memory). The process's heap and RSS are
 * read after a full garbage collection before the call, every 10 minutes of call time, and after
 * the call. Then 200 short calls (5 s each), one after another, show what a finished call leaves
 * behind.
 *
 * Run: node --expose-gc --conditions=@voxline/source --import tsx benchmarks/memory/run.ts [--quick]
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canCollectGarbage, loadNote, summarize } from '../lib/measure.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';
import { type MemoryReading, readMemory, runVirtualCall } from './virtual-call.js';

const quick = process.argv.includes('--quick');
const callMs = quick ? 20_000 : 3_600_000;
const checkpointEveryMs = quick ? 5_000 : 600_000;
const shortCalls = quick ? 2 : 200;
const shortCallMs = quick ? 3_000 : 5_000;
const MiB = 2 ** 20;

if (!canCollectGarbage()) throw new Error('run with --expose-gc (benchmarks/run.ts passes it)');

const notes: string[] = [loadNote('at the start of the run')];
const rows: BenchmarkRow[] = [];
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

function memoryRows(
  name: string,
  before: MemoryReading,
  readings: MemoryReading[],
  after: MemoryReading,
): void {
  // The first reading is taken at 0 s, before any audio: growth is measured from the second one,
  // once the call's buffers, code and caches exist.
  const settled = readings.slice(1);
  const first = settled[0] ?? readings[0];
  const last = readings.at(-1);
  if (first === undefined || last === undefined) return;
  const hours = (last.callMs - first.callMs) / 3_600_000;
  for (const [label, field] of [
    ['JavaScript heap used', 'heapUsed'],
    ['external (ArrayBuffers, Buffers)', 'external'],
    ['RSS', 'rss'],
  ] as const) {
    const values = settled.map((reading) => reading[field] / MiB);
    const growth = last[field] - first[field];
    const summary = summarize(values);
    rows.push({
      benchmark: 'memory',
      case: `${name}: ${label}`,
      unit: 'MiB',
      p50: summary.p50,
      p99: summary.max,
      samples: settled.length,
      extra: {
        'before the call': mib(before[field]),
        [`at ${first.callMs / 60_000} min`]: mib(first[field]),
        [`at ${last.callMs / 60_000} min`]: mib(last[field]),
        'growth per hour of call': `${(growth / MiB / hours).toFixed(2)} MiB`,
        'after the call': mib(after[field]),
        'every reading (MiB)': settled.map((reading) => mib(reading[field])).join(', '),
      },
    });
  }
}

for (const variant of [
  { name: 'echo', record: false },
  { name: 'echo + AudioBufferProcessor → WAV file', record: true },
]) {
  const wavPath = variant.record ? join(tmpdir(), `voxline-memory-${process.pid}.wav`) : undefined;
  const before = readMemory(-1);
  const result = await runVirtualCall({ durationMs: callMs, checkpointEveryMs, wavPath });
  const after = readMemory(-1);
  memoryRows(variant.name, before, result.readings, after);
  let fileNote = '';
  if (wavPath !== undefined) {
    const bytes = statSync(wavPath).size;
    fileNote = `, WAV file ${(bytes / MiB).toFixed(0)} MiB (${((bytes - 44) / 32_000 / 60).toFixed(1)} min of 16 kHz mono)`;
    rmSync(wavPath, { force: true });
  }
  notes.push(
    `${variant.name}: ${callMs / 60_000} min of call time simulated in ${(result.wallMs / 1000).toFixed(1)} s; ${result.framesSent} frames echoed${fileNote}.`,
  );
}

// Short calls one after another: what does a finished call leave behind?
const afterEach: MemoryReading[] = [];
const baseline = readMemory(-1);
for (let call = 0; call < shortCalls; call++) {
  const wavPath = join(tmpdir(), `voxline-memory-${process.pid}-${call}.wav`);
  await runVirtualCall({ durationMs: shortCallMs, checkpointEveryMs: shortCallMs * 2, wavPath });
  rmSync(wavPath, { force: true });
  afterEach.push(readMemory(-1));
}
const retained = afterEach.map((reading) => (reading.heapUsed - baseline.heapUsed) / MiB);
const lastRetained = afterEach.at(-1);
// The first calls still grow caches and compiled code; the slope is taken after a quarter of them.
const settledIndex = Math.floor(shortCalls / 4);
const firstRetained = afterEach[settledIndex];
rows.push({
  benchmark: 'memory',
  case: `${shortCalls} finished calls in a row (echo + WAV recording, ${shortCallMs / 1000} s each): heap above the baseline after each`,
  unit: 'MiB',
  p50: summarize(retained).p50,
  p99: summarize(retained).max,
  samples: retained.length,
  extra: {
    'before the call': mib(baseline.heapUsed),
    'after the first call': afterEach[0] ? mib(afterEach[0].heapUsed) : 'n/a',
    'after the last call': lastRetained ? mib(lastRetained.heapUsed) : 'n/a',
    'growth per finished call':
      firstRetained && lastRetained && shortCalls - 1 > settledIndex
        ? `${((lastRetained.heapUsed - firstRetained.heapUsed) / 1024 / (shortCalls - 1 - settledIndex)).toFixed(1)} KiB (from call ${settledIndex + 1} on)`
        : 'n/a',
  },
});

notes.push(
  'Every reading follows a full garbage collection (--expose-gc). p50 and p99 columns here are the median and the largest reading during the call (from the first reading after the call started, every 10 min of call time in a full run); the growth per hour compares the first and the last of them.',
  'The heap and external memory are what a leak would grow. RSS also holds memory V8 and the allocator keep reserved after a collection and return to the system when they choose, so it moves by tens of MiB between readings without a trend; read its column of readings rather than its growth.',
  'The call: Telnyx PCMU 8 kHz media of jfk-16k.wav (looped) into a TelephonyTransport + CallSession on a VirtualClock, pipeline at 16 kHz (input → Echo → paced output), marks echoed back; the recording variant adds AudioBufferProcessor (16 kHz mono, 1 s chunks) after the output, streaming to a WAV file in the temporary directory (deleted afterwards).',
  loadNote('at the end of the run'),
);

await writeResults('memory', {
  title: 'Memory over a one-hour call (virtual clock), with and without recording to a WAV file',
  notes,
  rows,
  quick,
});
