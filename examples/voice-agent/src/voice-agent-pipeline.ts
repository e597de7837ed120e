/**
 * The agent of one call, on cloud services:
 *
 * ```
 * transport.input()         caller audio, 16000 Hz (the serializer decodes and resamples PCMU)
 *   → VADProcessor          Silero VAD
 *   → DeepgramSTTService    streaming transcription
 *   → UserTurnProcessor     turn start/end, barge-in
 *   → user context aggregator
 *   → OpenAILLMService      with the end_call function
 *   → EndCallProcessor      end_call → end of the pipeline → hang-up
 *   → GreetingProcessor     the agent speaks first (at once, or once a person answered)
 *   → ElevenLabsTTSService  µ-law 8000 Hz, the telephone format
 *   → transport.output()    paced 20 ms frames, marks, clear
 *   → AudioBufferProcessor  the call as a stereo WAV (caller left, agent right)
 *   → assistant context aggregator
 * ```
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AudioBufferProcessor, VADProcessor } from '@voxline/audio';
import {
  createContextAggregatorPair,
  type FrameProcessor,
  LLMContext,
  MuteWhen,
  type PipelineParams,
  UserTurnProcessor,
} from '@voxline/core';
import { DeepgramSTTService } from '@voxline/deepgram';
import { ElevenLabsTTSService, outputFormatForPipeline } from '@voxline/elevenlabs';
import { OpenAILLMService } from '@voxline/openai';
import { SileroVADAnalyzer } from '@voxline/silero';
import type { TelephonyTransport } from '@voxline/websocket';
import { EndCallProcessor, registerEndCallFunction } from './end-call-function.js';
import { GreetingProcessor } from './greeting-processor.js';

/** Keys and endpoints of the three services. Base URLs default to the services' own. */
export interface VoiceServices {
  deepgram: { apiKey: string; baseUrl?: string };
  openai: { apiKey: string; baseURL?: string; model?: string };
  elevenlabs: { apiKey: string; voiceId: string; baseUrl?: string };
}

/** What the agent says and how it behaves. */
export interface VoiceAgentPersona {
  /** The system message of every call. */
  systemPrompt: string;
  /** Said when the call connects; undefined to wait for the caller. */
  greeting: string | undefined;
}

/** Default persona; the prompt tells the model when to use `end_call`. */
export const defaultPersona: VoiceAgentPersona = {
  systemPrompt:
    'You are a friendly phone agent. Keep answers short: one or two sentences, no lists or markup. ' +
    'When the caller has what they need or wants to hang up, say a short goodbye and call end_call.',
  greeting: 'Hello! How can I help you today?',
};

/** Caller audio into the pipeline, Hz: what Silero VAD and Deepgram work at best. */
const INPUT_SAMPLE_RATE = 16000;
/** Agent audio out of the pipeline, Hz: ElevenLabs' `ulaw_8000`, the carrier's own format. */
const OUTPUT_SAMPLE_RATE = 8000;

/** Pipeline parameters of every call. */
export const voiceAgentParams: Partial<PipelineParams> = {
  audioInSampleRate: INPUT_SAMPLE_RATE,
  audioOutSampleRate: OUTPUT_SAMPLE_RATE,
  allowInterruptions: true,
};

/** Options of {@link createVoiceAgentPipeline}. */
export interface VoiceAgentPipelineOptions {
  services: VoiceServices;
  persona: VoiceAgentPersona;
  /** The call as a stereo WAV (caller left, agent right, 16000 Hz); its directory is created. */
  recordingPath: string;
  /**
   * While this returns true, what the other party says is dropped rather than answered; e.g. on an
   * outbound call until answering-machine detection has decided, so the agent never answers a
   * voicemail greeting. Default: never.
   */
  ignoreSpeechWhile?: () => boolean;
  /** Greet when this resolves true (see `GreetingProcessor`); default at once. */
  greetWhen?: Promise<boolean>;
}

/** Builds one call's processors around the transport; see the module comment. */
export async function createVoiceAgentPipeline(
  transport: TelephonyTransport,
  options: VoiceAgentPipelineOptions,
): Promise<FrameProcessor[]> {
  const { services, persona, ignoreSpeechWhile, greetWhen } = options;
  const llm = new OpenAILLMService(services.openai);
  registerEndCallFunction(llm);
  const context = new LLMContext([{ role: 'system', content: persona.systemPrompt }]);
  const { user, assistant } = createContextAggregatorPair(context);
  await mkdir(dirname(options.recordingPath), { recursive: true });
  return [
    transport.input(),
    new VADProcessor(await SileroVADAnalyzer.create({ sampleRate: INPUT_SAMPLE_RATE })),
    new DeepgramSTTService({ ...services.deepgram, encoding: 'linear16' }),
    new UserTurnProcessor(
      ignoreSpeechWhile !== undefined ? { muteStrategies: [new MuteWhen(() => ignoreSpeechWhile())] } : {},
    ),
    user,
    llm,
    new EndCallProcessor(),
    ...(persona.greeting !== undefined
      ? [new GreetingProcessor(persona.greeting, greetWhen !== undefined ? { when: greetWhen } : {})]
      : []),
    new ElevenLabsTTSService({
      ...services.elevenlabs,
      outputFormat: outputFormatForPipeline(OUTPUT_SAMPLE_RATE),
    }),
    transport.output(),
    new AudioBufferProcessor({ channels: 'stereo', wavPath: options.recordingPath }),
    assistant,
  ];
}
