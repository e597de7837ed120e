/**
 * Testing helpers of `@voxline/elevenlabs` (`@voxline/elevenlabs/testing`): a local, strict fake
 * of ElevenLabs text-to-speech (multi-context WebSocket and HTTP streaming), for tests and
 * benchmarks that must not reach the internet.
 */
export { encodeForOutput, synthesizeCharacters } from './character-speech.js';
export {
  DEFAULT_CHUNK_LENGTH_SCHEDULE,
  type FakeContext,
  FakeElevenLabsConnection,
  MAX_ACTIVE_CONTEXTS,
  type MultiStreamQuery,
  type SocketClose,
} from './fake-elevenlabs-connection.js';
export {
  FakeElevenLabsServer,
  type FakeElevenLabsServerOptions,
  type ReceivedSpeechRequest,
} from './fake-elevenlabs-server.js';
