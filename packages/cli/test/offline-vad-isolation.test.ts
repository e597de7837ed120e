/**
 * `voxline serve --agent offline` with `VOXLINE_VAD_ISOLATION=process`: the agent's Silero VAD runs
 * in a child process of the server. A real Telnyx call (the simulator, JFK recording, PCMU) is
 * answered; killing the child with SIGSEGV while the caller speaks leaves the server serving, a
 * new child takes over, and the turn is still answered. The child is found in /proc as a child
 * of this (the server's) process running `silero-inference-child.cjs`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@voxline/core';
import { describe, expect, it } from 'vitest';
import { CallerAudio, simulateCall, startAgentServer } from 'voxline';
import { loadAgent, vadIsolationFrom } from '../src/agents/agent-registry.js';

const jfkPath = fileURLToPath(new URL('../../../../shared/data/jfk-16k.wav', import.meta.url));

/** Pids of this process's children that run the Silero inference child. */
function sileroChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      if (readFileSync(join('/proc', entry, 'cmdline'), 'utf8').includes('silero-inference-child.cjs'))
        pids.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return pids;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('voxline serve --agent offline with VOXLINE_VAD_ISOLATION=process', () => {
  it('runs Silero in a child process; a SIGSEGV of the child mid-turn does not end the server, and the turn is answered', async () => {
    const agent = await loadAgent('offline', { VOXLINE_VAD_ISOLATION: 'process' });
    expect((agent as unknown as { vadIsolation: string }).vadIsolation).toBe('process');
    const server = await startAgentServer({
      agent,
      port: 0,
      logger: createLogger({ level: 'silent' }),
      env: { VOXLINE_STREAM_SECRET: 'isolation-test-secret' },
    });
    try {
      const call = () =>
        simulateCall({
          carrier: 'telnyx',
          url: `${server.webSocketUrl}/telnyx`,
          credentials: { telnyxStreamSecret: 'isolation-test-secret' },
          audio: CallerAudio.fromWavFile(jfkPath),
          script: {
            steps: [
              { say: { fromMs: 0, toMs: 2600 } },
              { waitForBotReply: { silenceMs: 800, timeoutMs: 40_000 } },
              { hangUp: {} },
            ],
          },
        });
      const first = await call();
      expect(first.turns[0]?.answered).toBe(true);
      const [child] = sileroChildren();
      expect(child).toBeGreaterThan(0);
      expect(sileroChildren()).toHaveLength(1);

      // Second call: the child is killed 1 s into the caller's speech.
      const second = call();
      await sleep(1000);
      process.kill(child!, 'SIGSEGV');
      const report = await second;
      expect(report.protocolViolations).toEqual([]);
      expect(report.turns[0]?.answered).toBe(true);
      const after = sileroChildren();
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(child);
    } finally {
      await server.close();
      await agent.close?.();
    }
    expect(sileroChildren()).toEqual([]);
  }, 120_000);

  it('reads VOXLINE_VAD_ISOLATION: none or process in any case, empty is none; anything else is a usage error', () => {
    expect(vadIsolationFrom({})).toBe('none');
    expect(vadIsolationFrom({ VOXLINE_VAD_ISOLATION: '' })).toBe('none');
    expect(vadIsolationFrom({ VOXLINE_VAD_ISOLATION: ' Process ' })).toBe('process');
    expect(vadIsolationFrom({ VOXLINE_VAD_ISOLATION: 'none' })).toBe('none');
    expect(() => vadIsolationFrom({ VOXLINE_VAD_ISOLATION: 'thread' })).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/VOXLINE_VAD_ISOLATION/) }),
    );
  });
});
