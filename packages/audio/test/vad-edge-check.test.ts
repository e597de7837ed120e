import { describe, expect, it } from 'vitest';
import { checkSpeechEdges, type DetectedSegment, speechLabels } from './vad-speech-fixtures.js';

// The label check used by the VAD tests must be able to fail: these feed it segments that are
// right, slightly wrong and badly wrong.
describe('checkSpeechEdges', () => {
  const labels = speechLabels('jfk-16k.wav');
  const params = { startSecs: 0.2, stopSecs: 0.2 };
  const fromLabels = (shiftMs: number): DetectedSegment[] =>
    [
      [0.32, 2.18],
      [3.28, 4.31],
      [5.41, 7.69],
      [8.19, 10.44],
    ].map(([from, to]) => ({ startMs: from! * 1000 + shiftMs, stopMs: to! * 1000 + shiftMs }));

  it('accepts the labelled segments, and the same shifted by 90 ms', () => {
    expect(checkSpeechEdges(fromLabels(0), labels, params)).toMatchObject({ ok: true, maxErrorMs: 0 });
    const shifted = checkSpeechEdges(fromLabels(90), labels, params);
    expect(shifted.ok).toBe(true);
    expect(shifted.maxErrorMs).toBeCloseTo(90, 6);
  });

  it('rejects the labelled segments shifted by 150 ms', () => {
    expect(checkSpeechEdges(fromLabels(150), labels, params).ok).toBe(false);
    expect(checkSpeechEdges(fromLabels(-150), labels, params).ok).toBe(false);
  });

  it('rejects one segment over the whole file, a missed phrase and a segment in a pause', () => {
    expect(checkSpeechEdges([{ startMs: 320, stopMs: 10_440 }], labels, params).problems).toContain(
      'labelled stop at 2.18 s not detected',
    );
    expect(checkSpeechEdges(fromLabels(0).slice(1), labels, params).ok).toBe(false);
    expect(checkSpeechEdges([...fromLabels(0), { startMs: 2600, stopMs: 3000 }], labels, params).ok).toBe(
      false,
    );
  });
});
