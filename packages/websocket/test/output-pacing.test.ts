/**
 * Golden tests of output pacing, on the VirtualClock: 20 ms frames (or longer media messages) at
 * real time with a bounded lead, no drift, no bursts, and TTS chunks of any size re-chunked
 * losslessly.
 */
import { decodeMuLaw, encodeMuLaw } from '@voxline/audio';
import {
  BotInterruptedFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  InterruptionFrame,
  type OutputAudioRawFrame,
  TTSAudioRawFrame,
  TTSStoppedFrame,
} from '@voxline/core';
import { describe, expect, it, vi } from 'vitest';
import { concat, fromMuLawBase64, jfkAt8k } from './support/audio.js';
import { audioFrame, startVirtualCall, type VirtualCall } from './support/virtual-call.js';

/** Splits PCM into chunks of irregular sizes, as a streaming TTS delivers it. */
function irregularChunks(pcm: Int16Array): Int16Array[] {
  const sizes = [37, 113, 7, 250, 61, 480, 1, 999, 160, 333];
  const chunks: Int16Array[] = [];
  let offset = 0;
  for (let i = 0; offset < pcm.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(pcm.slice(offset, offset + size));
    offset += size;
  }
  return chunks;
}

/** What µ-law does to the audio on the way: the exact samples the carrier should receive. */
function muLawRoundTrip(pcm: Int16Array): Int16Array {
  return decodeMuLaw(encodeMuLaw(pcm));
}

/**
 * Checks the carrier got exactly `messages` payloads of `samplesPerMessage` samples each which,
 * in order, are `speech` zero-padded to the last message's end.
 */
function expectPaddedPayloads(
  call: VirtualCall,
  speech: Int16Array,
  messages: number,
  samplesPerMessage: number,
): void {
  const payloads = call.playback.media.map((m) => fromMuLawBase64(m.payload));
  expect(payloads).toHaveLength(messages);
  expect(payloads.every((p) => p.length === samplesPerMessage)).toBe(true);
  const expected = new Int16Array(messages * samplesPerMessage);
  expected.set(muLawRoundTrip(speech));
  expect(concat(payloads)).toEqual(muLawRoundTrip(expected));
}

