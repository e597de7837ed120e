/**
 * The serializer and VAD suites, which take their subject by shape, pass toy implementations that
 * keep the contracts and catch ones that break a rule. (The carrier and VAD packages run the same
 * suites on the real serializers and analyzers.)
 */
import {
  type ConformanceCheckResult,
  runConformanceSuite,
  serializerConformance,
  vadAnalyzerConformance,
} from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import {
  EnergyVADAnalyzer,
  ToyCarrierSerializer,
  tonesAndPauses,
  toyCarrierMessages,
} from './conformance-fakes.js';

function failed(results: readonly ConformanceCheckResult[]): string[] {
  return results.filter((result) => !result.passed).map((result) => result.name);
}

const rates = { inputSampleRate: 8000, outputSampleRate: 8000 };

describe('serializerConformance', () => {
  it('passes a serializer that keeps the contract', async () => {
    const results = await runConformanceSuite(
      serializerConformance({
        create: () => new ToyCarrierSerializer(),
        rates,
        messages: toyCarrierMessages,
      }),
    );
    expect(
      results.filter((result) => !result.passed).map((result) => `${result.name}: ${String(result.error)}`),
    ).toEqual([]);
    expect(results).toHaveLength(11);
  });

  it("catches a serializer that sends marks before the carrier's start", async () => {
    const results = await runConformanceSuite(
      serializerConformance({
        create: () => new ToyCarrierSerializer({ marksBeforeStart: true }),
        rates,
        messages: toyCarrierMessages,
      }),
    );
    expect(failed(results)).toEqual(["refuses output before the start message with a 'not-started' error"]);
    expect(results[0]?.error).toMatchObject({
      message: expect.stringContaining('serializeMark before start'),
    });
  });

  it('catches bad input refused with the wrong code', async () => {
    const results = await runConformanceSuite(
      serializerConformance({
        create: () => new ToyCarrierSerializer(),
        rates,
        messages: {
          ...toyCarrierMessages,
          invalid: [{ message: '{"event":"teleport"}', code: 'invalid-message' }],
        },
      }),
    );
    expect(failed(results)).toEqual(['refuses bad input with coded, non-fatal errors, and the call goes on']);
  });
});

describe('vadAnalyzerConformance', () => {
  const speech = { samples: tonesAndPauses(16000), sampleRate: 16000 };

  it('passes an analyzer that keeps the contract', async () => {
    const results = await runConformanceSuite(
      vadAnalyzerConformance({
        create: (rate) => new EnergyVADAnalyzer(rate),
        speech,
        speechStartsAtMs: 500,
        toleranceMs: 20,
        unsupportedSampleRate: 44100,
      }),
    );
    expect(
      results.filter((result) => !result.passed).map((result) => `${result.name}: ${String(result.error)}`),
    ).toEqual([]);
    expect(results).toHaveLength(9);
  });

  it('catches an analyzer that loses the audio of partial windows', async () => {
    const results = await runConformanceSuite(
      vadAnalyzerConformance({
        create: (rate) => new EnergyVADAnalyzer(rate, { dropsPartialWindows: true }),
        speech,
      }),
    );
    expect(failed(results)).toEqual([
      'gives the same edges however the audio is cut (7, 10, 30 ms pieces and one call)',
      'counts analysed audio in whole windows: analyzedMs = windows × windowSize / sampleRate',
    ]);
  });

  it('catches a first edge far from the labelled start of speech', async () => {
    const results = await runConformanceSuite(
      vadAnalyzerConformance({
        create: (rate) => new EnergyVADAnalyzer(rate),
        speech,
        speechStartsAtMs: 900,
      }),
    );
    expect(failed(results)).toEqual([
      'finds speech in the recording: started and stopped edges alternate, in time order',
    ]);
  });
});
