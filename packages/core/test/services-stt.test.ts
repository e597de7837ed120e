import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ErrorFrame,
  type Frame,
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  type MetricsData,
  MetricsFrame,
  SegmentedSTTService,
  ServiceError,
  STTService,
  TranscriptionFrame,
  UserStoppedSpeakingFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { runProcessor, type Sleep, sleep } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

function errorCodes(errors: readonly ErrorFrame[]): string[] {
  return errors.map((frame) => (frame.error instanceof ServiceError ? frame.error.code : frame.error.name));
}

// ---- the real recording, 20 ms frames ----------------------------------------------------------

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Reads a mono s16le WAV: walks the RIFF chunks to `fmt ` and `data`. */
function readWav(path: string): { samples: Int16Array; sampleRate: number } {
  const bytes = readFileSync(path);
  let offset = 12;
  let sampleRate = 0;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ') sampleRate = bytes.readUInt32LE(offset + 12);
    if (id === 'data') {
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(offset + 8 + i * 2);
      return { samples, sampleRate };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`no data chunk in ${path}`);
}

const jfk = readWav(resolve(repoRoot, '../shared/data/jfk-16k.wav'));
const FRAME_SAMPLES = 320; // 20 ms at 16 kHz

/** `count` consecutive 20 ms frames of the recording starting at frame `first`. */
function jfkFrames(first: number, count: number): InputAudioRawFrame[] {
  const frames: InputAudioRawFrame[] = [];
  for (let i = first; i < first + count; i++) {
    const audio = jfk.samples.subarray(i * FRAME_SAMPLES, (i + 1) * FRAME_SAMPLES);
    frames.push(new InputAudioRawFrame({ audio, sampleRate: jfk.sampleRate }));
  }
  return frames;
}

/** Frames interleaved with 20 ms pauses, as a transport delivers them in real time. */
function paced(frames: readonly Frame[]): (Frame | Sleep)[] {
  return frames.flatMap((frame) => [frame, sleep(20)]);
}

