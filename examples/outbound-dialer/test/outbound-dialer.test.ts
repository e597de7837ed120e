/**
 * The dialer against a local stand-in for the Telnyx API, with Deepgram, OpenAI and ElevenLabs
 * replaced by their local fakes. Telnyx's part is played by the test: it answers the dials, sends
 * the signed webhooks of each call (answered, answering-machine verdict, greeting end, speak end,
 * hang-up), and streams the person's call through the phone-call simulator (the first 2.6 s of
 * the JFK recording: "And so my fellow Americans").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@voxline/core';
import { type TelnyxAgentApp, WEBHOOK_PATH } from '@voxline/example-telnyx-inbound';
import { TelnyxWebhookSender } from '@voxline/example-telnyx-inbound/testing';
import type { VoiceAgentPersona } from '@voxline/example-voice-agent';
import { jfkCaller, sayOneSentenceThenListen, VoiceServiceFakes } from '@voxline/example-voice-agent/testing';
import { CarrierApiStandIn } from '@voxline/telephony/testing';
import { decodeClientState } from '@voxline/telnyx';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulateCall } from 'voxline';
import { type DialResult, dialAll } from '../src/outbound-dialer.js';
import { buildOutboundDialerApp } from '../src/outbound-dialer-app.js';

const caller = jfkCaller();

const FROM = '+13125550100';
const PERSON = '+13125550111';
const MACHINE = '+13125550122';
/** The call_control_id the stand-in gives each dialled number. */
const CALL_IDS: Record<string, string> = {
  [PERSON]: 'v3:person0AKGEPT3Dx8SwLkkCN3qYrWAt0lnBY8ZdN7eWM6sbrMyiGp9C',
  [MACHINE]: 'v3:machine0KGEPT3Dx8SwLkkCN3qYrWAt0lnBY8ZdN7eWM6sbrMyiGp9C',
};
const VOICEMAIL = 'Hello, this is the team. Please call us back at your convenience.';
const GREETING = 'Hi, this is the team calling.';
const GOODBYE = 'Thanks for your time. Goodbye!';

