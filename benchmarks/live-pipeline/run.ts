/**
 * Per-hop latency in a live telephony pipeline, over a real loopback WebSocket at real time.
 *
 * Server (this process): fastify + `voxlineTelephony`, Telnyx PCMU 8 kHz in and out, pipeline at
 * 16 kHz:
 *
 *   socket → TelnyxFrameSerializer (parse, base64, µ-law decode, jitter buffer, 8 → 16 kHz)
 *     → TelephonyInput → VADProcessor (Silero) → Echo → TelephonyOutput (20 ms framing, pacing,
 *     16 → 8 kHz, µ-law encode, base64, JSON) → socket
 *
 * Carrier (a second process, benchmarks/lib/carrier-load-client.ts): one call streaming
 * jfk-16k.wav as 8 kHz µ-law 20 ms frames at real time, echoing marks.
 *
 * Method: the call's `TelephonyTransport.receive` is wrapped to stamp each media message's
 * arrival; an observer (frame-timeline-observer.ts) records, at every hop, the time since the
 * arrival of the frame's message (the echoed frame counts as the same frame); the transport's
 * `send` is wrapped to stamp each outbound media message. Ingress-to-egress is that send stamp
 * minus the arrival stamp of the same frame (the k-th echo is the k-th frame: the echo is 1:1
 * and nothing is lost). The first frames (pipeline start-up) are skipped.
 *
 * Run: node --expose-gc --conditions=@voxline/source --import tsx benchmarks/live-pipeline/run.ts [--quick]
 */
import type { SileroVADAnalyzer } from '@voxline/silero';
import { runCarrierLoad } from '../lib/carrier-load.js';
import { echoLatency } from '../lib/echo-latency.js';
import { type EchoServer, jitterStatsOf, startEchoServer } from '../lib/echo-server.js';
import { loadNote, summarize } from '../lib/measure.js';
import { type BenchmarkRow, writeResults } from '../lib/report.js';
import { FrameTimelineObserver } from './frame-timeline-observer.js';

const quick = process.argv.includes('--quick');
const streamMs = quick ? 3_000 : 60_000;
const skipFrames = quick ? 25 : 100;

const notes: string[] = [loadNote('at the start of the run')];
let server: EchoServer | undefined;
const observer = new FrameTimelineObserver(
  () => (server?.calls[0]?.lastArrivalAt ?? Number.NaN) - performance.timeOrigin,
  skipFrames,
);
const vadAnalysisMs: number[] = [];

/** Times each `analyze` call of the call's analyzer, from the call to its promise settling. */
function timeAnalyses(analyzer: SileroVADAnalyzer): void {
  const analyze = analyzer.analyze.bind(analyzer);
  let calls = 0;
  analyzer.analyze = (pcm) => {
    const start = performance.now();
    const index = calls++;
    const result = analyze(pcm);
    void result.then(
      () => {
        if (index >= skipFrames) vadAnalysisMs.push(performance.now() - start);
      },
      () => {},
    );
    return result;
  };
}

server = await startEchoServer({
  vad: true,
  pipelineRate: 16000,
  trackOrigins: true,
  observers: [observer],
  onAnalyzer: timeAnalyses,
});
const carrier = await runCarrierLoad({ url: server.url, calls: 1, streamMs, connectSpreadMs: 0 });
const deadline = Date.now() + 5000;
while (server.openSessions.size > 0 && Date.now() < deadline)
  await new Promise((resolve) => setTimeout(resolve, 20));

const call = server.calls[0];
const carrierCall = carrier.calls[0];
if (call === undefined || carrierCall === undefined) throw new Error('the call did not reach the server');

function row(label: string, samples: number[], extra: Record<string, string | number> = {}): BenchmarkRow {
  const summary = summarize(samples);
  return {
    benchmark: 'live-pipeline',
    case: label,
    unit: 'ms',
    p50: summary.p50,
    p99: summary.p99,
    samples: summary.count,
    extra: { max: summary.max, ...extra },
  };
}

