/**
 * The agent of an outbound call: the voice pipeline of the phone examples, made to talk
 * to people only. Until answering-machine detection has decided, whatever the other end says is
 * ignored (a voicemail greeting must not get an answer), and the agent's greeting waits for the
 * verdict: it is spoken when a person answered, never to a machine (the call flow then stops the
 * stream and leaves the voicemail message itself).
 */

import type { CallControlSession, MachineDetectionResult } from '@voxline/call-control';
import type { FrameProcessor } from '@voxline/core';
import type { AgentPipelineRequest } from '@voxline/example-telnyx-inbound';
import {
  createVoiceAgentPipeline,
  type VoiceAgentPersona,
  type VoiceServices,
} from '@voxline/example-voice-agent';

/** The default persona of outbound calls. */
export const outboundPersona: VoiceAgentPersona = {
  systemPrompt:
    'You are a friendly agent making an outbound phone call on behalf of a small business, to ask ' +
    'whether the person would like a callback from the team. Keep answers short: one or two sentences. ' +
    'When the conversation is over, say a short goodbye and call end_call.',
  greeting: 'Hi! This is an automated assistant calling on behalf of the team. Do you have a minute?',
};

/** The `agentPipeline` of the dialer's app; see the module comment. */
export function outboundAgentPipeline(
  services: VoiceServices,
  persona: VoiceAgentPersona,
): (request: AgentPipelineRequest) => Promise<FrameProcessor[]> {
  return ({ transport, session, recordingPath }) =>
    createVoiceAgentPipeline(transport, {
      services,
      persona,
      recordingPath,
      ignoreSpeechWhile: () => session.machineDetection === undefined,
      greetWhen: personAnswered(session),
    });
}

/**
 * Resolves true once answering-machine detection says a person answered (or cannot tell), false
 * for a machine, a fax or silence, or when the call ends first.
 */
export function personAnswered(session: CallControlSession): Promise<boolean> {
  const isPerson = (result: MachineDetectionResult) => result === 'human' || result === 'not-sure';
  if (session.machineDetection !== undefined) return Promise.resolve(isPerson(session.machineDetection));
  return new Promise((resolve) => {
    const stopWatching = () => {
      offDetection();
      offHangup();
    };
    const offDetection = session.on('machine-detection', ({ result }) => {
      stopWatching();
      resolve(isPerson(result));
    });
    const offHangup = session.on('hangup', () => {
      stopWatching();
      resolve(false);
    });
  });
}
