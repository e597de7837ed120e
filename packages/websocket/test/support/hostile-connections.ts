/**
 * Sends a generated corpus (see hostile-corpus.ts) over real WebSockets, from several connections
 * at once, and judges the server's answer to every case.
 *
 * Cases go out in batches of {@link BATCH} followed by a WebSocket ping: the pong comes back only
 * after the server has handled every message before it, so a pong proves the whole batch was
 * survived with the connection open. When the server closes a connection inside a batch, each case
 * of that batch is sent again alone (one case, one ping), so every close is blamed on one case.
 *
 * A case is:
 * - held: the connection stayed open, or closed with a code its case accepts (e.g. 1009 for a
 *   message over the cap, 1008 `unverified stream` for a stranger's start);
 * - degraded: the connection closed with another code, or neither pong nor close came in time;
 * - crashed: the server failed the connection (1011 internal error, or 1006: dropped with no
 *   close frame).
 */
import WebSocket from 'ws';
import {
  type CarrierMessages,
  type CarrierName,
  telnyxMessages,
  twilioMessages,
} from './carrier-messages.js';
import type { CasePhase, HostileCase } from './hostile-corpus.js';
import { carrierProof, forgedProof } from './hostile-server.js';
import { pause } from './loopback.js';

/** Cases per ping. */
const BATCH = 20;
/** Messages per second per connection: below the server's 200/s limit, as a carrier would stay. */
const MESSAGES_PER_SECOND = 150;
const ANSWER_TIMEOUT_MS = 10_000;

export type Verdict = 'held' | 'degraded' | 'crashed';

/** The tally of one group of cases. */
export interface Tally {
  cases: number;
  held: number;
  degraded: number;
  crashed: number;
  /** Up to 20 cases that were not held, for the failure message. */
  failures: string[];
}

export function emptyTally(): Tally {
  return { cases: 0, held: 0, degraded: 0, crashed: 0, failures: [] };
}

export function record(tally: Tally, verdict: Verdict, what: () => string): void {
  tally.cases++;
  tally[verdict]++;
  if (verdict !== 'held' && tally.failures.length < 20) tally.failures.push(`${verdict}: ${what()}`);
}

/** The log line of a group: `hostile-clients <group>: N cases, N held, 0 degraded, 0 crashed`. */
export function tallyLine(group: string, tally: Tally): string {
  return `hostile-clients ${group}: ${tally.cases} cases, ${tally.held} held, ${tally.degraded} degraded, ${tally.crashed} crashed`;
}

type Answer = { kind: 'pong' } | { kind: 'closed'; code: number; reason: string } | { kind: 'timeout' };

/** One hostile WebSocket connection. */
class HostileSocket {
  #closedWith: { code: number; reason: string } | undefined;
  #waiters: ((answer: Answer) => void)[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('pong', () => this.#waiters.shift()?.({ kind: 'pong' }));
    socket.on('close', (code, reason) => {
      this.#closedWith = { code, reason: reason.toString() };
      for (const waiter of this.#waiters.splice(0)) waiter({ kind: 'closed', ...this.#closedWith });
    });
    // Sends after the server closed fail with EPIPE or ECONNRESET: the close says what happened.
    socket.on('error', () => {});
  }

  static open(url: string, headers: Record<string, string>): Promise<HostileSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, perMessageDeflate: false });
      socket.once('open', () => resolve(new HostileSocket(socket)));
      socket.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.#closedWith === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer, binary = false): void {
    if (this.isOpen) this.socket.send(data, { binary });
  }

  /** Pings and resolves with the pong, or the close, or a timeout. */
  answer(): Promise<Answer> {
    if (this.#closedWith !== undefined) return Promise.resolve({ kind: 'closed', ...this.#closedWith });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== settle);
        resolve({ kind: 'timeout' });
      }, ANSWER_TIMEOUT_MS);
      const settle = (answer: Answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
      this.#waiters.push(settle);
      this.socket.ping();
    });
  }

  /** Closes from our side and resolves once closed. */
  async close(): Promise<void> {
    if (this.#closedWith !== undefined) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.close(1000, 'done');
    const timer = setTimeout(() => this.socket.terminate(), 2000);
    await closed;
    clearTimeout(timer);
  }
}

