/**
 * A phone-call simulator: plays the carrier's side of a media stream against any agent server.
 *
 * It connects to the agent's WebSocket as Telnyx, Twilio or Plivo would, sends `connected` (not Plivo) and `start`
 * with realistic ids and media format, streams the caller's recording as 20 ms µ-law, A-law or
 * G.722 frames at real time — silence between turns, as a carrier streams continuously — plays the
 * agent's audio back at real time, echoes marks when the audio before them has played, honours
 * `clear`, sends DTMF and `stop`, and records both sides as a dual-channel WAV (caller left, bot
 * right, at the codec's rate: 8000 Hz, or 16000 Hz for G.722). A {@link CallScript} places caller turns, barge-ins, key presses and the
 * hang-up. The {@link CallReport} gives, per turn, end of user speech → first bot audio,
 * interruption → clear, and how much of the bot's reply the caller heard.
 *
 * One 20 ms tick drives everything, scheduled on absolute times (no drift, one timer at a time).
 */
import { randomBytes } from 'node:crypto';
import { rmsDbfs, WavFileWriter } from '@voxline/audio';
import { type Clock, realClock, VoxlineError } from '@voxline/core';
import { computePlivoSignature, PLIVO_NONCE_HEADER, PLIVO_SIGNATURE_HEADER } from '@voxline/plivo';
import { TELNYX_STREAM_AUTH_TOKEN_HEADER, telnyxStreamAuthToken } from '@voxline/telnyx';
import { computeTwilioSignature } from '@voxline/twilio';
import WebSocket from 'ws';
import type { CallReport, TurnReport } from './call-report.js';
import { type CallScript, type CallScriptStep, defaultCallScript } from './call-script.js';
import { type CallerAudio, FRAME_MS, speechExtent } from './caller-audio.js';
import { CarrierCodec, type SimulatedCodec } from './carrier-codec.js';
import {
  CarrierMessageWriter,
  newCallIds,
  parseAgentMessage,
  type SimulatedCarrier,
} from './carrier-messages.js';
import { CarrierPlayback } from './carrier-playback.js';

/** Options of {@link simulateCall}. */
export interface CallSimulatorOptions {
  carrier: SimulatedCarrier;
  /** The agent's media-stream WebSocket URL, e.g. `ws://127.0.0.1:8765/telnyx`. */
  url: string;
  /** The caller's recording; resampled to the codec's rate when it is at another. */
  audio: CallerAudio;
  /** What the caller does; default: say the whole recording, wait for the reply, hang up. */
  script?: CallScript;
  /** Codec to stream (Telnyx only; Twilio is always PCMU); default PCMU. `G722` streams 16 kHz audio both ways. */
  codec?: SimulatedCodec;
  /**
   * The carrier's call id announced in `start` (Telnyx `call_control_id`, Twilio `CallSid`); default
   * a new one in the carrier's format. Set it to the id of a call a webhook answered, so that the
   * agent's media stream and its call-control session refer to the same call, as with a real carrier.
   */
  callId?: string;
  /** Caller and callee numbers (sent by Telnyx in `start`). */
  from?: string;
  to?: string;
  /** `custom_parameters` / `customParameters` in `start`. */
  customParameters?: Record<string, string>;
  /** Extra headers on the WebSocket upgrade (e.g. a signature). */
  headers?: Record<string, string>;
  /**
   * Prove the stream as the carrier does, so a server that verifies streams accepts it: for
   * Telnyx, `telnyxStreamSecret` sends the `x-telnyx-streaming-auth-token` header with the token
   * of the call id under that secret (as the server's `VOXLINE_STREAM_SECRET`); for Twilio,
   * `twilioAuthToken` signs the upgrade with `X-Twilio-Signature`, and for Plivo, `plivoAuthToken`
   * with `X-Plivo-Signature-V3` and a fresh nonce, over `signedUrl` (default
   * `url`: set it to the public URL the server rebuilds when it runs behind a proxy).
   */
  credentials?: {
    telnyxStreamSecret?: string;
    twilioAuthToken?: string;
    plivoAuthToken?: string;
    signedUrl?: string;
  };
  /** Write the dual-channel recording here. */
  recordPath?: string;
  /** Called for every call event, for a live view. */
  onEvent?: (event: SimulatorEvent) => void;
  /** Give up after this many ms of call time; default 180000. */
  maxDurationMs?: number;
  /** Give up connecting after this many ms; default 5000. */
  connectTimeoutMs?: number;
  /** The clock; default the real clock. */
  clock?: Clock;
}

