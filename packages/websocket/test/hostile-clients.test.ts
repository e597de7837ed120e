/**
 * Hostile clients against a real server on loopback (real WebSockets, a Telnyx and a Twilio route,
 * the real carrier verifiers), each group with a genuine call streaming the JFK recording alongside:
 *
 * 1. a generated corpus of bad carrier messages, 10,000 per carrier (see support/hostile-corpus.ts):
 *    every case is held, the good call loses no frame, no stranger's call is hung up, and memory
 *    and file descriptors return to their baseline;
 * 2. floods (silent starts, near-limit senders in another process, pings, half-sent upgrades,
 *    connections over the limits): the good call's echo latency stays within a margin of its own
 *    latency without the flood.
 *
 * Each group logs `hostile-clients <group>: N cases, N held, N degraded, N crashed`; the webhook
 * signature groups log theirs from packages/telnyx/test and packages/twilio/test (webhook-plugin).
 * The corpus seed is printed; set VOXLINE_HOSTILE_SEED to replay another one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../src/index.js';
import { jfkAt8k, toMuLawBase64 } from './support/audio.js';
import type { CarrierName } from './support/carrier-messages.js';
import { halfUpgrade, openFloodSocket, pingFlood, silentStart } from './support/flood-clients.js';
import { GoodCall, percentile } from './support/good-call.js';
import {
  casesOf,
  emptyTally,
  record,
  type Tally,
  tallyLine,
  workLane,
} from './support/hostile-connections.js';
import { hostileCase } from './support/hostile-corpus.js';
import { carrierProof, type HostileServer, startHostileServer } from './support/hostile-server.js';
import { pause, waitFor } from './support/loopback.js';
import { type NearLimitReport, runNearLimitSenders } from './support/near-limit-senders.js';
import { heapUsedAfterGc, openFileDescriptors } from './support/process-resources.js';

const SEED = Number(process.env.VOXLINE_HOSTILE_SEED ?? 0x5eed_2026);
const CASES_PER_CARRIER = 10_000;
/** Connections per carrier for cases before `start` (strangers) and after it (proven streams). */
const STRANGER_CONNECTIONS = 5;
const PROVEN_CONNECTIONS = 3;
/**
 * Heap growth allowed after the hostile sockets closed, with the test's log records set aside
 * (compiled code and caches warm up; measured: +4.4 MiB after ~2,800 connections). A session kept
 * per connection would cost far more (some 80 KiB each: over 200 MiB).
 */
const HEAP_TOLERANCE_BYTES = 12 * 1024 * 1024;
const FD_TOLERANCE = 4;

const summary: { group: string; tally: Tally }[] = [];
afterAll(() => {
  console.table(
    Object.fromEntries(
      summary.map(({ group, tally }) => [
        group,
        { cases: tally.cases, held: tally.held, degraded: tally.degraded, crashed: tally.crashed },
      ]),
    ),
  );
});

function report(group: string, tally: Tally): void {
  summary.push({ group, tally });
  console.log(tallyLine(group, tally));
}

