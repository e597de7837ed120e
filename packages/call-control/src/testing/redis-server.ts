/**
 * A real `redis-server` (Debian's package; `npm test` installs it) for tests of the Redis stores:
 * started on a free loopback port with its own temporary directory, stopped and removed after.
 * It can be restarted on the same port (what a Redis failover or an upgrade looks like to the
 * clients) and keeps its data across restarts through its append-only file, as a production Redis
 * that holds BullMQ jobs should (https://docs.bullmq.io/guide/going-to-production).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VoxlineError } from '@voxline/core';

/** A running test Redis. */
export interface RedisServerProcess {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM: it writes its data first) and starts it again on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server for good and removes its directory. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Keep data across restarts in an append-only file (fsync every write); default true. */
  appendOnly?: boolean;
  /** How long to wait for the server to accept connections, in ms; default 10,000. */
  startTimeoutMs?: number;
}

/**
 * Starts `redis-server` on 127.0.0.1 at a free port.
 *
 * @throws {VoxlineError} `redis-server-missing` when `redis-server` is not on the PATH, or
 *   `redis-server-failed` when it exits or does not get ready in time (with its output).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerProcess> {
  const directory = await mkdtemp(join(tmpdir(), 'voxline-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    directory,
    '--save',
    '',
    '--appendonly',
    options.appendOnly === false ? 'no' : 'yes',
    '--appendfsync',
    'always',
    // BullMQ needs Redis to keep its keys whatever the memory (https://docs.bullmq.io/guide/going-to-production).
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
  ];
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let server = await launch(args, timeoutMs);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(restartOptions = {}) {
      await terminate(server);
      if (restartOptions.downMs !== undefined)
        await new Promise((resolve) => setTimeout(resolve, restartOptions.downMs));
      server = await launch(args, timeoutMs);
    },
    async stop() {
      await terminate(server);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function launch(args: string[], timeoutMs: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const fail = (error: VoxlineError) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new VoxlineError(
            'redis-server-failed',
            `redis-server did not get ready in ${timeoutMs} ms:\n${output}`,
          ),
        ),
      timeoutMs,
    );
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onOutput);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      fail(
        error.code === 'ENOENT'
          ? new VoxlineError(
              'redis-server-missing',
              "redis-server is not installed: `npm test` installs Debian's redis-server as root, or run `sudo apt-get install -y redis-server`",
            )
          : new VoxlineError('redis-server-failed', `redis-server could not start: ${error.message}`, {
              cause: error,
            }),
      );
    });
    child.once('exit', (code, signal) => {
      if (output.includes('Ready to accept connections')) return;
      fail(
        new VoxlineError(
          'redis-server-failed',
          `redis-server exited (${signal ?? code}) before it was ready:\n${output}`,
        ),
      );
    });
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
