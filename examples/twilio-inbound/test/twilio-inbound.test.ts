/**
 * The example app on a free loopback port, with Deepgram, OpenAI and ElevenLabs replaced by their
 * local fakes and the Twilio REST API by a local stand-in. Twilio's part is played by the test:
 * signed webhooks (HMAC-SHA1 with a test auth token), then the call's media stream through the
 * phone-call simulator (the first 2.6 s of the JFK recording: "And so my fellow Americans"). The
 * app believes it is reached at https://voice.example.test, as behind a TLS proxy.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav, rmsDbfs } from '@voxline/audio';
import { createLogger } from '@voxline/core';
import type { VoiceAgentPersona } from '@voxline/example-voice-agent';
import {
  JFK_RECORDING_PATH,
  jfkCaller,
  sayOneSentenceThenListen,
  VoiceServiceFakes,
} from '@voxline/example-voice-agent/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { computeTwilioSignature } from '@voxline/twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatorError, simulateCall } from 'voxline';
import {
  buildTwilioAgentApp,
  MEDIA_PATH,
  STATUS_PATH,
  type TwilioAgentApp,
  VOICE_PATH,
} from '../src/twilio-agent-app.js';

const caller = jfkCaller();

const PUBLIC_URL = 'https://voice.example.test';
const MEDIA_URL = `wss://voice.example.test${MEDIA_PATH}`;
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const CALL_SID = 'CA5f0c1d2e3f405162738495a6b7c8d9e0';
const RECORDING_SID = 'RE00112233445566778899aabbccddeeff';
const CALL_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json`;
const GREETING = 'Hello, thanks for calling.';
const GOODBYE = 'Thank you for calling. Goodbye!';

describe('twilio-inbound example', () => {
  let fakes: VoiceServiceFakes;
  let twilioApi: CarrierApiStandIn;
  let agent: TwilioAgentApp;
  let recordingsDir: string;

  beforeEach(async () => {
    fakes = await VoiceServiceFakes.start({ callerSays: 'And so my fellow Americans.', reply: GOODBYE });
    twilioApi = await CarrierApiStandIn.start();
    // What Twilio answers to creating a recording, and to updating a call.
    twilioApi.fallback = { status: 201, body: { sid: RECORDING_SID, call_sid: CALL_SID } };
    twilioApi.route('POST', /\/Calls\/CA[0-9a-f]{32}\.json$/, () => ({
      status: 200,
      body: { sid: CALL_SID, status: 'completed' },
    }));
    recordingsDir = await mkdtemp(join(tmpdir(), 'voxline-twilio-inbound-'));
  });

  afterEach(async () => {
    await agent?.app.close();
    await Promise.all([fakes.stop(), twilioApi.close()]);
    await rm(recordingsDir, { recursive: true, force: true });
  });

  /** Builds the app around the fakes and listens on a free loopback port. */
  async function start(persona: VoiceAgentPersona): Promise<void> {
    agent = await buildTwilioAgentApp({
      logger: createLogger({ level: 'silent' }),
      twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilioApi.origin },
      services: fakes.services,
      persona,
      publicUrl: PUBLIC_URL,
      recordingsDir,
    });
    await agent.app.listen({ host: '127.0.0.1', port: 0 });
  }

  function origin(): string {
    const { port } = agent.app.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  /** POSTs a form as Twilio does, signed over the public URL unless `signature` is given. */
  async function post(path: string, params: Record<string, string>, signature?: string) {
    const response = await fetch(origin() + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? computeTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, text: await response.text() };
  }

  const voiceParams = {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: CALL_SID,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: '+13125550100',
    To: '+13125550199',
  };

  /** The media stream as Twilio opens it: to the local port, signed over the public wss:// URL. */
  function callMediaStream(steps: Parameters<typeof simulateCall>[0]['script']) {
    return simulateCall({
      carrier: 'twilio',
      url: `${origin().replace('http', 'ws')}${MEDIA_PATH}`,
      headers: { 'x-twilio-signature': computeTwilioSignature(AUTH_TOKEN, MEDIA_URL) },
      callId: CALL_SID,
      customParameters: { CallSid: CALL_SID, From: voiceParams.From, To: voiceParams.To },
      audio: caller,
      ...(steps !== undefined ? { script: steps } : {}),
    });
  }

  it('connects the call with <Connect><Stream>, talks, records, and hangs up once after the goodbye', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: undefined });

    const voice = await post(VOICE_PATH, voiceParams);
    expect(voice.status).toBe(200);
    expect(voice.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect>' +
        `<Stream url="${MEDIA_URL}" statusCallback="${PUBLIC_URL}${STATUS_PATH}" statusCallbackMethod="POST">` +
        `<Parameter name="CallSid" value="${CALL_SID}"/>` +
        '<Parameter name="From" value="+13125550100"/><Parameter name="To" value="+13125550199"/>' +
        '</Stream></Connect></Response>',
    );

    // Twilio reports the stream started: the dual-channel recording starts.
    const started = await post(STATUS_PATH, {
      AccountSid: ACCOUNT_SID,
      CallSid: CALL_SID,
      StreamSid: 'MZ00112233445566778899aabbccddeeff',
      StreamEvent: 'stream-started',
    });
    expect(JSON.parse(started.text)).toEqual({ status: 'accepted' });
    await agent.calls.idle();
    const [recordingStart] = twilioApi.requestsTo('POST', /\/Calls\/CA[0-9a-f]{32}\/Recordings\.json$/);
    expect(new URLSearchParams(recordingStart?.text).get('RecordingChannels')).toBe('dual');

    const report = await callMediaStream(sayOneSentenceThenListen);
    expect(report.protocolViolations).toEqual([]);
    expect(report.turns[0]?.answered).toBe(true);
    expect(report.endedBy).toBe('agent');
    // The goodbye was heard to its end before the hang-up: 31 characters at 20 ms each.
    expect(report.turns[0]?.botAudioHeardMs).toBeGreaterThanOrEqual(GOODBYE.length * 20 - 40);
    const hangUps = twilioApi.requestsTo('POST', new RegExp(`^${CALL_PATH}$`));
    expect(hangUps.map((request) => request.text)).toEqual(['Status=completed']);
    expect(hangUps[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );

    expect(fakes.openai.violations).toEqual([]);
    expect(fakes.openai.chatRequests[0]?.body.messages).toEqual([
      { role: 'system', content: 'You are a test agent.' },
      { role: 'user', content: 'And so my fellow Americans.' },
    ]);
    expect(fakes.openai.pendingReplies).toBe(0);

    // Twilio's recording is downloaded (with the account's credentials) next to the pipeline's own.
    const carrierRecording = await readFile(JFK_RECORDING_PATH);
    twilioApi.route('GET', new RegExp(`/Recordings/${RECORDING_SID}\\.wav$`), () => ({
      status: 200,
      body: carrierRecording,
      headers: { 'content-type': 'audio/x-wav' },
    }));
    await post(STATUS_PATH, { AccountSid: ACCOUNT_SID, CallSid: CALL_SID, CallStatus: 'completed' });
    await post(STATUS_PATH, {
      AccountSid: ACCOUNT_SID,
      CallSid: CALL_SID,
      RecordingSid: RECORDING_SID,
      RecordingStatus: 'completed',
      RecordingUrl: `${twilioApi.origin}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}`,
      RecordingChannels: '2',
    });
    await agent.calls.idle();
    expect(await readFile(join(recordingsDir, CALL_SID, `${RECORDING_SID}.wav`))).toEqual(carrierRecording);
    expect(await (await fetch(`${origin()}/healthz`)).json()).toEqual({ status: 'ok', calls: 0 });

    await agent.app.close(); // completes the pipeline's recording of the call
    const pipelineRecording = readWav(join(recordingsDir, CALL_SID, 'pipeline.wav'));
    expect(pipelineRecording).toMatchObject({ sampleRate: 16000, numChannels: 2 });
    const agentChannel = pipelineRecording.samples.filter((_sample, index) => index % 2 === 1);
    expect(rmsDbfs(agentChannel)).toBeGreaterThan(-40);
  });

  it('greets the caller first', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: GREETING });
    expect((await post(VOICE_PATH, voiceParams)).status).toBe(200);
    const report = await callMediaStream({
      steps: [{ waitForBotReply: { silenceMs: 500, timeoutMs: 15_000 } }, { hangUp: {} }],
    });
    expect(report.protocolViolations).toEqual([]);
    const spoken = fakes.elevenlabs.connections.flatMap((connection) =>
      connection.contextHistory.map((context) => context.generatedText.trim()),
    );
    expect(spoken).toEqual([GREETING]);
    expect(report.botAudioReceivedMs).toBeGreaterThanOrEqual(GREETING.length * 20);
    expect(report.endedBy).toBe('caller');
  });

  it('refuses unsigned webhooks and media streams', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: undefined });
    const forged = await post(
      VOICE_PATH,
      voiceParams,
      computeTwilioSignature('not-the-token', PUBLIC_URL + VOICE_PATH, voiceParams),
    );
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.text)).toEqual({ error: 'webhook-rejected', reason: 'bad-signature' });

    const unsigned = simulateCall({
      carrier: 'twilio',
      url: `${origin().replace('http', 'ws')}${MEDIA_PATH}`,
      audio: caller,
    });
    await expect(unsigned).rejects.toThrow(SimulatorError);
    await expect(unsigned).rejects.toThrow(/HTTP 401/);
    expect(fakes.deepgram.connections).toEqual([]);
    expect(twilioApi.requests).toEqual([]);
  });
});
