import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

function runChild(signal: NodeJS.Signals): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@voxline/source', '--import', 'tsx', join(here, 'fixtures', 'runner-child.ts')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('started') && !child.killed) child.kill(signal);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('PipelineRunner', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`cancels the running task cleanly on ${signal}`, async () => {
      const { code, output } = await runChild(signal);
      expect(output.trim().split('\n')).toEqual(['started', 'cleanup', 'ended cancel']);
      expect(code).toBe(0);
    });
  }
});
