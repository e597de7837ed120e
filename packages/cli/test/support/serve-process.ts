/** `voxline serve … --json` as a child process, for the tests of the server as a process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** node's arguments that run the CLI from its sources. */
export const cliNodeArgs = [
  '--conditions=@voxline/source',
  '--import',
  'tsx',
  join(repositoryRoot, 'packages', 'cli', 'src', 'bin.ts'),
];

/**
 * Spawns `voxline <args>` (add `--json`) and resolves with the process and the JSON line it prints
 * once it listens; rejects when it exits before.
 */
export function spawnServe(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ process: ChildProcess; banner: { baseUrl: string; webSocketUrl: string; workers?: number } }> {
  const child = spawn(process.execPath, [...cliNodeArgs, ...args], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const json = stdout.match(/\{[^{}]*"webSocketUrl"[^{}]*\}/);
      if (json !== null) resolve({ process: child, banner: JSON.parse(json[0]) });
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stdout}`)));
  });
}
