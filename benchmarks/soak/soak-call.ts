/**
 * One call of the soak benchmark's load client, from the carrier's side: Telnyx PCMU at 8000 Hz
 * over the agent's media WebSocket (`connected`, `start`, 20 ms `media`, marks echoed at once,
 * `stop`), as carrier-stream.ts builds the messages.
 *
 * The caller says "And so my fellow Americans" (0.3-2.6 s of jfk-16k.wav) after 0.4 s of
 * silence, then stays silent, as a carrier streams continuously, until the agent's reply is
 * audible; then it hangs up. So every call runs each per-call engine once: Silero VAD over the
 * stream, one pocketsphinx recognition, one Flite synthesis, and the start of paced output.
 * `speed` > 1 sends the caller's audio that many times faster than real time (the VAD and the
 * recognizer see the same audio; only the wall time shrinks); the silence while waiting for the
 * reply always goes at real time.
 */

import { decodeMuLaw, rmsDbfs } from '@voxline/audio';
import { TELNYX_STREAM_AUTH_TOKEN_HEADER, telnyxStreamAuthToken } from '@voxline/telnyx';
import WebSocket from 'ws';
import { CarrierStream } from '../lib/carrier-stream.js';
import { cutFrames, readRecording } from '../lib/recordings.js';

/** What one call saw. */
export interface SoakCallResult {
  /** Whether audible reply audio arrived before the timeout. */
  answered: boolean;
  /** From the last caller speech frame sent to the first audible reply frame, ms. */
  replyLatencyMs: number | undefined;
  /** Why the call failed (could not connect, closed early, no reply), if it did. */
  failure: string | undefined;
}

/** Options of {@link runSoakCall}. */
export interface SoakCallOptions {
  /** The agent's Telnyx media-stream URL. */
  url: string;
  /** How many times faster than real time the caller's turn is sent; default 1. */
  speed?: number;
  /** Hang up without an answer after this many ms from the end of the turn; default 30000. */
  replyTimeoutMs?: number;
}

const FRAME_MS = 20;
/** A 20 ms frame of reply audio louder than this counts as the reply, dBFS. */
const AUDIBLE_DBFS = -45;

let turnFrames: Int16Array[] | undefined;
let silentFrame: Int16Array | undefined;

/** The caller's turn at 8000 Hz: 0.4 s of silence, 2.3 s of speech, 1.2 s of silence (VAD stop window). */
function callerTurn(): { frames: Int16Array[]; lastSpeechFrame: number } {
  if (turnFrames === undefined) {
    const speech = readRecording('jfk-16k.wav', 8000).subarray(0.3 * 8000, 2.6 * 8000);
    const silence = (seconds: number) => new Int16Array(seconds * 8000);
    turnFrames = [
      ...cutFrames(silence(0.4), 8000),
      ...cutFrames(speech, 8000),
      ...cutFrames(silence(1.2), 8000),
    ];
  }
  return { frames: turnFrames, lastSpeechFrame: Math.round((0.4 + 2.3) * (1000 / FRAME_MS)) - 1 };
}

/** The secret the soak's server verifies Telnyx stream tokens with (a benchmark, not a deployment). */
export const SOAK_STREAM_SECRET = 'voxline-soak-benchmark-stream-secret';

/** The upgrade header that proves the stream of `stream`'s call, as Telnyx sends it. */
function streamProof(stream: CarrierStream): Record<string, string> {
  return { [TELNYX_STREAM_AUTH_TOKEN_HEADER]: telnyxStreamAuthToken(SOAK_STREAM_SECRET, stream.callId) };
}

