/**
 * Testing helpers of `@voxline/openai` (`@voxline/openai/testing`): local, strict fakes of the
 * OpenAI Chat Completions API and of the Realtime API (GA), for tests and benchmarks that must
 * not reach the internet.
 */
export { type OpenAIErrorObject, validateChatRequest } from './chat-request-validation.js';
export {
  FakeOpenAIRealtimeServer,
  type FakeOpenAIRealtimeServerOptions,
} from './fake-openai-realtime-server.js';
export {
  FakeOpenAIServer,
  type FakeOpenAIServerOptions,
  type ReceivedChatRequest,
} from './fake-openai-server.js';
export {
  type AcceptedTruncation,
  FakeRealtimeSession,
  type ScriptedRealtimeReply,
} from './fake-realtime-session.js';
export { LOOPBACK_TLS_CERTIFICATE, LOOPBACK_TLS_KEY } from './loopback-tls.js';
export {
  decodeRealtimeAudio,
  encodeRealtimeAudio,
  formatSampleRate,
  type RealtimeAudioFormat,
  speakCharacters,
} from './realtime-audio.js';
export {
  buildCompletion,
  buildStreamEvents,
  type ScriptedChatError,
  type ScriptedChatReply,
  type ScriptedToolCall,
  type StreamEvent,
  splitAfterSpaces,
} from './scripted-chat-reply.js';
