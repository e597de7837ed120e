/**
 * Testing helpers of `@voxline/deepgram` (`@voxline/deepgram/testing`): a local, strict fake of
 * Deepgram's live speech-to-text WebSocket, for tests and benchmarks that must not reach the
 * internet.
 */
export {
  FakeDeepgramConnection,
  type ReceivedControlMessage,
  type ScriptedUtterance,
  type ScriptedWord,
  type StreamClose,
} from './fake-deepgram-connection.js';
export { FakeDeepgramServer, type FakeDeepgramServerOptions } from './fake-deepgram-server.js';
export {
  isListenQueryRejection,
  LISTEN_ENCODINGS,
  type ListenEncoding,
  type ListenQuery,
  type ListenQueryRejection,
  parseListenQuery,
} from './listen-query.js';
