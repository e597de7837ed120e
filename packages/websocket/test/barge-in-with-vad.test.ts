/**
 * Barge-in end to end on the virtual clock, with a real VAD on real speech: the bot's audio is
 * playing at the carrier, the caller starts speaking (JFK, as 20 ms µ-law carrier messages), the
 * VAD and the user turn processor detect it, and the interruption reaches the output transport,
 * which sends `clear`, within the VAD's `startSecs` plus one 20 ms frame of the speech onset.
 */
import { VADProcessor } from '@voxline/audio';
import { TTSAudioRawFrame, UserTurnProcessor } from '@voxline/core';
import { SileroVADAnalyzer } from '@voxline/silero';
import { describe, expect, it } from 'vitest';
import { jfkAt8k, toMuLawBase64 } from './support/audio.js';
import { startVirtualCall } from './support/virtual-call.js';

/** JFK's first word starts 320 ms into the recording (hand label in packages/audio/test). */
const JFK_SPEECH_ONSET_MS = 320;
const START_SECS = 0.2;

describe('barge-in with a real VAD', () => {
  it('sends clear within startSecs + one frame of the caller starting to speak over the bot', async () => {
    const analyzer = await SileroVADAnalyzer.create({ sampleRate: 8000, params: { startSecs: START_SECS } });
    const call = await startVirtualCall({ middle: [new VADProcessor(analyzer), new UserTurnProcessor()] });

    // The bot speaks for 4 s (a reply from TTS).
    call.queue(new TTSAudioRawFrame({ audio: jfkAt8k(4), sampleRate: 8000, contextId: 'reply-1' }));
    // The caller is silent (digital silence) for 1 s, then JFK starts: speech at 1000 + 320 ms.
    const callerStartsAt = 1000;
    const speech = jfkAt8k(2);
    const silence = new Int16Array(160);
    for (let chunk = 1, at = 0; at < 3000; chunk++, at += 20) {
      const offset = (at - callerStartsAt) * 8;
      const frame =
        offset >= 0 && offset + 160 <= speech.length ? speech.subarray(offset, offset + 160) : silence;
      call.transport.receive(call.messages.media(toMuLawBase64(frame), chunk, at));
      // Silero's inference resolves on real event-loop turns: let it finish before time moves on.
      await new Promise((resolve) => setTimeout(resolve, 1));
      await call.clock.advance(20);
    }

    const onset = callerStartsAt + JFK_SPEECH_ONSET_MS;
    const [clear] = call.playback.clears;
    expect(clear).toBeDefined();
    // Not before the caller spoke (no false barge-in on silence) ...
    expect(clear as number).toBeGreaterThan(onset);
    // ... and within startSecs + one 20 ms frame of the onset.
    expect((clear as number) - onset).toBeLessThanOrEqual(START_SECS * 1000 + 20);
    // The bot's audio stopped at the clear: nothing sent after it.
    expect(call.playback.media.every((media) => media.at <= (clear as number))).toBe(true);
  });
});
