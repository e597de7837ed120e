/**
 * The dialer's server: the `telnyx-inbound` example's app (Call Control webhooks, media streams,
 * recordings, hang-up by the agent) with inbound calls left alone, answering-machine detection on
 * every dialled call, and the outbound agent.
 */
import type { Logger } from '@voxline/core';
import { buildTelnyxAgentApp, type TelnyxAgentApp } from '@voxline/example-telnyx-inbound';
import type { VoiceAgentPersona, VoiceServices } from '@voxline/example-voice-agent';
import { outboundAgentPipeline, outboundPersona } from './outbound-agent.js';

/** Options of {@link buildOutboundDialerApp}. */
export interface OutboundDialerAppOptions {
  logger: Logger;
  telnyx: {
    apiKey: string;
    publicKey: string;
    /** The Call Control application (Voice API application) calls are placed from. */
    connectionId: string;
    /** Default `https://api.telnyx.com/v2`; tests point it at a local stand-in. */
    baseURL?: string;
  };
  services: VoiceServices;
  /** Default {@link outboundPersona}. */
  persona?: VoiceAgentPersona;
  /** The message left on answering machines, after their greeting (spoken by Telnyx). */
  voicemailMessage: string;
  /** Telnyx voice of the message; default `AWS.Polly.Joanna-Neural`. */
  voicemailVoice?: string;
  /** The public base URL Telnyx reaches this server at; default the listening address (tests). */
  publicUrl?: string;
  recordingsDir: string;
}

/** Builds the app (routes registered, not listening yet); dial with `dialAll(numbers, { calls })`. */
export function buildOutboundDialerApp(options: OutboundDialerAppOptions): Promise<TelnyxAgentApp> {
  return buildTelnyxAgentApp({
    logger: options.logger,
    telnyx: options.telnyx,
    services: options.services,
    agentPipeline: outboundAgentPipeline(options.services, options.persona ?? outboundPersona),
    answerInbound: false,
    answeringMachine: {
      leaveMessage: {
        text: options.voicemailMessage,
        ...(options.voicemailVoice !== undefined ? { voice: options.voicemailVoice } : {}),
      },
    },
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
    recordingsDir: options.recordingsDir,
  });
}
