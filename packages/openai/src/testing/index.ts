/**
 * Testing helpers of `@voxline/openai` (`@voxline/openai/testing`): local, strict fakes of the
 * OpenAI Chat Completions API and of the Realtime API (GA), for tests and benchmarks that must
 * not reach the internet.
 */
export { type OpenAIErrorObject, validateChatRequest } from './chat-request-validation.js';
export {
  FakeOpenAIServer,
  type FakeOpenAIServerOptions,
  type ReceivedChatRequest,
} from './fake-openai-server.js';
export {
  buildCompletion,
  buildStreamEvents,
  type ScriptedChatError,
  type ScriptedChatReply,
  type ScriptedToolCall,
  type StreamEvent,
  splitAfterSpaces,
} from './scripted-chat-reply.js';
