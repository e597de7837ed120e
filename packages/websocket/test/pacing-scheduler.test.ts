/**
 * The pacing scheduler shared by every call on a clock: slots run at their exact due times in
 * (time, scheduling) order however they are scheduled, moved and cancelled; many paced senders on
 * one VirtualClock keep each its golden schedule while one timer serves them all; an interrupted
 * sender leaves the others alone; and a pass corks a real loopback socket so its writes leave in
 * one, as does a paced frame with the position mark that follows it on a real call.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import {
  type Clock,
  type Frame,
  type FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  OutputAudioRawFrame,
  TTSAudioRawFrame,
  VirtualClock,
} from '@voxline/core';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { PacedAudioSender, type PacedAudioSink } from '../src/paced-audio-sender.js';
import { PacingScheduler, type PacingTask } from '../src/pacing-scheduler.js';
import { jfkAt8k } from './support/audio.js';
import { telnyxMessages } from './support/carrier-messages.js';
import { CarrierClient, startServer, type TestServer, waitFor } from './support/loopback.js';
import { SeededRandom } from './support/seeded-random.js';

/** A clock that counts the sleeps armed on it (each one a timer). */
class CountingClock extends VirtualClock {
  sleeps = 0;
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps++;
    return super.sleep(ms, signal);
  }
}

/** A sink that records, per sender, the clock time each frame was sent at. */
class TimingSink implements PacedAudioSink {
  readonly sentAt: number[] = [];
  constructor(readonly clock: Clock) {}
  encode(): string {
    return 'media';
  }
  frameDue(): void {}
  sendFrame(): void {
    this.sentAt.push(this.clock.now());
  }
}

function audioAt8k(seconds: number): OutputAudioRawFrame {
  return new OutputAudioRawFrame({ audio: jfkAt8k(seconds), sampleRate: 8000 });
}

