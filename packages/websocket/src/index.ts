/**
 * @voxline/websocket: the WebSocket server transport for carrier media streams (Telnyx, Twilio):
 * a fastify plugin serving one pipeline per call, output paced in 20 ms frames at real time,
 * playback-accurate bot speaking state from carrier marks, interruption with `clear`, and a call
 * lifecycle that hangs up exactly once.
 */
export {
  type CallOutcome,
  type CallPipelineFactory,
  CallSession,
  type CallSessionOptions,
  type CallTaskOptions,
} from './call-session.js';
export { CloseCode } from './close-codes.js';
export { defaultSerializerFactories } from './default-serializer-factories.js';
export { defaultMessageRateLimit, type MessageRateLimit } from './message-rate-limiter.js';
export { TelephonyInputProcessor } from './telephony-input-processor.js';
export {
  OUTPUT_FRAME_MS,
  type OutputChannel,
  type TelephonyOutputOptions,
  TelephonyOutputProcessor,
} from './telephony-output-processor.js';
export {
  type MessageSocket,
  type SocketMessage,
  TelephonyTransport,
  type TelephonyTransportEvents,
  type TelephonyTransportOptions,
} from './telephony-transport.js';
export type { InputRejectionReason, TransportCounters } from './transport-counters.js';
export {
  defaultConnectionLimits,
  type TelephonyConnectionLimits,
  type VoxlineTelephonyOptions,
  voxlineTelephony,
} from './voxline-telephony-plugin.js';
