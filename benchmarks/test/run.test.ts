import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closestNames, editDistance } from '../lib/closest-names.js';
import { finishedLine, formatElapsed, runningLine, startedLine } from '../lib/run-progress.js';

const benchmarks = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(benchmarks, '..');
/** Every benchmark: each directory with a run.ts. */
const names = readdirSync(benchmarks, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchmarks, entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .sort();

/** Runs benchmarks/run.ts as `npm run bench` does. None of these arguments runs a benchmark. */
function runner(args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@voxline/source', '--import', 'tsx', join(benchmarks, 'run.ts'), ...args],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('benchmarks/run.ts', () => {
  it('--list prints every benchmark with a one-line description, and runs none', () => {
    const { code, stdout, stderr } = runner(['--list']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.trim().split(/\s+/)[0])).toEqual(names);
    for (const line of lines) expect(line).toMatch(/^ {2}[a-z0-9-]+ {2,}[^( ].{20,}$/);
    expect(stdout).not.toContain('no description');
  });

  it('--help describes the flags and lists the benchmarks', () => {
    const { code, stdout } = runner(['--help']);
    expect(code).toBe(0);
    for (const text of [
      'Usage: benchmarks/run.ts [options] [name...]',
      '--quick',
      '--list',
      '-h, --help',
      ...names,
    ])
      expect(stdout).toContain(text);
  });

  it('accepts the `--` that `pnpm run bench -- …` passes on', () => {
    const { code, stdout } = runner(['--', '--list']);
    expect(code).toBe(0);
    expect(stdout).toContain('codecs');
  });

  it.each([
    ['a misspelt name', ['codec'], "benchmarks/run.ts: unknown benchmark 'codec'", '(Did you mean codecs?)'],
    [
      'a misspelt name after a good one (which does not run)',
      ['hop', 'vda'],
      "benchmarks/run.ts: unknown benchmark 'vda'",
      '(Did you mean vad?)',
    ],
    ['a misspelt flag', ['--quik'], "benchmarks/run.ts: unknown option '--quik'", '(Did you mean --quick?)'],
  ])('%s: refused with a suggestion, exit 2', (_name, args, firstLine, suggestion) => {
    const { code, stdout, stderr } = runner(args);
    expect(code).toBe(2);
    expect(stdout).toBe(''); // no "### hop": nothing ran
    const lines = stderr.split('\n');
    expect(lines.slice(0, 2)).toEqual([firstLine, suggestion]);
    expect(stderr).toContain("Run 'benchmarks/run.ts --help' for usage.");
    expect(stderr).not.toMatch(/\[\d+\/\d+\]/); // no progress line
  });

  it('refuses a name with nothing close, listing the benchmarks', () => {
    const { code, stderr } = runner(['turbo']);
    expect(code).toBe(2);
    expect(stderr).not.toContain('Did you mean');
    expect(stderr).toContain(`Benchmarks: ${names.join(', ')}`);
  });
});

describe('closestNames', () => {
  it('suggests the names a typo is closest to, and nothing far', () => {
    expect(closestNames('codec', names)).toEqual(['codecs']);
    expect(closestNames('vda', names)).toEqual(['vad']);
    expect(closestNames('live-pipline', names)).toEqual(['live-pipeline']);
    expect(closestNames('turbo', names)).toEqual([]);
    expect(closestNames('hip', ['hop', 'hap', 'vad'])).toEqual(['hop', 'hap']);
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('vad', 'vda')).toBe(1);
    expect(editDistance('codecs', 'codec')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('progress lines', () => {
  const position = { name: 'hop', index: 3, count: 9 };

  it('reads like a stopwatch', () => {
    expect(formatElapsed(0)).toBe('0 s');
    expect(formatElapsed(59_999)).toBe('59 s');
    expect(formatElapsed(60_000)).toBe('1 min 00 s');
    expect(formatElapsed(16 * 60_000 + 5_000)).toBe('16 min 05 s');
    expect(formatElapsed(3_725_000)).toBe('1 h 02 min');
  });

  it('say which benchmark, i of n, and the time taken', () => {
    expect(startedLine(position, 250_000)).toBe('[3/9] hop: starting (run 4 min 10 s so far)');
    expect(runningLine(position, 60_000, 310_000)).toBe('[3/9] hop: running for 1 min 00 s (run 5 min 10 s)');
    expect(finishedLine(position, 0, 72_000, 322_000)).toBe('[3/9] hop: done in 1 min 12 s (run 5 min 22 s)');
    expect(finishedLine(position, 1, 5_000, 255_000)).toBe(
      '[3/9] hop: failed (exit 1) after 5 s (run 4 min 15 s)',
    );
    expect(finishedLine(position, null, 5_000, 255_000)).toBe(
      '[3/9] hop: failed (exit by signal) after 5 s (run 4 min 15 s)',
    );
  });
});
