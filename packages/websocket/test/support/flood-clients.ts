/**
 * Clients that flood a server without sending a single bad message: silent starts, ping floods,
 * half-sent WebSocket upgrades, and plain connections (to go over the connection limits).
 */
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { CarrierName } from './carrier-messages.js';
import { telnyxMessages, twilioMessages } from './carrier-messages.js';

/** A WebSocket and how it closed (once it did). */
export interface FloodSocket {
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the close, or undefined if it did not close within `ms`. */
  closedWithin(ms: number): Promise<{ code: number; reason: string } | undefined>;
}

/** Opens a WebSocket to `url` with `headers`; resolves once open. */
export function openFloodSocket(url: string, headers: Record<string, string> = {}): Promise<FloodSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      socket.on('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    socket.on('error', () => {});
    socket.once('open', () =>
      resolve({
        socket,
        closed,
        closedWithin: (ms) => {
          let timer: NodeJS.Timeout | undefined;
          return Promise.race([
            closed,
            new Promise<undefined>((done) => {
              timer = setTimeout(() => done(undefined), ms);
            }),
          ]).finally(() => clearTimeout(timer));
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** Sends `connected` and `start` for `callId` of `carrier`, then nothing more. */
export function silentStart(flood: FloodSocket, carrier: CarrierName, callId: string): void {
  const messages = carrier === 'telnyx' ? telnyxMessages(callId) : twilioMessages(callId);
  flood.socket.send(messages.connected());
  flood.socket.send(messages.start());
}

/**
 * Pings as fast as the socket takes them, for `durationMs`: `perTurn` pings per event-loop turn
 * (default 10: tens of thousands a second), waiting whenever more than 64 KiB is still unsent.
 * Resolves with the pings sent and pongs received. (With 50 or more pings per turn, a `ws` client
 * loses its connection with 1006 even against a plain `ws` server, so a larger burst measures the
 * client library, not the server.)
 */
export async function pingFlood(
  flood: FloodSocket,
  durationMs: number,
  perTurn = 10,
): Promise<{ pings: number; pongs: number }> {
  let pongs = 0;
  flood.socket.on('pong', () => pongs++);
  let pings = 0;
  const until = performance.now() + durationMs;
  while (performance.now() < until && flood.socket.readyState === WebSocket.OPEN) {
    if (flood.socket.bufferedAmount < 65_536) {
      for (let i = 0; i < perTurn; i++) flood.socket.ping();
      pings += perTurn;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { pings, pongs };
}

/**
 * A raw TCP connection that sends the first half of a WebSocket upgrade request for `path` and
 * then stalls. Resolves once connected; destroy the socket to end it.
 */
export function halfUpgrade(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Ver`,
      );
      resolve(socket);
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}