function judge(item: HostileCase, answer: Answer): Verdict {
  if (answer.kind === 'pong') return 'held';
  if (answer.kind === 'timeout') return 'degraded';
  if (answer.code === 1011 || answer.code === 1006) return 'crashed';
  const accepted = item.acceptedCloses.some(
    (close) =>
      close.code === answer.code &&
      (close.reasonPrefix === undefined || answer.reason.startsWith(close.reasonPrefix)),
  );
  return accepted ? 'held' : 'degraded';
}

function describeCase(item: HostileCase, answer: Answer, seed: number): string {
  const detail = answer.kind === 'closed' ? `closed ${answer.code} ${answer.reason}` : answer.kind;
  return `${item.carrier} case ${item.index} (seed ${seed}, ${item.golden} ${item.operator}, ${item.phase}): ${detail}`;
}

export interface LaneOptions {
  carrier: CarrierName;
  phase: CasePhase;
  url: string;
  seed: number;
  /** The cases of this lane, in order; shared by the connections working the lane. */
  cases: Iterator<HostileCase>;
  tally: Tally;
  /** Numbers this connection's calls (unique over the whole run). */
  connectionIds: () => number;
}

function messagesFor(carrier: CarrierName, callId: string): CarrierMessages {
  return carrier === 'telnyx' ? telnyxMessages(callId) : twilioMessages(callId);
}

function callIdFor(carrier: CarrierName, role: 'owned' | 'victim', id: number): string {
  return carrier === 'telnyx'
    ? `v3:${role}-call-${id}`
    : `CA${role === 'owned' ? 'a' : 'b'}${id.toString(16).padStart(31, '0')}`;
}

/**
 * Opens a connection for `options.phase`: a stranger naming a victim's call id (no proof, or a
 * forged one) for cases before `start`; a proven stream of a call of our own, already started,
 * for cases after `start`.
 */
async function openFor(options: LaneOptions): Promise<{ socket: HostileSocket; messages: CarrierMessages }> {
  const id = options.connectionIds();
  if (options.phase === 'before-start') {
    const callId = callIdFor(options.carrier, 'victim', id);
    const socket = await HostileSocket.open(
      options.url,
      forgedProof(options.carrier, callId, options.url, id),
    );
    return { socket, messages: messagesFor(options.carrier, callId) };
  }
  const callId = callIdFor(options.carrier, 'owned', id);
  const socket = await HostileSocket.open(options.url, carrierProof(options.carrier, callId, options.url));
  const messages = messagesFor(options.carrier, callId);
  socket.send(messages.connected());
  socket.send(messages.start());
  return { socket, messages };
}

/** Ends a connection the way a carrier would: a proven stream with `stop` (no hang-up follows). */
async function finish(connection: { socket: HostileSocket; messages: CarrierMessages }, phase: CasePhase) {
  if (phase === 'after-start') connection.socket.send(connection.messages.stop());
  await pause(20);
  await connection.socket.close();
}

/** One connection working through a lane until its cases run out; reconnects after each close. */
export async function workLane(options: LaneOptions): Promise<void> {
  let connection = await openFor(options);
  const retry: HostileCase[] = [];
  for (;;) {
    const batch: HostileCase[] = [];
    if (retry.length > 0) batch.push(retry.shift() as HostileCase);
    else {
      while (batch.length < BATCH) {
        const next = options.cases.next();
        if (next.done) break;
        batch.push(next.value);
      }
    }
    if (batch.length === 0) break;
    if (!connection.socket.isOpen) connection = await openFor(options);
    const startedAt = performance.now();
    for (const item of batch) connection.socket.send(item.data, item.binary);
    const answer = await connection.socket.answer();
    if (answer.kind === 'pong' || batch.length === 1) {
      for (const item of batch) {
        const verdict = judge(item, answer);
        record(options.tally, verdict, () => describeCase(item, answer, options.seed));
      }
      if (answer.kind === 'timeout') {
        connection.socket.socket.terminate();
      }
    } else {
      // A close inside a batch: send each of its cases again alone, to know which one it was.
      retry.push(...batch);
    }
    const due = startedAt + (batch.length * 1000) / MESSAGES_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await pause(wait);
  }
  await finish(connection, options.phase);
}

/** The cases `[0, count)` of `carrier`'s corpus for one phase, generated as they are taken. */
export function* casesOf(
  build: (index: number) => HostileCase,
  count: number,
  phase: CasePhase,
): Generator<HostileCase> {
  for (let index = 0; index < count; index++) {
    const item = build(index);
    if (item.phase === phase) yield item;
  }
}
