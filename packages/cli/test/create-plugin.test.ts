/**
 * `voxline create-plugin` generates a package that builds with tsc and passes its own tests (the
 * conformance suites) as generated.
 *
 * The generated package is given a `node_modules` as `npm install` would: `@voxline/core` links to
 * this repository's package (compiled to `dist/` first, as it is published) and the tools link to
 * the repository's. Its build and tests run in their own processes, from its own directory.
 * It is created inside this repository; scripts/check-outside-repo.mjs does the same with a real
 * `npm install`, outside the repository.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkoutPackagesDirectory,
  coreTarballName,
  createPlugin,
} from '../src/commands/create-plugin-command.js';
import { main } from '../src/commands/main.js';
import { capturedOutput as capture } from './support/captured-output.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');

/** The environment of a child process, without this test run's Vitest variables. */
function childEnvironment(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS',
  );
  return { ...Object.fromEntries(inherited), NO_COLOR: '1', FORCE_COLOR: '0' };
}

const coreVersion: string = JSON.parse(
  readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8'),
).version;
const savedPackagesVariable = process.env.VOXLINE_PACKAGES;

let scratch: string;
/** A folder of packed packages holding the packed @voxline/core, as pack-packages.mjs makes it. */
let packages: string;
beforeAll(async () => {
  // Inside the repository (its git-ignored .voxline/), as `npm run voxline -- create-plugin` puts
  // it: the plugin's tests must run on its own Vitest configuration, not the repository's.
  // scripts/check-outside-repo.mjs covers a plugin outside.
  mkdirSync(join(root, '.voxline'), { recursive: true });
  scratch = mkdtempSync(join(root, '.voxline', 'create-plugin-test-'));
  packages = join(scratch, 'packages');
  // The published shape of @voxline/core: dist/ (incremental: quick when already built), packed.
  await run(process.execPath, [tsc, '-b', join(root, 'packages', 'core', 'tsconfig.json')], { cwd: root });
  const pnpm = join(root, 'scripts', 'pnpm.mjs');
  await run(process.execPath, [
    pnpm,
    '--dir',
    join(root, 'packages', 'core'),
    'pack',
    '--pack-destination',
    packages,
  ]);
  process.env.VOXLINE_PACKAGES = packages;
}, 120_000);
afterAll(() => {
  if (savedPackagesVariable === undefined) delete process.env.VOXLINE_PACKAGES;
  else process.env.VOXLINE_PACKAGES = savedPackagesVariable;
  rmSync(scratch, { recursive: true, force: true });
});

