/**
 * `voxline serve --agent <name> [--host 127.0.0.1] [--port 8765]`: run an agent server until
 * SIGINT/SIGTERM (calls in progress end gracefully). For each call it prints what the agent heard,
 * what it replied, and the services' response times (TTFB, processing) as they are measured.
 */
import { createLogger } from '@voxline/core';
import { loadAgent } from '../agents/agent-registry.js';
import { startAgentServer, UnverifiedStreamsError } from '../server/agent-server.js';
import { formatConversationEvent } from '../server/conversation-events.js';
import { CliError } from './cli-error.js';
import type { CommandOutput } from './terminal-output.js';

/** Parsed options of `serve`. */
export interface ServeOptions {
  agent: string | undefined;
  host?: string;
  port?: string;
  /** Serve media streams that cannot be verified (local development only). */
  allowUnverifiedStreams?: boolean;
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
  const agent = await loadAgent(options.agent);
  for (const notice of agent.notices) output.warn(`note: ${notice}`);
  let server: Awaited<ReturnType<typeof startAgentServer>>;
  try {
    server = await startAgentServer({
      agent,
      host: options.host ?? '127.0.0.1',
      port: parsePort(options.port, 8765),
      logger,
      handleSignals: true,
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
  if (options.allowUnverifiedStreams) {
    output.warn(
      'warning: unverified media streams are accepted (--allow-unverified-streams): anyone who finds this server can start calls; use it for local development only',
    );
  }
  output.line(`Agent '${agent.name}' (${agent.description})`);
  output.line(
    `  media streams: ${server.webSocketUrl}/telnyx  ${server.webSocketUrl}/twilio  ${server.webSocketUrl}/ws`,
  );
  output.line(`  webhooks:      ${server.baseUrl}/telnyx/webhook  ${server.baseUrl}/twilio/voice`);
  output.line(`  health:        ${server.baseUrl}/healthz`);
  for (const carrier of ['telnyx', 'twilio'] as const) {
    const status = server.webhooks[carrier];
    if (!status.configured)
      output.warn(`note: ${carrier} webhooks answer 503 until ${status.missing.join(', ')} are set`);
  }
  output.json({ agent: agent.name, webSocketUrl: server.webSocketUrl, baseUrl: server.baseUrl });
  await server.closed;
  return 0;
}
