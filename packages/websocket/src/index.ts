/**
 * @voxline/websocket: the WebSocket server transport for carrier media streams (of any carrier
 * with a `CarrierPlugin`: `telnyxCarrier()`, `twilioCarrier()`, ...): a fastify plugin serving one
 * pipeline per call, output paced in 20 ms frames at real time, playback-accurate bot speaking
 * state from carrier marks, interruption with `clear`, and a call lifecycle that hangs up exactly
 * once.
 */
export {
  type CallLifecycleOptions,
  type CallOutcome,
  type CallPipelineFactory,
  CallSession,
  type CallSessionOptions,
  type CallSessionState,
  type CallTaskOptions,
} from './call-session.js';
export { CallSessionStateError } from './call-session-state-error.js';
export { CloseCode } from './close-codes.js';
export { defaultMessageRateLimit, type MessageRateLimit } from './message-rate-limiter.js';
export type { CorkableWriter } from './pacing-scheduler.js';
export type { TelephonyInputOptions } from './telephony-input-options.js';
export { TelephonyInputProcessor } from './telephony-input-processor.js';
export { OUTPUT_FRAME_MS, type TelephonyOutputOptions } from './telephony-output-options.js';
export { type OutputChannel, TelephonyOutputProcessor } from './telephony-output-processor.js';
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
  type VoxlineLifecycleOptions,
  type VoxlineTelephonyOptions,
  voxlineTelephony,
} from './voxline-telephony-plugin.js';
