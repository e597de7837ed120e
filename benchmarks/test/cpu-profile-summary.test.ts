import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CpuProfile,
  cpuProfileMarkdown,
  groupOf,
  summarizeCpuProfile,
} from '../lib/cpu-profile-summary.js';

const directory = mkdtempSync(join(tmpdir(), 'cpu-profile-summary-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/**
 * A real profile of a Node process that spends ~400 ms in JSON.parse and JSON.stringify, called
 * from a script named like the serializers' message parser (the builtins' time is their caller's).
 */
function profileOfJsonLoop(): CpuProfile {
  const script = join(directory, 'message-parsing.js');
  writeFileSync(
    script,
    `
    const text = JSON.stringify({ event: 'media', media: { payload: 'x'.repeat(216), chunk: '1' } });
    const end = Date.now() + 400;
    let kept = 0;
    while (Date.now() < end) for (let i = 0; i < 1000; i++) kept += JSON.stringify(JSON.parse(text)).length;
    console.log(kept > 0);
  `,
  );
  execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${directory}`, script]);
  const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('node wrote no .cpuprofile');
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
}

describe('summarizeCpuProfile', () => {
  it('puts most of a JSON loop in JSON parse/serialize, and the groups add up to the busy samples', () => {
    const summary = summarizeCpuProfile(profileOfJsonLoop());
    const json = summary.groups.find((entry) => entry.group === 'JSON parse/serialize');
    expect(json?.share).toBeGreaterThan(0.5);
    const total = summary.groups.reduce((sum, entry) => sum + entry.share, 0);
    expect(total).toBeCloseTo(1, 6);
    expect(cpuProfileMarkdown(summary)).toMatch(
      /^\| JSON parse\/serialize \| \d+\.\d% \| [^|]*message-parsing\.js/m,
    );
  });

  it('gives WebAssembly the group of its nearest placed caller, and keeps only samples in the window', () => {
    const resampler = 'file:///repo/packages/audio/src/resampler/stream-resampler.ts';
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 40,
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 5] },
        { id: 2, callFrame: { functionName: 'process', url: resampler }, children: [3] },
        { id: 3, callFrame: { functionName: 'GenericJSToWasmWrapper', url: '' }, children: [4] },
        { id: 4, callFrame: { functionName: 'wasm-function[0]', url: 'wasm://wasm/abc' } },
        { id: 5, callFrame: { functionName: '(idle)', url: '' } },
      ],
      samples: [4, 4, 2, 5],
      timeDeltas: [10, 10, 10, 10],
    };
    const all = summarizeCpuProfile(profile);
    expect(all.busySamples).toBe(3);
    expect(all.groups.find((entry) => entry.group === 'resampling')?.share).toBeCloseTo(1, 9);
    expect(all.idleShare).toBeCloseTo(0.25, 9);
    const windowed = summarizeCpuProfile(profile, 0, { fromUs: 15, toUs: 35 });
    expect(windowed.busySamples).toBe(2);
  });
});

describe('groupOf', () => {
  it('places native functions by name and scripts by path', () => {
    expect(groupOf('writev', '')).toBe('WebSocket/syscalls');
    expect(groupOf('base64Slice', '')).toBe('base64');
    expect(groupOf('(garbage collector)', '')).toBe('GC');
    expect(groupOf('encodeMuLaw', 'file:///r/packages/audio/src/g711/mu-law.ts')).toBe('G.711');
    expect(
      groupOf('startLoop', 'file:///r/node_modules/.pnpm/ws@8.23.0/node_modules/ws/lib/receiver.js'),
    ).toBe('WebSocket/syscalls');
    expect(groupOf('receiveFrame', 'file:///r/packages/core/src/processors/frame-processor.ts')).toBe(
      'pipeline hops',
    );
    expect(groupOf('x', 'file:///r/node_modules/onnxruntime-node/dist/backend.js')).toBe('Silero');
  });
});