describe('PacingScheduler', () => {
  it('runs slots at their due times in (time, scheduling) order, across moves and cancels', async () => {
    const clock = new CountingClock();
    const scheduler = PacingScheduler.of(clock);
    expect(PacingScheduler.of(clock)).toBe(scheduler);
    const random = new SeededRandom(19);
    const runs: { id: number; at: number }[] = [];
    const expected: { id: number; dueAt: number; order: number }[] = [];
    const slots = Array.from({ length: 300 }, (_, id) =>
      scheduler.slot({
        runDue: () => runs.push({ id, at: clock.now() }),
        failed: (error) => {
          throw error;
        },
      }),
    );
    let order = 0;
    const finalDue = new Map<number, { dueAt: number; order: number }>();
    for (const [id, slot] of slots.entries()) {
      // Due on a 5 ms grid, so many share a time and the tie order matters.
      slot.schedule(random.int(1, 40) * 5);
      finalDue.set(id, { dueAt: slot.dueAt, order: order++ });
    }
    for (let i = 0; i < 200; i++) {
      const id = random.int(0, slots.length - 1);
      const slot = slots[id] as (typeof slots)[number];
      if (random.chance(0.3)) {
        slot.cancel();
        finalDue.delete(id);
      } else {
        slot.schedule(random.int(1, 40) * 5);
        finalDue.set(id, { dueAt: slot.dueAt, order: order++ });
      }
    }
    for (const [id, due] of finalDue) expected.push({ id, ...due });
    expected.sort((a, b) => a.dueAt - b.dueAt || a.order - b.order);
    expect(scheduler.size).toBe(expected.length);

    await clock.advance(250);
    expect(runs).toEqual(expected.map(({ id, dueAt }) => ({ id, at: dueAt })));
    expect(scheduler.size).toBe(0);
    // One wake-up per due time (40 at most), plus the extra sleeps armed when a slot was scheduled
    // before every pending one: nowhere near one timer per slot.
    expect(clock.sleeps).toBeLessThanOrEqual(40 + 10);
  });

  it('paces 40 senders on one clock, each on its golden schedule, from one timer', async () => {
    const clock = new CountingClock();
    const senders = Array.from({ length: 40 }, () => {
      const sink = new TimingSink(clock);
      return { sink, sender: new PacedAudioSender({ leadMs: 60, mediaMessageMs: 20 }, sink) };
    });
    const drains: Promise<void>[] = [];
    // Four start times 5 ms apart: ten senders per phase of the 20 ms period.
    for (let phase = 0; phase < 4; phase++) {
      for (const { sender } of senders.slice(phase * 10, phase * 10 + 10)) {
        sender.enqueue(audioAt8k(0.2));
        drains.push(sender.drain(new AbortController().signal) as Promise<void>);
      }
      await clock.advance(5);
    }
    await clock.runUntil(Promise.all(drains));
    for (const [index, { sink }] of senders.entries()) {
      const start = Math.floor(index / 10) * 5;
      expect(sink.sentAt).toEqual([0, 0, 0, 20, 40, 60, 80, 100, 120, 140].map((at) => at + start));
    }
    // Each sender alone sleeps before each of its 7 paced frames (280 timers for 40); shared,
    // one wake-up serves every sender due at that time: 7 times × 4 phases.
    expect(clock.sleeps).toBe(28);
  });

  it('rejects only the interrupted sender’s drain; the others keep their schedule', async () => {
    const clock = new VirtualClock();
    const interrupted = new TimingSink(clock);
    const other = new TimingSink(clock);
    const interruptedSender = new PacedAudioSender({ leadMs: 60, mediaMessageMs: 20 }, interrupted);
    const otherSender = new PacedAudioSender({ leadMs: 60, mediaMessageMs: 20 }, other);
    const interruption = new AbortController();
    interruptedSender.enqueue(audioAt8k(0.2));
    otherSender.enqueue(audioAt8k(0.2));
    const interruptedDrain = interruptedSender.drain(interruption.signal) as Promise<void>;
    const otherDrain = otherSender.drain(new AbortController().signal) as Promise<void>;
    const rejection = expect(interruptedDrain).rejects.toThrow('barge-in');
    await clock.advance(50);
    interruption.abort(new DOMException('barge-in', 'AbortError'));
    await rejection;
    await clock.runUntil(otherDrain);
    expect(interrupted.sentAt).toEqual([0, 0, 0, 20, 40]);
    expect(other.sentAt).toEqual([0, 0, 0, 20, 40, 60, 80, 100, 120, 140]);
    // Drained again on a new signal at 140, after the carrier ran dry at 100: three frames at once.
    const resumed = interruptedSender.drain(new AbortController().signal) as Promise<void>;
    await clock.runUntil(resumed);
    expect(interrupted.sentAt.slice(5)).toEqual([140, 140, 140, 160, 180]);
  });

  it('hands what a task throws to that task and still runs the rest of the pass', async () => {
    const clock = new VirtualClock();
    const scheduler = PacingScheduler.of(clock);
    const failures: unknown[] = [];
    const ran: string[] = [];
    const failing: PacingTask = {
      runDue: () => {
        throw new Error('send failed');
      },
      failed: (error) => failures.push(error),
    };
    scheduler.slot(failing).schedule(10);
    scheduler.slot({ runDue: () => ran.push('after'), failed: () => {} }).schedule(10);
    await clock.advance(10);
    expect(failures).toEqual([new Error('send failed')]);
    expect(ran).toEqual(['after']);
  });
});

