#!/usr/bin/env node
// Runs the pinned pnpm, so a machine with only Node and npm needs nothing preinstalled.
// Prefers the copy installed in node_modules; falls back to `npx pnpm@<pinned>`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const localPnpm = join(root, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

// onnxruntime-node's install script downloads GPU binaries from a host outside the npm
// registry; its CPU binaries ship inside the package, so the download is never needed.
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' };
const args = process.argv.slice(2);
const result = existsSync(localPnpm)
  ? spawnSync(process.execPath, [localPnpm, ...args], { stdio: 'inherit', cwd: root, env })
  : spawnSync('npx', ['--yes', pinned, ...args], { stdio: 'inherit', cwd: root, env });
process.exit(result.status ?? 1);
