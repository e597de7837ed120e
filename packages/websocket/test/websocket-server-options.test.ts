/**
 * The WebSocket server's options, seen from a real client on loopback: no permessage-deflate
 * (RFC 7692) even when the client offers it, and the message size limit enforced by ws itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode } from '../src/index.js';
import { EchoProcessor, startServer, type TestServer } from './support/loopback.js';

describe('the WebSocket server options', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({
      createPipeline: (_call, transport) => [transport.input(), new EchoProcessor(), transport.output()],
    });
  });

  afterAll(async () => {
    await server.close();
  });

  /** A raw client that offers permessage-deflate, open. */
  async function offeringDeflate(): Promise<WebSocket> {
    const socket = new WebSocket(server.url, { perMessageDeflate: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return socket;
  }

  it('accepts no permessage-deflate, though the client offers it', async () => {
    const socket = await offeringDeflate();
    expect(socket.extensions).toBe('');
    socket.close();
  });

  it('closes with 1009 on a message one byte over the default 64 KiB limit, before any parsing', async () => {
    const socket = await offeringDeflate();
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(64 * 1024 + 1));
    expect(await closed).toBe(CloseCode.MessageTooBig);
  });
});
