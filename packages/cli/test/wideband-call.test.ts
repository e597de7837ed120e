/**
 * A wideband Telnyx call end to end: the phone-call simulator streams the JFK recording as G.722
 * (16 kHz) to `voxline serve`'s server running the offline agent with its default options (it
 * picks its 16 kHz voice, kal16, for a wideband call), and the agent answers in G.722. Checked against the recording and the same call in PCMU: the G.722
 * call keeps the caller's audio above 4 kHz all the way into the pipeline, and carries the
 * agent's back, so nothing in the path narrows it to 8 kHz.
 *
 * Needs pocketsphinx (`apt-get install -y pocketsphinx pocketsphinx-en-us`) for the transcript.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav } from '@voxline/audio';
import {
  createLogger,
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  TranscriptionFrame,
} from '@voxline/core';
import { createOfflineAgent } from '@voxline/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentServer, CallerAudio, type SimulatedCodec, simulateCall, startAgentServer } from 'voxline';
import { concat } from '../../telephony/test/support/recordings.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfkPath = join(root, '..', 'shared', 'data', 'jfk-16k.wav');

/** Passes every frame on; keeps the caller's audio (as the pipeline receives it) and transcripts. */
class Tap extends FrameProcessor {
  readonly audio: Int16Array[] = [];
  readonly sampleRates = new Set<number>();
  readonly transcripts: string[] = [];

  constructor() {
    super({ name: 'tap', mode: 'inline' });
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame && direction === FrameDirection.Downstream) {
      this.audio.push(frame.audio.slice());
      this.sampleRates.add(frame.sampleRate);
    }
    if (frame instanceof TranscriptionFrame) this.transcripts.push(frame.text);
    this.pushFrame(frame, direction);
  }
}

/**
 * Share of a signal's power between 4.3 and 7.5 kHz (above what 8 kHz sampling can carry), in dB,
 * from a plain DFT over 512-sample Hann-windowed blocks at 16000 Hz.
 */
function highBandShareDb(pcm: Int16Array): number {
  const size = 512;
  const window = Float64Array.from(
    { length: size },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size),
  );
  const cosine = Float64Array.from({ length: size }, (_, i) => Math.cos((2 * Math.PI * i) / size));
  const sine = Float64Array.from({ length: size }, (_, i) => Math.sin((2 * Math.PI * i) / size));
  const block = new Float64Array(size);
  let high = 0;
  let total = 0;
  for (let start = 0; start + size <= pcm.length; start += size) {
    for (let n = 0; n < size; n++) block[n] = pcm[start + n]! * window[n]!;
    for (let bin = 1; bin < size / 2; bin++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < size; n++) {
        const turn = (bin * n) % size;
        re += block[n]! * cosine[turn]!;
        im -= block[n]! * sine[turn]!;
      }
      const power = re * re + im * im;
      const hz = (bin * 16000) / size;
      total += power;
      if (hz >= 4300 && hz <= 7500) high += power;
    }
  }
  return 10 * Math.log10(high / total);
}

