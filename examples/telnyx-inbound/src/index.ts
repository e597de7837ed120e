/**
 * The Telnyx voice agent example, as building blocks for other examples (the outbound dialer runs
 * the same app with inbound answering off).
 */
export { ConfigError, readPort, readTelnyxAgentConfig, type TelnyxAgentConfig } from './config.js';
export { END_CALL_FUNCTION, EndCallProcessor, registerEndCallFunction } from './end-call-function.js';
export { type GreetingOptions, GreetingProcessor } from './greeting-processor.js';
export {
  type AgentPipelineRequest,
  buildTelnyxAgentApp,
  MEDIA_PATH,
  type TelnyxAgentApp,
  type TelnyxAgentAppOptions,
  WEBHOOK_PATH,
} from './telnyx-agent-app.js';
export { UnknownCallError } from './unknown-call-error.js';
export {
  createVoiceAgentPipeline,
  defaultPersona,
  type VoiceAgentPersona,
  type VoiceAgentPipelineOptions,
  type VoiceServices,
  voiceAgentParams,
} from './voice-agent-pipeline.js';
