/**
 * The caller of the phone examples' tests: the JFK recording from the repository's shared data
 * (`../shared/data/jfk-16k.wav`, 16000 Hz mono), whose first 2.6 s say "And so my fellow
 * Americans" — the sentence {@link VoiceServiceFakes}' Deepgram hears.
 */
import { fileURLToPath } from 'node:url';
import { CallerAudio, type CallScript } from 'voxline';

/** Path of the recording. */
export const JFK_RECORDING_PATH = fileURLToPath(
  new URL('../../../../../shared/data/jfk-16k.wav', import.meta.url),
);

/** The recording as the call simulator's caller audio. */
export function jfkCaller(): CallerAudio {
  return CallerAudio.fromWavFile(JFK_RECORDING_PATH);
}

/**
 * The caller says the first sentence (0-2600 ms), waits for the agent's reply (up to 15 s), then
 * stays on the line 8 s, long enough for an agent that says goodbye to hang up first.
 */
export const sayOneSentenceThenListen: CallScript = {
  steps: [
    { say: { fromMs: 0, toMs: 2600 } },
    { waitForBotReply: { timeoutMs: 15_000 } },
    { pause: { ms: 8000 } },
    { hangUp: {} },
  ],
};
