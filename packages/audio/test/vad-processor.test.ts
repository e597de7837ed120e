import { VADAnalyzer, VADProcessor, type VADSpeechEvent, WebRTCVADAnalyzer } from '@voxline/audio';
import {
  EndFrame,
  type Frame,
  InputAudioRawFrame,
  TextFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { runProcessor } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { loadRecording } from './vad-speech-fixtures.js';

function audioFrames(pcm: Int16Array, sampleRate: number, frameMs = 20): InputAudioRawFrame[] {
  const size = (sampleRate * frameMs) / 1000;
  const frames: InputAudioRawFrame[] = [];
  for (let offset = 0; offset + size <= pcm.length; offset += size) {
    frames.push(new InputAudioRawFrame({ audio: pcm.subarray(offset, offset + size), sampleRate }));
  }
  return frames;
}

async function eventsOf(
  analyzer: VADAnalyzer,
  frames: readonly InputAudioRawFrame[],
): Promise<VADSpeechEvent[]> {
  const events: VADSpeechEvent[] = [];
  for (const frame of frames) events.push(...(await analyzer.analyze(frame.audio)).events);
  return events;
}

/** Audio ms that came out before each VAD frame, with the edge time it carries. */
function vadFramesWithAudioBefore(frames: readonly Frame[]) {
  let audioMs = 0;
  const found: { type: 'started' | 'stopped'; edgeMs: number | undefined; audioMsBefore: number }[] = [];
  for (const frame of frames) {
    if (frame instanceof InputAudioRawFrame) audioMs += (frame.audio.length / frame.sampleRate) * 1000;
    else if (frame instanceof VADUserStartedSpeakingFrame)
      found.push({ type: 'started', edgeMs: frame.speechStartMs, audioMsBefore: audioMs });
    else if (frame instanceof VADUserStoppedSpeakingFrame)
      found.push({ type: 'stopped', edgeMs: frame.speechEndMs, audioMsBefore: audioMs });
  }
  return found;
}

/** A test analyzer answering after a macrotask (like onnxruntime): loud windows are speech. */
class SlowPeakAnalyzer extends VADAnalyzer {
  constructor() {
    super({ sampleRate: 8000, params: { startSecs: 0.04, stopSecs: 0.04 } }, { windowSize: 160 });
  }
  protected override voiceConfidence(window: Int16Array): Promise<number> {
    let peak = 0;
    for (const s of window) peak = Math.max(peak, Math.abs(s));
    return new Promise((resolve) => setTimeout(() => resolve(peak > 10_000 ? 1 : 0), 1));
  }
}

describe('VADProcessor', () => {
  it('forwards every audio frame in order and adds VAD frames carrying the speech edges', async () => {
    const frames = audioFrames(loadRecording('spacewalk-44k.wav', 8000).subarray(0, 8000 * 8), 8000);
    const expected = await eventsOf(await WebRTCVADAnalyzer.create({ sampleRate: 8000 }), frames);
    expect(expected.length).toBeGreaterThanOrEqual(3);

    const processor = new VADProcessor(await WebRTCVADAnalyzer.create({ sampleRate: 8000 }));
    const { downstream, upstream, errors } = await runProcessor(processor, { frames });
    expect(downstream.filter((f) => f instanceof InputAudioRawFrame)).toEqual(frames);
    expect(upstream).toEqual([]);
    expect(errors).toEqual([]);
    const vadFrames = vadFramesWithAudioBefore(downstream);
    expect(vadFrames.map(({ type, edgeMs }) => ({ type, edgeMs }))).toEqual(
      expected.map((e) => ({ type: e.type, edgeMs: e.type === 'started' ? e.startMs : e.stopMs })),
    );
    // Each VAD frame follows the audio frame that completed its deciding window.
    vadFrames.forEach((found, i) => {
      expect(found.audioMsBefore).toBeGreaterThanOrEqual(expected[i]!.decidedAtMs);
      expect(found.audioMsBefore).toBeLessThan(expected[i]!.decidedAtMs + 20);
    });
  });

  it('with an asynchronous analyzer, audio is never held back and the EndFrame waits for the last edge', async () => {
    // 200 ms silence, 200 ms loud, 200 ms silence at 8000 Hz.
    const pcm = new Int16Array(4800);
    for (let i = 1600; i < 3200; i++) pcm[i] = i % 2 === 0 ? 20_000 : -20_000;
    const frames = audioFrames(pcm, 8000);
    const processor = new VADProcessor(new SlowPeakAnalyzer());
    const { recorded } = await runProcessor(processor, { frames: [...frames, new TextFrame('after')] });
    const out = recorded.downstream.map((entry) => entry.frame);
    const audioOut = out.filter((f) => f instanceof InputAudioRawFrame);
    expect(audioOut).toEqual(frames);
    const vad = vadFramesWithAudioBefore(out);
    expect(vad.map(({ type, edgeMs }) => ({ type, edgeMs }))).toEqual([
      { type: 'started', edgeMs: 200 },
      { type: 'stopped', edgeMs: 400 },
    ]);
    // The stop edge is decided by the last window; its frame still comes out before the EndFrame.
    const endIndex = out.findIndex((f) => f instanceof EndFrame);
    const stopIndex = out.findIndex((f) => f instanceof VADUserStoppedSpeakingFrame);
    expect(stopIndex).toBeGreaterThan(-1);
    expect(stopIndex).toBeLessThan(endIndex);
    expect(out.findIndex((f) => f instanceof TextFrame)).toBeLessThan(endIndex);
  });

  it('forwards audio at another sample rate unanalysed and reports it once', async () => {
    const frames = audioFrames(loadRecording('jfk-16k.wav', 16000).subarray(0, 16000 * 2), 16000);
    const processor = new VADProcessor(await WebRTCVADAnalyzer.create({ sampleRate: 8000 }));
    const { downstream, errors } = await runProcessor(processor, { frames });
    expect(downstream).toEqual(frames);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toMatchObject({ code: 'unsupported-vad-sample-rate' });
    expect(errors[0]!.fatal).toBe(false);
  });

  it('restarts audio time at each StartFrame and closes the analyzer at cleanup', async () => {
    const analyzer = await WebRTCVADAnalyzer.create({ sampleRate: 8000 });
    await analyzer.analyze(new Int16Array(8000));
    const frames = audioFrames(loadRecording('spacewalk-44k.wav', 8000).subarray(0, 8000 * 3), 8000);
    const { downstream } = await runProcessor(new VADProcessor(analyzer), { frames });
    const first = downstream.find((f) => f instanceof VADUserStartedSpeakingFrame);
    expect(first?.speechStartMs).toBeLessThan(300);
    await expect(analyzer.analyze(new Int16Array(240))).rejects.toMatchObject({ code: 'vad-closed' });
  });
});
