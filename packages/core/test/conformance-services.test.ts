/**
 * The STT, TTS and LLM suites pass well-behaved services and catch services that break one rule.
 * (The provider packages run the same suites on the real adapters.)
 */
import {
  type ConformanceCheckResult,
  llmServiceConformance,
  runConformanceSuite,
  sineTone,
  sttServiceConformance,
  ttsServiceConformance,
} from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';
import { ScriptedLLMService, ScriptedSTTService, ToneTTSService } from './conformance-fakes.js';

function failedNames(results: readonly ConformanceCheckResult[]): string[] {
  return results
    .filter((result) => !result.passed)
    .map((result) => `${result.name}: ${String(result.error)}`);
}

const speech = { samples: sineTone(300, 1500, 16000), sampleRate: 16000 };

describe('sttServiceConformance', () => {
  it('passes a streaming STT that keeps the contract', async () => {
    const results = await runConformanceSuite(
      sttServiceConformance({
        create: () => new ScriptedSTTService(),
        speech,
        expectedText: /hello world/,
        interimResults: true,
        timeoutMs: 2000,
      }),
    );
    expect(failedNames(results)).toEqual([]);
    expect(results).toHaveLength(9);
  });

  it('catches an STT whose EndFrame does not wait for the last transcription', async () => {
    const results = await runConformanceSuite(
      sttServiceConformance({
        create: () => new ScriptedSTTService({ endWithoutFlush: true }),
        speech,
        timeoutMs: 2000,
      }),
    );
    const failed = results.filter((result) => !result.passed);
    expect(failed.map((result) => result.name)).toContain(
      'an EndFrame waits for the last transcription: every final comes out before the EndFrame',
    );
    expect(failed.find((result) => result.name.startsWith('an EndFrame'))?.error).toMatchObject({
      code: 'contract-violated',
    });
  });

  it('refuses speech it cannot use', async () => {
    const [first] = await runConformanceSuite(
      sttServiceConformance({
        create: () => new ScriptedSTTService(),
        speech: { samples: new Int16Array(0), sampleRate: 16000 },
      }),
    );
    expect(first?.error).toMatchObject({ code: 'invalid-options' });
  });
});

describe('ttsServiceConformance', () => {
  it('passes a TTS that keeps the contract, word timestamps included', async () => {
    const results = await runConformanceSuite(
      ttsServiceConformance({
        create: () => new ToneTTSService(),
        sampleRate: 16000,
        wordTimestamps: true,
        timeoutMs: 5000,
      }),
    );
    expect(failedNames(results)).toEqual([]);
  });

  it('catches a TTS that pushes audio of an interrupted turn', async () => {
    const results = await runConformanceSuite(
      ttsServiceConformance({
        create: () => new ToneTTSService({ pushesLateAudio: true }),
        sampleRate: 16000,
        timeoutMs: 5000,
      }),
    );
    const interruption = results.find((result) => result.name.startsWith('an interruption drops late audio'));
    expect(interruption?.passed).toBe(false);
    expect(interruption?.error).toMatchObject({
      code: 'contract-violated',
      message: expect.stringContaining('after the interruption'),
    });
  });
});

describe('llmServiceConformance', () => {
  it('passes an LLM that keeps the contract, tools and interruption included', async () => {
    const results = await runConformanceSuite(
      llmServiceConformance({
        create: (scenario) => new ScriptedLLMService(scenario),
        exactText: true,
        timeoutMs: 5000,
      }),
    );
    expect(failedNames(results)).toEqual([]);
    expect(results).toHaveLength(7);
  });

  it('catches an LLM that keeps the CancelFrame', async () => {
    const results = await runConformanceSuite(
      llmServiceConformance({
        create: (scenario) => new ScriptedLLMService(scenario, { swallowsCancel: true }),
        timeoutMs: 5000,
      }),
    );
    expect(results.filter((result) => !result.passed).map((result) => result.name)).toEqual([
      'a CancelFrame during a stream is forwarded and ends the pipeline',
    ]);
  });
});
