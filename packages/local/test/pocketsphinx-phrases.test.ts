/**
 * PocketsphinxSTTService on telephone audio: a JFK segment sent as a carrier sends it (8000 Hz
 * µ-law, decoded), recognized with a phrase grammar and the noise floor that fills the empty band
 * above 4000 Hz. Needs the Debian packages `pocketsphinx` and `pocketsphinx-en-us`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMuLaw, encodeMuLaw, readWav, rmsDbfs, StreamResampler } from '@voxline/audio';
import {
  InputAudioRawFrame,
  TranscriptionFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { runProcessor, sleep } from '@voxline/core/testing';
import {
  PhraseGrammarError,
  PocketsphinxSTTService,
  phraseGrammar,
  UNRECOGNIZED_SPEECH,
  withNoiseFloor,
  writePhraseGrammar,
} from '@voxline/local';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfk = readWav(join(root, '..', 'shared', 'data', 'jfk-16k.wav'));

/** The phrases of the JFK recording, between its pauses (as `voxline demo` uses them). */
const JFK_PHRASES = [
  'and so my fellow americans',
  'ask not',
  'what your country can do for you',
  'ask not what your country can do for you',
  'ask what you can do for your country',
];

/**
 * `fromSecs`–`toSecs` of the recording as a carrier delivers it: 8000 Hz µ-law, decoded, in 20 ms
 * frames, between VAD start and stop frames. `startLateMs` puts the start frame after that much
 * audio, as when the VAD confirms the start late (its startSecs, or inference lagging).
 */
function telephoneTurn(fromSecs: number, toSecs: number, startLateMs = 0) {
  const slice = jfk.samples.subarray(Math.round(fromSecs * 16000), Math.round(toSecs * 16000));
  const narrow = new StreamResampler({ inputRate: 16000, outputRate: 8000 }).process(slice);
  const phone = decodeMuLaw(encodeMuLaw(narrow));
  const frames = [];
  for (let i = 0; i + 160 <= phone.length; i += 160) {
    frames.push(new InputAudioRawFrame({ audio: phone.slice(i, i + 160), sampleRate: 8000 }));
  }
  const late = startLateMs / 20;
  return [
    ...frames.slice(0, late),
    new VADUserStartedSpeakingFrame(300),
    ...frames.slice(late),
    new VADUserStoppedSpeakingFrame(800),
    sleep(1),
  ];
}

async function recognize(
  service: PocketsphinxSTTService,
  fromSecs: number,
  toSecs: number,
  startLateMs = 0,
): Promise<string[]> {
  const { downstream, errors } = await runProcessor(service, {
    params: { audioInSampleRate: 8000 },
    frames: telephoneTurn(fromSecs, toSecs, startLateMs),
    ioWaitMs: 30_000,
  });
  expect(errors).toEqual([]);
  return downstream.filter((frame) => frame instanceof TranscriptionFrame).map((frame) => frame.text);
}

describe('PocketsphinxSTTService with phrases, on telephone audio', () => {
  it('tells apart two turns that share most of their words, and hears each as said', async () => {
    const service = () => new PocketsphinxSTTService({ phrases: JFK_PHRASES });
    expect(await recognize(service(), 5.2, 7.9)).toEqual(['what your country can do for you']);
    expect(await recognize(service(), 8.0, 10.5)).toEqual(['ask what you can do for your country']);
  }, 60_000);

  it("keeps the first words when the VAD confirms the start 800 ms late, with the offline agent's 1 s pre-roll", async () => {
    // The offline agent's setting; with the default 300 ms the segment loses "ask what" and is
    // not recognized (the demo failed so on a loaded machine).
    const late = new PocketsphinxSTTService({ phrases: JFK_PHRASES, preRollMs: 1000 });
    expect(await recognize(late, 8.0, 10.5, 800)).toEqual(['ask what you can do for your country']);
    const cut = new PocketsphinxSTTService({ phrases: JFK_PHRASES });
    expect(await recognize(cut, 8.0, 10.5, 800)).toEqual([UNRECOGNIZED_SPEECH]);
  }, 60_000);

  it('without the noise floor, the same turn is not recognized (why the noise floor exists)', async () => {
    const bare = new PocketsphinxSTTService({ phrases: JFK_PHRASES, noiseFloorDbfs: null });
    expect(await recognize(bare, 8.0, 10.5)).toEqual([UNRECOGNIZED_SPEECH]);
  }, 60_000);
});

describe('phraseGrammar', () => {
  it('writes one public JSGF rule whose alternatives are the phrases', () => {
    expect(phraseGrammar(['yes', 'no thanks'])).toBe(
      '#JSGF V1.0;\ngrammar phrases;\npublic <phrase> = yes | no thanks;\n',
    );
  });

  it('refuses an empty list and phrases that are not lowercase words', () => {
    expect(() => phraseGrammar([])).toThrow(PhraseGrammarError);
    for (const bad of ['Yes', 'no  thanks', ' yes', 'yes;', 'yes | no', '']) {
      expect(() => phraseGrammar([bad]), bad).toThrow(PhraseGrammarError);
    }
  });

  it('is written once per content, to the same file', () => {
    const path = writePhraseGrammar(JFK_PHRASES);
    expect(writePhraseGrammar([...JFK_PHRASES])).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe(phraseGrammar(JFK_PHRASES));
    expect(writePhraseGrammar(['ask not'])).not.toBe(path);
  });
});

describe('withNoiseFloor', () => {
  it('adds noise at the asked level to a copy, the same every time', () => {
    const silence = new Int16Array(16000);
    const noisy = withNoiseFloor(silence, -60);
    expect(rmsDbfs(noisy)).toBeCloseTo(-60, 0);
    expect(withNoiseFloor(silence, -60)).toEqual(noisy);
    expect(silence.every((sample) => sample === 0)).toBe(true);
    expect(rmsDbfs(withNoiseFloor(silence, -40))).toBeCloseTo(-40, 0);
  });

  it('refuses a level that is not below 0 dBFS, here and in the service options', () => {
    expect(() => withNoiseFloor(new Int16Array(10), 0)).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'dbfs' }),
    );
    expect(() => withNoiseFloor(new Int16Array(10), Number.NaN)).toThrow(
      expect.objectContaining({ name: 'InvalidOptionError', code: 'invalid-option', option: 'dbfs' }),
    );
    expect(() => new PocketsphinxSTTService({ noiseFloorDbfs: 3 })).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        code: 'invalid-option',
        option: 'noiseFloorDbfs',
      }),
    );
    expect(() => new PocketsphinxSTTService({ noiseFloorDbfs: Number.NaN })).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        code: 'invalid-option',
        option: 'noiseFloorDbfs',
      }),
    );
    expect(() => new PocketsphinxSTTService({ phrases: ['Hello'] })).toThrow(PhraseGrammarError);
    expect(() => new PocketsphinxSTTService({ phrases: ['Hello'] })).toThrow(
      expect.objectContaining({ code: 'invalid-option', option: 'phrases' }),
    );
  });
});