function concat(chunks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function metricsOf(frames: readonly { frame: Frame }[]): MetricsData[] {
  return frames.flatMap(({ frame }) => (frame instanceof MetricsFrame ? [...frame.data] : []));
}

// ---- a scripted streaming STT --------------------------------------------------------------------

interface Script {
  /** Virtual ms each connect takes. */
  connectDelayMs?: number;
  /** Errors thrown by successive connects (undefined = success). */
  connectErrors?: unknown[];
  /** Drop the connection (with this error) after this many chunks were sent. */
  dropAfterChunks?: { chunks: number; error: unknown };
  /** Virtual ms from finalize() to the final transcript. */
  finalDelayMs?: number;
  /** The final transcripts, one per finalize(). */
  finals?: string[];
}

class ScriptedStreamingSTT extends STTService {
  readonly sent: Int16Array[] = [];
  connects = 0;
  finalizes = 0;
  disconnects = 0;
  #chunksSinceConnect = 0;

  readonly #script: Script;
  constructor(script: Script, options: ConstructorParameters<typeof STTService>[0] = {}) {
    super({ random: () => 0.5, ...options });
    this.#script = script;
  }

  protected override async connect(signal: AbortSignal): Promise<void> {
    this.connects++;
    const error = this.#script.connectErrors?.shift();
    await this.clock.sleep(this.#script.connectDelayMs ?? 0, signal);
    if (error !== undefined) throw error;
    this.#chunksSinceConnect = 0;
  }

  protected override sendAudio(pcm: Int16Array): void {
    this.sent.push(pcm.slice());
    this.#chunksSinceConnect++;
    const drop = this.#script.dropAfterChunks;
    if (drop !== undefined && this.#chunksSinceConnect === drop.chunks) {
      this.#script.dropAfterChunks = undefined;
      // The socket closes after this chunk was accepted.
      queueMicrotask(() => this.connectionLost(drop.error));
    }
  }

  protected override finalize(): void {
    this.finalizes++;
    const text = this.#script.finals?.shift();
    this.pushTranscription(`${text ?? ''} (interim)`, { final: false });
    this.clock.sleep(this.#script.finalDelayMs ?? 0).then(() => {
      if (text !== undefined) this.pushTranscription(text, { language: 'en' });
    });
  }

  protected override async disconnect(): Promise<void> {
    this.disconnects++;
  }
}

describe('STTService', () => {
  it('forwards input audio at once, unchanged, while the provider is still connecting, then replays it', async () => {
    const stt = new ScriptedStreamingSTT({ connectDelayMs: 300 });
    const input = jfkFrames(0, 50); // 1 s
    const { recorded } = await runProcessor(stt, { frames: paced(input) });

    const audioOut = recorded.downstream.filter((entry) => entry.frame instanceof InputAudioRawFrame);
    expect(audioOut.map((entry) => entry.frame)).toEqual(input);
    // Each frame left the STT the moment it arrived (20 ms apart from t=0), not after the connect.
    expect(audioOut.map((entry) => entry.at)).toEqual(input.map((_, i) => i * 20));
    // Everything, including the 300 ms held during the connect, reached the provider in order.
    expect(concat(stt.sent)).toEqual(jfk.samples.subarray(0, 50 * FRAME_SAMPLES));
    expect(stt.connects).toBe(1);
    expect(stt.disconnects).toBe(1);
  });

  it('finalizes once per end of speech and measures TTFB from it to the final transcript', async () => {
    const stt = new ScriptedStreamingSTT({
      finalDelayMs: 180,
      finals: ['ask not what your country can do for you'],
    });
    const { downstream, recorded } = await runProcessor(stt, {
      frames: [
        ...paced(jfkFrames(0, 25)),
        new VADUserStartedSpeakingFrame(),
        ...paced(jfkFrames(25, 100)),
        new VADUserStoppedSpeakingFrame(),
        ...paced(jfkFrames(125, 10)),
        // The turn strategy's decision comes later: it must not finalize a second time.
        new UserStoppedSpeakingFrame(),
        sleep(300),
      ],
    });
    expect(stt.finalizes).toBe(1);
    const transcripts = downstream.filter((frame) => frame instanceof TranscriptionFrame);
    expect(transcripts.map((frame) => [frame.constructor.name, frame.text])).toEqual([
      ['InterimTranscriptionFrame', 'ask not what your country can do for you (interim)'],
      ['TranscriptionFrame', 'ask not what your country can do for you'],
    ]);
    expect((transcripts[1] as TranscriptionFrame).language).toBe('en');
    const metrics = metricsOf(recorded.downstream);
    expect(metrics.filter((data) => data.type === 'ttfb')).toEqual([
      { type: 'ttfb', processor: stt.name, model: undefined, valueMs: 180 },
    ]);
    // Usage: 125 frames sent by the end of speech (2.5 s), the remaining 10 at the end of the call.
    const usage = metrics.filter((data) => data.type === 'stt-usage').map((data) => data.audioSeconds);
    expect(usage).toEqual([2.5, 0.2]);
  });

  it('reconnects with backoff after a transient drop and replays the audio of the gap, losing nothing', async () => {
    const stt = new ScriptedStreamingSTT({
      connectDelayMs: 40,
      dropAfterChunks: {
        chunks: 20,
        error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      },
      // The first connect succeeds; after the drop the first reconnect fails with 503, the next succeeds.
      connectErrors: [undefined, Object.assign(new Error('Service Unavailable'), { status: 503 })],
    });
    const input = jfkFrames(0, 100);
    const { errors, recorded } = await runProcessor(stt, { frames: paced(input) });

    expect(errors).toEqual([]);
    expect(stt.connects).toBe(3);
    expect(concat(stt.sent)).toEqual(jfk.samples.subarray(0, 100 * FRAME_SAMPLES));
    // Audio still flowed downstream every 20 ms throughout.
    const audioTimes = recorded.downstream
      .filter((e) => e.frame instanceof InputAudioRawFrame)
      .map((e) => e.at);
    expect(audioTimes).toEqual(input.map((_, i) => i * 20));
  });

  it('reports a fatal connect fault once, without retrying, and keeps audio flowing', async () => {
    const stt = new ScriptedStreamingSTT({
      connectErrors: [Object.assign(new Error('Invalid credentials'), { status: 401 })],
    });
    const input = jfkFrames(0, 10);
    const { downstream, errors } = await runProcessor(stt, { frames: paced(input) });
    expect(stt.connects).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.fatal).toBe(false);
    expect(errors[0]?.error).toBeInstanceOf(ServiceError);
    expect(errorCodes(errors)[0]).toBe('auth');
    expect(downstream.filter((frame) => frame instanceof InputAudioRawFrame)).toEqual(input);
    expect(stt.sent).toEqual([]);
  });

  it('gives up after the retry policy and reports one ErrorFrame, at the backoff times', async () => {
    const unavailable = () => Object.assign(new Error('Service Unavailable'), { status: 503 });
    const stt = new ScriptedStreamingSTT(
      { connectErrors: [unavailable(), unavailable(), unavailable()] },
      { retry: { maxAttempts: 3, initialDelayMs: 100, jitter: 0.2 } },
    );
    const { errors, upstream } = await runProcessor(stt, { frames: [sleep(1000)] });
    expect(stt.connects).toBe(3);
    expect(errorCodes(errors)).toEqual(['server-error']);
    expect(upstream.filter((frame) => frame instanceof ErrorFrame)).toHaveLength(1);
    // random() = 0.5 puts the jitter in the middle: waits of 100 and 200 ms.
    expect(errors[0]?.createdAt).toBe(300);
  });

  it('reports audio at another sample rate once, and does not send it', async () => {
    const stt = new ScriptedStreamingSTT({});
    const wrongRate = new InputAudioRawFrame({ audio: new Int16Array(160), sampleRate: 8000 });
    const { downstream, errors } = await runProcessor(stt, {
      frames: [wrongRate, wrongRate, ...jfkFrames(0, 2)],
    });
    expect(errorCodes(errors)).toEqual(['unsupported-input']);
    expect(downstream.filter((frame) => frame instanceof InputAudioRawFrame)).toHaveLength(4);
    expect(stt.sent).toHaveLength(2);
  });

  it('ignores blank transcripts', async () => {
    const stt = new ScriptedStreamingSTT({ finals: [''] });
    const { downstream } = await runProcessor(stt, {
      frames: [
        new VADUserStartedSpeakingFrame(),
        ...jfkFrames(0, 2),
        new VADUserStoppedSpeakingFrame(),
        sleep(10),
      ],
    });
    expect(downstream.filter((frame) => frame instanceof TranscriptionFrame)).toHaveLength(1);
    expect(downstream.some((frame) => frame instanceof InterimTranscriptionFrame)).toBe(true);
  });
});

