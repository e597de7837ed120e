/**
 * The process under test in the soak benchmark: `voxline serve --agent offline` as a library call
 * (`startAgentServer` with `createOfflineAgent`, the same server and agent the command runs), on a
 * free loopback port. Forked by run.ts with an IPC channel:
 *
 * - it sends `{ type: 'listening', url }` once the server listens;
 * - on `{ type: 'sample', collect }` it answers `{ type: 'sample', activeCalls, memory }`, after a
 *   full garbage collection when `collect` is true (needs `--expose-gc`);
 * - on `{ type: 'close' }` it closes the server and exits.
 *
 * Environment: `VOXLINE_VAD_ISOLATION=process` runs the agent's Silero VAD in a child process (as
 * `voxline serve` does with it); `VOXLINE_SOAK_SPEECH_RECOGNITION=false` leaves pocketsphinx out
 * (the agent answers each turn without its words), the lightest real agent.
 *
 * Run only by run.ts.
 */

import { createLogger } from '@voxline/core';
import { createOfflineAgent } from '@voxline/local';
import { startAgentServer } from 'voxline';
import { SOAK_STREAM_SECRET } from './soak-call.js';

/** A request from run.ts. */
export type AgentServerRequest = { type: 'sample'; collect: boolean } | { type: 'close' };

/** A message to run.ts. */
export type AgentServerMessage =
  | { type: 'listening'; url: string; speechRecognition: boolean }
  | { type: 'sample'; activeCalls: number; memory: NodeJS.MemoryUsage };

const send = (message: AgentServerMessage) => process.send?.(message);
const agent = createOfflineAgent({
  vadIsolation: process.env.VOXLINE_VAD_ISOLATION === 'process' ? 'process' : 'none',
  useSpeechRecognition: process.env.VOXLINE_SOAK_SPEECH_RECOGNITION !== 'false',
});
// The soak's callers prove their streams as Telnyx does (a per-call token under this secret), so
// the server runs the verified path a deployment runs.
const server = await startAgentServer({
  agent,
  port: 0,
  logger: createLogger({ level: 'silent' }),
  env: { ...process.env, VOXLINE_STREAM_SECRET: SOAK_STREAM_SECRET },
});
send({ type: 'listening', url: `${server.webSocketUrl}/telnyx`, speechRecognition: agent.speechRecognition });

process.on('message', (request: AgentServerRequest) => {
  if (request.type === 'sample') {
    if (request.collect) (globalThis as { gc?: () => void }).gc?.();
    send({ type: 'sample', activeCalls: server.activeCalls, memory: process.memoryUsage() });
  } else if (request.type === 'close') {
    void server.close().then(() => process.exit(0));
  }
});
