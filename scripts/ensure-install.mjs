#!/usr/bin/env node
// Installs the workspace on first use (or when the lockfile changed since the last install),
// so `npm run demo` and `npm test` work on a fresh clone with only Node and npm present.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
