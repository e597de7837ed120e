/**
 * `voxline serve --agent <name> [--host 127.0.0.1] [--port 8765] [--workers N]`: run an agent
 * server until SIGINT/SIGTERM (calls in progress end gracefully). For each call it prints what the
 * agent heard, what it replied, and the services' response times (TTFB, processing) as they are
 * measured. With `--workers N` > 1, N worker processes share the port (see worker-supervisor.ts).
 */
import cluster from 'node:cluster';
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
  /** Worker processes sharing the port (`--workers`); default 1. */
  workers?: string;
}

/** The reason webhook routes are refused when workers share no state. */
export const WORKERS_WITHOUT_SHARED_STATE =
  "several workers share no call state without --redis: a call's webhooks and media stream may reach different workers";

/** Parses `--workers`: a whole number from 1 to 256. */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
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
  const workers = parseWorkers(options.workers);
  if (workers > 1 && cluster.isPrimary) {
    return superviseWorkers({
      workers,
      logger,
      onListening: (urls) =>
        printBanner(
          output,
          `Agent '${options.agent}' on ${workers} worker processes sharing one port`,
          urls,
          [`note: webhook routes answer 503: ${WORKERS_WITHOUT_SHARED_STATE}`],
          { agent: options.agent, workers },
        ),
    });
  }
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
      ...(workerIndex !== undefined ? { workerIndex, refuseWebhooks: WORKERS_WITHOUT_SHARED_STATE } : {}),
      allowUnverifiedStreams: options.allowUnverifiedStreams === true,
      onConversation: (event) => {
        for (const line of formatConversationEvent(event)) output.line(line);
      },
    });
  } catch (error) {
    await agent.close?.();
    throw new CliError(
      `cannot start the server: ${(error as Error).message}`,
      error instanceof UnverifiedStreamsError ? 2 : 1,
    );
  }
  if (workerIndex !== undefined) {
    connectWorkerToPrimary({ baseUrl: server.baseUrl, webSocketUrl: server.webSocketUrl }, () => {
      void server.close();
    });
    await server.closed;
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
  printBanner(output, `Agent '${agent.name}' (${agent.description})`, server, notes, { agent: agent.name });
  await server.closed;
  return 0;
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
