/**
 * Golden tests of playback tracking on the VirtualClock: marks, playback-accurate bot speaking
 * frames, and interruption (clear, stale marks, what the caller heard).
 */
import {
  BotInterruptedFrame,
  BotSpeakingFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  InterruptionFrame,
  TTSAudioRawFrame,
  TTSStoppedFrame,
} from '@voxline/core';
import { describe, expect, it } from 'vitest';
import { jfkAt8k } from './support/audio.js';
import { audioFrame, startVirtualCall } from './support/virtual-call.js';

describe('marks and bot speaking state', () => {
  it('marks every second of audio, and stops speaking only when the last mark is echoed', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(2.5)), new TTSStoppedFrame());
    await call.clock.advance(4000);

    const marks = call.playback.marks;
    // After 1 s and 2 s of audio (sent 60 ms ahead of playback), and after the last frame.
    expect(marks.map((m) => m.at)).toEqual([940, 1940, 2440]);
    expect(call.playback.echoes.map((e) => e.at)).toEqual([1000, 2000, 2500]);
    const lastSend = call.playback.media.at(-1)?.at;
    expect(lastSend).toBe(2440);

    expect(call.upstream(BotStartedSpeakingFrame).map((e) => e.at)).toEqual([0]);
    // Not when the last byte was sent (2440 ms) nor at an earlier echo: when playback ended.
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([2500]);
    // Pushed both ways.
    expect(call.downstream(BotStartedSpeakingFrame).map((e) => e.at)).toEqual([0]);
    expect(call.downstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([2500]);
    // BotSpeakingFrame about every 200 ms while audio plays.
    const speaking = call.upstream(BotSpeakingFrame).map((e) => e.at);
    expect(speaking.length).toBeGreaterThanOrEqual(12);
    expect(speaking.length).toBeLessThanOrEqual(14);
    // (The first comes with the first frame; the three lead frames go at once, so the next is 160 ms later.)
    const gaps = speaking.slice(2).map((t, i) => t - (speaking[i + 1] as number));
    expect(new Set(gaps)).toEqual(new Set([200]));
    expect(call.downstream(BotSpeakingFrame)).toHaveLength(speaking.length);
    expect(call.transport.counters.marksEchoed).toBe(3);
  });

  it('follows echoes delayed by the network', async () => {
    const call = await startVirtualCall({ playback: { latencyMs: 40 } });
    call.queue(audioFrame(jfkAt8k(1.5)), new TTSStoppedFrame());
    await call.clock.advance(3000);
    // Playback ends at the carrier at 1500 + 40; the echo takes 40 more.
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([1580]);
  });

  it('an echo is not the end when audio was sent after its mark', async () => {
    const call = await startVirtualCall();
    const speech = jfkAt8k(1);
    call.queue(audioFrame(speech.slice(0, 800)), new TTSStoppedFrame());
    // The first chunk's end mark goes at 40 ms and is echoed at 100 ms; more audio came at 80 ms.
    await call.clock.advance(80);
    call.queue(audioFrame(speech.slice(800, 1600)), new TTSStoppedFrame());
    await call.clock.advance(1000);
    expect(call.playback.marks.map((m) => m.at)).toEqual([40, 140]);
    expect(call.playback.echoes.map((e) => e.at)).toEqual([100, 200]);
    expect(call.upstream(BotStartedSpeakingFrame)).toHaveLength(1);
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([200]);
  });

  it('declares the bot stopped when the last mark is never echoed', async () => {
    const call = await startVirtualCall({ playback: { echoMarks: false } });
    call.queue(audioFrame(jfkAt8k(1)));
    await call.clock.advance(5000);
    // Scheduled end of playback 1000 ms, plus the 1500 ms echo timeout.
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([2500]);
    expect(call.transport.counters.markEchoTimeouts).toBe(1);
  });
});

