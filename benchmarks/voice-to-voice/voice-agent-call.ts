/**
 * One phone call to a full voice agent on the provider fakes, with fixed, known latencies:
 *
 *   carrier media (Telnyx PCMU 8 kHz, fed in real time) → TelephonyTransport → Silero VAD →
 *   DeepgramSTTService → UserTurnProcessor → user context aggregator → OpenAILLMService →
 *   ElevenLabsTTSService → TelephonyOutput (paced, µ-law 8 kHz) → assistant context aggregator
 *
 * The STT, LLM and TTS talk through their official SDKs to the local fakes
 * (`@voxline/deepgram/testing`, `@voxline/openai/testing`, `@voxline/elevenlabs/testing`) over real
 * loopback sockets; each fake waits a fixed time before answering (Deepgram: before each result,
 * so the `Finalize` answer; OpenAI: before the response; ElevenLabs: before the first audio of each
 * generation), on a clock that records how long each wait really lasted.
 *
 * The caller says the same 0.7 s of jfk-16k.wav ("ask not", one VAD segment) once per turn, then
 * is silent until the next turn; the bot answers "All right." (one sentence). The transport's
 * socket is a stand-in that stamps each media message the agent sends and echoes marks 60 ms later
 * (as the carrier would once the audio before them played). The pipeline runs at 16 kHz.
 *
 * Settings that would otherwise add fixed waits are turned off, so every remaining wait is a fake's
 * latency or the VAD's stop window: Deepgram endpointing off (the final comes from `Finalize` at the
 * VAD stop), `VADTranscriptTurnEnd({ minSilenceMs: 0 })` (the turn ends as soon as the VAD has
 * stopped and the final transcript is in).
 */
import { VADProcessor } from '@voxline/audio';
import {
  createContextAggregatorPair,
  createLogger,
  LLMContext,
  UserTurnProcessor,
  VADTranscriptTurnEnd,
} from '@voxline/core';
import { DeepgramSTTService } from '@voxline/deepgram';
import { FakeDeepgramServer, type ScriptedUtterance } from '@voxline/deepgram/testing';
import { ElevenLabsTTSService } from '@voxline/elevenlabs';
import { FakeElevenLabsServer } from '@voxline/elevenlabs/testing';
import { OpenAILLMService } from '@voxline/openai';
import { FakeOpenAIServer } from '@voxline/openai/testing';
import { SileroVADAnalyzer } from '@voxline/silero';
import { trustingStreamVerifiers } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { CallSession, type MessageSocket, TelephonyTransport } from '@voxline/websocket';
import { CarrierStream } from '../lib/carrier-stream.js';
import { readRecording } from '../lib/recordings.js';
import { SleepRecordingClock } from './sleep-recording-clock.js';
import { type TurnMarks, TurnTimelineObserver } from './turn-timeline-observer.js';

/** The fakes' fixed latencies, in ms. */
export interface FakeLatencies {
  /** Deepgram: before each result message (the final answering `Finalize` among them). */
  sttMs: number;
  /** OpenAI: before the response headers of each completion. */
  llmMs: number;
  /** ElevenLabs: before the first audio of each generation. */
  ttsMs: number;
}

/** What one turn measured; times in ms on `performance.now()`. */
export interface TurnMeasurement {
  /** The turn's number, from 0. */
  turn: number;
  /** When the caller frame holding the last speech sample (the VAD's `stopMs`) reached the transport. */
  speechEndArrivedAt: number;
  /** When the frame completing the VAD's stop window (its `decidedAtMs`) reached the transport. */
  stopWindowArrivedAt: number;
  marks: TurnMarks;
  /** When the first media message of the reply was handed to the socket. */
  firstAudioSentAt: number | undefined;
  /** How long the fakes' waits on this turn's critical path really lasted, in ms (0 when none). */
  actualSleeps: { sttMs: number; llmMs: number; ttsMs: number };
}

const FRAME_MS = 20;
const LEAD_IN_MS = 1000;
/** "ask not": 3.2-3.9 s of jfk-16k.wav, speech from about 3.30 to 3.81 s. */
const UTTERANCE = { fromMs: 3200, toMs: 3900 };
const REPLY = 'All right. ';
const MS_PER_CHARACTER = 20;