/** A call event; `atMs` is ms since the call started. */
export interface SimulatorEvent {
  atMs: number;
  type:
    | 'connected'
    | 'caller-speaks'
    | 'caller-silent'
    | 'bot-audio'
    | 'bot-quiet'
    | 'mark'
    | 'clear'
    | 'dtmf'
    | 'hang-up'
    | 'agent-closed'
    | 'violation'
    | 'timeout';
  detail?: string;
}

/** Why a simulation could not run. */
export class SimulatorError extends VoxlineError {
  constructor(
    override readonly code: 'connect-failed' | 'invalid-url',
    message: string,
  ) {
    super(code, message);
    this.name = 'SimulatorError';
  }
}

/** Level above which a 20 ms frame of bot audio counts as audible, dBFS. */
const AUDIBLE_DBFS = -45;

interface Speaking {
  samples: Int16Array;
  offset: number;
  turn: TurnReport;
}

/**
 * Runs one simulated call to its end; see the module comment.
 *
 * @throws SimulatorError `invalid-url` or `connect-failed` (unreachable, refused, timed out).
 */
export async function simulateCall(options: CallSimulatorOptions): Promise<CallReport> {
  const clock = options.clock ?? realClock;
  const script = options.script ?? defaultCallScript;
  const codec = options.codec ?? 'PCMU';
  const ids = newCallIds(options.carrier);
  if (options.callId !== undefined) ids.callId = options.callId;
  const writer = new CarrierMessageWriter(
    options.carrier,
    ids,
    codec,
    options.from ?? '+13125550100',
    options.to ?? '+13125550199',
    options.customParameters ?? {},
  );
  validateUrl(options.url);
  const carrierCodec = new CarrierCodec(codec);
  const rate = carrierCodec.sampleRate;
  const frameSamples = carrierCodec.frameSamples;
  const audio = options.audio.atSampleRate(rate);
  const recording = options.recordPath
    ? await WavFileWriter.open(options.recordPath, { sampleRate: rate, numChannels: 2 })
    : undefined;
  // Listeners go on before the socket opens: an agent may speak in the same packet as the upgrade.
  const headers = { ...credentialHeaders(options, ids.callId), ...options.headers };
  const { socket, opened } = openSocket(options.url, headers, options.connectTimeoutMs ?? 5000);

  const playback = new CarrierPlayback();
  const turns: TurnReport[] = [];
  const violations: string[] = [];
  const agentMessages = { media: 0, mark: 0, clear: 0 };
  let botAudioReceivedSamples = 0;
  let agentClosed = false;
  const startedAt = clock.now();
  const elapsed = () => clock.now() - startedAt;
  const emit = (type: SimulatorEvent['type'], detail?: string) =>
    options.onEvent?.({ atMs: Math.round(elapsed()), type, ...(detail === undefined ? {} : { detail }) });

  socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
    if (isBinary) {
      violations.push('binary WebSocket frame (carriers take JSON text frames only)');
      emit('violation', 'binary frame');
      return;
    }
    const message = parseAgentMessage(options.carrier, ids.streamId, data.toString());
    switch (message.type) {
      case 'media': {
        agentMessages.media++;
        const pcm = carrierCodec.decode(message.payload);
        botAudioReceivedSamples += pcm.length;
        playback.enqueue(pcm);
        const current = turns.at(-1);
        if (
          current &&
          current.firstBotAudioMs === undefined &&
          elapsed() >= current.speechEndMs &&
          rmsDbfs(pcm) > AUDIBLE_DBFS
        ) {
          current.firstBotAudioMs = elapsed();
          current.responseLatencyMs = current.firstBotAudioMs - current.speechEndMs;
          current.answered = true;
        }
        return;
      }
      case 'mark':
        agentMessages.mark++;
        playback.mark(message.name);
        return;
      case 'clear': {
        agentMessages.clear++;
        emit('clear');
        const bargeIn = [...turns].reverse().find((turn) => turn.kind === 'barge-in');
        if (bargeIn && bargeIn.interruptionToClearMs === undefined && elapsed() >= bargeIn.speechStartMs) {
          bargeIn.interruptionToClearMs = elapsed() - bargeIn.speechStartMs;
        }
        const voided = playback.clear();
        if (writer.echoesClearedMarks) for (const name of voided) sendSafely(socket, writer.markEcho(name));
        const cleared = writer.cleared();
        if (cleared !== undefined) sendSafely(socket, cleared);
        return;
      }
      case 'violation':
        violations.push(message.reason);
        emit('violation', message.reason);
    }
  });
  socket.on('close', () => {
    agentClosed = true;
  });

  try {
    await opened;
  } catch (error) {
    await recording?.close();
    throw error;
  }
  const connected = writer.connected();
  if (connected !== undefined) sendSafely(socket, connected);
  sendSafely(socket, writer.start());
  emit('connected', `${options.carrier} ${ids.callId}`);

  let stepIndex = 0;
  let stepStartedMs = 0;
  let speaking: Speaking | undefined;
  let stepBegun = false;
  let keysSent = 0;
  let botAudible = false;
  let lastAudibleMs = Number.NEGATIVE_INFINITY;
  let replyHeardSamples = 0; // bot audio played since the latest turn's speech ended
  // Bot audio played since the bot last started speaking (after >= 400 ms of quiet): a barge-in
  // interrupts the utterance in progress, so it counts this, not an earlier, finished reply.
  let utterancePlayedSamples = 0;
  let endedBy: CallReport['endedBy'] = 'caller';
  const maxDurationMs = options.maxDurationMs ?? 180_000;
  const botFrame = new Int16Array(frameSamples);
  const callerFrame = new Int16Array(frameSamples);
  const stereo = new Int16Array(frameSamples * 2);

  const beginTurn = (kind: TurnReport['kind'], step: { fromMs?: number; toMs?: number; text?: string }) => {
    const samples = audio.slice(step.fromMs, step.toMs);
    const extent = speechExtent(samples, rate) ?? { startMs: 0, endMs: (samples.length / rate) * 1000 };
    const now = elapsed();
    const turn: TurnReport = {
      turn: turns.length + 1,
      kind,
      speechStartMs: now + extent.startMs,
      speechEndMs: now + extent.endMs,
      firstBotAudioMs: undefined,
      responseLatencyMs: undefined,
      interruptionToClearMs: undefined,
      botAudioHeardMs: 0,
      answered: false,
      said: step.text ?? null,
      heard: null,
      replyText: null,
    };
    const previous = turns.at(-1);
    if (previous) previous.botAudioHeardMs = (replyHeardSamples / rate) * 1000;
    replyHeardSamples = 0;
    turns.push(turn);
    speaking = { samples, offset: 0, turn };
    emit(
      'caller-speaks',
      `turn ${turn.turn} (${kind}), ${Math.round((samples.length / rate) * 1000)} ms${step.text ? `: "${step.text}"` : ''}`,
    );
  };

  /** Advances the script; returns true when the caller hangs up. */
  const runScript = (now: number): boolean => {
    for (;;) {
      const step = script.steps[stepIndex] as CallScriptStep | undefined;
      if (step === undefined) return true;
      const next = () => {
        stepIndex++;
        stepStartedMs = now;
        stepBegun = false;
        keysSent = 0;
      };
      if ('say' in step) {
        if (!stepBegun) {
          beginTurn('say', step.say);
          stepBegun = true;
          return false;
        }
        if (speaking !== undefined) return false;
        next();
        continue;
      }
      if ('bargeIn' in step) {
        if (!stepBegun) {
          if (botAudible && (utterancePlayedSamples / rate) * 1000 >= step.bargeIn.afterBotAudioMs) {
            beginTurn('barge-in', step.bargeIn);
            stepBegun = true;
          } else if (now - stepStartedMs > 30_000) {
            emit(
              'timeout',
              `the bot did not speak for ${step.bargeIn.afterBotAudioMs} ms within 30 s, so there was nothing ` +
                'to barge in on (a bargeIn interrupts a reply while it plays: put it right after a say, ' +
                'not after a waitForBotReply that lets the reply finish)',
            );
            next();
            continue;
          }
          return false;
        }
        if (speaking !== undefined) return false;
        next();
        continue;
      }
      if ('waitForBotReply' in step) {
        const current = turns.at(-1);
        const silenceMs = step.waitForBotReply.silenceMs ?? 1200;
        const timeoutMs = step.waitForBotReply.timeoutMs ?? 20_000;
        // Before the caller's first turn, the bot's greeting counts as its reply.
        const spoke = current === undefined ? lastAudibleMs >= 0 : current.answered;
        const replied = spoke && playback.bufferedSamples === 0 && now - lastAudibleMs >= silenceMs;
        if (replied) {
          next();
          continue;
        }
        if (now - stepStartedMs >= timeoutMs) {
          emit('timeout', `no bot reply within ${timeoutMs} ms`);
          next();
          continue;
        }
        return false;
      }
      if ('pressKeys' in step) {
        const toneMs = step.pressKeys.toneMs ?? 250;
        const due = Math.floor((now - stepStartedMs) / toneMs) + 1;
        while (keysSent < Math.min(due, step.pressKeys.digits.length)) {
          const digit = step.pressKeys.digits[keysSent] as string;
          sendSafely(socket, writer.dtmf(digit));
          emit('dtmf', digit);
          keysSent++;
        }
        if (keysSent >= step.pressKeys.digits.length) {
          next();
          continue;
        }
        return false;
      }
      if ('pause' in step) {
        if (now - stepStartedMs >= step.pause.ms) {
          next();
          continue;
        }
        return false;
      }
      return true; // hangUp
    }
  };

  for (let tick = 0; ; tick++) {
    const due = startedAt + tick * FRAME_MS;
    const wait = due - clock.now();
    if (wait > 0) await clock.sleep(wait);
    const now = tick * FRAME_MS;
    if (agentClosed) {
      endedBy = 'agent';
      emit('agent-closed');
      break;
    }
    if (now >= maxDurationMs) {
      endedBy = 'error';
      emit('timeout', `call longer than ${maxDurationMs} ms`);
      break;
    }
    if (runScript(now)) {
      emit('hang-up');
      sendSafely(socket, writer.stop());
      break;
    }

    // The caller's 20 ms.
    if (speaking) {
      const { samples, offset } = speaking;
      const take = Math.min(frameSamples, samples.length - offset);
      callerFrame.set(samples.subarray(offset, offset + take));
      callerFrame.fill(0, take);
      speaking.offset += take;
      if (speaking.offset >= samples.length) {
        speaking = undefined;
        emit('caller-silent');
      }
    } else callerFrame.fill(0);
    const encoded = carrierCodec.encodeFrame(callerFrame);
    sendSafely(
      socket,
      writer.media(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length).toString('base64'), now),
    );

    // The bot's 20 ms, as the carrier plays it.
    const { played, dueMarks } = playback.play(botFrame);
    for (const name of dueMarks) {
      sendSafely(socket, writer.markEcho(name));
      emit('mark', name);
    }
    const latest = turns.at(-1);
    if (latest && now >= latest.speechEndMs) replyHeardSamples += played;
    const audible = played > 0 && rmsDbfs(botFrame) > AUDIBLE_DBFS;
    if (audible) {
      lastAudibleMs = now;
      if (!botAudible) {
        emit('bot-audio');
        utterancePlayedSamples = 0;
      }
      botAudible = true;
    }
    if (botAudible) utterancePlayedSamples += played;
    if (!audible && botAudible && now - lastAudibleMs >= 400) {
      botAudible = false;
      emit('bot-quiet');
    }

    if (recording) {
      for (let i = 0; i < frameSamples; i++) {
        stereo[2 * i] = callerFrame[i] as number;
        stereo[2 * i + 1] = botFrame[i] as number;
      }
      recording.write(stereo);
    }
  }

  const last = turns.at(-1);
  if (last) last.botAudioHeardMs = (replyHeardSamples / rate) * 1000;
  if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'call ended');
  await recording?.close();
  return {
    carrier: options.carrier,
    url: options.url,
    callId: ids.callId,
    streamId: ids.streamId,
    durationMs: Math.round(elapsed()),
    endedBy,
    turns,
    agentMessages,
    botAudioReceivedMs: (botAudioReceivedSamples / rate) * 1000,
    protocolViolations: violations,
    ...(options.recordPath ? { recordingPath: options.recordPath } : {}),
  };
}

