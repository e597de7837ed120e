/**
 * `voxline serve` as a process: on SIGTERM it drains its calls and exits 0 within the shutdown
 * timeout plus 2 s, also when a WebSocket upgrade arrives during the drain and when a peer has
 * stopped reading; and it will not start with no way to verify media streams (exit 2).
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CallerAudio, simulateCall } from 'voxline';
import WebSocket from 'ws';
import { cliNodeArgs, repositoryRoot, spawnServe } from './support/serve-process.js';

const root = repositoryRoot;
const jfkPath = join(root, '..', 'shared', 'data', 'jfk-16k.wav');
const SECRET = 'serve-shutdown-test-secret';
const nodeArgs = cliNodeArgs;
const quietEnv = (extra: Record<string, string> = {}) => {
  const env: NodeJS.ProcessEnv = { ...process.env, VOXLINE_LOG_LEVEL: 'silent', ...extra };
  for (const name of ['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY', 'TWILIO_AUTH_TOKEN', 'VOXLINE_STREAM_SECRET']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
};

let server: ChildProcess | undefined;
afterEach(() => {
  server?.kill('SIGKILL');
  server = undefined;
});

/** Starts `voxline serve --agent offline` on a free port; resolves with its WebSocket base URL. */
async function startServe(): Promise<{ process: ChildProcess; webSocketUrl: string }> {
  const started = await spawnServe(
    ['serve', '--agent', 'offline', '--port', '0', '--json'],
    quietEnv({ VOXLINE_STREAM_SECRET: SECRET }),
  );
  server = started.process;
  return { process: started.process, webSocketUrl: started.banner.webSocketUrl };
}

describe('voxline serve as a process', () => {
  it('will not start without a way to verify media streams: exit 2, naming the way out', () => {
    const result = spawnSync(process.execPath, [...nodeArgs, 'serve', '--agent', 'offline', '--port', '0'], {
      cwd: root,
      env: quietEnv(),
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--allow-unverified-streams');
    expect(result.stderr).toContain('VOXLINE_STREAM_SECRET');
  });

  it('on SIGTERM drains a call, turns a late upgrade away, cuts off a peer that stopped reading, and exits 0', async () => {
    const { process: child, webSocketUrl } = await startServe();
    // A real call in progress: the simulator as a Telnyx caller, proving its stream.
    const call = simulateCall({
      carrier: 'telnyx',
      url: `${webSocketUrl}/telnyx`,
      audio: CallerAudio.fromWavFile(jfkPath),
      script: { steps: [{ say: { fromMs: 0, toMs: 4000 } }, { hangUp: {} }] },
      credentials: { telnyxStreamSecret: SECRET },
    });
    // A peer that connected, then stopped reading its socket.
    const stalled = new WebSocket(`${webSocketUrl}/ws`);
    await once(stalled, 'open');
    stalled.pause();
    await new Promise((resolve) => setTimeout(resolve, 800));

    const startedAt = performance.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${webSocketUrl}/telnyx`);
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => resolve(0));
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    const elapsedMs = performance.now() - startedAt;
    server = undefined;
    expect(late).not.toBe(101);
    expect(code).toBe(0);
    // The default shutdown timeout is 10 s per call; the drain must end within it plus 2 s.
    expect(elapsedMs).toBeLessThan(12_000);
    const report = await call;
    expect(report.endedBy).toBe('agent');
    stalled.terminate();
  });
});
