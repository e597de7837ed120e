/**
 * The server hostile clients attack: a Telnyx route (`/telnyx`) and a Twilio route (`/twilio`) on
 * one fastify server on loopback, both with the real carrier verifiers, an echo pipeline at
 * 8000 Hz in and out (so the echo of a µ-law frame is the same bytes), and fake terminators that
 * record every hang-up. Also the proofs a genuine carrier presents on the upgrade.
 */
import { TelnyxMediaStreamVerifier, telnyxCarrier, telnyxStreamAuthToken } from '@voxline/telnyx';
import { computeTwilioSignature, TwilioMediaStreamVerifier, twilioCarrier } from '@voxline/twilio';
import { type CallSession, type VoxlineTelephonyOptions, voxlineTelephony } from '../../src/index.js';
import type { CarrierName } from './carrier-messages.js';
import { startServer, type TestServer } from './loopback.js';

/** The Twilio account's auth token the server verifies signatures with. */
export const TWILIO_AUTH_TOKEN = 'hostile-suite-twilio-auth-token';
/** The secret the server's Telnyx stream tokens are made with. */
export const TELNYX_STREAM_SECRET = 'hostile-suite-stream-secret';

export interface HostileServer extends TestServer {
  /**
   * The sessions not finished yet. Finished sessions are let go (not kept in `sessions`, which
   * stays empty), so the heap after a run shows what the server itself keeps.
   */
  liveSessions: Set<CallSession>;
  /** Sessions (connections) served so far. */
  sessionCount(): number;
  /** The media URL of each carrier's route. */
  routes: Record<CarrierName, string>;
  /** Every hang-up the server sent, both carriers, in order. */
  hangUps(): string[];
}

/** Starts the two-route server; `options` apply to both routes. */
export async function startHostileServer(
  options: Partial<VoxlineTelephonyOptions> = {},
): Promise<HostileServer> {
  const verifiers = [
    new TelnyxMediaStreamVerifier({ tokenSecret: TELNYX_STREAM_SECRET }),
    new TwilioMediaStreamVerifier({ authToken: TWILIO_AUTH_TOKEN }),
  ];
  const liveSessions = new Set<CallSession>();
  let sessionCount = 0;
  const server = await startServer(
    {
      path: '/telnyx',
      carriers: [telnyxCarrier()],
      verifiers,
      params: { audioInSampleRate: 8000, audioOutSampleRate: 8000 },
      ...options,
      lifecycle: {
        onSession: (session) => {
          sessionCount++;
          liveSessions.add(session);
          void session.finished.then(() => liveSessions.delete(session));
        },
        ...options.lifecycle,
      },
    },
    (app, registered) =>
      app.register(voxlineTelephony, { ...registered, path: '/twilio', carriers: [twilioCarrier()] }),
  );
  return {
    ...server,
    liveSessions,
    sessionCount: () => sessionCount,
    routes: { telnyx: `${server.origin}/telnyx`, twilio: `${server.origin}/twilio` },
    hangUps: () =>
      [...server.terminators.telnyx.calls, ...server.terminators.twilio.calls].map((c) => c.callId),
  };
}

/** The upgrade headers a genuine carrier sends for `callId` on `url`. */
export function carrierProof(carrier: CarrierName, callId: string, url: string): Record<string, string> {
  return carrier === 'telnyx'
    ? { 'x-telnyx-streaming-auth-token': telnyxStreamAuthToken(TELNYX_STREAM_SECRET, callId) }
    : { 'x-twilio-signature': computeTwilioSignature(TWILIO_AUTH_TOKEN, url) };
}

/** Upgrade headers of a stranger who guessed at the proof (or, for `variant` 0, sent none). */
export function forgedProof(
  carrier: CarrierName,
  callId: string,
  url: string,
  variant: number,
): Record<string, string> {
  if (variant % 3 === 0) return {};
  if (carrier === 'telnyx') {
    return {
      'x-telnyx-streaming-auth-token':
        variant % 3 === 1 ? telnyxStreamAuthToken('guessed-secret', callId) : 'A'.repeat(44),
    };
  }
  return {
    'x-twilio-signature':
      variant % 3 === 1
        ? computeTwilioSignature('guessed-token', url)
        : computeTwilioSignature(TWILIO_AUTH_TOKEN, `${url}x`),
  };
}