describe('hostile clients: a generated corpus of bad carrier messages', () => {
  let server: HostileServer;
  afterAll(async () => {
    await server?.close();
  });

  it(`holds ${CASES_PER_CARRIER} bad messages per carrier while a good call streams, loses none of its frames, hangs up no stranger, and leaks nothing`, async () => {
    console.log(`hostile-clients corpus seed: ${SEED} (VOXLINE_HOSTILE_SEED=${SEED} replays it)`);
    server = await startHostileServer();
    const good = await GoodCall.connect(server.routes.telnyx);
    const streaming = good.stream(11, true);
    await waitFor(() => good.echoedPayloads().length >= 10);
    // The test's in-memory log is not the server's to keep: measure without it.
    const logRecords = server.logs.length;
    server.logs.length = 0;
    const baseline = { heap: heapUsedAfterGc(), fds: openFileDescriptors() };

    const tallies: Record<CarrierName, Tally> = { telnyx: emptyTally(), twilio: emptyTally() };
    let connectionId = 0;
    const lanes: Promise<void>[] = [];
    for (const carrier of ['telnyx', 'twilio'] as const) {
      const build = (index: number) => hostileCase(carrier, SEED, index);
      for (const [phase, connections] of [
        ['before-start', STRANGER_CONNECTIONS],
        ['after-start', PROVEN_CONNECTIONS],
      ] as const) {
        const cases = casesOf(build, CASES_PER_CARRIER, phase);
        for (let lane = 0; lane < connections; lane++) {
          lanes.push(
            workLane({
              carrier,
              phase,
              url: server.routes[carrier],
              seed: SEED,
              cases,
              tally: tallies[carrier],
              connectionIds: () => ++connectionId,
            }),
          );
        }
      }
    }
    const startedAt = performance.now();
    await Promise.all(lanes);
    const elapsedMs = performance.now() - startedAt;
    console.log(`hostile-clients corpus: ${connectionId} connections, ${Math.round(elapsedMs)} ms`);

    // Every hostile session ends; then the process holds what it held before.
    await waitFor(() => server.liveSessions.size === 1, 15_000);
    await pause(200);
    const hostileLogRecords = server.logs.length;
    server.logs.length = 0;
    const after = { heap: heapUsedAfterGc(), fds: openFileDescriptors() };
    console.log(
      `hostile-clients corpus: heap ${(baseline.heap / 2 ** 20).toFixed(1)} -> ${(after.heap / 2 ** 20).toFixed(1)} MiB, fds ${baseline.fds} -> ${after.fds} (log records ${logRecords} + ${hostileLogRecords}, set aside)`,
    );

    // The call goes on (as a carrier's does) until the echo of every frame sent so far is back.
    const sent = good.sentPayloads.length;
    await waitFor(() => good.echoedPayloads().length >= sent, 10_000).catch(() => {});
    await good.finishStreaming();
    await streaming;
    good.client.socket.close(1000);
    await waitFor(() => server.hangUps().length >= 1);
    await pause(100);

    for (const carrier of ['telnyx', 'twilio'] as const) report(`corpus ${carrier}`, tallies[carrier]);
    for (const carrier of ['telnyx', 'twilio'] as const) {
      expect(tallies[carrier].failures).toEqual([]);
      expect(tallies[carrier].cases).toBe(CASES_PER_CARRIER);
      expect(tallies[carrier].held).toBe(CASES_PER_CARRIER);
    }
    // The good call: every frame echoed, the same bytes, in order.
    console.log(
      `hostile-clients corpus: good call ${sent} frames sent during the corpus, ${good.echoedPayloads().length} echoed`,
    );
    const echoed = good.echoedPayloads();
    expect(echoed.length).toBeGreaterThanOrEqual(sent);
    expect(echoed).toEqual(good.sentPayloads.slice(0, echoed.length));
    // One hang-up only: the good call's, at its end.
    expect(server.hangUps()).toEqual([good.callId]);
    expect(after.fds - baseline.fds).toBeLessThanOrEqual(FD_TOLERANCE);
    expect(after.heap - baseline.heap).toBeLessThan(HEAP_TOLERANCE_BYTES);
  }, 120_000);
});

/** Silent starts of each variant. */
const SILENT_STARTS = 50;
const NEAR_LIMIT_SENDERS = 20;
/** Just under the server's default limit of 200 messages/s. */
const NEAR_LIMIT_RATE = 190;
const PING_FLOODERS = 10;
const HALF_UPGRADES = 100;
/** The inactivity timeout of the flood server, short so silent proven starts end within the test. */
const INACTIVITY_TIMEOUT_MS = 1500;
const MAX_SESSIONS = 100;
/**
 * How much the good call's echo latency p99 may grow under a flood: the larger of +100 ms (five
 * 20 ms frames: event-loop hiccups on a 2-core machine shared with other work) and 2x its p99
 * without a flood. Measured on a shared 2-core VM: +10 to +45 ms.
 */
