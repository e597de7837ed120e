import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CarrierStream } from '../lib/carrier-stream.js';
import { type ForkedEchoServer, startForkedEchoServer } from '../lib/forked-echo-server.js';

let server: ForkedEchoServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * Opens one Telnyx media stream, sends `frames` silent media messages at once, and resolves once as
 * many echoes came back. The tests send 5: a call of only 3 frames sent at once got no echo at all
 * from this pipeline (the first frames of a call wait for more audio).
 */
function call(
  url: string,
  frames: number,
): Promise<{ echoes: number; socket: WebSocket; stream: CarrierStream }> {
  return new Promise((resolve, reject) => {
    const stream = new CarrierStream('telnyx', 'PCMU', 8000);
    const socket = new WebSocket(url);
    let echoes = 0;
    socket.on('error', reject);
    socket.on('message', (data: Buffer) => {
      if (data.toString('latin1', 0, 16) !== '{"event":"media"') return;
      echoes++;
      if (echoes === frames) resolve({ echoes, socket, stream });
    });
    socket.on('open', () => {
      socket.send(stream.connected());
      socket.send(stream.start());
      for (let frame = 0; frame < frames; frame++) socket.send(stream.media(new Int16Array(160)));
    });
  });
}

describe('startForkedEchoServer', () => {
  it('with 2 workers: a primary and two workers on one port, calls spread over both, all echoed', async () => {
    server = await startForkedEchoServer(2);
    expect(server.pids).toHaveLength(3);
    expect(new Set(server.pids).size).toBe(3);
    const calls = await Promise.all(
      Array.from({ length: 4 }, () => call((server as ForkedEchoServer).url, 5)),
    );
    expect(calls.map((entry) => entry.echoes)).toEqual([5, 5, 5, 5]);
    const report = await server.report();
    // The primary serves no call: one report per worker, each took some of the 4 calls.
    expect(report.map((entry) => entry.pid).sort()).toEqual(server.pids.slice(1).sort());
    expect(report.reduce((sum, entry) => sum + entry.calls, 0)).toBe(4);
    for (const entry of report) expect(entry.calls).toBeGreaterThanOrEqual(1);
    for (const { socket, stream } of calls) {
      socket.send(stream.stop());
      socket.close();
    }
    await server.clearCalls();
    expect((await server.report()).reduce((sum, entry) => sum + entry.calls, 0)).toBe(0);
    const pids = server.pids;
    await server.close();
    server = undefined;
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
  }, 60_000);

  it('with 0 workers: one process serves the calls itself', async () => {
    server = await startForkedEchoServer(0);
    expect(server.pids).toHaveLength(1);
    const { echoes, socket, stream } = await call(server.url, 5);
    expect(echoes).toBe(5);
    socket.close();
    const [report] = await server.report();
    expect(report).toMatchObject({ pid: server.pids[0], calls: 1, framesDropped: 0 });
    expect(report?.records).toBeUndefined();
    // `records` adds the call's times: 5 caller frames in, 5 echoes out, each echo after its frame.
    const [withRecords] = await server.records();
    const record = withRecords?.records?.[0];
    expect(record?.streamId).toBe(stream.streamId);
    expect(record?.receivedAt).toHaveLength(5);
    expect(record?.sentAt).toHaveLength(5);
    for (let frame = 0; frame < 5; frame++) {
      expect(record?.sentAt[frame]).toBeGreaterThanOrEqual(record?.receivedAt[frame] as number);
    }
  }, 60_000);

  it('refuses a negative or fractional number of workers', () => {
    expect(() => startForkedEchoServer(-1)).toThrow(RangeError);
    expect(() => startForkedEchoServer(1.5)).toThrow(RangeError);
  });
});
