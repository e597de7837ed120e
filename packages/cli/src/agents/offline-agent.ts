/**
 * The built-in `offline` agent: `createOfflineAgent` from `@voxline/local`.
 */
import { createOfflineAgent, type OfflineAgentOptions } from '@voxline/local';
import type { VoiceAgent } from './voice-agent.js';

/**
 * Creates the offline agent for `voxline serve` (default options) and `voxline demo` (which limits
 * recognition to the phrases of its recording).
 */
export function createOfflineVoiceAgent(options: OfflineAgentOptions = {}): VoiceAgent {
  return createOfflineAgent(options);
}
