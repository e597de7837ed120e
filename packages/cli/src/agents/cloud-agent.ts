/**
 * The built-in `cloud` agent: Silero VAD → Deepgram STT → turns → OpenAI LLM → ElevenLabs TTS.
 * Keys and the voice come from the environment (`DEEPGRAM_API_KEY`, `OPENAI_API_KEY`,
 * `ELEVENLABS_API_KEY`, `ELEVENLABS_VOICE_ID`; `OPENAI_MODEL` optionally picks the model).
 */
import { VADProcessor } from '@voxline/audio';
import { createContextAggregatorPair, LLMContext, UserTurnProcessor } from '@voxline/core';
import { DeepgramSTTService } from '@voxline/deepgram';
import { ElevenLabsTTSService, outputFormatForPipeline } from '@voxline/elevenlabs';
import { OpenAILLMService } from '@voxline/openai';
import { SileroVADAnalyzer } from '@voxline/silero';
import type { VoiceAgent } from './voice-agent.js';

/** Audio rates of the cloud pipeline: 16 kHz for recognition, 8 kHz µ-law straight from ElevenLabs. */
const inputSampleRate = 16000;
const outputSampleRate = 8000;

/** Creates the cloud agent; the caller has checked the environment. */
export function createCloudVoiceAgent(env: NodeJS.ProcessEnv): VoiceAgent {
  return {
    name: 'cloud',
    description: 'Deepgram STT → OpenAI LLM → ElevenLabs TTS',
    params: {
      audioInSampleRate: inputSampleRate,
      audioOutSampleRate: outputSampleRate,
      allowInterruptions: true,
    },
    notices: [],
    async createPipeline(_call, transport) {
      const context = new LLMContext([
        {
          role: 'system',
          content: 'You are a friendly phone agent. Keep answers short: one or two sentences.',
        },
      ]);
      const { user, assistant } = createContextAggregatorPair(context);
      return [
        transport.input(),
        new VADProcessor(await SileroVADAnalyzer.create({ sampleRate: inputSampleRate })),
        new DeepgramSTTService({ apiKey: env.DEEPGRAM_API_KEY, encoding: 'linear16' }),
        new UserTurnProcessor(),
        user,
        new OpenAILLMService({
          apiKey: env.OPENAI_API_KEY,
          ...(env.OPENAI_MODEL ? { model: env.OPENAI_MODEL } : {}),
        }),
        new ElevenLabsTTSService({
          apiKey: env.ELEVENLABS_API_KEY,
          voiceId: env.ELEVENLABS_VOICE_ID,
          outputFormat: outputFormatForPipeline(outputSampleRate),
        }),
        transport.output(),
        assistant,
      ];
    },
  };
}
