/**
 * `voxline serve --agent <name> [--host 127.0.0.1] [--port 8765] [--workers N]`: run an agent
 * server until SIGINT/SIGTERM (calls in progress end gracefully). For each call it prints what the
 * agent heard, what it replied, and the services' response times (TTFB, processing) as they are
 * measured. With `--workers N` > 1, N worker processes share the port (see worker-supervisor.ts).
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import {
  checkRecordingsDirectory,
  LocalDirectoryRecordingStorage,
  redisSharedState,
  type SharedState,
} from '@voxline/call-control';
import { createLogger } from '@voxline/core';
import { loadAgent } from '../agents/agent-registry.js';
import { startAgentServer, UnverifiedStreamsError } from '../server/agent-server.js';
import { formatConversationEvent } from '../server/conversation-events.js';
import {
  connectWorkerToPrimary,
  superviseWorkers,
  WORKER_INDEX_VARIABLE,
} from '../server/worker-supervisor.js';
import { CliError } from './cli-error.js';
import type { CommandOutput } from './terminal-output.js';

/** Parsed options of `serve`. */
export interface ServeOptions {
  agent: string | undefined;
  host?: string;
  port?: string;
  /** Serve media streams that cannot be verified (local development only). */
  allowUnverifiedStreams?: boolean;
  /**
   * Worker processes sharing the port (`--workers`); default the number of cores with Redis, 1
   * without (several workers without shared state cannot take webhooks).
   */
  workers?: string;
  /** Redis for the state the workers and instances share (`--redis`); default `REDIS_URL`. */
  redis?: string;
  /** Where the environment is read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The environment variables of shared state and recordings, with what each is for. */
export const scaleOutEnvironment = {
  REDIS_URL:
    'Redis (redis://[user:password@]host:port[/db], rediss:// for TLS) for the call state, webhook claims, commands and recording jobs that workers and instances share (same as --redis)',
  VOXLINE_REDIS_PREFIX:
    "prefix of every Redis key and channel, one per application sharing a Redis (default: 'voxline:')",
  VOXLINE_RECORDINGS_DIR:
    'record answered Telnyx and Twilio calls (dual-channel WAV at the carrier) and keep the recordings in this existing directory; with Redis, downloads are durable jobs any instance finishes',
  VOXLINE_RECORDING_JOB_LOCK_MS:
    "how long a recording download stays locked to the instance running it, in ms: another instance takes over a dead instance's job after about this long (default 30000)",
} as const;

/** The reason webhook routes are refused when workers share no state. */
export const WORKERS_WITHOUT_SHARED_STATE =
  "several workers share no call state without --redis: a call's webhooks and media stream may reach different workers";

/**
 * Parses `--workers`: a whole number from 1 to 256; absent, `fallback`.
 *
 * @throws {CliError} (exit 2) for anything else.
 */
export function parseWorkers(value: string | undefined, fallback = 1): number {
  if (value === undefined) return fallback;
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256)
    throw new CliError(`--workers must be a whole number from 1 to 256, got '${value}'`, 2);
  return workers;
}

