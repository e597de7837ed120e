/**
 * The cloud voice agent of the phone examples (Silero VAD → Deepgram → OpenAI → ElevenLabs, with
 * a greeting and an `end_call` function), and the environment variables they all read.
 */
export { END_CALL_FUNCTION, EndCallProcessor, registerEndCallFunction } from './end-call-function.js';
export { type GreetingOptions, GreetingProcessor } from './greeting-processor.js';
export {
  ConfigError,
  checkRecordingsDirectoryVariable,
  readPort,
  readVoiceAgentPersona,
  readVoiceServices,
  requireVariables,
  VOICE_SERVICE_VARIABLES,
} from './voice-agent-config.js';
export {
  createVoiceAgentPipeline,
  defaultPersona,
  type VoiceAgentPersona,
  type VoiceAgentPipelineOptions,
  type VoiceServices,
  voiceAgentParams,
} from './voice-agent-pipeline.js';
