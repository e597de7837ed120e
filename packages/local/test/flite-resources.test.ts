/**
 * What the Flite synthesizer holds over many requests and when its worker dies: open file
 * descriptors of the process must not grow with the number of replies spoken (each one used to
 * leave its WASI preopen open), and a dead worker must be replaced.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { rmsDbfs } from '@voxline/audio';
import { FliteSynthesizer } from '@voxline/local';
import { afterAll, describe, expect, it } from 'vitest';

/** Open file descriptors of this process (Linux). */
function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('FliteSynthesizer resources', () => {
  // The synthesizer's current worker thread, to kill it from outside as a crash would.
  let latestWorker: Worker | undefined;
  const synthesizer = new FliteSynthesizer({ onWorkerStart: (worker) => (latestWorker = worker) });
  const currentWorker = (): Worker => {
    if (latestWorker === undefined) throw new Error('the synthesizer started no worker');
    return latestWorker;
  };
  afterAll(() => synthesizer.close());

  it('keeps the open file descriptors flat over 300 syntheses', async () => {
    await synthesizer.synthesize('Warm up.', 'kal');
    const before = openDescriptors();
    for (let reply = 0; reply < 300; reply++) {
      const audio = await synthesizer.synthesize(`Turn ${reply + 1}. You said: hello.`, 'kal');
      expect(audio.samples.length).toBeGreaterThan(4000);
    }
    // A leak of one descriptor per synthesis would add 300; allow a few for the test runner.
    expect(openDescriptors() - before).toBeLessThanOrEqual(3);
  }, 120_000);

  it('writes a long reply whole, in memory, audible', async () => {
    const sentence = 'This sentence is long enough that the output file grows past its first buffer. '.repeat(
      8,
    );
    const long = await synthesizer.synthesize(sentence, 'slt');
    expect(long.sampleRate).toBe(16000);
    // Over a hundred words: well over 20 s of speech, so the in-memory file grew several times.
    expect(long.samples.length / long.sampleRate).toBeGreaterThan(20);
    expect(rmsDbfs(long.samples)).toBeGreaterThan(-30);
  }, 60_000);

  it('replaces a worker that died, failing only the request it held', async () => {
    const startedBefore = synthesizer.workersStarted;
    const held = synthesizer.synthesize('This request is in the worker when it dies.', 'kal');
    await currentWorker().terminate();
    await expect(held).rejects.toThrow(/the Flite worker exited/);
    await expect(held).rejects.toMatchObject({ name: 'FliteError', code: 'worker-exited', exitCode: 1 });
    const after = await synthesizer.synthesize('Still speaking after the crash.', 'kal');
    expect(after.samples.length).toBeGreaterThan(4000);
    expect(synthesizer.workersStarted).toBe(startedBefore + 1);
  });

  it('replaces a worker that died between requests', async () => {
    const startedBefore = synthesizer.workersStarted;
    await currentWorker().terminate();
    const audio = await synthesizer.synthesize('Hello again.', 'kal');
    expect(audio.samples.length).toBeGreaterThan(4000);
    expect(synthesizer.workersStarted).toBe(startedBefore + 1);
  });

  it('rejects requests after close', async () => {
    const closing = new FliteSynthesizer();
    await closing.close();
    await expect(closing.synthesize('No.', 'kal')).rejects.toThrow(/closed/);
    await expect(closing.synthesize('No.', 'kal')).rejects.toMatchObject({
      name: 'FliteError',
      code: 'synthesizer-closed',
    });
  });
});

describe('FliteSynthesizer in an ES-module entry point', () => {
  it('synthesizes when the process was started with --input-type=module (its worker is CommonJS)', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=@voxline/source',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { FliteSynthesizer } from '@voxline/local';
         const synthesizer = new FliteSynthesizer();
         const audio = await synthesizer.synthesize('Hello.', 'kal');
         synthesizer.close();
         console.log(audio.samples.length);`,
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.stderr).toBe('');
    expect(Number(result.stdout.trim())).toBeGreaterThan(1000);
  }, 70_000);
});
