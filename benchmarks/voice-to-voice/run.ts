/**
 * Voice-to-voice framework overhead: a phone call to an STT → LLM → TTS agent on the provider
 * fakes (voice-agent-call.ts), once with fixed fake latencies and once with none.
 *
 * Per turn:
 *   end of speech → first audio out = first reply media message handed to the socket − arrival of
 *     the caller frame holding the last speech sample (the VAD's `stopMs`);
 *   VAD stop window = arrival of the frame completing the VAD's stop window (`decidedAtMs`,
 *     `stopSecs` 0.2 rounded to 32 ms windows) − arrival of the last speech;
 *   overhead = end of speech → first audio out − VAD stop window − (STT + LLM + TTS latencies),
 *     against the configured latencies (target ≤ 5 ms p99) and against the waits the fakes really
 *     slept (their timer lateness removed);
 *   time to first audio with no artificial latency = first audio out − the end of the user turn
 *     (`UserStoppedSpeakingFrame` leaving the turn processor) (target ≤ 5 ms).
 * Stage rows split the path with the frames that carry it (turn-timeline-observer.ts). A reference
 * row times the LLM request through the `openai` SDK alone on the same fake (openai-sdk-reference.ts),
 * after the calls and back to back, so the SDK is at least as warm and the process as awake as in
 * them: the LLM stage minus that reference bounds from above what Voxline adds to the stage.
 *
 * Run: node --expose-gc --conditions=@voxline/source --import tsx benchmarks/voice-to-voice/run.ts [--quick]
 */
import { loadNote, summarize } from '../lib/measure.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';
import { measureOpenAISdkAlone } from './openai-sdk-reference.js';
import { type FakeLatencies, runVoiceAgentCall, type TurnMeasurement } from './voice-agent-call.js';

const quick = process.argv.includes('--quick');
/** Turns per call; the first is a warm-up (first requests open connections, code is not yet optimized). */
const turns = quick ? 2 : 41;
const WARMUP_TURNS = 1;
/**
 * Spacing of the SDK-alone reference requests, in ms: one frame period, so the process never
 * idles between them. An idle process on a VM wakes late (requests 1 s apart measured 7 ms p50
 * against 2-3 ms back to back), which the agent's process, busy every 20 ms, does not pay.
 */
const REFERENCE_SPACING_MS = 20;
const TARGET_MS = 5;

const variants: { name: string; latencies: FakeLatencies }[] = [
  {
    name: 'fixed latencies (STT 100, LLM 200, TTS 150 ms)',
    latencies: { sttMs: 100, llmMs: 200, ttsMs: 150 },
  },
  { name: 'no artificial latency', latencies: { sttMs: 0, llmMs: 0, ttsMs: 0 } },
];

const notes: string[] = [loadNote('at the start of the run')];
const rows: BenchmarkRow[] = [];
/** The no-latency LLM stage, per turn, for the comparison with the SDK-alone reference. */
let llmStageWithoutLatency: number[] = [];

function row(label: string, values: number[], extra: Record<string, string | number> = {}): BenchmarkRow {
  const summary = summarize(values.filter((value) => Number.isFinite(value)));
  return {
    benchmark: 'voice-to-voice',
    case: label,
    unit: 'ms',
    p50: summary.p50,
    p99: summary.p99,
    samples: summary.count,
    extra: { max: summary.max, ...extra },
  };
}

function targetNote(values: number[]): string {
  const p99 = summarize(values.filter((value) => Number.isFinite(value))).p99;
  return `≤ ${TARGET_MS} ms p99: ${p99 <= TARGET_MS ? 'met' : 'missed'}`;
}

function difference(
  measurements: TurnMeasurement[],
  later: (turn: TurnMeasurement) => number | undefined,
  earlier: (turn: TurnMeasurement) => number | undefined,
): number[] {
  return measurements.map((turn) => {
    const end = later(turn);
    const start = earlier(turn);
    return end === undefined || start === undefined ? Number.NaN : end - start;
  });
}

