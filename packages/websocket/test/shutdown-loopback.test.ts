/**
 * Shutdown always ends: a WebSocket upgrade that arrives while calls drain is turned away, and a
 * peer that stopped reading cannot hold the close for `ws`'s 30 s close timeout.
 */
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../src/index.js';
import { jfkAt8k } from './support/audio.js';
import { telnyxMessages } from './support/carrier-messages.js';
import { CarrierClient, pause, startServer, type TestServer, waitFor } from './support/loopback.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Resolves with the HTTP status of a refused upgrade, or 101 when it became a WebSocket. */
function tryUpgrade(url: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('open', () => {
      resolve(101);
      socket.terminate();
    });
    socket.on('error', () => resolve(0));
  });
}

it('turns away an upgrade that arrives while calls drain (503), and the close ends in time', async () => {
  const target = await startServer({ lifecycle: { shutdownTimeoutMs: 1500 } });
  server = target;
  const client = await CarrierClient.connect(target.url, telnyxMessages('v3:draining'));
  client.begin();
  // The caller keeps talking, so the graceful end has audio to play out.
  const talking = client.streamAudio(jfkAt8k(3));
  await waitFor(() => client.events('media').length >= 5);
  const startedAt = performance.now();
  const closing = target.app.close();
  await pause(20);
  const lateUpgrades = await Promise.all([tryUpgrade(target.url), tryUpgrade(target.url)]);
  await closing;
  const elapsedMs = performance.now() - startedAt;
  server = undefined;
  expect(lateUpgrades.every((status) => status === 503 || status === 0)).toBe(true);
  expect(lateUpgrades).not.toContain(101);
  expect(elapsedMs).toBeLessThan(1500 + 2000);
  expect((await client.closed).code).toBe(CloseCode.GoingAway);
  await talking;
});

it('cuts off a peer that stopped reading, so the close does not wait for its close handshake', async () => {
  const target = await startServer({ lifecycle: { shutdownTimeoutMs: 500 } });
  server = target;
  const messages = telnyxMessages('v3:not-reading');
  const client = await CarrierClient.connect(target.url, messages);
  client.begin();
  await client.streamAudio(jfkAt8k(0.3));
  await waitFor(() => client.events('media').length >= 5);
  // The peer no longer reads its socket: our close frame and everything else stays unread.
  client.socket.pause();
  const startedAt = performance.now();
  await target.app.close();
  const elapsedMs = performance.now() - startedAt;
  server = undefined;
  expect(elapsedMs).toBeLessThan(500 + 2000);
  client.socket.resume();
  const closed = await client.closed;
  // The socket was terminated (1006 on the peer's side) or its 1001 arrived late.
  expect([CloseCode.GoingAway, 1006]).toContain(closed.code);
});
