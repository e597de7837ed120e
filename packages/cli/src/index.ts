/**
 * voxline: the command line, and the phone-call simulator as a library.
 */

// Serving agents
export type { VoiceAgent } from './agents/voice-agent.js';
// The demo: the offline agent called by the simulator on a real recording
export {
  DEFAULT_DEMO_INPUT,
  DEMO_PHRASES,
  type DemoOptions,
  demoCommand,
  demoScript,
  misheardTurns,
} from './commands/demo-command.js';
export type { CommandOutput } from './commands/terminal-output.js';
export {
  type AgentServer,
  type AgentServerHealth,
  type AgentServerOptions,
  startAgentServer,
  UnverifiedStreamsError,
} from './server/agent-server.js';
export {
  type CarrierWebhookSharing,
  type CarrierWebhookStatus,
  carrierWebhookEnvironment,
  registerCarrierWebhooks,
} from './server/carrier-webhooks.js';
export {
  type ConversationEvent,
  conversationEventObservers,
  formatConversationEvent,
} from './server/conversation-events.js';
export {
  MAX_PLAY_AUDIO_BYTES,
  PipelineCallHandle,
  PipelineCallHandleError,
  type PipelineCallHandleErrorCode,
} from './server/pipeline-call-handle.js';
export {
  type CallReport,
  formatConversation,
  formatTurnTable,
  type TurnReport,
} from './simulator/call-report.js';
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
// Telemetry (OpenTelemetry traces, Prometheus metrics)
export { CallTelemetryObserver, type CallTelemetryOptions } from './telemetry/call-telemetry-observer.js';
export {
  type CarrierRequestTelemetryOptions,
  subscribeCarrierRequestTelemetry,
} from './telemetry/carrier-request-telemetry.js';
export {
  GEN_AI_ATTRIBUTES,
  SPAN_NAMES,
  TRACER_NAME,
  TURN_EVENTS,
  VOXLINE_ATTRIBUTES,
} from './telemetry/telemetry-names.js';
export {
  CALL_LABEL_NAMES,
  type CallMetricLabels,
  callMetricLabels,
  type ServiceKind,
  VoxlineMetrics,
  type VoxlineMetricsOptions,
} from './telemetry/voxline-metrics.js';
