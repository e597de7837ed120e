/**
 * `voxline create-plugin` generates a package that builds with tsc and passes its own tests (the
 * conformance suites) as generated.
 *
 * The generated package is given a `node_modules` as `npm install` would: `@voxline/core` links to
 * this repository's package (compiled to `dist/` first, as it is published) and the tools link to
 * the repository's. Its build and tests run in their own processes, from its own directory.
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
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let scratch: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'voxline-create-plugin-'));
  // The published shape of @voxline/core: dist/ (incremental: quick when already built).
  await run(process.execPath, [tsc, '-b', join(root, 'packages', 'core', 'tsconfig.json')], { cwd: root });
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('voxline create-plugin', () => {
  it('generates a package that builds with tsc and passes its conformance tests as generated', async () => {
    const directory = join(scratch, 'acme-echo');
    const output = capture();
    expect(await main(['create-plugin', 'acme-echo', '--dir', directory], output)).toBe(0);
    expect(output.lines[0]).toBe(`Created voxline-plugin-acme-echo in ${directory} (10 files).`);

    const packageJson = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    expect(packageJson.name).toBe('voxline-plugin-acme-echo');
    const coreVersion = JSON.parse(
      readFileSync(join(root, 'packages', 'core', 'package.json'), 'utf8'),
    ).version;
    expect(packageJson.peerDependencies).toEqual({ '@voxline/core': `^${coreVersion}` });
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
