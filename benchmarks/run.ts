/**
 * Runs every benchmark (each `benchmarks/<name>/run.ts`) in its own process, one after another,
 * so one benchmark's garbage and JIT state cannot skew the next. Flags are passed through
 * (`--quick` for a smoke run). A benchmark that fails makes this exit non-zero.
 *
 * `soak` runs for hours at its defaults (2,000 calls, then 10 minutes of concurrent calls), so a
 * full run includes it only when it is named; a `--quick` run includes it (seconds).
 *
 * Run: node --conditions=@voxline/source --import tsx benchmarks/run.ts [--quick] [name ...]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Benchmarks too long for a full run of everything: run when named (or with --quick). */
const RUN_WHEN_NAMED = ['soak'];
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const chosen = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const names = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'run.ts')))
  .map((entry) => entry.name)
  .filter((name) =>
    chosen.length === 0 ? flags.includes('--quick') || !RUN_WHEN_NAMED.includes(name) : chosen.includes(name),
  )
  .sort();

let failed = 0;
for (const name of names) {
  console.log(`\n### ${name}`);
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--conditions=@voxline/source', '--import', 'tsx', join(here, name, 'run.ts'), ...flags],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) {
    console.error(`benchmark ${name} failed with exit code ${result.status}`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);
