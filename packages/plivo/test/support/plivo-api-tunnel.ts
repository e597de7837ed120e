/**
 * Reaching a local stand-in for Plivo's REST API through the `plivo` SDK, which sends voice requests
 * to the hard-coded `https://api.plivo.com`: the one way in is an HTTPS proxy, which its axios reads
 * from `HTTPS_PROXY` and tunnels through with `CONNECT`. This tunnel is that proxy: it accepts the
 * `CONNECT api.plivo.com:443`, ends the TLS with a throwaway certificate for `api.plivo.com` (made
 * by openssl), and forwards the plain HTTP to the stand-in. Node 20 cannot add a trusted CA at run
 * time, so the certificate is accepted by turning certificate checks off for the test's duration
 * (`NODE_TLS_REJECT_UNAUTHORIZED=0`, read at each TLS connection), and back on after.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';

/** The environment variables the tunnel sets, and their values before. */
const VARIABLES = [
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
  'NODE_TLS_REJECT_UNAUTHORIZED',
] as const;

/** See the module comment. Open one with {@link PlivoApiTunnel.open}; `close()` it after. */
export class PlivoApiTunnel {
  readonly #saved = new Map<string, string | undefined>();
  readonly #sockets = new Set<Socket>();

  readonly #tls: TlsServer;
  readonly #proxy: Server;
  private constructor(proxy: Server, tls: TlsServer) {
    this.#tls = tls;
    this.#proxy = proxy;
  }

  /** Routes the SDK's requests to the stand-in listening at `standInPort` on 127.0.0.1. */
  static async open(standInPort: number): Promise<PlivoApiTunnel> {
    const { key, cert } = throwawayCertificate();
    const tls = createTlsServer({ key, cert }, (secure) => {
      const upstream = connect(standInPort, '127.0.0.1');
      secure.pipe(upstream).pipe(secure);
      secure.on('error', () => upstream.destroy());
      upstream.on('error', () => secure.destroy());
    });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const tlsPort = (tls.address() as AddressInfo).port;
    const proxy = createHttpServer();
    const tunnel = new PlivoApiTunnel(proxy, tls);
    proxy.on('connect', (request, client: Socket, head: Buffer) => {
      tunnel.#sockets.add(client);
      client.on('close', () => tunnel.#sockets.delete(client));
      if (request.url !== 'api.plivo.com:443') {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = connect(tlsPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      tunnel.#sockets.add(upstream);
      upstream.on('close', () => tunnel.#sockets.delete(upstream));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    for (const name of VARIABLES) tunnel.#saved.set(name, process.env[name]);
    for (const name of ['https_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[name];
    process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    return tunnel;
  }

  /** Restores the environment and closes the tunnel. */
  async close(): Promise<void> {
    for (const [name, value] of this.#saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    for (const socket of this.#sockets) socket.destroy();
    this.#proxy.closeAllConnections();
    this.#proxy.close();
    this.#tls.close();
    await Promise.all([once(this.#proxy, 'close'), once(this.#tls, 'close')]);
  }
}

/** A self-signed certificate for `api.plivo.com`, valid for a day. */
function throwawayCertificate(): { key: Buffer; cert: Buffer } {
  const directory = mkdtempSync(join(tmpdir(), 'plivo-api-'));
  try {
    const key = join(directory, 'key.pem');
    const cert = join(directory, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=api.plivo.com',
        '-addext',
        'subjectAltName=DNS:api.plivo.com',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