describe('interruption', () => {
  it('drops queued audio, sends clear, and reports what the caller heard', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(2)));
    await call.clock.advance(510);
    call.queue(new InterruptionFrame());
    await call.clock.advance(2000);

    expect(call.playback.clears).toEqual([510]);
    const media = call.playback.media;
    expect(media.every((m) => m.at <= 510)).toBe(true);
    expect(media).toHaveLength(28); // frames due by 500 ms: 560 ms of audio
    const interrupted = call.upstream(BotInterruptedFrame);
    expect(interrupted.map((e) => [e.frame.heardMs, e.frame.sentMs, e.at])).toEqual([[510, 560, 510]]);
    const down = call.downstream(BotInterruptedFrame);
    expect(down.map((e) => e.frame.heardMs)).toEqual([510]);
    // Downstream, the report comes right before the interruption itself.
    const order = call.bottom.recorded.map((entry) => entry.frame.constructor.name);
    expect(order.indexOf('BotInterruptedFrame')).toBe(order.indexOf('InterruptionFrame') - 1);
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([510]);
    expect(call.transport.counters.clearsSent).toBe(1);
  });

  it('counts what was heard from the start of the playing TTS context, and names it', async () => {
    const call = await startVirtualCall();
    // Two replies back to back with no gap: one utterance, two TTS contexts.
    const tts = (seconds: number, contextId: string) =>
      new TTSAudioRawFrame({ audio: jfkAt8k(seconds), sampleRate: 8000, contextId });
    call.queue(tts(1, 'reply-1'), tts(2, 'reply-2'));
    await call.clock.advance(1510);
    call.queue(new InterruptionFrame());
    await call.clock.advance(500);
    const [report] = call.upstream(BotInterruptedFrame);
    // 1510 ms of the utterance were heard, the first 1000 ms of them were reply-1.
    expect(report?.frame.contextId).toBe('reply-2');
    expect(report?.frame.heardMs).toBe(510);
    expect(call.downstream(BotInterruptedFrame).map((e) => e.frame.contextId)).toEqual(['reply-2']);
  });

  it('ignores the marks a clear returns, and tracks the next utterance normally', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(2)));
    // The 1 s mark is sent at 940 ms and still pending at the carrier at 970 ms.
    await call.clock.advance(970);
    call.queue(new InterruptionFrame());
    await call.clock.advance(230);
    expect(call.playback.echoes).toEqual([{ name: 'voxline-1', at: 970, returnedByClear: true }]);
    expect(call.transport.counters.staleMarkEchoes).toBe(1);
    expect(call.upstream(BotInterruptedFrame).map((e) => e.frame.heardMs)).toEqual([970]);

    call.queue(audioFrame(jfkAt8k(0.5)), new TTSStoppedFrame());
    await call.clock.advance(2000);
    expect(call.upstream(BotStartedSpeakingFrame).map((e) => e.at)).toEqual([0, 1200]);
    // Once at the interruption, once when the new utterance has played (1200 + 500 ms).
    expect(call.upstream(BotStoppedSpeakingFrame).map((e) => e.at)).toEqual([970, 1700]);
    expect(call.transport.counters.marksEchoed).toBe(1);
  });

  it('estimates what was heard from the last echo when the network delays everything', async () => {
    const latencyMs = 30;
    const call = await startVirtualCall({ playback: { latencyMs } });
    call.queue(audioFrame(jfkAt8k(3)));
    await call.clock.advance(1500);
    call.queue(new InterruptionFrame());
    await call.clock.advance(100);
    // The carrier started playing at 30 ms and the clear reached it at 1530 ms: 1500 ms were heard.
    const [report] = call.upstream(BotInterruptedFrame);
    expect(report?.frame.sentMs).toBe(1560);
    expect(report?.frame.heardMs).toBeGreaterThanOrEqual(1500 - 2 * latencyMs);
    expect(report?.frame.heardMs).toBeLessThanOrEqual(1500);
  });

  it('sends no clear when nothing is playing', async () => {
    const call = await startVirtualCall();
    call.queue(audioFrame(jfkAt8k(0.2)));
    await call.clock.advance(1000);
    call.queue(new InterruptionFrame());
    await call.clock.advance(100);
    expect(call.playback.clears).toEqual([]);
    expect(call.upstream(BotInterruptedFrame)).toEqual([]);
    expect(call.upstream(BotStoppedSpeakingFrame)).toHaveLength(1);
  });
});