for (const variant of variants) {
  const { sttMs, llmMs, ttsMs } = variant.latencies;
  const measured = (await runVoiceAgentCall(turns, variant.latencies)).filter(
    (measurement) => measurement.turn >= WARMUP_TURNS,
  );
  const answered = measured.filter((turn) => turn.firstAudioSentAt !== undefined);
  notes.push(
    `${variant.name}: ${turns} turns, the first a warm-up; ${measured.length} measured, ${answered.length} answered.`,
  );
  const label = (text: string) => `${variant.name}: ${text}`;
  const endToEnd = difference(
    answered,
    (turn) => turn.firstAudioSentAt,
    (turn) => turn.speechEndArrivedAt,
  );
  const stopWindow = difference(
    answered,
    (turn) => turn.stopWindowArrivedAt,
    (turn) => turn.speechEndArrivedAt,
  );
  const overhead = answered.map(
    (turn) => (turn.firstAudioSentAt as number) - turn.stopWindowArrivedAt - sttMs - llmMs - ttsMs,
  );
  const overheadActual = answered.map(
    (turn) =>
      (turn.firstAudioSentAt as number) -
      turn.stopWindowArrivedAt -
      turn.actualSleeps.sttMs -
      turn.actualSleeps.llmMs -
      turn.actualSleeps.ttsMs,
  );
  const timeToFirstAudio = difference(
    answered,
    (turn) => turn.firstAudioSentAt,
    (turn) => turn.marks.turnEndedAt,
  );
  rows.push(row(label('end of speech → first audio out'), endToEnd));
  rows.push(row(label('VAD stop window (last speech → stop window complete)'), stopWindow));
  rows.push(
    row(label('framework overhead vs configured latencies'), overhead, {
      target: targetNote(overhead),
      'what is subtracted': `VAD stop window + ${sttMs + llmMs + ttsMs} ms`,
    }),
  );
  if (sttMs + llmMs + ttsMs > 0) {
    rows.push(
      row(label('framework overhead vs the fakes’ actual waits'), overheadActual, {
        'what is subtracted': 'VAD stop window + what the fakes really slept (timer lateness removed)',
      }),
    );
  }
  rows.push(
    row(label('end of user turn → first audio out'), timeToFirstAudio, {
      target: sttMs + llmMs + ttsMs === 0 ? targetNote(timeToFirstAudio) : '',
      'what is subtracted':
        sttMs + llmMs + ttsMs === 0 ? 'nothing' : `includes LLM ${llmMs} + TTS ${ttsMs} ms`,
    }),
  );
  const stages: [
    string,
    (turn: TurnMeasurement) => number | undefined,
    (turn: TurnMeasurement) => number | undefined,
    string,
  ][] = [
    [
      'stage: stop window complete → VAD stop frame',
      (turn) => turn.marks.vadStoppedAt,
      (turn) => turn.stopWindowArrivedAt,
      'Silero inference of the last window',
    ],
    [
      'stage: VAD stop → final transcript',
      (turn) => turn.marks.finalTranscriptAt,
      (turn) => turn.marks.vadStoppedAt,
      `Finalize round trip + ${sttMs} ms`,
    ],
    [
      'stage: final transcript → end of turn',
      (turn) => turn.marks.turnEndedAt,
      (turn) => turn.marks.finalTranscriptAt,
      'turn strategy',
    ],
    [
      'stage: end of turn → first LLM text',
      (turn) => turn.marks.firstLLMTextAt,
      (turn) => turn.marks.turnEndedAt,
      `HTTP + SSE + ${llmMs} ms`,
    ],
    [
      'stage: first LLM text → first TTS audio',
      (turn) => turn.marks.firstTTSAudioAt,
      (turn) => turn.marks.firstLLMTextAt,
      `WebSocket round trip + ${ttsMs} ms`,
    ],
    [
      'stage: first TTS audio → handed to the socket',
      (turn) => turn.firstAudioSentAt,
      (turn) => turn.marks.firstTTSAudioAt,
      'framing, 16 → 8 kHz, µ-law, pacing',
    ],
  ];
  for (const [text, later, earlier, includes] of stages) {
    const values = difference(answered, later, earlier);
    if (llmMs === 0 && text === 'stage: end of turn → first LLM text') llmStageWithoutLatency = values;
    rows.push(row(label(text), values, { 'what is subtracted': `includes ${includes}` }));
  }
}

const sdkAlone = await measureOpenAISdkAlone(turns - WARMUP_TURNS, WARMUP_TURNS, REFERENCE_SPACING_MS);
const stageP50 = summarize(llmStageWithoutLatency.filter((value) => Number.isFinite(value))).p50;
const sdkAloneP50 = summarize(sdkAlone).p50;
rows.push({
  ...row(
    'reference: the same LLM request through the openai SDK alone (create() → first text chunk)',
    sdkAlone,
    {
      'what is subtracted': `no pipeline; ${turns - WARMUP_TURNS} requests ${REFERENCE_SPACING_MS} ms apart after a warm-up, after the calls`,
    },
  ),
  ratio: `no-latency LLM stage p50 − this p50 = ${(stageP50 - sdkAloneP50).toFixed(2)} ms (Voxline's share of the stage, at most)`,
});

notes.push(
  'Each turn: the caller says 0.7 s of jfk-16k.wav (one VAD segment) as Telnyx PCMU 8 kHz frames fed at real time into a TelephonyTransport; Silero VAD (stopSecs 0.2 → 6 windows of 32 ms), DeepgramSTTService (endpointing off: the final answers the Finalize sent at the VAD stop), UserTurnProcessor with VADTranscriptTurnEnd({ minSilenceMs: 0 }), context aggregators, OpenAILLMService, ElevenLabsTTSService (one sentence, "All right."), the telephony output at 16 kHz → µ-law 8 kHz. The fakes run in this process and answer over real loopback sockets through the official SDKs.',
  'Times: performance.now() in this process. Arrival = when the frame’s media message reached the transport; first audio out = when the reply’s first media message was handed to the socket. The overhead includes the SDKs, the loopback sockets and the fakes’ own processing (they share this process’s event loop), and — for the row against configured latencies — the fakes’ timer lateness (Node timers fire at least ~1 ms late).',
  loadNote('at the end of the run'),
);

await writeResults('voice-to-voice', {
  title: 'Voice-to-voice framework overhead on the provider fakes',
  notes,
  rows,
  quick,
});
// The provider SDKs keep sockets and timers alive for a while after their services end.
process.exit(0);