/** Parses a TCP port. */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be 0-65535, got '${value}'`, 2);
  return port;
}

/** The `serve` command; resolves when the server has closed. */
export async function serveCommand(options: ServeOptions, output: CommandOutput): Promise<number> {
  const logger = createLogger({ defaultLevel: 'info' });
  const env = options.env ?? process.env;
  const redisUrl = options.redis ?? (env.REDIS_URL || undefined);
  const workers = parseWorkers(options.workers, redisUrl !== undefined ? availableParallelism() : 1);
  if (workers > 1 && cluster.isPrimary) {
    return superviseWorkers({
      workers,
      logger,
      onListening: (urls) =>
        printBanner(
          output,
          `Agent '${options.agent}' on ${workers} worker processes sharing one port`,
          urls,
          redisUrl === undefined
            ? [`note: webhook routes answer 503: ${WORKERS_WITHOUT_SHARED_STATE}`]
            : [`  shared state:  Redis ${redactedRedisUrl(redisUrl)}`],
          { agent: options.agent, workers, ...(redisUrl !== undefined ? { sharedState: 'redis' } : {}) },
        ),
    });
  }
  const recordings = await recordingSettingsOf(env, redisUrl);
  const prefix = env.VOXLINE_REDIS_PREFIX || undefined;
  const sharedState: SharedState | undefined =
    redisUrl !== undefined
      ? redisSharedState({ url: redisUrl, logger, ...(prefix !== undefined ? { prefix } : {}) })
      : undefined;
  const workerIndex = cluster.isWorker ? Number(process.env[WORKER_INDEX_VARIABLE] ?? 0) : undefined;
  const agent = await loadAgent(options.agent);
  for (const notice of agent.notices) output.warn(`note: ${notice}`);
  let server: Awaited<ReturnType<typeof startAgentServer>>;
  try {
    server = await startAgentServer({
      agent,
      host: options.host ?? '127.0.0.1',
      port: parsePort(options.port, 8765),
      logger,
      // A worker drains when its primary says so (connectWorkerToPrimary), not on every signal.
      handleSignals: workerIndex === undefined,
      ...(workerIndex !== undefined ? { workerIndex } : {}),
      ...(workerIndex !== undefined && sharedState === undefined
        ? { refuseWebhooks: WORKERS_WITHOUT_SHARED_STATE }
        : {}),
      ...(sharedState !== undefined ? { sharedState } : {}),
      ...(recordings !== undefined ? { recordings } : {}),
      env,
      allowUnverifiedStreams: options.allowUnverifiedStreams === true,
      onConversation: (event) => {
        for (const line of formatConversationEvent(event)) output.line(line);
      },
    });
  } catch (error) {
    await agent.close?.();
    await sharedState?.close();
    throw new CliError(
      `cannot start the server: ${(error as Error).message}`,
      error instanceof UnverifiedStreamsError ? 2 : 1,
    );
  }
  // The server leaves a shared state it was given open: close it after the server.
  const closed = server.closed.then(() => sharedState?.close());
  if (workerIndex !== undefined) {
    connectWorkerToPrimary({ baseUrl: server.baseUrl, webSocketUrl: server.webSocketUrl }, () => {
      void server.close();
    });
    await closed;
    return 0;
  }
  if (options.allowUnverifiedStreams) {
    output.warn(
      'warning: unverified media streams are accepted (--allow-unverified-streams): anyone who finds this server can start calls; use it for local development only',
    );
  }
  const notes: string[] = [];
  for (const carrier of ['telnyx', 'twilio'] as const) {
    const status = server.webhooks[carrier];
    if (!status.configured)
      notes.push(`note: ${carrier} webhooks answer 503 until ${status.missing.join(', ')} are set`);
  }
  if (redisUrl !== undefined) notes.push(`  shared state:  Redis ${redactedRedisUrl(redisUrl)}`);
  printBanner(output, `Agent '${agent.name}' (${agent.description})`, server, notes, { agent: agent.name });
  await closed;
  return 0;
}

/**
 * The recording settings of `VOXLINE_RECORDINGS_DIR` (checked: an existing, writable directory)
 * and `VOXLINE_RECORDING_JOB_LOCK_MS`; undefined when no directory is set.
 *
 * @throws {CliError} (exit 2) when the directory is missing or not writable, or the lock is not a
 *   positive whole number of ms.
 */
async function recordingSettingsOf(env: NodeJS.ProcessEnv, redisUrl: string | undefined) {
  const directory = env.VOXLINE_RECORDINGS_DIR || undefined;
  if (directory === undefined) return undefined;
  try {
    await checkRecordingsDirectory(directory);
  } catch (error) {
    throw new CliError(`VOXLINE_RECORDINGS_DIR: ${(error as Error).message}`, 2);
  }
  const lock = env.VOXLINE_RECORDING_JOB_LOCK_MS;
  const jobLockMs = lock === undefined || lock === '' ? undefined : Number(lock);
  if (jobLockMs !== undefined && (!Number.isInteger(jobLockMs) || jobLockMs < 1)) {
    throw new CliError(
      `VOXLINE_RECORDING_JOB_LOCK_MS must be a positive whole number of ms, got '${lock}'`,
      2,
    );
  }
  const prefix = env.VOXLINE_REDIS_PREFIX || undefined;
  return {
    storage: new LocalDirectoryRecordingStorage(directory),
    ...(redisUrl !== undefined ? { redisUrl } : {}),
    ...(prefix !== undefined ? { redisPrefix: prefix } : {}),
    ...(jobLockMs !== undefined ? { jobLockMs } : {}),
  };
}

/** `url` without its password, for printing. */
function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** What `serve` prints once it listens: the heading, the routes, notes, and one JSON line. */
function printBanner(
  output: CommandOutput,
  heading: string,
  urls: { baseUrl: string; webSocketUrl: string },
  notes: string[],
  json: Record<string, unknown>,
): void {
  output.line(heading);
  output.line(
    `  media streams: ${urls.webSocketUrl}/telnyx  ${urls.webSocketUrl}/twilio  ${urls.webSocketUrl}/ws`,
  );
  output.line(`  webhooks:      ${urls.baseUrl}/telnyx/webhook  ${urls.baseUrl}/twilio/voice`);
  output.line(`  health:        ${urls.baseUrl}/healthz`);
  for (const note of notes) output.warn(note);
  output.json({ ...json, webSocketUrl: urls.webSocketUrl, baseUrl: urls.baseUrl });
}