describe('output pacing', () => {
  it('sends 20 ms frames at real time: three at once (60 ms lead), then one every 20 ms', async () => {
    const call = await startVirtualCall();
    const speech = jfkAt8k(2); // 16000 samples: exactly 100 frames
    call.queue(...irregularChunks(speech).map(audioFrame));
    await call.clock.advance(3000);

    const media = call.playback.media;
    expect(media.map((m) => m.at)).toEqual(media.map((_, k) => Math.max(0, 20 * k - 40)));
    // After every send the carrier holds at most the 60 ms lead, and it does hold it (no gap).
    expect(Math.max(...media.map((m) => m.queuedMs))).toBe(60);
    expect(media.slice(2).every((m) => m.queuedMs === 60)).toBe(true);
    // 50 frames per second in any full second of the stream.
    expect(media.filter((m) => m.at >= 200 && m.at < 1200)).toHaveLength(50);
    // Every payload is one 20 ms frame, and together they are the input, in order.
    expectPaddedPayloads(call, speech, 100, 160);
    expect(call.transport.counters.underruns).toBe(0);
  });

  it('keeps an absolute schedule: 60 s of audio ends exactly on time, no drift', async () => {
    const call = await startVirtualCall();
    const speech = jfkAt8k(11);
    // 60 s from repeated 11 s of speech, in 1 s chunks.
    const chunks: Int16Array[] = [];
    for (let second = 0; second < 60; second++) {
      const offset = (second % 11) * 8000;
      chunks.push(speech.slice(offset, offset + 8000));
    }
    call.queue(...chunks.map(audioFrame));
    await call.clock.advance(61_000);
    const times = call.playback.media.map((m) => m.at);
    expect(times).toHaveLength(3000);
    expect(times[2999]).toBe(20 * 2999 - 40);
    const intervals = times.slice(3).map((t, i) => t - (times[i + 2] as number));
    expect(new Set(intervals)).toEqual(new Set([20]));
  });

  it('honours a configured lead', async () => {
    const call = await startVirtualCall({ transport: { output: { leadMs: 100 } } });
    call.queue(audioFrame(jfkAt8k(1)));
    await call.clock.advance(2000);
    const media = call.playback.media;
    expect(media.filter((m) => m.at === 0)).toHaveLength(5);
    expect(Math.max(...media.map((m) => m.queuedMs))).toBe(100);
    expect(media.map((m) => m.at)).toEqual(media.map((_, k) => Math.max(0, 20 * k - 80)));
  });

  it('pads the tail of an utterance to a full frame at TTSStoppedFrame', async () => {
    const call = await startVirtualCall();
    const speech = jfkAt8k(1.01); // 8080 samples: 50 frames and 80 samples
    call.queue(audioFrame(speech), new TTSStoppedFrame());
    await call.clock.advance(2000);
    expectPaddedPayloads(call, speech, 51, 160);
    expect(call.playback.media[50]?.at).toBe(960);
  });

  it('never bursts after a gap: a slow producer costs an underrun, not a catch-up', async () => {
    const call = await startVirtualCall();
    const speech = jfkAt8k(1);
    // 100 ms of audio every 120 ms: the carrier runs dry between chunks.
    for (let i = 0; i < 8; i++) {
      call.queue(audioFrame(speech.slice(i * 800, (i + 1) * 800)));
      await call.clock.advance(120);
    }
    await call.clock.advance(2000);
    const media = call.playback.media;
    expect(media).toHaveLength(40);
    expect(Math.max(...media.map((m) => m.queuedMs))).toBeLessThanOrEqual(60);
    const perInstant = new Map<number, number>();
    for (const m of media) perInstant.set(m.at, (perInstant.get(m.at) ?? 0) + 1);
    expect(Math.max(...perInstant.values())).toBeLessThanOrEqual(3);
    // Short gaps are underruns within one utterance, not new utterances.
    expect(call.transport.counters.underruns).toBe(7);
    expect(call.upstream(BotStartedSpeakingFrame)).toHaveLength(1);
  });

  it('waits for more audio rather than padding the tail with silence in a short gap', async () => {
    const call = await startVirtualCall();
    const speech = jfkAt8k(1);
    // 30 ms chunks every 40 ms: each leaves a 10 ms tail in the framer until the next chunk.
    for (let i = 0; i < 20; i++) {
      call.queue(audioFrame(speech.slice(i * 240, (i + 1) * 240)));
      await call.clock.advance(40);
    }
    call.queue(new TTSStoppedFrame());
    await call.clock.advance(1000);
    const payloads = call.playback.media.map((m) => fromMuLawBase64(m.payload));
    expect(payloads).toHaveLength(30);
    expect(concat(payloads)).toEqual(muLawRoundTrip(speech.slice(0, 4800)));
  });

  it('treats a long gap as the end of an utterance, and resumes with a new one', async () => {
    const call = await startVirtualCall();
    const speech = jfkAt8k(1);
    call.queue(audioFrame(speech.slice(0, 800)));
    await call.clock.advance(600);
    call.queue(audioFrame(speech.slice(800, 1600)));
    await call.clock.advance(1000);
    expect(call.upstream(BotStartedSpeakingFrame).map((e) => e.at)).toEqual([0, 600]);
    // Each ends once the carrier has had nothing to play for 300 ms (a gap is known only then).
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([400, 1000]);
    expect(call.playback.marks.map((m) => m.at)).toEqual([400, 1000]);
  });

  it('ends the utterance exactly where its audio ends at TTSStoppedFrame', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(0.1)), new TTSStoppedFrame());
    await call.clock.advance(1000);
    expect(call.playback.marks.map((m) => m.at)).toEqual([40]);
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([100]);
  });

  it('sets no timer per frame when audio arrives frame by frame at real time', async () => {
    // No mark echoes: the simulated carrier's own sleeps would be counted with ours.
    const call = await startVirtualCall({ playback: { echoMarks: false } });
    const speech = jfkAt8k(4);
    const sleep = vi.spyOn(call.clock, 'sleep');
    // 4 s of live audio (a pass-through stream), one 20 ms frame every 20 ms.
    for (let offset = 0; offset < speech.length; offset += 160) {
      call.queue(audioFrame(speech.slice(offset, offset + 160)));
      await call.clock.advance(20);
    }
    const sleepsWhileSpeaking = sleep.mock.calls.length;
    expect(call.playback.media).toHaveLength(200);
    expect(call.transport.counters.underruns).toBe(0);
    // Pacing never has to wait; the playback watcher wakes about once per 300 ms utterance gap.
    expect(sleepsWhileSpeaking).toBeGreaterThan(0);
    expect(sleepsWhileSpeaking).toBeLessThanOrEqual(Math.ceil(4000 / 300) + 1);
    // And the watcher still finds the missing echo: the mark of the 4000th ms went with the last
    // frame, and the bot is declared stopped 1500 ms after playback ends (at 4000 ms).
    await call.clock.advance(2000);
    expect(call.playback.marks.map((m) => m.at)).toEqual([980, 1980, 2980, 3980]);
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([5500]);
    expect(call.transport.counters.markEchoTimeouts).toBe(1);
  });

  describe('live audio after a stall (liveAudioMaxBacklogMs)', () => {
    /** 600 ms of speech as thirty 20 ms frames, all queued at once, as after a 600 ms stall. */
    function burstOfFrames(make: (samples: Int16Array) => OutputAudioRawFrame): OutputAudioRawFrame[] {
      const speech = jfkAt8k(1.6).subarray(8000);
      return Array.from({ length: 30 }, (_, k) => make(speech.slice(k * 160, (k + 1) * 160)));
    }

    it('drops the oldest live frames until at most the limit waits, and plays the rest', async () => {
      const call = await startVirtualCall({ transport: { output: { liveAudioMaxBacklogMs: 100 } } });
      const frames = burstOfFrames(audioFrame);
      call.queue(...frames);
      await call.clock.advance(2000);
      // Frame k (1-based) finds 30 - k frames behind it: it is dropped while they exceed 100 ms.
      expect(call.transport.counters.liveAudioDroppedMs).toBe(24 * 20);
      const payloads = call.playback.media.map((m) => fromMuLawBase64(m.payload));
      expect(payloads).toHaveLength(6);
      expect(concat(payloads)).toEqual(muLawRoundTrip(concat(frames.slice(24).map((frame) => frame.audio))));
    });

    it('never drops TTS audio, which comes in bursts by design', async () => {
      const call = await startVirtualCall({ transport: { output: { liveAudioMaxBacklogMs: 100 } } });
      call.queue(
        ...burstOfFrames(
          (samples) => new TTSAudioRawFrame({ audio: samples, sampleRate: 8000, contextId: 'reply-1' }),
        ),
      );
      await call.clock.advance(2000);
      expect(call.playback.media).toHaveLength(30);
      expect(call.transport.counters.liveAudioDroppedMs).toBe(0);
    });

    it('drops nothing by default', async () => {
      const call = await startVirtualCall();
      call.queue(...burstOfFrames(audioFrame));
      await call.clock.advance(2000);
      expect(call.playback.media).toHaveLength(30);
      expect(call.transport.counters.liveAudioDroppedMs).toBe(0);
    });

    it('refuses a limit under one frame', async () => {
      await expect(
        startVirtualCall({ transport: { output: { liveAudioMaxBacklogMs: 10 } } }),
      ).rejects.toThrow(
        expect.objectContaining({
          name: 'InvalidOptionError',
          code: 'invalid-option',
          option: 'output.liveAudioMaxBacklogMs',
        }),
      );
    });
  });

  describe('longer media messages (mediaMessageMs)', () => {
    it('sends 40 ms messages at real time: two at once, then one every 40 ms, never over the lead', async () => {
      const call = await startVirtualCall({ transport: { output: { mediaMessageMs: 40 } } });
      const speech = jfkAt8k(2); // 16000 samples: exactly 50 messages of 320
      call.queue(...irregularChunks(speech).map(audioFrame));
      await call.clock.advance(3000);

      const media = call.playback.media;
      // The second goes once the first has 20 ms left (60 ms lead − 40 ms), then every 40 ms.
      expect(media.map((m) => m.at)).toEqual(media.map((_, k) => Math.max(0, 40 * k - 20)));
      expect(Math.max(...media.map((m) => m.queuedMs))).toBe(60);
      expect(media.filter((m) => m.at >= 200 && m.at < 1200)).toHaveLength(25);
      expectPaddedPayloads(call, speech, 50, 320);
      expect(call.transport.counters.audioFramesSent).toBe(50);
      expect(call.transport.counters.audioMsSent).toBe(2000);
      expect(call.transport.counters.underruns).toBe(0);
    });

    it('pads the tail to a whole message, marks the end and stops speaking when it is heard', async () => {
      const call = await startVirtualCall({ transport: { output: { mediaMessageMs: 40 } } });
      const speech = jfkAt8k(1.01); // 8080 samples: 25 messages and 80 samples
      call.queue(audioFrame(speech), new TTSStoppedFrame());
      await call.clock.advance(3000);
      expectPaddedPayloads(call, speech, 26, 320);
      expect(call.playback.media[25]?.at).toBe(980);
      // The position mark goes with the message that completes 1000 ms of audio (at 940), the end
      // mark with the padded tail (at 980), and the bot stops when the carrier echoes the end mark,
      // i.e. when the tail has played (1040 ms of audio from 0).
      expect(call.playback.marks.map((m) => m.at)).toEqual([940, 980]);
      expect(call.upstream(BotStartedSpeakingFrame)).toHaveLength(1);
      expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([1040]);
    });

    it('clears on interruption and reports what was heard, as with 20 ms messages', async () => {
      const call = await startVirtualCall({ transport: { output: { mediaMessageMs: 40 } } });
      call.queue(audioFrame(jfkAt8k(2)));
      await call.clock.advance(510);
      call.queue(new InterruptionFrame());
      await call.clock.advance(2000);
      expect(call.playback.clears).toEqual([510]);
      // Messages due by 510 ms: at 0, 20, 60, ... 500, i.e. 14 of 40 ms.
      expect(call.playback.media).toHaveLength(14);
      const interrupted = call.upstream(BotInterruptedFrame);
      expect(interrupted.map((e) => [e.frame.heardMs, e.frame.sentMs, e.at])).toEqual([[510, 560, 510]]);
      expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([510]);
    });

    it('refuses a duration that is not a multiple of 20 ms up to 200 ms, or longer than the lead', async () => {
      for (const mediaMessageMs of [0, 10, 30, 220]) {
        await expect(startVirtualCall({ transport: { output: { mediaMessageMs } } })).rejects.toThrow(
          expect.objectContaining({
            name: 'InvalidOptionError',
            code: 'invalid-option',
            option: 'output.mediaMessageMs',
          }),
        );
      }
      await expect(startVirtualCall({ transport: { output: { mediaMessageMs: 80 } } })).rejects.toThrow(
        /output\.mediaMessageMs \(80\) must not exceed output\.leadMs \(60\)/,
      );
      await expect(
        startVirtualCall({ transport: { output: { mediaMessageMs: 80, leadMs: 120 } } }),
      ).resolves.toBeDefined();
    });
  });
});
