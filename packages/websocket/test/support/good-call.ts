/**
 * The genuine call that runs alongside hostile clients: a proven Telnyx stream that sends the JFK
 * recording (jfk-16k.wav, resampled to 8000 Hz) as 20 ms µ-law frames on an absolute
 * real-time schedule, and records when each frame went out and when each echo came back. With the
 * server's echo pipeline at 8000 Hz in and out, echo `i` carries the very bytes of frame `i`.
 */
import { jfkAt8k, toMuLawBase64 } from './audio.js';
import { telnyxMessages } from './carrier-messages.js';
import { carrierProof } from './hostile-server.js';
import { CarrierClient, pause } from './loopback.js';

const FRAME_SAMPLES = 160;

/** Percentile `p` (0..1) of `values` (nearest rank); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

export class GoodCall {
  /** The payload of each frame sent, in order. */
  readonly sentPayloads: string[] = [];
  /** When each frame was sent (performance.now() ms). */
  readonly sentAt: number[] = [];
  #streaming: Promise<void> | undefined;
  #stopRequested = false;

  private constructor(
    readonly client: CarrierClient,
    readonly callId: string,
  ) {}

  /** Connects to the Telnyx route `url` with a genuine stream token and sends `connected` and `start`. */
  static async connect(url: string, callId = 'v3:the-good-call'): Promise<GoodCall> {
    const messages = telnyxMessages(callId);
    const client = await CarrierClient.connect(url, messages, carrierProof('telnyx', callId, url));
    client.begin();
    return new GoodCall(client, callId);
  }

  /**
   * Streams the recording at real time from now on: `seconds` of it once (default all 11 s), or,
   * with `loop`, again and again until {@link GoodCall.finishStreaming}. Resolves when it stopped.
   */
  stream(seconds = 11, loop = false): Promise<void> {
    const pcm = jfkAt8k(seconds);
    const payloads: string[] = [];
    for (let offset = 0; offset + FRAME_SAMPLES <= pcm.length; offset += FRAME_SAMPLES) {
      payloads.push(toMuLawBase64(pcm.subarray(offset, offset + FRAME_SAMPLES)));
    }
    const messages = this.client.messages;
    this.#streaming = (async () => {
      const start = performance.now();
      for (let frame = 0; ; frame++) {
        if (this.#stopRequested || (frame >= payloads.length && !loop)) return;
        const wait = start + frame * 20 - performance.now();
        if (wait > 0) await pause(wait);
        const payload = payloads[frame % payloads.length] as string;
        const chunk = this.sentPayloads.length + 1;
        this.client.send(messages.media(payload, chunk, (chunk - 1) * 20));
        this.sentPayloads.push(payload);
        this.sentAt.push(performance.now());
      }
    })();
    return this.#streaming;
  }

  /** Stops streaming (before the next frame); resolves when it stopped. */
  async finishStreaming(): Promise<void> {
    this.#stopRequested = true;
    await this.#streaming;
  }

  /** The payloads of the echoes received, in order. */
  echoedPayloads(): string[] {
    return this.client.events('media').map((entry) => (entry.message.media as { payload: string }).payload);
  }

  /** Echo latency of each frame from `from` on (ms from sending frame i to receiving echo i). */
  latencies(from = 0, to = this.sentAt.length): number[] {
    const echoes = this.client.events('media');
    const out: number[] = [];
    for (let index = from; index < Math.min(to, echoes.length); index++) {
      out.push((echoes[index]?.at as number) - (this.sentAt[index] as number));
    }
    return out;
  }
}
