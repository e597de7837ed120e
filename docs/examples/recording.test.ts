import type { RecordingChunk } from '@voxline/audio';
import { InputAudioRawFrame, OutputAudioRawFrame } from '@voxline/core';
import { runProcessor, type Sleep, sineTone, sleep } from '@voxline/core/testing';
import { expect, it } from 'vitest';
import { streamingRecorder } from './recording.js';

it('the recording guide: 12 s of call come out as 5 s chunks on one timeline, caller and bot mixed', async () => {
  const chunks: RecordingChunk[] = [];
  const frames: (InputAudioRawFrame | OutputAudioRawFrame | Sleep)[] = [];
  // 12 s: the caller speaks for 6 s, then the bot answers for 6 s, in 20 ms frames at real time.
  for (let index = 0; index < 600; index++) {
    const audio = sineTone(index < 300 ? 300 : 500, 20, 8000, -20);
    frames.push(
      index < 300
        ? new InputAudioRawFrame({ audio, sampleRate: 8000 })
        : new OutputAudioRawFrame({ audio, sampleRate: 8000 }),
      sleep(20),
    );
  }
  const { errors } = await runProcessor(
    streamingRecorder((chunk) => chunks.push(chunk)),
    { frames },
  );
  expect(errors).toEqual([]);
  expect(chunks.map((chunk) => [chunk.startMs, chunk.numChannels])).toEqual([
    [0, 1],
    [5000, 1],
    [10000, 1],
  ]);
  const total = chunks.reduce((sum, chunk) => sum + chunk.audio.length, 0);
  expect(total).toBe(8000 * 12);
});