/** The right channel (the agent, as the caller heard it) of the simulator's recording. */
function botChannel(path: string): { samples: Int16Array; sampleRate: number } {
  const wav = readWav(path);
  const samples = new Int16Array(wav.samples.length / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = wav.samples[2 * i + 1]!;
  return { samples, sampleRate: wav.sampleRate };
}

describe('a wideband (G.722, Opus) Telnyx call through the offline agent', () => {
  // No voice chosen: the agent picks kal16 (16 kHz) for the wideband calls, kal for PCMU.
  const agent = createOfflineAgent();
  /** After transport.input(): the caller's audio. After the STT (third in the offline pipeline): transcripts. */
  let tap: Tap;
  let transcriptTap: Tap;
  let server: AgentServer;
  let directory: string;

  beforeAll(async () => {
    expect(agent.speechRecognition, 'apt-get install -y pocketsphinx pocketsphinx-en-us').toBe(true);
    directory = mkdtempSync(join(tmpdir(), 'voxline-wideband-'));
    server = await startAgentServer({
      agent: {
        ...agent,
        createPipeline: async (call, transport) => {
          const [input, vad, stt, ...rest] = await agent.createPipeline(call, transport);
          return [input!, tap, vad!, stt!, transcriptTap, ...rest];
        },
      },
      port: 0,
      logger: createLogger({ level: 'silent' }),
      env: { VOXLINE_STREAM_SECRET: 'wideband-test-secret' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await agent.close();
  });

  async function call(codec: SimulatedCodec) {
    tap = new Tap();
    transcriptTap = new Tap();
    const recordPath = join(directory, `${codec}.wav`);
    const report = await simulateCall({
      carrier: 'telnyx',
      codec,
      url: `${server.webSocketUrl}/telnyx`,
      credentials: { telnyxStreamSecret: 'wideband-test-secret' },
      audio: CallerAudio.fromWavFile(jfkPath, 16000),
      recordPath,
      script: {
        steps: [
          { say: { fromMs: 0, toMs: 2600 } },
          { waitForBotReply: { silenceMs: 800, timeoutMs: 30_000 } },
          { hangUp: {} },
        ],
      },
    });
    return { report, tap, transcripts: transcriptTap.transcripts, bot: botChannel(recordPath) };
  }

  it('carries 16 kHz audio both ways; the same call in PCMU carries none above 4 kHz', async () => {
    const wide = await call('G722');
    expect(wide.report.protocolViolations).toEqual([]);
    expect(wide.report.turns[0]?.answered).toBe(true);
    // "Turn 1. You said: …" in Flite's voice.
    expect(wide.report.botAudioReceivedMs).toBeGreaterThan(1000);
    // pocketsphinx heard words in the wideband audio.
    expect(wide.transcripts.join(' ').trim().length).toBeGreaterThan(0);
    // Inbound: the pipeline gets 16 kHz frames with the caller's high band in them.
    expect([...wide.tap.sampleRates]).toEqual([16000]);
    const wideIn = highBandShareDb(concat(wide.tap.audio));
    // Outbound: the simulator plays the agent's G.722 at 16 kHz, high band included.
    expect(wide.bot.sampleRate).toBe(16000);
    const wideOut = highBandShareDb(wide.bot.samples);

    const narrow = await call('PCMU');
    expect(narrow.report.turns[0]?.answered).toBe(true);
    const narrowIn = highBandShareDb(concat(narrow.tap.audio));

    // The 1961 recording has little above 4 kHz (-45 dB of its power), Flite's 16 kHz voice more;
    // G.722 keeps both, while an 8 kHz path leaves next to nothing.
    const source = highBandShareDb(CallerAudio.fromWavFile(jfkPath, 16000).slice(0, 2600));
    expect(Math.abs(wideIn - source)).toBeLessThan(3);
    expect(wideOut).toBeGreaterThan(-30);
    expect(narrowIn).toBeLessThan(wideIn - 20);
  }, 120_000);

  it('runs an Opus call the same way: 16 kHz frames in, the reply back in Opus', async () => {
    const opus = await call('OPUS');
    expect(opus.report.protocolViolations).toEqual([]);
    expect(opus.report.turns[0]?.answered).toBe(true);
    expect(opus.report.botAudioReceivedMs).toBeGreaterThan(1000);
    expect([...opus.tap.sampleRates]).toEqual([16000]);
    expect(opus.bot.sampleRate).toBe(16000);
    // Both directions keep the band above 4 kHz: the caller's like the recording's (Opus is not
    // waveform-exact, hence 5 dB), Flite's 16 kHz voice's far above an 8 kHz path's -72 dB.
    const source = highBandShareDb(CallerAudio.fromWavFile(jfkPath, 16000).slice(0, 2600));
    expect(Math.abs(highBandShareDb(concat(opus.tap.audio)) - source)).toBeLessThan(5);
    expect(highBandShareDb(opus.bot.samples)).toBeGreaterThan(-40);
  }, 60_000);
});