function sendSafely(socket: WebSocket, message: string): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(message);
}

function validateUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')) {
    throw new SimulatorError('invalid-url', `not a ws:// or wss:// URL: ${url}`);
  }
}

/** The upgrade headers that prove the stream (see {@link CallSimulatorOptions.credentials}). */
function credentialHeaders(options: CallSimulatorOptions, callId: string): Record<string, string> {
  const credentials = options.credentials;
  if (credentials === undefined) return {};
  if (options.carrier === 'telnyx' && credentials.telnyxStreamSecret) {
    return {
      [TELNYX_STREAM_AUTH_TOKEN_HEADER]: telnyxStreamAuthToken(credentials.telnyxStreamSecret, callId),
    };
  }
  if (options.carrier === 'twilio' && credentials.twilioAuthToken) {
    const signed = credentials.signedUrl ?? options.url;
    return { 'x-twilio-signature': computeTwilioSignature(credentials.twilioAuthToken, signed) };
  }
  if (options.carrier === 'plivo' && credentials.plivoAuthToken) {
    const url = credentials.signedUrl ?? options.url;
    const nonce = randomBytes(10).toString('hex');
    return {
      [PLIVO_SIGNATURE_HEADER]: computePlivoSignature({
        authToken: credentials.plivoAuthToken,
        method: 'GET',
        url,
        nonce,
      }),
      [PLIVO_NONCE_HEADER]: nonce,
    };
  }
  return {};
}
function openSocket(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): { socket: WebSocket; opened: Promise<void> } {
  const socket = new WebSocket(url, { headers, handshakeTimeout: timeoutMs });
  const opened = new Promise<void>((resolve, reject) => {
    const fail = (reason: string) => {
      socket.removeAllListeners('open');
      socket.on('error', () => {});
      socket.terminate();
      reject(new SimulatorError('connect-failed', `cannot connect to ${url}: ${reason}`));
    };
    socket.once('open', () => {
      socket.removeAllListeners('error');
      socket.removeAllListeners('unexpected-response');
      socket.on('error', () => {});
      resolve();
    });
    socket.once('error', (error) => fail(error.message));
    socket.once('unexpected-response', (_request, response) => fail(`HTTP ${response.statusCode}`));
  });
  return { socket, opened };
}