describe('corking', () => {
  let server: Server | undefined;
  let testServer: TestServer | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    await testServer?.close();
    testServer = undefined;
  });

  it('sends what a pass writes to a real loopback socket in one write', async () => {
    let serverSide: Socket | undefined;
    server = createServer((socket) => {
      serverSide = socket;
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = createConnection(port, '127.0.0.1');
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    await waitFor(() => serverSide !== undefined);
    const socket = serverSide as Socket;
    socket.setNoDelay(true);
    const writes = countUnderlyingWrites(socket);

    const clock = new VirtualClock();
    const scheduler = PacingScheduler.of(clock);
    const corkedDuringPass: number[] = [];
    scheduler
      .slot({
        runDue: () => {
          scheduler.corkForPass(socket);
          for (const part of ['one;', 'two;', 'three;']) socket.write(part);
          corkedDuringPass.push(socket.writableCorked);
        },
        failed: (error) => {
          throw error;
        },
      })
      .schedule(20);
    scheduler.corkForPass(socket); // outside a pass: nothing to batch, nothing corked
    expect(socket.writableCorked).toBe(0);
    await clock.advance(20);
    expect(corkedDuringPass).toEqual([1]);
    expect(socket.writableCorked).toBe(0);
    expect(writes).toEqual([['one;', 'two;', 'three;']]);
    await waitFor(() => Buffer.concat(received).toString() === 'one;two;three;');
    client.destroy();
  });

  it('sends a paced frame and the position mark after it in one write on a real call', async () => {
    let writesOfCall: string[][] = [];
    testServer = await startServer({
      createPipeline: (_call, transport) => [transport.input(), new SpeakOnFirstAudio(), transport.output()],
    });
    const { websocketServer } = testServer.app as unknown as {
      websocketServer: { on(event: 'connection', listener: (socket: WebSocket) => void): unknown };
    };
    websocketServer.on('connection', (socket: WebSocket) => {
      writesOfCall = countUnderlyingWrites((socket as unknown as { _socket: Socket })._socket);
    });
    const carrier = await CarrierClient.connect(testServer.url, telnyxMessages());
    carrier.begin();
    await carrier.streamAudio(jfkAt8k(0.1));
    await waitFor(() => carrier.events('mark').length >= 1);
    const count = (text: string, event: string) => text.split(`"event":"${event}"`).length - 1;
    const writes = writesOfCall.map((chunks) => chunks.join(''));
    const markWrite = writes.find((text) => count(text, 'mark') > 0) as string;
    // The mark goes after the frame that completes the first second of audio (markIntervalMs),
    // in the same turn of the same pass: one write carries both.
    expect(count(markWrite, 'mark')).toBe(1);
    expect(count(markWrite, 'media')).toBe(1);
    expect(markWrite.indexOf('"event":"media"')).toBeLessThan(markWrite.indexOf('"event":"mark"'));
    // Before it, the frames went one per write: 49 of them, each alone.
    const pacedWrites = writes.slice(0, writes.indexOf(markWrite)).filter((text) => count(text, 'media') > 0);
    expect(pacedWrites).toHaveLength(49);
    expect(pacedWrites.every((text) => count(text, 'media') === 1)).toBe(true);
    carrier.socket.close();
  });
});

/** Pushes 1.2 s of TTS audio at once when the caller's first audio arrives (paced out over 1.2 s). */
class SpeakOnFirstAudio extends FrameProcessor {
  #spoke = false;
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (this.#spoke || !(frame instanceof InputAudioRawFrame)) return;
    this.#spoke = true;
    this.pushFrame(new TTSAudioRawFrame({ audio: new Int16Array(19200).fill(1000), sampleRate: 16000 }));
  }
}

/**
 * Records each write the socket makes to the operating system, as the list of chunks it carries:
 * a corked socket flushes its held chunks in one `_writev`, an uncorked one writes each alone.
 */
function countUnderlyingWrites(socket: Socket): string[][] {
  const writes: string[][] = [];
  const internals = socket as unknown as {
    _write(chunk: unknown, encoding: string, callback: unknown): void;
    _writev(chunks: { chunk: unknown }[], callback: unknown): void;
  };
  const write = internals._write.bind(socket);
  const writev = internals._writev.bind(socket);
  internals._write = (chunk, encoding, callback) => {
    writes.push([String(chunk)]);
    write(chunk, encoding, callback);
  };
  internals._writev = (chunks, callback) => {
    writes.push(chunks.map(({ chunk }) => String(chunk)));
    writev(chunks, callback);
  };
  return writes;
}
