#!/usr/bin/env node
// Builds every package of the workspace (packages/*) and packs each into an npm tarball, as
// `npm publish` would upload it, so an application or a plugin outside this repository can
// install Voxline before it is published:
//
//   node scripts/pack-packages.mjs [--out <dir>]      # default .voxline/packages
//
// Packing goes through pnpm, which rewrites the `workspace:*` ranges between Voxline packages to
// their versions (npm pack would leave `workspace:*` in the tarball, which npm cannot install).
// Each tarball is then checked: no `workspace:` range left, and every file its `exports`, `bin`
// and `files` name is inside it. Prints one line per tarball and the `npm install` command for
// them; exits 1 when a build, a pack or a check fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listTarball, readPackageJsonOfTarball, root, run, tarballName } from './tarballs.mjs';

const { values } = parseArgs({ options: { out: { type: 'string' }, 'skip-build': { type: 'boolean' } } });
const out = resolve(values.out ?? join(root, '.voxline', 'packages'));

if (!values['skip-build']) {
  console.log('Building every package (tsc project references)...');
  run(process.execPath, [join(root, 'scripts', 'pnpm.mjs'), 'run', '-s', 'build']);
}

const packageDirectories = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((directory) => existsSync(join(directory, 'package.json')))
  .sort();

mkdirSync(out, { recursive: true });
const problems = [];
const tarballs = [];
for (const directory of packageDirectories) {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  const tarball = join(out, tarballName(manifest));
  rmSync(tarball, { force: true });
  const result = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'pnpm.mjs'), '--dir', directory, 'pack', '--pack-destination', out],
    { encoding: 'utf8' },
  );
  if (result.status !== 0 || !existsSync(tarball)) {
    problems.push(`${manifest.name}: pnpm pack failed\n${result.stdout}${result.stderr}`);
    continue;
  }
  problems.push(...checkTarball(tarball, manifest));
  tarballs.push(tarball);
  const kilobytes = Math.round(statSync(tarball).size / 1024);
  console.log(`${manifest.name.padEnd(22)} ${relative(process.cwd(), tarball)} (${kilobytes} kB)`);
}

if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.map((line) => `  ${line}`).join('\n')}`);
  process.exit(1);
}
console.log(`\n${tarballs.length} packages in ${out}. Install them in an application with:`);
console.log(`  npm install ${tarballs.map((tarball) => tarball).join(' ')}`);

/** What is wrong with a packed tarball: `workspace:` ranges, or files it names but lacks. */
function checkTarball(tarball, manifest) {
  const packed = readPackageJsonOfTarball(tarball);
  const entries = new Set(listTarball(tarball));
  const found = [];
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith('workspace:'))
        found.push(`${manifest.name}: ${field}.${name} is ${range}`);
    }
  }
  for (const field of ['repository', 'homepage', 'keywords', 'exports', 'files']) {
    if (packed[field] === undefined) found.push(`${manifest.name}: package.json has no ${field}`);
  }
  const named = [...exportTargets(packed.exports), ...Object.values(packed.bin ?? {})];
  for (const target of named) {
    const path = `package/${target.replace(/^\.\//, '')}`;
    if (!entries.has(path)) found.push(`${manifest.name}: ${target} is named in package.json but not packed`);
  }
  for (const entry of packed.files ?? []) {
    const path = `package/${entry.replace(/^\.\//, '').replace(/\/$/, '')}`;
    if (![...entries].some((file) => file === path || file.startsWith(`${path}/`)))
      found.push(`${manifest.name}: files names ${entry}, which is not packed`);
  }
  return found;
}

/** Every file path in an `exports` map (every condition, the repository's source one included). */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}