const LATENCY_MARGIN_MS = 100;
/**
 * The margin under the near-limit senders: 3,800 messages/s from a second process on the same 2
 * cores; the senders themselves run up to ~120 ms late there. Measured: +115 ms. A server that
 * fell behind for good would exceed it by seconds.
 */
const NEAR_LIMIT_LATENCY_MARGIN_MS = 250;

describe('hostile clients: floods, with a good call alongside', () => {
  let server: HostileServer;
  const port = () => Number(new URL(server.origin).port);

  /** The good call's echo latencies without the flood (just before it) and during it. */
  interface FloodLatencies {
    quiet: number[];
    flood: number[];
  }

  /**
   * A fresh good call streams 2 s on its own, then while `during` runs (for at least 2 s); then it
   * goes on streaming until the echo of every frame sent so far is back (a carrier sends media for
   * as long as the call lasts, and a silent call would end by the inactivity timeout), and ends
   * (its socket closes without stop: one hang-up). Checks that every frame came back, in order,
   * and that its hang-up went out once.
   */
  async function withGoodCall(name: string, during: () => Promise<void>): Promise<FloodLatencies> {
    const good = await GoodCall.connect(server.routes.telnyx, `v3:good-call-${name}`);
    const streaming = good.stream(11, true);
    // Half a second for the pipeline to run and the pacing to settle, then 2 s without a flood.
    await waitFor(() => good.echoedPayloads().length >= 25);
    const quietFrom = good.sentPayloads.length;
    await pause(2000);
    const from = good.sentPayloads.length;
    const startedAt = performance.now();
    await during();
    const rest = 2000 - (performance.now() - startedAt);
    if (rest > 0) await pause(rest);
    const to = good.sentPayloads.length;
    await waitFor(() => good.echoedPayloads().length >= to, 10_000).catch(() => {});
    await good.finishStreaming();
    await streaming;
    const closedEarly = await Promise.race([good.client.closed, pause(0).then(() => undefined)]);
    const echoed = good.echoedPayloads();
    const firstDifference = echoed.findIndex((payload, index) => good.sentPayloads[index] !== payload);
    expect(
      echoed.length,
      `${echoed.length} of the first ${to} frames echoed; closed early ${JSON.stringify(closedEarly)}`,
    ).toBeGreaterThanOrEqual(to);
    expect(firstDifference, 'the first echo that is not the frame sent at its place').toBe(-1);
    good.client.socket.close(1000);
    await waitFor(() => server.hangUps().includes(good.callId));
    await pause(50);
    expect(server.hangUps().filter((callId) => callId === good.callId)).toHaveLength(1);
    return { quiet: good.latencies(quietFrom, from), flood: good.latencies(from, to) };
  }

  /** Hang-ups other than the good calls'. */
  function strangerHangUps(): string[] {
    return server.hangUps().filter((callId) => !callId.startsWith('v3:good-call-'));
  }

  /** Judges a flood group: its tally, and the good call's p99 during the flood against before it. */
  function judgeFlood(
    group: string,
    tally: Tally,
    latencies: FloodLatencies,
    marginMs = LATENCY_MARGIN_MS,
  ): void {
    const quietP99 = percentile(latencies.quiet, 0.99);
    const p99 = percentile(latencies.flood, 0.99);
    report(group, tally);
    console.log(
      `hostile-clients ${group}: good call echo p99 ${p99.toFixed(1)} ms over ${latencies.flood.length} frames (without the flood ${quietP99.toFixed(1)} ms)`,
    );
    expect(tally.failures).toEqual([]);
    expect(tally.held).toBe(tally.cases);
    expect(latencies.quiet.length).toBeGreaterThanOrEqual(95);
    expect(latencies.flood.length).toBeGreaterThanOrEqual(95);
    expect(p99).toBeLessThanOrEqual(Math.max(quietP99 + marginMs, 2 * quietP99));
  }

  beforeAll(async () => {
    server = await startHostileServer({
      lifecycle: { mediaInactivityTimeoutMs: INACTIVITY_TIMEOUT_MS },
      limits: { maxSessions: MAX_SESSIONS, maxSessionsPerAddress: MAX_SESSIONS },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it(`${SILENT_STARTS} silent unproven starts are refused at once (1008), none hung up`, async () => {
    const tally = emptyTally();
    const latencies = await withGoodCall('silent-unproven', async () => {
      const sockets = await Promise.all(
        Array.from({ length: SILENT_STARTS }, (_, index) => {
          const carrier: CarrierName = index % 2 === 0 ? 'telnyx' : 'twilio';
          return openFloodSocket(server.routes[carrier]).then((socket) => ({ socket, carrier, index }));
        }),
      );
      for (const { socket, carrier, index } of sockets) {
        silentStart(
          socket,
          carrier,
          carrier === 'telnyx' ? `v3:silent-${index}` : `CA${index.toString(16).padStart(32, 'c')}`,
        );
      }
      for (const { socket, index } of sockets) {
        const closed = await socket.closedWithin(3000);
        const held = closed?.code === CloseCode.PolicyViolation && closed.reason === 'unverified stream';
        record(tally, held ? 'held' : 'degraded', () => `silent start ${index}: ${JSON.stringify(closed)}`);
      }
      await pause(500);
    });
    judgeFlood('silent unproven starts', tally, latencies);
    expect(strangerHangUps()).toEqual([]);
  });

  it(`${SILENT_STARTS} silent proven starts end by the media-inactivity timeout (1008), each hung up once`, async () => {
    const tally = emptyTally();
    const callIds: string[] = [];
    const latencies = await withGoodCall('silent-proven', async () => {
      const startedAt = performance.now();
      const sockets = await Promise.all(
        Array.from({ length: SILENT_STARTS }, (_, index) => {
          const carrier: CarrierName = index % 2 === 0 ? 'telnyx' : 'twilio';
          const callId =
            carrier === 'telnyx' ? `v3:proven-silent-${index}` : `CA${index.toString(16).padStart(32, 'd')}`;
          callIds.push(callId);
          const url = server.routes[carrier];
          return openFloodSocket(url, carrierProof(carrier, callId, url)).then((socket) => {
            silentStart(socket, carrier, callId);
            return { socket, index };
          });
        }),
      );
      for (const { socket, index } of sockets) {
        const closed = await socket.closedWithin(INACTIVITY_TIMEOUT_MS * 3);
        const elapsed = performance.now() - startedAt;
        const held =
          closed?.code === CloseCode.PolicyViolation &&
          closed.reason === `no media for ${INACTIVITY_TIMEOUT_MS} ms` &&
          elapsed >= INACTIVITY_TIMEOUT_MS - 50;
        record(
          tally,
          held ? 'held' : 'degraded',
          () => `proven silent start ${index}: ${JSON.stringify(closed)} after ${elapsed} ms`,
        );
      }
    });
    await waitFor(() => server.hangUps().length >= SILENT_STARTS);
    await pause(100);
    judgeFlood('silent proven starts', tally, latencies);
    // Calls of our own, ended for their silence: each hung up once; the good call not at all.
    expect([...strangerHangUps()].sort()).toEqual([...callIds].sort());
  });

  it(`${NEAR_LIMIT_SENDERS} proven streams at ${NEAR_LIMIT_RATE} msg/s from another process are served, none closed for its rate`, async () => {
    const tally = emptyTally();
    const url = server.routes.telnyx;
    const streams = Array.from({ length: NEAR_LIMIT_SENDERS }, (_, index) => {
      const callId = `v3:near-limit-${index}`;
      return { callId, headers: carrierProof('telnyx', callId, url) };
    });
    let result: NearLimitReport | undefined;
    const latencies = await withGoodCall('near-limit', async () => {
      result = await runNearLimitSenders({
        url,
        streams,
        messagesPerSecond: NEAR_LIMIT_RATE,
        durationMs: 5000,
        payload: toMuLawBase64(jfkAt8k(0.02)),
      });
    });
    for (const stream of result?.streams ?? []) {
      const held = stream.closedEarly === undefined && stream.closed?.code === CloseCode.Normal;
      record(tally, held ? 'held' : 'degraded', () => `${stream.callId}: ${JSON.stringify(stream)}`);
    }
    console.log(
      `hostile-clients near-limit senders: ${result?.streams.reduce((sum, s) => sum + s.sent, 0)} messages sent, sender lateness at worst ${result?.worstLatenessMs.toFixed(1)} ms`,
    );
    judgeFlood('near-limit senders', tally, latencies, NEAR_LIMIT_LATENCY_MARGIN_MS);
    // The server never judged them a flood.
    expect(server.logs.filter((entry) => entry.fields.reason === 'rate-limited')).toEqual([]);
    expect(tally.cases).toBe(NEAR_LIMIT_SENDERS);
  });

  it(`a ping flood from ${PING_FLOODERS} connections is answered, and the good call does not notice`, async () => {
    const tally = emptyTally();
    let pings = 0;
    const latencies = await withGoodCall('ping-flood', async () => {
      const sockets = await Promise.all(
        Array.from({ length: PING_FLOODERS }, () => openFloodSocket(server.routes.twilio)),
      );
      const results = await Promise.all(sockets.map((socket) => pingFlood(socket, 3000)));
      await pause(200);
      for (const [index, socket] of sockets.entries()) {
        const { pongs } = results[index]!;
        pings += results[index]!.pings;
        const held = socket.socket.readyState === socket.socket.OPEN && pongs > 0;
        record(
          tally,
          held ? 'held' : 'degraded',
          () => `ping flooder ${index}: ${JSON.stringify(results[index])}`,
        );
        socket.socket.close(1000);
      }
    });
    console.log(`hostile-clients ping flood: ${pings} pings`);
    judgeFlood('ping flood', tally, latencies);
  });

  it(`${HALF_UPGRADES} half-sent upgrades stall without holding up the good call, and go when cut`, async () => {
    const tally = emptyTally();
    const fdsBefore = openFileDescriptors();
    const latencies = await withGoodCall('half-upgrades', async () => {
      const sockets = await Promise.all(
        Array.from({ length: HALF_UPGRADES }, (_, index) =>
          halfUpgrade(port(), index % 2 === 0 ? '/telnyx' : '/twilio'),
        ),
      );
      await pause(3000);
      for (const [index, socket] of sockets.entries()) {
        // The server waits for the rest of the request: it neither upgraded nor dropped it.
        record(
          tally,
          !socket.destroyed && socket.bytesRead === 0 ? 'held' : 'degraded',
          () => `half upgrade ${index}: ${socket.bytesRead} bytes read`,
        );
        socket.destroy();
      }
    });
    await waitFor(() => openFileDescriptors() <= fdsBefore + FD_TOLERANCE);
    judgeFlood('half-sent upgrades', tally, latencies);
  });

  it(`connections over the limit of ${MAX_SESSIONS} are closed with 1013 at once`, async () => {
    const tally = emptyTally();
    const extra = 20;
    const latencies = await withGoodCall('over-limit', async () => {
      const live = server.liveSessions.size;
      const sockets = [];
      for (let index = 0; index < MAX_SESSIONS - live + extra; index++) {
        sockets.push(await openFloodSocket(server.routes[index % 2 === 0 ? 'telnyx' : 'twilio']));
      }
      await pause(300);
      let refused = 0;
      for (const [index, socket] of sockets.entries()) {
        const closed = await socket.closedWithin(0);
        if (index < MAX_SESSIONS - live) {
          record(
            tally,
            closed === undefined ? 'held' : 'degraded',
            () => `connection ${index} within the limit: ${JSON.stringify(closed)}`,
          );
        } else {
          refused++;
          const held =
            closed?.code === CloseCode.TryAgainLater && closed.reason.startsWith('too many connections');
          record(
            tally,
            held ? 'held' : 'degraded',
            () => `connection ${index} over the limit: ${JSON.stringify(closed)}`,
          );
        }
      }
      expect(refused).toBe(extra);
      for (const socket of sockets) socket.socket.close(1000);
      await waitFor(() => server.liveSessions.size === 1);
    });
    judgeFlood('over the connection limit', tally, latencies);
  });
});
