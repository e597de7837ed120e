/**
 * `@voxline/openai`: OpenAI for Voxline pipelines, on the official `openai` SDK — the Chat
 * Completions LLM service (streaming, tools) and the Realtime speech-to-speech service. Local
 * fakes of both APIs are in `@voxline/openai/testing`.
 */
export { OpenAILLMService, type OpenAILLMServiceOptions } from './openai-llm-service.js';
export {
  OpenAIRealtimeService,
  type OpenAIRealtimeServiceOptions,
  type RealtimeAudioEncoding,
} from './openai-realtime-service.js';
