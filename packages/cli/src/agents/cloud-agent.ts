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
import type { CallInfo } from '@voxline/telephony';
import type { VoiceAgent } from './voice-agent.js';

/** Audio rate of recognition: 16 kHz, what Silero and Deepgram's models are trained on. */
const inputSampleRate = 16000;

/**
 * The rate the agent speaks at on `call`: 16000 Hz PCM from ElevenLabs when the call's outbound
 * codec is wideband (G.722, Opus, L16 at 16 kHz or more), so no 8 kHz step narrows the reply;
 * else 8000 Hz µ-law straight from ElevenLabs.
 */
export function cloudAgentOutputSampleRate(call: CallInfo): 8000 | 16000 {
  const rate = call.outboundMediaFormat?.sampleRate ?? call.mediaFormat.sampleRate;
  return rate >= 16000 ? 16000 : 8000;
}

/** Creates the cloud agent; the caller has checked the environment. */
export function createCloudVoiceAgent(env: NodeJS.ProcessEnv): VoiceAgent {
  return {
    name: 'cloud',
    description: 'Deepgram STT → OpenAI LLM → ElevenLabs TTS',
    params: (call) => ({
      audioInSampleRate: inputSampleRate,
      audioOutSampleRate: cloudAgentOutputSampleRate(call),
      allowInterruptions: true,
    }),
    notices: [],
    async createPipeline(call, transport) {
      const outputSampleRate = cloudAgentOutputSampleRate(call);
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
