/**
 * voxline: the command line, and the phone-call simulator as a library.
 */

// Serving agents
export type { VoiceAgent } from './agents/voice-agent.js';
export { type AgentServer, type AgentServerOptions, startAgentServer } from './server/agent-server.js';
export {
  type CarrierWebhookStatus,
  carrierWebhookEnvironment,
  registerCarrierWebhooks,
} from './server/carrier-webhooks.js';
export { type CallReport, formatTurnTable, type TurnReport } from './simulator/call-report.js';
export {
  type CallScript,
  CallScriptError,
  type CallScriptStep,
  callScriptSchema,
  defaultCallScript,
  parseCallScript,
} from './simulator/call-script.js';
export {
  type CallSimulatorOptions,
  SimulatorError,
  type SimulatorEvent,
  simulateCall,
} from './simulator/call-simulator.js';
// Call simulator
export { CallerAudio, speechExtent } from './simulator/caller-audio.js';
export { SIMULATED_CODECS, type SimulatedCodec } from './simulator/carrier-codec.js';
export type { SimulatedCarrier } from './simulator/carrier-messages.js';
