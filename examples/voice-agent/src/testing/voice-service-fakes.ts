/**
 * The three services of the voice agent as local protocol fakes, for the phone examples' tests:
 * Deepgram hears the caller say one sentence, OpenAI answers it with one reply and the `end_call`
 * function, ElevenLabs speaks at 20 ms per character. The real SDK clients of the pipeline talk to
 * them over loopback sockets.
 */
import { FakeDeepgramServer, type ScriptedWord } from '@voxline/deepgram/testing';
import { FakeElevenLabsServer } from '@voxline/elevenlabs/testing';
import { FakeOpenAIServer } from '@voxline/openai/testing';
import type { VoiceServices } from '../voice-agent-pipeline.js';

/**
 * Words as Deepgram times them: `text` split on spaces, the first starting at `startSeconds` of
 * the stream's audio, one every `secondsPerWord` (each ending 50 ms before the next starts).
 */
export function said(text: string, startSeconds: number, secondsPerWord: number): ScriptedWord[] {
  return text.split(' ').map((punctuatedWord, index) => ({
    word: punctuatedWord.toLowerCase().replace(/[^a-z']/g, ''),
    punctuatedWord,
    start: startSeconds + index * secondsPerWord,
    end: startSeconds + (index + 1) * secondsPerWord - 0.05,
  }));
}

/** Options of {@link VoiceServiceFakes.start}. */
export interface VoiceServiceFakesOptions {
  /** What the caller says, as Deepgram transcribes it: from 0.4 s of the stream, 0.4 s a word. */
  callerSays: string;
  /** The model's one reply, given with an `end_call` function call. */
  reply: string;
}

/** See the module comment. */
export class VoiceServiceFakes {
  private constructor(
    readonly deepgram: FakeDeepgramServer,
    readonly openai: FakeOpenAIServer,
    readonly elevenlabs: FakeElevenLabsServer,
  ) {}

  /** Starts the three fakes on free loopback ports. */
  static async start(options: VoiceServiceFakesOptions): Promise<VoiceServiceFakes> {
    const [deepgram, openai, elevenlabs] = await Promise.all([
      FakeDeepgramServer.start({ utterances: [{ words: said(options.callerSays, 0.4, 0.4) }] }),
      FakeOpenAIServer.start({
        chatReplies: [{ content: options.reply, toolCalls: [{ name: 'end_call', arguments: '{}' }] }],
      }),
      FakeElevenLabsServer.start({ msPerCharacter: 20 }),
    ]);
    return new VoiceServiceFakes(deepgram, openai, elevenlabs);
  }

  /** The pipeline's service settings, pointed at the fakes (model `gpt-4.1-mini`, voice `voice-test`). */
  get services(): VoiceServices {
    return {
      deepgram: { apiKey: this.deepgram.apiKey, baseUrl: this.deepgram.url },
      openai: { apiKey: this.openai.apiKey, baseURL: this.openai.baseURL, model: 'gpt-4.1-mini' },
      elevenlabs: { apiKey: this.elevenlabs.apiKey, voiceId: 'voice-test', baseUrl: this.elevenlabs.url },
    };
  }

  /** Every text ElevenLabs was asked to speak, trimmed, in order. */
  spokenTexts(): string[] {
    return this.elevenlabs.connections.flatMap((connection) =>
      connection.contextHistory.map((context) => context.generatedText.trim()),
    );
  }

  /** Stops the three fakes. */
  async stop(): Promise<void> {
    await Promise.all([this.deepgram.stop(), this.openai.stop(), this.elevenlabs.stop()]);
  }
}