// ---- segmented --------------------------------------------------------------------------------

class ScriptedSegmentedSTT extends SegmentedSTTService {
  readonly segments: Int16Array[] = [];
  failuresLeft = 0;

  constructor(options: ConstructorParameters<typeof SegmentedSTTService>[0] = {}) {
    super({ random: () => 0.5, ...options });
  }

  protected override async transcribe(pcm: Int16Array, sampleRate: number, signal: AbortSignal) {
    this.segments.push(pcm);
    await this.clock.sleep(250, signal);
    if (this.failuresLeft-- > 0) throw Object.assign(new Error('Too Many Requests'), { status: 429 });
    return { text: `${((pcm.length / sampleRate) * 1000).toFixed(0)} ms of speech`, language: 'en' };
  }
}

describe('SegmentedSTTService', () => {
  it('transcribes each VAD segment with its pre-roll, measures TTFB and bills only the segments', async () => {
    const stt = new ScriptedSegmentedSTT({ preRollMs: 200 });
    stt.failuresLeft = 1; // one 429, retried after 250 ms
    const { downstream, recorded, errors } = await runProcessor(stt, {
      frames: [
        ...paced(jfkFrames(0, 30)),
        new VADUserStartedSpeakingFrame(),
        ...paced(jfkFrames(30, 100)),
        new VADUserStoppedSpeakingFrame(),
        ...paced(jfkFrames(130, 50)),
        sleep(1000),
      ],
    });
    expect(errors).toEqual([]);
    // 200 ms pre-roll (frames 20-29) + 2 s of speech (frames 30-129), sent twice (one retry).
    expect(stt.segments).toHaveLength(2);
    expect(stt.segments[0]).toEqual(jfk.samples.subarray(20 * FRAME_SAMPLES, 130 * FRAME_SAMPLES));
    const finals = downstream.filter((frame) => frame instanceof TranscriptionFrame);
    expect(finals.map((frame) => frame.text)).toEqual(['2200 ms of speech']);
    const metrics = metricsOf(recorded.downstream);
    // 250 ms (429) + 250 ms backoff + 250 ms = 750 ms from the end of speech to the transcript.
    expect(metrics.filter((data) => data.type === 'ttfb').map((data) => data.valueMs)).toEqual([750]);
    expect(
      metrics.filter((data) => data.type === 'stt-usage').reduce((sum, data) => sum + data.audioSeconds, 0),
    ).toBeCloseTo(2.2, 6);
  });

  it('cuts a segment longer than maxSegmentMs and transcribes what was being said at the end', async () => {
    const stt = new ScriptedSegmentedSTT({ preRollMs: 0, maxSegmentMs: 1000 });
    const { downstream } = await runProcessor(stt, {
      frames: [new VADUserStartedSpeakingFrame(), ...paced(jfkFrames(0, 130))],
    });
    expect(stt.segments.map((segment) => segment.length)).toEqual([16000, 16000, 9600]);
    expect(concat(stt.segments)).toEqual(jfk.samples.subarray(0, 130 * FRAME_SAMPLES));
    expect(
      downstream.filter((frame) => frame instanceof TranscriptionFrame).map((frame) => frame.text),
    ).toEqual(['1000 ms of speech', '1000 ms of speech', '600 ms of speech']);
  });
});