function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (condition()) resolve();
      else if (performance.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

/** Runs one call of `turns` turns and returns one measurement per turn that completed. */
export async function runVoiceAgentCall(turns: number, latencies: FakeLatencies): Promise<TurnMeasurement[]> {
  const utterance = readRecording('jfk-16k.wav', 8000).slice(UTTERANCE.fromMs * 8, UTTERANCE.toMs * 8);
  const utteranceMs = UTTERANCE.toMs - UTTERANCE.fromMs;
  const replyMs = REPLY.length * MS_PER_CHARACTER;
  // Speech, the VAD stop window, the fakes, the reply's playback, and room to spare.
  const periodMs =
    Math.ceil(
      (utteranceMs + 300 + latencies.sttMs + latencies.llmMs + latencies.ttsMs + replyMs + 700) / FRAME_MS,
    ) * FRAME_MS;
  const turnStartMs = (turn: number) => LEAD_IN_MS + turn * periodMs;

  const sttClock = new SleepRecordingClock();
  const llmClock = new SleepRecordingClock();
  const ttsClock = new SleepRecordingClock();
  const utterances: ScriptedUtterance[] = Array.from({ length: turns }, (_, turn) => ({
    words: [
      {
        word: 'ask',
        punctuatedWord: 'Ask',
        start: (turnStartMs(turn) + 150) / 1000,
        end: (turnStartMs(turn) + 350) / 1000,
      },
      {
        word: 'not',
        punctuatedWord: 'not.',
        start: (turnStartMs(turn) + 380) / 1000,
        end: (turnStartMs(turn) + 550) / 1000,
      },
    ],
  }));
  const deepgram = await FakeDeepgramServer.start({
    utterances,
    resultLatencyMs: latencies.sttMs,
    clock: sttClock,
  });
  const openai = await FakeOpenAIServer.start({
    chatReplies: Array.from({ length: turns }, () => ({
      content: [REPLY],
      firstChunkLatencyMs: latencies.llmMs,
    })),
    clock: llmClock,
  });
  const elevenlabs = await FakeElevenLabsServer.start({
    msPerCharacter: MS_PER_CHARACTER,
    charactersPerChunk: 10,
    firstChunkLatencyMs: latencies.ttsMs,
    clock: ttsClock,
  });

  const logger = createLogger({ defaultLevel: 'error' });
  const timeline = new TurnTimelineObserver();
  const vadStops: { stopMs: number; decidedAtMs: number }[] = [];
  const mediaSentAt: number[] = [];
  const stream = new CarrierStream('telnyx', 'PCMU', 8000);
  let transport: TelephonyTransport | undefined;
  const socket: MessageSocket & { readyState: number } = {
    readyState: 1,
    send(text: string) {
      if (text.startsWith('{"event":"media"')) mediaSentAt.push(performance.now());
      else if (text.startsWith('{"event":"mark"')) {
        const name = (JSON.parse(text) as { mark: { name: string } }).mark.name;
        setTimeout(() => transport?.receive(stream.markEcho(name)), 60);
      }
    },
    close() {
      this.readyState = 3;
    },
  };
  transport = new TelephonyTransport(socket, {
    carriers: [telnyxCarrier()],
    audioParams: { inputSampleRate: 16000, outputSampleRate: 16000 },
    logger,
  });
  const stt = new DeepgramSTTService({
    apiKey: deepgram.apiKey,
    baseUrl: deepgram.url,
    endpointingMs: false,
  });
  const session = new CallSession(transport, {
    // The benchmark plays the carrier itself.
    verifiers: trustingStreamVerifiers(),
    params: { audioInSampleRate: 16000, audioOutSampleRate: 16000 },
    taskOptions: { observers: [timeline] },
    createPipeline: async (_call, callTransport) => {
      const analyzer = await SileroVADAnalyzer.create({ sampleRate: 16000 });
      const analyze = analyzer.analyze.bind(analyzer);
      analyzer.analyze = async (pcm) => {
        const result = await analyze(pcm);
        for (const edge of result.events) {
          if (edge.type === 'stopped') vadStops.push({ stopMs: edge.stopMs, decidedAtMs: edge.decidedAtMs });
        }
        return result;
      };
      const context = new LLMContext([{ role: 'system', content: 'You are a helpful phone agent.' }]);
      const aggregators = createContextAggregatorPair(context);
      return [
        callTransport.input(),
        new VADProcessor(analyzer),
        stt,
        new UserTurnProcessor({
          endStrategies: [new VADTranscriptTurnEnd({ minSilenceMs: 0 })],
          falseInterruption: false,
        }),
        aggregators.user,
        new OpenAILLMService({ apiKey: openai.apiKey, baseURL: openai.baseURL, model: 'gpt-4o-mini' }),
        new ElevenLabsTTSService({ apiKey: elevenlabs.apiKey, voiceId: 'voice-1', baseUrl: elevenlabs.url }),
        callTransport.output(),
        aggregators.assistant,
      ];
    },
  });

  try {
    transport.receive(stream.connected());
    transport.receive(stream.start());
    await waitUntil(
      () => transport.input().running && stt.connectionState === 'open',
      15_000,
      'the pipeline to start',
    );

    // The caller's audio for the whole call, fed one 20 ms frame at a time on an absolute schedule.
    const totalMs = turnStartMs(turns) + 1500;
    const frames = totalMs / FRAME_MS;
    const audio = new Int16Array((totalMs * 8000) / 1000);
    for (let turn = 0; turn < turns; turn++) audio.set(utterance, turnStartMs(turn) * 8);
    const fedAt = new Float64Array(frames);
    const turnOfFrame = new Map(
      Array.from({ length: turns }, (_, turn) => [turnStartMs(turn) / FRAME_MS, turn]),
    );
    const start = performance.now() + 20;
    for (let frame = 0; frame < frames; frame++) {
      const wait = start + frame * FRAME_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (turnOfFrame.has(frame)) timeline.beginTurn();
      const message = stream.media(audio.subarray(frame * 160, (frame + 1) * 160));
      fedAt[frame] = performance.now();
      transport.receive(message);
    }

    const measurements: TurnMeasurement[] = [];
    for (let turn = 0; turn < turns; turn++) {
      const from = turnStartMs(turn);
      const stop = vadStops.find((edge) => edge.stopMs >= from && edge.stopMs < from + periodMs);
      const marks = timeline.turns[turn];
      if (stop === undefined || marks === undefined) continue;
      const speechEndArrivedAt = fedAt[Math.floor(stop.stopMs / FRAME_MS)] as number;
      const stopWindowArrivedAt = fedAt[Math.ceil(stop.decidedAtMs / FRAME_MS) - 1] as number;
      const nextTurnAt = fedAt[Math.min(frames - 1, turnStartMs(turn + 1) / FRAME_MS)] as number;
      const firstAudioSentAt = mediaSentAt.find((at) => at >= stopWindowArrivedAt && at < nextTurnAt);
      const actual = (clock: SleepRecordingClock, after: number | undefined, requested: number) =>
        requested <= 0 || after === undefined
          ? 0
          : (() => {
              const sleep = clock.firstSleepFrom(after, requested);
              return sleep === undefined ? Number.NaN : sleep.endedAt - sleep.startedAt;
            })();
      measurements.push({
        turn,
        speechEndArrivedAt,
        stopWindowArrivedAt,
        marks,
        firstAudioSentAt,
        actualSleeps: {
          sttMs: actual(sttClock, marks.vadStoppedAt, latencies.sttMs),
          llmMs: actual(llmClock, marks.turnEndedAt, latencies.llmMs),
          ttsMs: actual(ttsClock, marks.firstLLMTextAt, latencies.ttsMs),
        },
      });
    }
    return measurements;
  } finally {
    transport.receive(stream.stop());
    await Promise.race([session.finished, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await Promise.all([deepgram.stop(), openai.stop(), elevenlabs.stop()]);
  }
}
