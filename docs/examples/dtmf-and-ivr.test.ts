import { DTMFDetectorProcessor, generateDTMF } from '@voxline/audio';
import { InputAudioRawFrame, Pipeline, type TTSSpeakFrame } from '@voxline/core';
import { inputAudioFrames, runProcessor } from '@voxline/core/testing';
import { expect, it } from 'vitest';
import { keyPressAudio, PhoneMenu } from './dtmf-and-ivr.js';

it('the DTMF guide: in-band key presses reach the menu, which answers each', async () => {
  const tones = generateDTMF('12', { sampleRate: 8000, toneMs: 100, gapMs: 100 });
  const frames = inputAudioFrames({ samples: tones, sampleRate: 8000 });
  const { downstream, errors } = await runProcessor(
    new Pipeline([new DTMFDetectorProcessor(), new PhoneMenu()]),
    {
      frames,
      params: { audioInSampleRate: 8000 },
    },
  );
  expect(errors).toEqual([]);
  const said = downstream.filter((frame) => !(frame instanceof InputAudioRawFrame) && 'text' in frame);
  expect(said.map((frame) => (frame as TTSSpeakFrame).text)).toEqual([
    PhoneMenu.choices,
    'We are open from nine to five, Monday to Friday.',
    'We are at 12 Harbour Street.',
  ]);
});

it('the DTMF guide: key-press audio is 200 ms per key at the requested rate', () => {
  const frame = keyPressAudio('123#', 8000);
  expect(frame.sampleRate).toBe(8000);
  expect(frame.audio.length).toBe(4 * 1600);
});