/** Runs one call to its end; never rejects (failures are in the result). */
export function runSoakCall(options: SoakCallOptions): Promise<SoakCallResult> {
  const speed = options.speed ?? 1;
  const replyTimeoutMs = options.replyTimeoutMs ?? 30_000;
  const { frames, lastSpeechFrame } = callerTurn();
  silentFrame ??= new Int16Array(8000 * (FRAME_MS / 1000));
  const stream = new CarrierStream('telnyx', 'PCMU', 8000);
  const socket = new WebSocket(options.url, { perMessageDeflate: false, headers: streamProof(stream) });
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let sent = 0;
    let speechEndedAt: number | undefined;
    let finished = false;
    const finish = (result: SoakCallResult) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(stream.stop());
        socket.close(1000);
      } else {
        socket.terminate();
      }
      resolve(result);
    };
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || finished) return;
      const message = JSON.parse(data.toString('utf8')) as {
        event?: string;
        media?: { payload?: string };
        mark?: { name?: string };
      };
      if (message.event === 'mark' && message.mark?.name !== undefined) {
        socket.send(stream.markEcho(message.mark.name));
      } else if (
        message.event === 'media' &&
        message.media?.payload !== undefined &&
        speechEndedAt !== undefined
      ) {
        const pcm = decodeMuLaw(Buffer.from(message.media.payload, 'base64'));
        if (rmsDbfs(pcm) > AUDIBLE_DBFS) {
          finish({ answered: true, replyLatencyMs: performance.now() - speechEndedAt, failure: undefined });
        }
      }
    });
    socket.on('error', (error) =>
      finish({ answered: false, replyLatencyMs: undefined, failure: error.message }),
    );
    socket.on('close', () =>
      finish({
        answered: false,
        replyLatencyMs: undefined,
        failure: 'the agent closed the call before replying',
      }),
    );
    socket.on('open', () => {
      socket.send(stream.connected());
      socket.send(stream.start());
      const startedAt = performance.now();
      // One timer at a time on an absolute schedule: each tick sends every frame now due.
      const tick = () => {
        if (finished) return;
        const elapsed = performance.now() - startedAt;
        const turnMs = (frames.length * FRAME_MS) / speed;
        const due =
          elapsed < turnMs
            ? Math.floor((elapsed * speed) / FRAME_MS) + 1
            : frames.length + Math.floor((elapsed - turnMs) / FRAME_MS) + 1;
        for (; sent < due; sent++) {
          socket.send(
            stream.media(sent < frames.length ? (frames[sent] as Int16Array) : (silentFrame as Int16Array)),
          );
          if (sent === lastSpeechFrame) speechEndedAt = performance.now();
        }
        if (speechEndedAt !== undefined && performance.now() - speechEndedAt > replyTimeoutMs) {
          finish({
            answered: false,
            replyLatencyMs: undefined,
            failure: `no reply within ${replyTimeoutMs} ms`,
          });
          return;
        }
        timer = setTimeout(tick, FRAME_MS);
      };
      tick();
    });
  });
}

/**
 * A call that only ever sends silence: `connected`, `start`, then silent 20 ms frames at real
 * time until {@link SilentCall.hangUp}. What an idle or abandoned call looks like to the agent.
 */
export class SilentCall {
  readonly #stream = new CarrierStream('telnyx', 'PCMU', 8000);
  readonly #socket: WebSocket;
  #timer: NodeJS.Timeout | undefined;
  /** Resolves once the socket is open (rejects if it cannot connect). */
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.#socket = new WebSocket(url, { perMessageDeflate: false, headers: streamProof(this.#stream) });
    this.opened = new Promise((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.once('open', () => {
        this.#socket.send(this.#stream.connected());
        this.#socket.send(this.#stream.start());
        const silence = new Int16Array(8000 * (FRAME_MS / 1000));
        this.#timer = setInterval(() => this.#socket.send(this.#stream.media(silence)), FRAME_MS);
        resolve();
      });
    });
    this.#socket.on('error', () => {});
  }

  /** Sends `stop` and closes. */
  hangUp(): void {
    clearInterval(this.#timer);
    if (this.#socket.readyState === WebSocket.OPEN) {
      this.#socket.send(this.#stream.stop());
      this.#socket.close(1000);
    } else {
      this.#socket.terminate();
    }
  }
}
