import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav, rmsDbfs, StreamResampler } from '@voxline/audio';
import {
  InputAudioRawFrame,
  LLMContext,
  LLMContextFrame,
  LLMTextFrame,
  TextFrame,
  TranscriptionFrame,
  TTSAudioRawFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import { frameNames, runProcessor, sleep } from '@voxline/core/testing';
import {
  FliteSynthesizer,
  FliteTTSService,
  isPocketsphinxInstalled,
  PocketsphinxSTTService,
  TurnEchoResponder,
  UNTRANSCRIBED_SPEECH,
  UntranscribedSpeechSTTService,
} from '@voxline/local';
import type { CallInfo } from '@voxline/telephony';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfk = readWav(join(root, '..', 'shared', 'data', 'jfk-16k.wav'));

describe('FliteSynthesizer', () => {
  const synthesizer = new FliteSynthesizer();
  afterAll(() => synthesizer.close());

  it('speaks text at 8000 Hz with the kal voice and 16000 Hz with kal16, off the main thread', async () => {
    const narrow = await synthesizer.synthesize('Ask not what your country can do for you.', 'kal');
    expect(narrow.sampleRate).toBe(8000);
    const seconds = narrow.samples.length / narrow.sampleRate;
    // Nine words at a speaking rate: between one and five seconds, and clearly audible.
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(5);
    expect(rmsDbfs(narrow.samples)).toBeGreaterThan(-30);
    const wide = await synthesizer.synthesize('Ask not.', 'kal16');
    expect(wide.sampleRate).toBe(16000);
  });

  it('answers concurrent requests each with its own audio, in order', async () => {
    const [short, long] = await Promise.all([
      synthesizer.synthesize('Yes.', 'kal'),
      synthesizer.synthesize('This sentence is a good deal longer than the first one.', 'kal'),
    ]);
    expect(long.samples.length).toBeGreaterThan(3 * short.samples.length);
  });

  it('rejects with the abort reason when the request is aborted', async () => {
    const controller = new AbortController();
    const pending = synthesizer.synthesize('Never mind.', 'kal', controller.signal);
    controller.abort(new DOMException('Interrupted by the user.', 'AbortError'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('FliteTTSService', () => {
  const synthesizer = new FliteSynthesizer();
  afterAll(() => synthesizer.close());

  it('turns streamed LLM text into one TTS context of 8000 Hz audio per reply', async () => {
    const tts = new FliteTTSService({ synthesizer });
    const { downstream } = await runProcessor(tts, {
      params: { audioOutSampleRate: 8000 },
      frames: [new LLMTextFrame('Turn 1. '), new LLMTextFrame('You said: hello.'), new TextFrame(' ')],
      settleMs: 1,
    });
    const audio = downstream.filter((frame) => frame instanceof TTSAudioRawFrame);
    expect(audio.length).toBeGreaterThan(0);
    expect(audio.every((frame) => frame.sampleRate === 8000 && frame.contextId === audio[0]?.contextId)).toBe(
      true,
    );
    const names = frameNames(downstream);
    expect(names[0]).toBe('TTSStartedFrame');
    expect(names).toContain('TTSStoppedFrame');
  });
});

describe('TurnEchoResponder', () => {
  it('answers each user turn with its number and what it heard, deterministically', async () => {
    const context = new LLMContext([
      { role: 'system', content: 'test' },
      { role: 'user', content: 'ask not' },
    ]);
    const responder = new TurnEchoResponder();
    const { downstream } = await runProcessor(responder, { frames: [new LLMContextFrame(context)] });
    const text = downstream
      .filter((frame) => frame instanceof LLMTextFrame)
      .map((frame) => frame.text)
      .join('');
    expect(text).toBe('Turn 1. You said: ask not.');
    context.addMessage({ role: 'assistant', content: text });
    context.addMessage({ role: 'user', content: UNTRANSCRIBED_SPEECH });
    expect(responder.reply(context)).toBe('Turn 2. I heard you, but I could not make out the words.');
  });
});

/** JFK's "And so my fellow Americans" (0.3-2.2 s) as 20 ms input frames at `rate`, with VAD edges. */
function spokenTurn(rate: number) {
  const resampler = new StreamResampler({ inputRate: 16000, outputRate: rate });
  const speech = resampler.process(jfk.samples.subarray(0, Math.round(2.6 * 16000)));
  const frameLength = (rate / 1000) * 20;
  const frames = [];
  for (let i = 0; i + frameLength <= speech.length; i += frameLength) {
    frames.push(new InputAudioRawFrame({ audio: speech.slice(i, i + frameLength), sampleRate: rate }));
  }
  return [new VADUserStartedSpeakingFrame(300), ...frames, new VADUserStoppedSpeakingFrame(2200), sleep(1)];
}

describe('UntranscribedSpeechSTTService', () => {
  it('gives every speech segment the placeholder transcript', async () => {
    const { downstream } = await runProcessor(new UntranscribedSpeechSTTService(), {
      params: { audioInSampleRate: 16000 },
      frames: spokenTurn(16000),
    });
    const transcripts = downstream.filter((frame) => frame instanceof TranscriptionFrame);
    expect(transcripts.map((frame) => frame.text)).toEqual([UNTRANSCRIBED_SPEECH]);
  });
});

describe('PocketsphinxSTTService', () => {
  it('is installed on this machine (`npm test` installs the Debian packages as root)', () => {
    expect(
      isPocketsphinxInstalled(),
      'pocketsphinx is not installed. Run `npm test` as root (it installs the packages of ' +
        'scripts/system-packages.txt), or: sudo apt-get update && sudo apt-get install -y pocketsphinx pocketsphinx-en-us',
    ).toBe(true);
  });

  it('recognizes a real speech segment at 8000 Hz through the separate process', async () => {
    const { downstream, errors } = await runProcessor(new PocketsphinxSTTService(), {
      params: { audioInSampleRate: 8000 },
      frames: spokenTurn(8000),
      ioWaitMs: 30_000,
    });
    expect(errors).toEqual([]);
    const transcripts = downstream.filter((frame) => frame instanceof TranscriptionFrame);
    expect(transcripts).toHaveLength(1);
    // pocketsphinx's small model hears telephone-band JFK poorly, but it hears words.
    expect(transcripts[0]?.text).toMatch(/^[a-z' ]+$|^\(speech heard; no words recognized\)$/);
    expect(transcripts[0]?.language).toBe('en-US');
  }, 60_000);

  it('reports a missing program as an error, not a crash', async () => {
    const { errors } = await runProcessor(
      new PocketsphinxSTTService({ program: 'pocketsphinx-that-does-not-exist', retry: { maxAttempts: 1 } }),
      { params: { audioInSampleRate: 16000 }, frames: spokenTurn(16000) },
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(/ENOENT|pocketsphinx-that-does-not-exist/);
  }, 60_000);
});

/** A Telnyx call streaming `encoding` at `sampleRate` both ways. */
function telnyxCall(encoding: string, sampleRate: number): CallInfo {
  const format = { encoding, sampleRate, channels: 1 };
  return {
    carrier: 'telnyx',
    callId: 'v3:call',
    streamId: 'stream',
    customParameters: {},
    mediaFormat: format,
    outboundMediaFormat: format,
    extra: {},
  };
}

describe('createOfflineAgent', () => {
  it('runs the pipeline at the output rate of the chosen voice', async () => {
    const { createOfflineAgent } = await import('@voxline/local');
    const narrow = createOfflineAgent({ voice: 'kal', useSpeechRecognition: false });
    const wide = createOfflineAgent({ voice: 'slt', useSpeechRecognition: false });
    try {
      // A chosen voice holds on every call, wideband or not.
      expect(narrow.params(telnyxCall('G722', 16000)).audioOutSampleRate).toBe(8000);
      expect(wide.params(telnyxCall('PCMU', 8000)).audioOutSampleRate).toBe(16000);
      expect(narrow.speechRecognition).toBe(false);
      expect(narrow.notices[0]).toMatch(/speech recognition is off \(useSpeechRecognition: false\)/);
    } finally {
      await Promise.all([narrow.close(), wide.close()]);
    }
  });

  it('speaks kal16 at 16000 Hz on a wideband call and kal at 8000 Hz on G.711 when no voice is chosen', async () => {
    const { createOfflineAgent, offlineAgentVoice } = await import('@voxline/local');
    const agent = createOfflineAgent({ useSpeechRecognition: false });
    try {
      for (const [encoding, rate, voice, outRate] of [
        ['PCMU', 8000, 'kal', 8000],
        ['PCMA', 8000, 'kal', 8000],
        ['G722', 16000, 'kal16', 16000],
        ['OPUS', 16000, 'kal16', 16000],
        ['OPUS', 8000, 'kal', 8000],
        ['L16', 24000, 'kal16', 16000],
      ] as const) {
        const call = telnyxCall(encoding, rate);
        expect(offlineAgentVoice(call), `${encoding} ${rate}`).toBe(voice);
        expect(agent.params(call), `${encoding} ${rate}`).toMatchObject({
          audioInSampleRate: 16000,
          audioOutSampleRate: outRate,
        });
      }
      // The outbound format decides: Telnyx G.722 may announce its 8000 Hz RTP clock inbound.
      const g722 = {
        ...telnyxCall('G722', 8000),
        outboundMediaFormat: { encoding: 'G722', sampleRate: 16000, channels: 1 },
      };
      expect(offlineAgentVoice(g722)).toBe('kal16');
    } finally {
      await agent.close();
    }
  });
});
