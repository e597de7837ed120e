/**
 * The agent of the "compose a pipeline" guide: Telnyx and Twilio media streams in, Silero VAD,
 * Deepgram STT, turn taking, an OpenAI LLM with an ElevenLabs TTS (and a fallback TTS), out.
 * It needs API keys, so it is compiled but not run by the tests.
 */
// #region agent
import { VADProcessor } from '@voxline/audio';
import {
  createContextAggregatorPair,
  type FrameProcessor,
  LLMContext,
  ServiceFallback,
  UserTurnProcessor,
} from '@voxline/core';
import { DeepgramSTTService } from '@voxline/deepgram';
import { ElevenLabsHttpTTSService, ElevenLabsTTSService, outputFormatForPipeline } from '@voxline/elevenlabs';
import { OpenAILLMService } from '@voxline/openai';
import { SileroVADAnalyzer } from '@voxline/silero';
import type { CallInfo } from '@voxline/telephony';
import type { TelephonyTransport } from '@voxline/websocket';

/** 16 kHz for recognition; 8 kHz out, µ-law straight from ElevenLabs (no resampling). */
export const agentParams = { audioInSampleRate: 16000, audioOutSampleRate: 8000, allowInterruptions: true };

/** One call's pipeline: runs when the carrier's `start` message arrives. */
export async function createAgentPipeline(
  call: CallInfo,
  transport: TelephonyTransport,
): Promise<FrameProcessor[]> {
  const context = new LLMContext([
    {
      role: 'system',
      content: `You are the front desk of a dental clinic. Answer in one or two short sentences. The caller's number: ${call.from ?? 'withheld'}.`,
    },
  ]);
  const { user, assistant } = createContextAggregatorPair(context);
  const voice = { apiKey: process.env.ELEVENLABS_API_KEY, voiceId: process.env.ELEVENLABS_VOICE_ID };
  return [
    transport.input(), // caller audio (resampled to 16 kHz by the serializer), DTMF
    new VADProcessor(await SileroVADAnalyzer.create({ sampleRate: 16000 })), // one analyzer per call
    new DeepgramSTTService({ apiKey: process.env.DEEPGRAM_API_KEY }),
    new UserTurnProcessor(), // turn start and end, barge-in (InterruptionFrame both ways)
    user, // the caller's words into the context; runs the LLM at the end of the turn
    new OpenAILLMService({ apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4.1-mini' }),
    new ServiceFallback([
      new ElevenLabsTTSService({ ...voice, outputFormat: outputFormatForPipeline(8000) }),
      new ElevenLabsHttpTTSService(voice), // if the WebSocket fails for the rest of the call
    ]),
    transport.output(), // paced 20 ms frames to the carrier, marks, clear on barge-in
    assistant, // what the caller actually heard goes into the context
  ];
}

// #endregion agent

// #region server
import { TelnyxCallTerminator, TelnyxMediaStreamVerifier, telnyxCarrier } from '@voxline/telnyx';
import { TwilioCallTerminator, TwilioMediaStreamVerifier, twilioCarrier } from '@voxline/twilio';
import { voxlineTelephony } from '@voxline/websocket';
import Fastify from 'fastify';

export async function startAgent(): Promise<void> {
  const app = Fastify({ logger: true });
  await app.register(voxlineTelephony, {
    path: '/media', // give the carrier wss://your-host/media
    carriers: [telnyxCarrier(), twilioCarrier()], // one endpoint, told apart by their first messages
    params: agentParams,
    createPipeline: createAgentPipeline,
    // Each stream must prove it is the carrier's, for a call of ours, before its pipeline runs.
    verifiers: [
      new TelnyxMediaStreamVerifier({ tokenSecret: process.env.VOXLINE_STREAM_SECRET! }),
      new TwilioMediaStreamVerifier({ authToken: process.env.TWILIO_AUTH_TOKEN! }),
    ],
    publicUrl: process.env.PUBLIC_URL,
    // Ending the pipeline hangs the call up at the carrier, once.
    terminator: [new TelnyxCallTerminator(), new TwilioCallTerminator()],
    lifecycle: { handleSignals: true }, // SIGTERM: calls end gracefully, then the server closes
  });
  await app.listen({ host: '0.0.0.0', port: Number(process.env.PORT ?? 8080) });
}
// #endregion server
