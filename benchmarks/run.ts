/**
 * Runs the benchmarks (each `benchmarks/<name>/run.ts`) in their own processes, one after another,
 * so one benchmark's garbage and JIT state cannot skew the next. A benchmark that fails makes this
 * exit 1.
 *
 * Arguments are parsed with commander: `--help`, `--list` (names and one-line descriptions),
 * `--quick` (passed on to each benchmark: a smoke run), and benchmark names (default: all). An
 * unknown name or flag is refused with a "Did you mean …?" before anything runs, exit 2.
 * Progress goes to stderr: which benchmark, i of n, and the time taken, at its start, every
 * 30 s while it runs, and at its end.
 *
 * `soak` runs for hours at its defaults (2,000 calls, then 10 minutes of concurrent calls), so a
 * full run includes it only when it is named; a `--quick` run includes it (seconds).
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/run.ts [--quick] [name ...]
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { closestNames } from './lib/closest-names.js';
import { finishedLine, type RunPosition, runningLine, startedLine } from './lib/run-progress.js';

/** One line per benchmark, for `--list` and `--help`; a benchmark directory without one is listed as such. */
const descriptions: Record<string, string> = {
  codecs:
    'G.711, G.722, Opus and resampling per 20 ms frame, against alawmulaw, libsamplerate, Speex and LiveKit',
  concurrency:
    'most simultaneous real-time calls one server process holds (echo; echo + Silero VAD; echo + RNNoiseFilter)',
  hop: 'cost of one processor-to-processor hop, inline and queued, against Web and Node streams',
  'live-pipeline': 'latency at each hop of a live Telnyx call over a loopback WebSocket, at real time',
  'media-message-size':
    '20 ms against 40 ms outbound media messages: server CPU and latency on the same calls',
  'scale-out': 'Redis round trips of the shared state (call directory, de-duplication, command bus): p50/p99',
  soak: 'the offline agent server over silent, sequential and concurrent calls; fails on growth (runs only when named, or with --quick)',
  memory: 'memory over a one-hour call (with and without recording) and after 200 short calls',
  'noise-suppression':
    'RNNoiseFilter on JFK plus white noise: noise removed, speech kept, delay, cost per frame',
  'stt-accuracy':
    'offline STT word error rate on JFK: 8 kHz µ-law against 16 kHz G.722; pink noise with and without RNNoiseFilter',
  'telephony-path': 'carrier media message to frame and back through the real serializers, against peers',
  vad: 'WebRTC and Silero VAD cost per 20 ms frame, and calls per core',
  'voice-to-voice':
    "framework overhead from the caller's end of speech to the first reply audio (STT → LLM → TTS fakes)",
};

/** How often a running benchmark is reported as still running. */
const RUNNING_REPORT_MS = 30_000;
/** Exit code for a usage mistake (commander's default is 1, which here means a benchmark failed). */
const USAGE_EXIT_CODE = 2;

const here = dirname(fileURLToPath(import.meta.url));
/** Benchmarks too long for a full run of everything: run when named (or with --quick). */
const RUN_WHEN_NAMED = ['soak'];
const available = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .sort();

const program = new Command('benchmarks/run.ts')
  .description('Runs the benchmarks, each in its own Node process with --expose-gc, one after another.')
  .argument('[name...]', 'the benchmarks to run (default: all of them; see --list)')
  .option(
    '--quick',
    'smoke run: a few seconds per benchmark; results go to <name>.quick.*, which git ignores',
  )
  .option('--list', 'print the benchmarks with a one-line description each, and exit')
  .helpOption('-h, --help', 'print this help and exit')
  .showHelpAfterError("Run 'benchmarks/run.ts --help' for usage.")
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'benchmarks/run.ts: ')) })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE))
  .addHelpText('after', `\nBenchmarks:\n${listing()}`)
  // `pnpm run bench -- --quick` passes the `--` on; here it would end the options.
  .parse(withoutLeadingSeparator(process.argv.slice(2)), { from: 'user' });

const options = program.opts<{ quick?: boolean; list?: boolean }>();
if (options.list) {
  process.stdout.write(`${listing()}\n`);
  process.exit(0);
}
const chosen = program.processedArgs[0] as string[];
for (const name of chosen) {
  if (available.includes(name)) continue;
  const suggestions = closestNames(name, available);
  program.error(
    `benchmarks/run.ts: unknown benchmark '${name}'${suggestions.length > 0 ? `\n(Did you mean ${suggestions.join(' or ')}?)` : ''}\n` +
      `Benchmarks: ${available.join(', ')}`,
    { exitCode: USAGE_EXIT_CODE, code: 'benchmarks.unknownName' },
  );
}

const names =
  chosen.length === 0
    ? available.filter((name) => options.quick === true || !RUN_WHEN_NAMED.includes(name))
    : available.filter((name) => chosen.includes(name));
const runStartedAt = performance.now();
let failed = 0;
for (const [index, name] of names.entries()) {
  const exitCode = await runBenchmark({ name, index: index + 1, count: names.length });
  if (exitCode !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);

function withoutLeadingSeparator(args: string[]): string[] {
  return args[0] === '--' ? args.slice(1) : args;
}

/** `name  description`, one line per benchmark directory, names in one column. */
function listing(): string {
  const width = Math.max(...available.map((name) => name.length)) + 2;
  return available
    .map((name) => `  ${name.padEnd(width)}${descriptions[name] ?? '(no description in benchmarks/run.ts)'}`)
    .join('\n');
}

/** Runs one benchmark in its own process, reporting progress on stderr; resolves with its exit code. */
function runBenchmark(position: RunPosition): Promise<number | null> {
  const startedAt = performance.now();
  const runElapsed = () => performance.now() - runStartedAt;
  console.log(`\n### ${position.name}`);
  console.error(startedLine(position, runElapsed()));
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--conditions=@voxline/source',
      '--import',
      'tsx',
      join(here, position.name, 'run.ts'),
      ...(options.quick ? ['--quick'] : []),
    ],
    { stdio: 'inherit' },
  );
  // One timer per benchmark, every 30 s, in this process: the benchmark's own process is not touched.
  const running = setInterval(() => {
    console.error(runningLine(position, performance.now() - startedAt, runElapsed()));
  }, RUNNING_REPORT_MS);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      clearInterval(running);
      console.error(`${position.name} could not start: ${error.message}`);
      resolve(null);
    });
    child.on('close', (code) => {
      clearInterval(running);
      console.error(finishedLine(position, code, performance.now() - startedAt, runElapsed()));
      resolve(code);
    });
  });
}