describe('voxline create-plugin', () => {
  it('generates a package that builds with tsc and passes its conformance tests as generated', async () => {
    const directory = join(scratch, 'acme-echo');
    const output = capture();
    expect(await main(['create-plugin', 'acme-echo', '--dir', directory], output)).toBe(0);
    expect(output.lines[0]).toBe(`Created voxline-plugin-acme-echo in ${directory} (11 files).`);

    const tarball = join(packages, coreTarballName(coreVersion));
    expect(existsSync(tarball)).toBe(true);
    expect(output.lines).toContain(
      `@voxline/core comes from ${tarball} (a packed package, until Voxline is published).`,
    );
    expect(output.lines).toContain(`  cd ${directory}`);
    expect(output.warnings).toEqual([]);

    const packageJson = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    expect(packageJson.name).toBe('voxline-plugin-acme-echo');
    expect(packageJson.peerDependencies).toEqual({ '@voxline/core': `^${coreVersion}` });
    expect(packageJson.devDependencies['@voxline/core']).toBe(`file:${tarball}`);
    expect(packageJson.dependencies).toBeUndefined();
    expect(existsSync(join(directory, '.gitignore'))).toBe(true);
    expect(existsSync(join(directory, '.changeset', 'config.json'))).toBe(true);
    const service = readFileSync(join(directory, 'src', 'acme-echo-tts-service.ts'), 'utf8');
    expect(service).toContain('export class AcmeEchoTTSService extends SentenceTTSService');
    for (const file of ['package.json', 'README.md', 'src/index.ts', 'test/conformance.test.ts']) {
      expect(readFileSync(join(directory, file), 'utf8')).not.toMatch(
        /plugin-name|PluginName|VOXLINE_VERSION/,
      );
    }

    // What `npm install` would provide.
    mkdirSync(join(directory, 'node_modules', '@voxline'), { recursive: true });
    mkdirSync(join(directory, 'node_modules', '@types'), { recursive: true });
    symlinkSync(join(root, 'packages', 'core'), join(directory, 'node_modules', '@voxline', 'core'), 'dir');
    for (const name of ['typescript', 'vitest', '@types/node']) {
      symlinkSync(join(root, 'node_modules', name), join(directory, 'node_modules', name), 'dir');
    }
    const options = { cwd: directory, env: childEnvironment() };

    // `npm run typecheck` (src and test) and `npm run build` (src to dist), side by side.
    await Promise.all([
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], options),
      run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], options),
    ]);
    expect(existsSync(join(directory, 'dist', 'index.js'))).toBe(true);
    expect(readFileSync(join(directory, 'dist', 'index.d.ts'), 'utf8')).toContain('AcmeEchoTTSService');

    const tests = await run(process.execPath, [vitest, 'run', '--reporter', 'verbose'], options);
    expect(tests.stdout).toMatch(/Tests\s+\d+ passed/);
    expect(tests.stdout).not.toMatch(/failed|skipped/);
    expect(tests.stdout).toContain('an interruption drops late audio');
  }, 120_000);

  it('takes @voxline/core from the npm registry when no packed packages are given', () => {
    const created = createPlugin({ name: 'acme-registry', directory: join(scratch, 'acme-registry') });
    const packageJson = JSON.parse(readFileSync(join(created.directory, 'package.json'), 'utf8'));
    expect(created.coreDevDependency).toBe(`^${coreVersion}`);
    expect(packageJson.devDependencies['@voxline/core']).toBe(`^${coreVersion}`);
  });

  it('defaults to the checkout’s .voxline/packages only when run from a checkout', () => {
    expect(checkoutPackagesDirectory(join(root, 'packages', 'cli'))).toBe(join(root, '.voxline', 'packages'));
    const installed = join(scratch, 'app', 'node_modules', 'voxline');
    mkdirSync(installed, { recursive: true });
    expect(checkoutPackagesDirectory(installed)).toBeUndefined();
  });

  it('refuses a packages folder without the packed @voxline/core, says how to make it, and writes nothing', async () => {
    const empty = join(scratch, 'no-packages');
    mkdirSync(empty);
    const directory = join(scratch, 'acme-nothing');
    const stderr: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => stderr.push(text) > 0) as typeof process.stderr.write;
    process.env.VOXLINE_PACKAGES = empty;
    try {
      expect(await main(['create-plugin', 'acme', '--dir', directory], capture())).toBe(1);
    } finally {
      process.stderr.write = write;
      process.env.VOXLINE_PACKAGES = packages;
    }
    expect(existsSync(directory)).toBe(false);
    expect(stderr.join('')).toContain(
      `no packed @voxline/core ${coreVersion} (voxline-core-${coreVersion}.tgz) in ${empty}: pack Voxline into it: node scripts/pack-packages.mjs --out ${empty}`,
    );
  });

  it('refuses a name that is not kebab case, and writes nothing', async () => {
    const output = capture();
    const stderr: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((text: string) => stderr.push(text) > 0) as typeof process.stderr.write;
    try {
      expect(await main(['create-plugin', 'Acme_Echo', '--dir', join(scratch, 'bad-name')], output)).toBe(2);
      const occupied = join(scratch, 'occupied');
      mkdirSync(occupied);
      writeFileSync(join(occupied, 'notes.txt'), 'keep me');
      expect(await main(['create-plugin', 'acme', '--dir', occupied], output)).toBe(2);
      expect(readFileSync(join(occupied, 'notes.txt'), 'utf8')).toBe('keep me');
      expect(await main(['create-plugin', '--dir', join(scratch, 'no-name')], output)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(existsSync(join(scratch, 'bad-name'))).toBe(false);
    expect(stderr.join('')).toMatch(/kebab case[\s\S]*not an empty directory[\s\S]*needs a name/);
  });
});
