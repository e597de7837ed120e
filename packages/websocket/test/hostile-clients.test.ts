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
 * Each group logs `hostile-clients <group>: N cases, N held, N degraded, N crashed`.
 * The corpus seed is printed; set VOXLINE_HOSTILE_SEED to replay another one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CarrierName } from './support/carrier-messages.js';
import { GoodCall } from './support/good-call.js';
import { casesOf, emptyTally, type Tally, tallyLine, workLane } from './support/hostile-connections.js';
import { hostileCase } from './support/hostile-corpus.js';
import { type HostileServer, startHostileServer } from './support/hostile-server.js';
import { pause, waitFor } from './support/loopback.js';
import { heapUsedAfterGc, openFileDescriptors } from './support/process-resources.js';

const SEED = Number(process.env.VOXLINE_HOSTILE_SEED ?? 0x5eed_2026);
const CASES_PER_CARRIER = 10_000;
/** Connections per carrier for cases before `start` (strangers) and after it (proven streams). */
const STRANGER_CONNECTIONS = 5;
const PROVEN_CONNECTIONS = 3;
/** Heap growth allowed after the hostile sockets closed (the server's in-memory log grows). */
const HEAP_TOLERANCE_BYTES = 24 * 1024 * 1024;
const FD_TOLERANCE = 4;

const summary: { group: string; tally: Tally }[] = [];
afterAll(() => {
  console.table(
    Object.fromEntries(summary.map(({ group, tally }) => [group, { ...tally, failures: undefined }])),
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
    const baseline = { heap: heapUsedAfterGc(), fds: openFileDescriptors() };

    const tallies: Record<CarrierName, Tally> = { telnyx: emptyTally(), twilio: emptyTally() };
    const provenCallIds = new Set<string>();
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
              provenCallIds,
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
    const after = { heap: heapUsedAfterGc(), fds: openFileDescriptors() };
    console.log(
      `hostile-clients corpus: heap ${(baseline.heap / 2 ** 20).toFixed(1)} -> ${(after.heap / 2 ** 20).toFixed(1)} MiB, fds ${baseline.fds} -> ${after.fds}`,
    );

    await good.finishStreaming();
    await streaming;
    await waitFor(() => good.echoedPayloads().length >= good.sentPayloads.length, 5000).catch(() => {});
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
      `hostile-clients corpus: good call ${good.sentPayloads.length} frames sent, ${good.echoedPayloads().length} echoed`,
    );
    expect(good.echoedPayloads()).toEqual(good.sentPayloads);
    // One hang-up only: the good call's, at its end.
    expect(server.hangUps()).toEqual([good.callId]);
    expect(after.fds - baseline.fds).toBeLessThanOrEqual(FD_TOLERANCE);
    expect(after.heap - baseline.heap).toBeLessThan(HEAP_TOLERANCE_BYTES);
  }, 120_000);
});
