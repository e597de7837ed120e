import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_VAD_PARAMS, type VADParams, VADProcessor } from '@voxline/audio';
import { InputAudioRawFrame, VADUserStartedSpeakingFrame, VADUserStoppedSpeakingFrame } from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { loadSileroSession, SILERO_MODEL_PATH, SileroVADAnalyzer } from '@voxline/silero';
import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  checkSpeechEdges,
  describeEdges,
  detectSegments,
  generateNoise,
  loadRecording,
  type RecordingName,
  speechLabels,
} from '../../audio/test/vad-speech-fixtures.js';

const RATES = [8000, 16000] as const;
const RECORDINGS: RecordingName[] = ['jfk-16k.wav', 'spacewalk-44k.wav'];

describe('the shipped model', () => {
  it('is the file recorded in model/README.md (sha256)', () => {
    const sha256 = createHash('sha256').update(readFileSync(SILERO_MODEL_PATH)).digest('hex');
    expect(sha256).toBe('1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3');
    const readme = readFileSync(new URL('../model/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(sha256);
  });

  it('has the Silero v5 interface: input, state [2,1,128], sr -> output, stateN', async () => {
    const session = await loadSileroSession();
    expect(session.inputNames).toEqual(['input', 'state', 'sr']);
    expect(session.outputNames).toEqual(['output', 'stateN']);
    expect(await loadSileroSession()).toBe(session);
  });
});

/** Speech probabilities from a plain loop over the model: fresh tensors, copied state, as in utils_vad.py. */
async function referenceProbabilities(pcm: Int16Array, sampleRate: 8000 | 16000): Promise<number[]> {
  const session = await loadSileroSession();
  const windowSize = sampleRate === 16000 ? 512 : 256;
  const contextSize = sampleRate === 16000 ? 64 : 32;
  let state = new Float32Array(256);
  let context = new Float32Array(contextSize);
  const probabilities: number[] = [];
  for (let offset = 0; offset + windowSize <= pcm.length; offset += windowSize) {
    const input = new Float32Array(contextSize + windowSize);
    input.set(context);
    for (let i = 0; i < windowSize; i++) input[contextSize + i] = pcm[offset + i]! / 32768;
    const result = await session.run({
      input: new Tensor('float32', input, [1, input.length]),
      state: new Tensor('float32', state, [2, 1, 128]),
      sr: new Tensor('int64', BigInt64Array.of(BigInt(sampleRate))),
    });
    state = new Float32Array(result.stateN!.data as Float32Array);
    context = input.slice(-contextSize);
    probabilities.push((result.output!.data as Float32Array)[0]!);
  }
  return probabilities;
}

async function analyzerProbabilities(analyzer: SileroVADAnalyzer, pcm: Int16Array, chunk: number) {
  const probabilities: number[] = [];
  for (let offset = 0; offset < pcm.length; offset += chunk) {
    const before = analyzer.analyzedMs;
    const result = await analyzer.analyze(pcm.subarray(offset, offset + chunk));
    // With chunks no longer than a window, a call completes at most one window.
    if (result.windows === 1) probabilities.push(result.confidence);
    else expect(analyzer.analyzedMs).toBe(before);
  }
  return probabilities;
}

describe('SileroVADAnalyzer inference', () => {
  for (const sampleRate of RATES) {
    it(`at ${sampleRate} Hz gives exactly the probabilities of a plain reference loop (context, state)`, async () => {
      const pcm = loadRecording('jfk-16k.wav', sampleRate).subarray(0, sampleRate * 4);
      const expected = await referenceProbabilities(pcm, sampleRate);
      const analyzer = await SileroVADAnalyzer.create({ sampleRate });
      expect(analyzer.windowSize).toBe(sampleRate === 16000 ? 512 : 256);
      expect(analyzer.windowMs).toBe(32);
      const actual = await analyzerProbabilities(analyzer, pcm, sampleRate / 50);
      expect(actual).toEqual(expected);
      expect(Math.max(...actual)).toBeGreaterThan(0.9);
    });
  }

  it('analyzers sharing the session keep their own state, even when their calls interleave', async () => {
    const speech = loadRecording('jfk-16k.wav', 16000).subarray(0, 16000 * 3);
    const noise = generateNoise('pink', speech.length, -30, 7);
    const alone = await analyzerProbabilities(
      await SileroVADAnalyzer.create({ sampleRate: 16000 }),
      speech,
      320,
    );
    const a = await SileroVADAnalyzer.create({ sampleRate: 16000 });
    const b = await SileroVADAnalyzer.create({ sampleRate: 16000 });
    const interleaved: number[] = [];
    for (let offset = 0; offset < speech.length; offset += 320) {
      const [result] = await Promise.all([
        a.analyze(speech.subarray(offset, offset + 320)),
        b.analyze(noise.subarray(offset, offset + 320)),
      ]);
      if (result.windows === 1) interleaved.push(result.confidence);
    }
    expect(interleaved).toEqual(alone);
  });

  it('reset() in the middle of an inference clears the state: the stream replays identically', async () => {
    const pcm = loadRecording('spacewalk-44k.wav', 8000).subarray(0, 8000 * 3);
    const fresh = await analyzerProbabilities(await SileroVADAnalyzer.create({ sampleRate: 8000 }), pcm, 256);
    const analyzer = await SileroVADAnalyzer.create({ sampleRate: 8000 });
    await analyzerProbabilities(analyzer, loadRecording('jfk-16k.wav', 8000).subarray(0, 8000), 256);
    const inFlight = analyzer.analyze(pcm.subarray(0, 256));
    analyzer.reset();
    expect((await inFlight).events).toEqual([]);
    expect(await analyzerProbabilities(analyzer, pcm, 256)).toEqual(fresh);
  });

  it('rejects unsupported sample rates and missing models with typed errors', async () => {
    await expect(SileroVADAnalyzer.create({ sampleRate: 44100 as 16000 })).rejects.toMatchObject({
      code: 'unsupported-vad-sample-rate',
    });
    await expect(
      SileroVADAnalyzer.create({ sampleRate: 16000, modelPath: '/nonexistent/model.onnx' }),
    ).rejects.toMatchObject({ code: 'vad-load-failed' });
  });
});

describe('SileroVADAnalyzer on real speech', () => {
  const configurations: [string, Partial<VADParams>][] = [
    ['default parameters', {}],
    ['startSecs 0.1, stopSecs 0.3', { startSecs: 0.1, stopSecs: 0.3 }],
  ];
  for (const [label, params] of configurations) {
    for (const name of RECORDINGS) {
      for (const sampleRate of RATES) {
        it(`${name} at ${sampleRate} Hz, ${label}: speech edges within 100 ms of the hand labels`, async () => {
          const analyzer = await SileroVADAnalyzer.create({ sampleRate, params });
          const segments = await detectSegments(analyzer, loadRecording(name, sampleRate));
          const check = checkSpeechEdges(segments, speechLabels(name), { ...DEFAULT_VAD_PARAMS, ...params });
          expect(check.problems, describeEdges(check)).toEqual([]);
          expect(segments.length).toBeGreaterThanOrEqual(name === 'jfk-16k.wav' ? 4 : 3);
        });
      }
    }
  }
});

describe('SileroVADAnalyzer on silence and noise', () => {
  for (const sampleRate of RATES) {
    it(`finds no speech in digital silence or in white and pink noise at -40 and -20 dBFS, ${sampleRate} Hz`, async () => {
      const inputs = {
        silence: new Int16Array(sampleRate * 5),
        'white -40 dBFS': generateNoise('white', sampleRate * 10, -40),
        'pink -40 dBFS': generateNoise('pink', sampleRate * 10, -40),
        'white -20 dBFS': generateNoise('white', sampleRate * 10, -20, 2),
        'pink -20 dBFS': generateNoise('pink', sampleRate * 10, -20, 2),
      };
      for (const [what, pcm] of Object.entries(inputs)) {
        const analyzer = await SileroVADAnalyzer.create({ sampleRate });
        expect(await detectSegments(analyzer, pcm), what).toEqual([]);
      }
    });
  }
});

describe('SileroVADAnalyzer in a VADProcessor', () => {
  it('pushes VAD frames with the same edges as the analyzer alone, after forwarding all audio in order', async () => {
    const pcm = loadRecording('jfk-16k.wav', 8000);
    const expected = await detectSegments(await SileroVADAnalyzer.create({ sampleRate: 8000 }), pcm, 160);
    const frames: InputAudioRawFrame[] = [];
    for (let offset = 0; offset + 160 <= pcm.length; offset += 160) {
      frames.push(new InputAudioRawFrame({ audio: pcm.subarray(offset, offset + 160), sampleRate: 8000 }));
    }
    const processor = new VADProcessor(await SileroVADAnalyzer.create({ sampleRate: 8000 }));
    const { downstream, errors } = await runProcessor(processor, { frames });
    expect(errors).toEqual([]);
    expect(downstream.filter((f) => f instanceof InputAudioRawFrame)).toEqual(frames);
    const starts = downstream
      .filter((f) => f instanceof VADUserStartedSpeakingFrame)
      .map((f) => f.speechStartMs);
    const stops = downstream
      .filter((f) => f instanceof VADUserStoppedSpeakingFrame)
      .map((f) => f.speechEndMs);
    expect(starts).toEqual(expected.map((s) => s.startMs));
    expect(stops).toEqual(expected.filter((s) => s.stopMs !== undefined).map((s) => s.stopMs));
    expect(starts.length).toBeGreaterThanOrEqual(4);
  });
});
