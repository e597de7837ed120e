/**
 * What PocketsphinxSTTService holds over a call: no recognizer process until the caller speaks
 * (a silent call costs nothing), the process started at speech start so it has loaded its model
 * by the end of the segment, and no abort listener left behind per turn. Needs the Debian
 * packages `pocketsphinx` and `pocketsphinx-en-us`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav } from '@voxline/audio';
import {
  type Frame,
  type FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  Pipeline,
  TranscriptionFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { runProcessor, type Sleep, sleep } from '@voxline/core/testing';
import { PocketsphinxSTTService } from '@voxline/local';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfk = readWav(join(root, '..', 'shared', 'data', 'jfk-16k.wav'));
const FRAME_SAMPLES = 320;

/** Process ids whose parent is this process (Linux /proc). */
function childProcessIds(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent id; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid) children.push(Number(entry));
    } catch {
      // The process exited while being read.
    }
  }
  return children;
}

/** Passes frames on and notes how many child processes exist when each audio frame passes. */
class ChildProcessProbe extends FrameProcessor {
  readonly childrenAtAudio: number[] = [];
  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame) this.childrenAtAudio.push(childProcessIds().length);
    this.pushFrame(frame, direction);
  }
}

/** `seconds` of 20 ms frames at 16000 Hz cut from jfk-16k.wav at `fromSeconds` (all zeros for silence). */
function audioFrames(fromSeconds: number, seconds: number, silent = false): InputAudioRawFrame[] {
  const frames: InputAudioRawFrame[] = [];
  const first = Math.round(fromSeconds * 16000);
  const count = Math.round((seconds * 16000) / FRAME_SAMPLES);
  for (let i = 0; i < count; i++) {
    const audio = silent
      ? new Int16Array(FRAME_SAMPLES)
      : jfk.samples.slice(first + i * FRAME_SAMPLES, first + (i + 1) * FRAME_SAMPLES);
    frames.push(new InputAudioRawFrame({ audio, sampleRate: 16000 }));
  }
  return frames;
}

/** One caller turn: "ask not" (3.2-3.9 s of the recording) between VAD edges, then silence. */
function turn(): (Frame | Sleep)[] {
  return [
    new VADUserStartedSpeakingFrame(3300),
    ...audioFrames(3.2, 0.7),
    new VADUserStoppedSpeakingFrame(3800),
    ...audioFrames(0, 0.2, true),
    sleep(1),
  ];
}

describe('PocketsphinxSTTService resources', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });

  it('starts no process for a call that only sends silence', async () => {
    const stt = new PocketsphinxSTTService();
    const probe = new ChildProcessProbe();
    const childrenBefore = childProcessIds().length;
    const { downstream, errors } = await runProcessor(new Pipeline([stt, probe]), {
      params: { audioInSampleRate: 16000 },
      frames: [...audioFrames(0, 5, true), sleep(1)],
    });
    expect(errors).toEqual([]);
    expect(downstream.filter((frame) => frame instanceof TranscriptionFrame)).toEqual([]);
    expect(stt.processesStarted).toBe(0);
    // 250 frames passed with the pipeline running: not one had a recognizer process beside it.
    expect(probe.childrenAtAudio).toHaveLength(250);
    expect(Math.max(...probe.childrenAtAudio)).toBe(childrenBefore);
  });

  it('starts the recognizer when speech starts, before the segment ends, and transcribes it', async () => {
    const stt = new PocketsphinxSTTService();
    const probe = new ChildProcessProbe();
    const childrenBefore = childProcessIds().length;
    const { downstream, errors } = await runProcessor(new Pipeline([stt, probe]), {
      params: { audioInSampleRate: 16000 },
      frames: [
        ...audioFrames(0, 1, true),
        new VADUserStartedSpeakingFrame(1000),
        ...audioFrames(0.3, 2.3),
        new VADUserStoppedSpeakingFrame(3300),
        sleep(1),
      ],
      ioWaitMs: 30_000,
    });
    expect(errors).toEqual([]);
    const silentPart = probe.childrenAtAudio.slice(0, 50);
    const spokenPart = probe.childrenAtAudio.slice(50);
    expect(Math.max(...silentPart)).toBe(childrenBefore);
    // `sh -c 'cat | exec pocketsphinx_continuous'`: the shell is this process's child from the
    // first speech frame on.
    expect(Math.min(...spokenPart)).toBeGreaterThan(childrenBefore);
    expect(stt.processesStarted).toBe(1);
    const transcripts = downstream.filter((frame) => frame instanceof TranscriptionFrame);
    expect(transcripts).toHaveLength(1);
    // "And so my fellow Americans": the small model gets some of the words.
    expect(transcripts[0]?.text).toMatch(/^[a-z' ]+$/);
  }, 60_000);

  it('leaves no abort listener behind over 14 turns of one call', async () => {
    const stt = new PocketsphinxSTTService();
    const turns = Array.from({ length: 14 }, () => turn()).flat();
    const { downstream, errors } = await runProcessor(stt, {
      params: { audioInSampleRate: 16000 },
      frames: turns,
      ioWaitMs: 30_000,
    });
    expect(errors).toEqual([]);
    expect(downstream.filter((frame) => frame instanceof TranscriptionFrame)).toHaveLength(14);
    expect(stt.processesStarted).toBe(14);
    // Node warns once an AbortSignal has more than 10 listeners of one event.
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    // Every process was handed its segment or killed: none is left.
    expect(childProcessIds()).toEqual([]);
  }, 120_000);
});
