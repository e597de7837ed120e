/**
 * `voxline demo`: the offline agent and the call simulator on loopback, on a real recording.
 *
 * It starts `serve --agent offline` on a free port, calls it as a Telnyx caller who says two
 * things from the recording (by default `../shared/data/jfk-16k.wav`: "And so my fellow
 * Americans", then "ask what you can do for your country"), prints the turn table and where the
 * recording and report were written, and exits 0 only if the call completed with a bot reply to
 * each turn.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '@voxline/core';
import { loadAgent } from '../agents/agent-registry.js';
import { startAgentServer } from '../server/agent-server.js';
import type { CallScript } from '../simulator/call-script.js';
import { CliError } from './cli-error.js';
import { loadCallerAudio, runSimulation } from './simulate-command.js';
import type { CommandOutput } from './terminal-output.js';

/** Parsed options of `demo`. */
export interface DemoOptions {
  input?: string;
  outputDirectory?: string;
}

/** The default caller recording, relative to the working directory (the repository root). */
export const DEFAULT_DEMO_INPUT = '../shared/data/jfk-16k.wav';

/** Two caller turns from the JFK recording (times from its hand labels). */
export const demoScript: CallScript = {
  steps: [
    { say: { fromMs: 0, toMs: 2600 } }, // "And so my fellow Americans"
    { waitForBotReply: { silenceMs: 1200, timeoutMs: 30_000 } },
    { say: { fromMs: 8000, toMs: 10_500 } }, // "ask what you can do for your country"
    { waitForBotReply: { silenceMs: 1200, timeoutMs: 30_000 } },
    { hangUp: {} },
  ],
};

/** The `demo` command. */
export async function demoCommand(options: DemoOptions, output: CommandOutput): Promise<number> {
  const input = resolve(options.input ?? DEFAULT_DEMO_INPUT);
  if (!existsSync(input)) throw new CliError(`input file not found: ${input} (pass --input <wav>)`);
  const audio = loadCallerAudio(input);
  const directory = resolve(
    options.outputDirectory ?? join('.voxline', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`),
  );
  mkdirSync(directory, { recursive: true });

  const agent = await loadAgent('offline');
  for (const notice of agent.notices) output.warn(`note: ${notice}`);
  const logger = createLogger({ defaultLevel: 'warn' });
  // The demo's caller proves its stream the way Telnyx does, with a per-call token under a secret
  // only this process knows, so the demo runs the same verified path as a deployment.
  const streamSecret = randomBytes(32).toString('base64url');
  const server = await startAgentServer({
    agent,
    port: 0,
    logger,
    env: { ...process.env, VOXLINE_STREAM_SECRET: streamSecret },
  });
  output.line(`Offline agent listening on ${server.webSocketUrl}`);
  try {
    const report = await runSimulation(
      {
        carrier: 'telnyx',
        url: `${server.webSocketUrl}/telnyx`,
        audio,
        script: demoScript,
        record: join(directory, 'call.wav'),
        report: join(directory, 'report.json'),
        credentials: { telnyxStreamSecret: streamSecret },
      },
      output,
    );
    output.json({ ...report, notices: agent.notices });
    const unanswered = report.turns.filter((turn) => !turn.answered).map((turn) => turn.turn);
    if (report.turns.length < 2 || unanswered.length > 0) {
      output.warn(`demo failed: no bot reply to turn(s) ${unanswered.join(', ') || '(no turns ran)'}`);
      return 1;
    }
    if (report.endedBy === 'error') {
      output.warn('demo failed: the call did not complete');
      return 1;
    }
    output.line('Demo complete: the agent answered every turn.');
    return 0;
  } finally {
    await server.close();
  }
}
