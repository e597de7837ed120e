#!/usr/bin/env node
// Makes a fresh clone ready, so `npm run demo` and `npm test` work with only Node and npm present:
// 1. the Debian packages of scripts/system-packages.txt: when one is missing and this runs as root
//    with apt-get, `apt-get update` once and install them (one line of output); otherwise print the
//    command to run. When all are present this costs a PATH lookup per package.
// 2. the workspace, on first use or when the lockfile changed since the last install.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCommand, missingPackages } from './system-packages.mjs';

installSystemPackages();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockfile = join(root, 'pnpm-lock.yaml');
const marker = join(root, 'node_modules', '.voxline-install');
const lockHash = existsSync(lockfile)
  ? createHash('sha256').update(readFileSync(lockfile)).digest('hex')
  : 'no-lockfile';

if (existsSync(marker) && readFileSync(marker, 'utf8') === lockHash) process.exit(0);

const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const args = ['--yes', pinned, 'install'];
if (existsSync(lockfile)) args.push('--frozen-lockfile');
console.log(`Installing the workspace with ${pinned} ...`);
const result = spawnSync('npx', args, {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' },
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(marker, lockHash);

function installSystemPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const names = missing.map((entry) => entry.name);
  const canInstall =
    process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canInstall) {
    console.warn(
      `Missing Debian packages (the tests and the demo that need them will fail):\n` +
        missing.map((entry) => `  ${entry.name}: ${entry.why}\n`).join('') +
        `Install them with:\n  ${installCommand(names)}`,
    );
    return;
  }
  console.log(
    `Installing Debian packages ${names.join(', ')} with apt-get (see scripts/system-packages.txt) ...`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...names],
  ]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
      process.exit(result.status ?? 1);
    }
  }
}