describe('outbound-dialer example', () => {
  let fakes: VoiceServiceFakes;
  let telnyxApi: CarrierApiStandIn;
  let webhooks: TelnyxWebhookSender;
  let dialer: TelnyxAgentApp;
  let recordingsDir: string;
  const logger = createLogger({ level: 'silent' });

  beforeEach(async () => {
    fakes = await VoiceServiceFakes.start({ callerSays: 'And so my fellow Americans.', reply: GOODBYE });
    telnyxApi = await CarrierApiStandIn.start();
    telnyxApi.route('POST', /^\/v2\/calls$/, (request) => {
      const to = JSON.parse(request.text).to as string;
      return {
        status: 200,
        body: {
          data: {
            call_control_id: CALL_IDS[to],
            call_leg_id: `leg-${to}`,
            call_session_id: `session-${to}`,
            is_alive: false,
            record_type: 'call',
          },
        },
      };
    });
    recordingsDir = await mkdtemp(join(tmpdir(), 'voxline-outbound-dialer-'));
    webhooks = new TelnyxWebhookSender(() => `${origin()}${WEBHOOK_PATH}`);
  });

  afterEach(async () => {
    await dialer?.app.close();
    await Promise.all([fakes.stop(), telnyxApi.close()]);
    await rm(recordingsDir, { recursive: true, force: true });
  });

  async function start(persona: VoiceAgentPersona): Promise<void> {
    dialer = await buildOutboundDialerApp({
      logger,
      telnyx: {
        apiKey: 'KEY_test',
        publicKey: webhooks.publicKey,
        connectionId: '1494404757140276705',
        baseURL: `${telnyxApi.origin}/v2`,
      },
      services: fakes.services,
      persona,
      voicemailMessage: VOICEMAIL,
      recordingsDir,
    });
    await dialer.app.listen({ host: '127.0.0.1', port: 0 });
  }

  function origin(): string {
    const { port } = dialer.app.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  const dials = () => telnyxApi.requestsTo('POST', /^\/v2\/calls$/);
  const commandsTo = (to: string) =>
    telnyxApi.requests
      .filter((request) => request.path.startsWith(`/v2/calls/${CALL_IDS[to]}/actions/`))
      .map((request) => request.path.split('/').at(-1));

  /** Sends one signed event of the call to `to` and waits for the work it causes. */
  async function event(to: string, type: string, extra: Record<string, unknown> = {}): Promise<void> {
    const dial = dials().find((request) => JSON.parse(request.text).to === to);
    const answer = await webhooks.send(type, {
      call_control_id: CALL_IDS[to] as string,
      call_session_id: `session-${to}`,
      from: FROM,
      to,
      direction: 'outgoing',
      client_state: JSON.parse(dial?.text ?? '{}').client_state,
      ...extra,
    });
    expect(answer).toEqual({ status: 200, body: { status: 'accepted' } });
    await dialer.calls.idle();
  }

  it('connects the person to the agent and leaves the machine a voicemail, one call at a time', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: undefined });
    const finished = dialAll([PERSON, MACHINE], { calls: dialer.calls, from: FROM, concurrency: 1, logger });

    // The person's call: dialled with detection and the stream to our media endpoint.
    await telnyxApi.waitFor('POST', /^\/v2\/calls$/, 1);
    const personDial = JSON.parse(dials()[0]?.text ?? '{}');
    expect(personDial).toMatchObject({
      connection_id: '1494404757140276705',
      to: PERSON,
      from: FROM,
      answering_machine_detection: 'detect_beep',
      stream_url: `${origin().replace('http', 'ws')}/telnyx/media`,
      stream_bidirectional_mode: 'rtp',
      stream_bidirectional_codec: 'PCMU',
    });
    expect(decodeClientState(personDial.client_state)).toMatchObject({ direction: 'outbound' });
    await event(PERSON, 'call.initiated');
    await event(PERSON, 'call.answered');
    await event(PERSON, 'call.machine.detection.ended', { result: 'human' });

    const report = await simulateCall({
      carrier: 'telnyx',
      url: personDial.stream_url,
      callId: CALL_IDS[PERSON],
      audio: caller,
      script: sayOneSentenceThenListen,
    });
    expect(report.protocolViolations).toEqual([]);
    expect(report.turns[0]?.answered).toBe(true);
    expect(report.endedBy).toBe('agent');
    expect(commandsTo(PERSON)).toEqual(['record_start', 'hangup']);
    const messages = (fakes.openai.chatRequests[0]?.body.messages ?? []) as unknown[];
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content: 'And so my fellow Americans.',
    });

    // One call at a time: the machine is dialled only once the person's call has ended.
    expect(dials()).toHaveLength(1);
    await event(PERSON, 'call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    await telnyxApi.waitFor('POST', /^\/v2\/calls$/, 2);

    // The machine: the agent's stream stops, the message is spoken after the beep, then hang-up.
    await event(MACHINE, 'call.initiated');
    await event(MACHINE, 'call.answered');
    await event(MACHINE, 'call.machine.detection.ended', { result: 'machine' });
    expect(commandsTo(MACHINE)).toEqual(['record_start', 'streaming_stop']);
    await event(MACHINE, 'call.machine.greeting.ended', { result: 'beep_detected' });
    const speak = telnyxApi.requestsTo('POST', /\/actions\/speak$/);
    expect(JSON.parse(speak[0]?.text ?? '{}')).toMatchObject({
      payload: VOICEMAIL,
      voice: 'AWS.Polly.Joanna-Neural',
    });
    await event(MACHINE, 'call.speak.ended');
    expect(commandsTo(MACHINE)).toEqual(['record_start', 'streaming_stop', 'speak', 'hangup']);
    await event(MACHINE, 'call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'callee' });

    expect(await finished).toEqual<DialResult[]>([
      {
        to: PERSON,
        callId: CALL_IDS[PERSON],
        outcome: 'completed',
        answeredBy: 'human',
        voicemailLeft: false,
      },
      {
        to: MACHINE,
        callId: CALL_IDS[MACHINE],
        outcome: 'completed',
        answeredBy: 'machine',
        voicemailLeft: true,
      },
    ]);
    expect(fakes.deepgram.connections).toHaveLength(1); // only the person's call ran a pipeline
  });

  it('holds the greeting until answering-machine detection says a person answered', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: GREETING });
    const finished = dialAll([PERSON], { calls: dialer.calls, from: FROM, logger });
    await telnyxApi.waitFor('POST', /^\/v2\/calls$/, 1);
    await event(PERSON, 'call.answered');

    const call = simulateCall({
      carrier: 'telnyx',
      url: JSON.parse(dials()[0]?.text ?? '{}').stream_url,
      callId: CALL_IDS[PERSON],
      audio: caller,
      script: { steps: [{ waitForBotReply: { silenceMs: 500, timeoutMs: 15_000 } }, { hangUp: {} }] },
    });
    // The pipeline runs (its recognizer is connected), yet says nothing before the verdict.
    await fakes.deepgram.connection(0);
    expect(fakes.elevenlabs.connections.flatMap((connection) => connection.contextHistory)).toEqual([]);
    await event(PERSON, 'call.machine.detection.ended', { result: 'human' });

    const report = await call;
    expect(report.protocolViolations).toEqual([]);
    expect(report.botAudioReceivedMs).toBeGreaterThanOrEqual(GREETING.length * 20);
    const spoken = fakes.elevenlabs.connections.flatMap((connection) =>
      connection.contextHistory.map((context) => context.generatedText.trim()),
    );
    expect(spoken).toEqual([GREETING]);

    await event(PERSON, 'call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    expect((await finished)[0]).toMatchObject({ outcome: 'completed', answeredBy: 'human' });
  });

  it('ignores what is said before answering-machine detection has decided', async () => {
    await start({ systemPrompt: 'You are a test agent.', greeting: GREETING });
    const finished = dialAll([PERSON], { calls: dialer.calls, from: FROM, logger });
    await telnyxApi.waitFor('POST', /^\/v2\/calls$/, 1);
    await event(PERSON, 'call.answered');

    // The callee speaks at once, as a voicemail greeting would; the verdict comes only after the
    // agent has had 4 s to (wrongly) answer.
    const report = await simulateCall({
      carrier: 'telnyx',
      url: JSON.parse(dials()[0]?.text ?? '{}').stream_url,
      callId: CALL_IDS[PERSON],
      audio: caller,
      script: {
        steps: [
          { say: { fromMs: 0, toMs: 2600 } },
          { waitForBotReply: { timeoutMs: 4000 } },
          { waitForBotReply: { silenceMs: 500, timeoutMs: 15_000 } },
          { hangUp: {} },
        ],
      },
      onEvent: ({ type }) => {
        if (type === 'timeout') void event(PERSON, 'call.machine.detection.ended', { result: 'human' });
      },
    });

    // The speech before the verdict reached the recognizer but never the model; then the greeting.
    expect(fakes.deepgram.connections[0]?.sentMessages.some((message) => message.is_final === true)).toBe(
      true,
    );
    expect(fakes.openai.chatRequests).toEqual([]);
    const spoken = fakes.elevenlabs.connections.flatMap((connection) =>
      connection.contextHistory.map((context) => context.generatedText.trim()),
    );
    expect(spoken).toEqual([GREETING]);
    expect(report.turns[0]?.answered).toBe(true); // by the greeting

    await event(PERSON, 'call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    expect((await finished)[0]).toMatchObject({ outcome: 'completed', answeredBy: 'human' });
  });
});
