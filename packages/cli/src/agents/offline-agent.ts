/**
 * The built-in `offline` agent: `createOfflineAgent` from `@voxline/local`.
 */
import { createOfflineAgent } from '@voxline/local';
import type { VoiceAgent } from './voice-agent.js';

/** Creates the offline agent for `voxline serve` and `voxline demo`. */
export function createOfflineVoiceAgent(): VoiceAgent {
  return createOfflineAgent();
}
