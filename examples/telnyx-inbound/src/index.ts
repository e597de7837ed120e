/**
 * The Telnyx voice agent example, as building blocks for other examples (the outbound dialer runs
 * the same app with inbound answering off). The agent itself is `@voxline/example-voice-agent`.
 */
export { readTelnyxAgentConfig, type TelnyxAgentConfig } from './config.js';
export {
  type AgentPipelineRequest,
  buildTelnyxAgentApp,
  MEDIA_PATH,
  type TelnyxAgentApp,
  type TelnyxAgentAppOptions,
  WEBHOOK_PATH,
} from './telnyx-agent-app.js';
export { UnknownCallError } from './unknown-call-error.js';
