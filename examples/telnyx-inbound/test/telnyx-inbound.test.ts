/**
 * The example app on a free loopback port, with Deepgram, OpenAI and ElevenLabs replaced by their
 * local fakes and the Telnyx API by a local stand-in. Telnyx's part is played by the test: signed
 * webhooks, then the call's media stream through the phone-call simulator (the first 2.6 s of the
 * JFK recording: "And so my fellow Americans").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav, rmsDbfs } from '@voxline/audio';
import { createLogger } from '@voxline/core';
import { defaultPersona, type VoiceAgentPersona } from '@voxline/example-voice-agent';
import {
  JFK_RECORDING_PATH,
  jfkCaller,
  sayOneSentenceThenListen,
  VoiceServiceFakes,
} from '@voxline/example-voice-agent/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { decodeClientState } from '@voxline/telnyx';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulateCall } from 'voxline';
import { buildTelnyxAgentApp, MEDIA_PATH, type TelnyxAgentApp, WEBHOOK_PATH } from '../src/index.js';
import { TelnyxWebhookSender } from '../src/testing/index.js';

const caller = jfkCaller();

const CALL_ID = 'v3:u5OAKGEPT3Dx8SwLkkCN3qYrWAt0lnBY8ZdN7eWM6sbrMyiGp9Cmm5';
const GREETING = 'Hello, thanks for calling.';
const GOODBYE = 'Thank you for calling. Goodbye!';

describe('telnyx-inbound example', () => {
  let fakes: VoiceServiceFakes;
  let telnyxApi: CarrierApiStandIn;
  let webhooks: TelnyxWebhookSender;
  let agent: TelnyxAgentApp;
  let recordingsDir: string;

  beforeEach(async () => {
    fakes = await VoiceServiceFakes.start({ callerSays: 'And so my fellow Americans.', reply: GOODBYE });
    telnyxApi = await CarrierApiStandIn.start();
    recordingsDir = await mkdtemp(join(tmpdir(), 'voxline-telnyx-inbound-'));
    webhooks = new TelnyxWebhookSender(() => `${origin()}${WEBHOOK_PATH}`);
  });

  /** Builds the app around the fakes and listens on a free loopback port. */
  async function start(persona: VoiceAgentPersona): Promise<void> {
    agent = await buildTelnyxAgentApp({
      logger: createLogger({ level: 'silent' }),
      telnyx: { apiKey: 'KEY_test', publicKey: webhooks.publicKey, baseURL: `${telnyxApi.origin}/v2` },
      services: fakes.services,
      persona,
      recordingsDir,
    });
    await agent.app.listen({ host: '127.0.0.1', port: 0 });
  }

  /** Delivers call.initiated and returns the answer command's body. */
  async function answeredCall(): Promise<Record<string, string>> {
    const initiated = await webhooks.send(
      'call.initiated',
      callPayload({ direction: 'incoming', state: 'parked' }),
    );
    expect(initiated).toEqual({ status: 200, body: { status: 'accepted' } });
    await agent.calls.idle();
    const answers = actions('answer');
    expect(answers).toHaveLength(1);
    expect(answers[0]?.headers.authorization).toBe('Bearer KEY_test');
    return JSON.parse(answers[0]?.text ?? '{}');
  }

  afterEach(async () => {
    await agent?.app.close();
    await Promise.all([fakes.stop(), telnyxApi.close()]);
    await rm(recordingsDir, { recursive: true, force: true });
  });

  function origin(): string {
    const { port } = agent.app.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  const callPayload = (extra: Record<string, unknown> = {}) => ({
    call_control_id: CALL_ID,
    call_session_id: 'b1e2a3c4-0000-4000-8000-000000000001',
    from: '+13125550100',
    to: '+13125550199',
    client_state: null,
    ...extra,
  });
  const spokenTexts = () => fakes.spokenTexts();
  const actions = (name: string) =>
    telnyxApi.requestsTo('POST', new RegExp(`^/v2/calls/${CALL_ID.replace(':', '.')}/actions/${name}$`));

  it('answers with a bidirectional PCMU stream, talks, records, and hangs up once after the goodbye', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: undefined });
    const answerBody = await answeredCall();
    expect(answerBody).toMatchObject({
      stream_url: `${origin().replace('http', 'ws')}${MEDIA_PATH}`,
      stream_track: 'inbound_track',
      stream_codec: 'PCMU',
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'PCMU',
    });
    const clientState = answerBody.client_state as string;
    const reference = decodeClientState(clientState)?.reference as string;

    // call.answered → the carrier records both channels.
    await webhooks.send('call.answered', callPayload({ client_state: clientState }));
    await agent.calls.idle();
    expect(JSON.parse(actions('record_start')[0]?.text ?? '{}')).toMatchObject({
      channels: 'dual',
      format: 'wav',
      custom_file_name: reference,
    });

    // The media stream: the caller's sentence, the goodbye, then the agent hangs up.
    const report = await simulateCall({
      carrier: 'telnyx',
      url: answerBody.stream_url as string,
      callId: CALL_ID,
      audio: caller,
      script: sayOneSentenceThenListen,
    });
    expect(report.protocolViolations).toEqual([]);
    expect(report.turns[0]?.answered).toBe(true);
    expect(report.endedBy).toBe('agent');
    // The goodbye was heard to its end before the hang-up: 31 characters at 20 ms each.
    expect(report.turns[0]?.botAudioHeardMs).toBeGreaterThanOrEqual(GOODBYE.length * 20 - 40);
    expect(actions('hangup')).toHaveLength(1);

    // What the model saw, and what was spoken.
    expect(fakes.openai.violations).toEqual([]);
    const request = fakes.openai.chatRequests[0]?.body as { messages: unknown[]; tools: unknown[] };
    expect(request.messages).toEqual([
      { role: 'system', content: 'You are a test agent.' },
      { role: 'user', content: 'And so my fellow Americans.' },
    ]);
    expect(request.tools).toMatchObject([{ type: 'function', function: { name: 'end_call' } }]);
    expect(fakes.openai.pendingReplies).toBe(0);
    expect(spokenTexts()).toEqual([GOODBYE]);

    // The carrier reports the hang-up, then its recording, which is downloaded next to the
    // pipeline's own.
    const carrierRecording = await readFile(JFK_RECORDING_PATH);
    telnyxApi.route('GET', /^\/recordings\/rec-1\.wav/, () => ({
      status: 200,
      body: carrierRecording,
      headers: { 'content-type': 'audio/wav' },
    }));
    await webhooks.send(
      'call.hangup',
      callPayload({ client_state: clientState, hangup_cause: 'normal_clearing', hangup_source: 'callee' }),
    );
    await webhooks.send('call.recording.saved', {
      call_control_id: CALL_ID,
      client_state: clientState,
      channels: 'dual',
      recording_id: 'rec-1',
      recording_urls: { wav: `${telnyxApi.origin}/recordings/rec-1.wav?X-Amz-Signature=test`, mp3: null },
      public_recording_urls: { wav: null, mp3: null },
    });
    await agent.calls.idle();
    expect(await readFile(join(recordingsDir, reference, 'rec-1.wav'))).toEqual(carrierRecording);
    expect(await (await fetch(`${origin()}/healthz`)).json()).toEqual({ status: 'ok', calls: 0 });

    await agent.app.close(); // completes the pipeline's recording of the call
    const pipelineRecording = readWav(join(recordingsDir, reference, 'pipeline.wav'));
    expect(pipelineRecording).toMatchObject({ sampleRate: 16000, numChannels: 2 });
    const agentChannel = pipelineRecording.samples.filter((_sample, index) => index % 2 === 1);
    expect(rmsDbfs(agentChannel)).toBeGreaterThan(-40);
  });

  it('greets the caller first', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: GREETING });
    const answerBody = await answeredCall();
    const report = await simulateCall({
      carrier: 'telnyx',
      url: answerBody.stream_url as string,
      callId: CALL_ID,
      audio: caller,
      script: { steps: [{ waitForBotReply: { silenceMs: 500, timeoutMs: 15_000 } }, { hangUp: {} }] },
    });
    expect(report.protocolViolations).toEqual([]);
    expect(spokenTexts()).toEqual([GREETING]);
    // The whole greeting played (26 characters of 20 ms), and nothing else.
    expect(report.botAudioReceivedMs).toBeGreaterThanOrEqual(GREETING.length * 20);
    expect(report.endedBy).toBe('caller');
    expect(actions('hangup')).toEqual([]); // the caller hung up: nothing to hang up
  });

  it('refuses forged webhooks and media streams of calls it did not answer', async () => {
    await start(defaultPersona);
    const forged = await webhooks.send(
      'call.initiated',
      callPayload({ direction: 'incoming' }),
      Buffer.alloc(64).toString('base64'),
    );
    expect(forged).toEqual({ status: 401, body: { error: 'webhook-rejected', reason: 'bad-signature' } });
    expect(telnyxApi.requests).toEqual([]);

    const report = await simulateCall({
      carrier: 'telnyx',
      url: `${origin().replace('http', 'ws')}${MEDIA_PATH}`,
      callId: CALL_ID,
      audio: caller,
      script: { steps: [{ say: { fromMs: 0, toMs: 1000 } }, { hangUp: {} }] },
    });
    expect(report.endedBy).toBe('agent');
    expect(report.botAudioReceivedMs).toBe(0);
    expect(fakes.deepgram.connections).toEqual([]);
  });
});
