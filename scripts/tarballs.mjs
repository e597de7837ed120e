// Helpers of the packing scripts (pack-packages.mjs, check-outside-repo.mjs): the repository
// root, running a command that must succeed, and reading npm tarballs with the system `tar`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `command` with `args`, output shown; exits this process with 1 when it fails.
 * `options` go to spawnSync (`cwd`, `env`).
 */
export function run(command, args, options = {}) {
  const shown = [command === process.execPath ? 'node' : command, ...args].join(' ');
  console.log(`$ ${shown}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`FAILED (exit ${result.status ?? result.signal}): ${shown}`);
    process.exit(1);
  }
}

/**
 * The file name `pnpm pack` and `npm pack` give a package's tarball: the name without `@`, `/`
 * turned to `-`, then the version (`@voxline/core` 0.1.0 → `voxline-core-0.1.0.tgz`).
 */
export function tarballName(manifest) {
  return `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;
}

/** The paths inside a tarball (`package/...`). */
export function listTarball(tarball) {
  return tar(['-tzf', tarball]).split('\n').filter(Boolean);
}

/** The package.json inside a tarball, parsed. */
export function readPackageJsonOfTarball(tarball) {
  return JSON.parse(tar(['-xzOf', tarball, 'package/package.json']));
}

function tar(args) {
  const result = spawnSync('tar', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tar ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}
