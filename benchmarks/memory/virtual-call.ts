/**
 * One telephony echo call on the virtual clock, as long as asked, with the process's memory read
 * (after a full garbage collection) at checkpoints along the way.
 *
 * The call is the real stack without a socket: a `TelephonyTransport` and `CallSession` on a
 * `VirtualClock`, fed Telnyx PCMU 8 kHz media messages of jfk-16k.wav (looped) one 20 ms frame per
 * 20 ms of virtual time; the pipeline runs at 16 kHz:
 *
 *   transport.input() → Echo → transport.output() [→ AudioBufferProcessor → WAV file]
 *
 * The transport's socket is a stand-in that counts what the agent sends and echoes its marks back
 * (as the carrier does once the audio before them played). Virtual time makes an hour of call take
 * seconds: pacing sleeps, mark timeouts and the recorder's alignment all run on it; only the WAV
 * file's writes are real I/O.
 */
import { AudioBufferProcessor } from '@voxline/audio';
import { createLogger, type FrameProcessor, VirtualClock } from '@voxline/core';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { CallSession, type MessageSocket, TelephonyTransport } from '@voxline/websocket';
import { CarrierStream } from '../lib/carrier-stream.js';
import { EchoProcessor } from '../lib/echo-processor.js';
import { collectGarbage } from '../lib/measure.js';
import { cutFrames, readRecording } from '../lib/recordings.js';

/** The process's memory at one moment, in bytes, after a full garbage collection. */
export interface MemoryReading {
  /** Call time in ms (virtual), or -1 before the call started / after it ended. */
  callMs: number;
  rss: number;
  heapUsed: number;
  /** Memory outside the JavaScript heap held by JavaScript objects (ArrayBuffers, Buffers, ...). */
  external: number;
}

/** Reads the process's memory after a full collection (needs `--expose-gc`). */
export function readMemory(callMs: number): MemoryReading {
  collectGarbage();
  const usage = process.memoryUsage();
  return { callMs, rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
}

/** Options of {@link runVirtualCall}. */
export interface VirtualCallOptions {
  durationMs: number;
  /** Read memory every this many ms of call time. */
  checkpointEveryMs: number;
  /** Record the call with an AudioBufferProcessor streaming to this WAV file. */
  wavPath?: string;
}

/** What the call did. */
export interface VirtualCallResult {
  readings: MemoryReading[];
  /** Media messages the agent sent (20 ms each). */
  framesSent: number;
  /** Wall-clock time the call took to simulate, in ms. */
  wallMs: number;
}

const FRAME_MS = 20;
const frames = cutFrames(readRecording('jfk-16k.wav', 8000), 8000);

/** Runs one call to its end; see the module comment. */
export async function runVirtualCall(options: VirtualCallOptions): Promise<VirtualCallResult> {
  const started = performance.now();
  const clock = new VirtualClock();
  const stream = new CarrierStream('telnyx', 'PCMU', 8000);
  const pendingEchoes: string[] = [];
  let framesSent = 0;
  const socket: MessageSocket & { readyState: number } = {
    readyState: 1,
    send(text: string) {
      if (text.startsWith('{"event":"media"')) framesSent++;
      else if (text.startsWith('{"event":"mark"')) {
        pendingEchoes.push((JSON.parse(text) as { mark: { name: string } }).mark.name);
      }
    },
    close() {
      this.readyState = 3;
    },
  };
  const transport = new TelephonyTransport(socket, {
    carriers: [telnyxCarrier()],
    audioParams: { inputSampleRate: 16000, outputSampleRate: 16000 },
    clock,
    logger: createLogger({ defaultLevel: 'error' }),
  });
  const session = new CallSession(transport, {
    // The benchmark plays the carrier itself.
    verifiers: trustingStreamVerifiers(),
    params: { audioInSampleRate: 16000, audioOutSampleRate: 16000 },
    createPipeline: (_call, callTransport) => {
      const processors: FrameProcessor[] = [
        callTransport.input(),
        new EchoProcessor({ forwardInput: options.wavPath !== undefined }),
        callTransport.output(),
      ];
      if (options.wavPath !== undefined)
        processors.push(new AudioBufferProcessor({ wavPath: options.wavPath }));
      return processors;
    },
  });

  transport.receive(stream.connected());
  transport.receive(stream.start());
  await clock.advance(100);
  const readings: MemoryReading[] = [];
  const total = Math.round(options.durationMs / FRAME_MS);
  const checkpointFrames = Math.round(options.checkpointEveryMs / FRAME_MS);
  for (let frame = 0; frame < total; frame++) {
    if (frame % checkpointFrames === 0) readings.push(readMemory(frame * FRAME_MS));
    transport.receive(stream.media(frames[frame % frames.length] as Int16Array));
    await clock.advance(FRAME_MS);
    for (const name of pendingEchoes.splice(0)) transport.receive(stream.markEcho(name));
  }
  readings.push(readMemory(total * FRAME_MS));
  transport.receive(stream.stop());
  await clock.runUntil(session.finished, 60_000, 5_000);
  return { readings, framesSent, wallMs: performance.now() - started };
}