const hopMeaning: Record<string, string> = {
  'TelephonyInput → VADProcessor': 'frame decoded: JSON, base64, µ-law, jitter buffer, 8 → 16 kHz',
  'VADProcessor → Echo': 'VAD fed (inline; inference runs later)',
  'Echo → TelephonyOutput': 'echo frame queued for output',
  'TelephonyOutput → Pipeline::sink': 'after framing, 16 → 8 kHz, µ-law, base64, JSON, pacing and send',
  'Pipeline → PipelineTask::sink': 'leaves the pipeline',
};

const rows: BenchmarkRow[] = [];
for (const [hop, samples] of observer.hops) {
  const meaning = Object.entries(hopMeaning).find(([name]) => hop.endsWith(name))?.[1];
  rows.push(row(`at hop ${hop}`, samples, { 'what has happened': meaning ?? '' }));
}

const count = Math.min(call.receivedAt.length, call.sentAt.length);
const ingressToEgress: number[] = [];
for (let k = skipFrames; k < count; k++)
  ingressToEgress.push((call.sentAt[k] as number) - (call.receivedAt[k] as number));
rows.push(
  row('ingress → egress (message reached the transport → echo handed to the socket)', ingressToEgress, {
    'what has happened': 'the whole server path, pacing wait included',
  }),
);
const paired = echoLatency(
  call,
  carrierCall,
  skipFrames,
  carrier.streamEndedAt - 200,
  carrier.streamEndedAt + 300,
  20,
);
rows.push(
  row('added beyond the pacing schedule (echo sent − max(frame written, its pacing slot))', paired.added, {
    'what has happened': 'what the server adds to what the 20 ms schedule requires',
  }),
);
rows.push(
  row('carrier wrote the frame → it reached the transport', paired.arrivalWait, {
    'what has happened': 'loopback transit and wait for the event loop',
  }),
);
const roundTrip: number[] = [];
for (let k = skipFrames; k < Math.min(carrierCall.sentAt.length, carrierCall.receivedAt.length); k++) {
  roundTrip.push((carrierCall.receivedAt[k] as number) - (carrierCall.sentAt[k] as number));
}
rows.push(
  row('carrier round trip (frame written → its echo received)', roundTrip, {
    'what has happened': 'both processes, both directions, pacing wait included',
  }),
);
rows.push(
  row('Silero analysis of a fed frame (analyze() → settled)', vadAnalysisMs, {
    'what has happened': 'off the audio path: frames are forwarded before it',
  }),
);

const counters = call.transport.counters;
const jitter = jitterStatsOf(call.transport);
notes.push(
  `One call, ${Math.round(streamMs / 1000)} s of jfk-16k.wav looped, as Telnyx PCMU 8 kHz 20 ms frames at real time from a second process; pipeline at 16 kHz with Silero VAD (one analyzer, shared ONNX session) and an echo.`,
  'Times are ms since the frame’s carrier message reached the transport (TelephonyTransport.receive), on the server’s clock; "at hop A → B" is when A pushed the frame to B, so each row includes every hop before it. The echoed output frame is followed as the same frame.',
  `The first ${skipFrames} frames (pipeline start-up) are skipped. Carrier-side rows compare the two processes' wall clocks (performance.timeOrigin + now()), so they include loopback transit.`,
  'Pacing: the output sends a frame no earlier than its slot (when at most leadMs = 60 ms of audio remains queued at the carrier). After any burst of arrivals the carrier queue stays full, and with input exactly as fast as output each frame then waits up to 60 ms for its slot for the rest of the call: by design, so "added beyond the pacing schedule" measures against the later of the frame’s arrival and its slot (benchmarks/lib/echo-latency.ts).',
  `Frames: carrier sent ${carrierCall.sentAt.length}, server received ${call.receivedAt.length}, echoed ${call.sentAt.length}, carrier got back ${carrierCall.receivedAt.length}; jitter buffer lost ${jitter?.lost ?? 'n/a'}, late ${jitter?.late ?? 'n/a'}; inbound dropped ${counters.inboundFramesDropped}; output underruns ${counters.underruns} (an echo has no lead: a frame arriving after the previous one finished playing counts as one); carrier send lateness p99 ${carrier.sendLateness.p99.toFixed(2)} ms.`,
  loadNote('at the end of the run'),
);

await writeResults('live-pipeline', {
  title: 'Per-hop latency in a live telephony pipeline (loopback WebSocket, real time)',
  notes,
  rows,
  quick,
});
await server.close();
