/**
 * CallTelemetryObserver on the frames of a scripted conversation (the hops a pipeline would report):
 * two turns, the second a barge-in over the bot; an OpenAI-named LLM whose metrics name the model
 * and usage; a mailbox that reports dropped frames as running totals. Spans go to an in-memory
 * exporter; series to a VoxlineMetrics registry.
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  MetricsFrame,
  TranscriptionFrame,
  TTSAudioRawFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
} from '@voxline/core';
import type { CallInfo } from '@voxline/telephony';
import { describe, expect, it } from 'vitest';
import { CallTelemetryObserver, VoxlineMetrics } from 'voxline';

class Named extends FrameProcessor {}

const call: CallInfo = {
  carrier: 'twilio',
  callId: 'CA0123',
  streamId: 'MZ0123',
  customParameters: { direction: 'outbound' },
  mediaFormat: { encoding: 'PCMU', sampleRate: 8000, channels: 1 },
  extra: {},
};

describe('CallTelemetryObserver', () => {
  it('turns, a barge-in, the chat span with model and usage, TTFB by service and dropped frames', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(
      't',
    );
    const metrics = new VoxlineMetrics({ defaultMetrics: false });
    const observer = new CallTelemetryObserver(call, { tracer, metrics });
    const stt = new Named({ name: 'DeepgramSTTService#2' });
    const llm = new Named({ name: 'OpenAILLMService#3' });
    const tts = new Named({ name: 'ElevenLabsTTSService#4' });
    const output = new Named({ name: 'TelephonyOutputProcessor#5' });
    let now = 1000;
    const hop = (frame: Frame, source: FrameProcessor = output, atMs = now) => {
      now = atMs;
      // Every frame passes two hops, as in a pipeline: each must count once.
      for (let index = 0; index < 2; index++) {
        observer.onPushFrame({
          source,
          destination: output,
          frame,
          direction: FrameDirection.Downstream,
          timestamp: now,
        });
      }
    };
    const audio = new Int16Array(160);
    const turn = (startMs: number) => {
      hop(new UserStartedSpeakingFrame(), output, startMs);
      hop(new InputAudioRawFrame({ audio, sampleRate: 8000 }));
      hop(new UserStoppedSpeakingFrame(), output, startMs + 1000);
      hop(new TranscriptionFrame('hello'), stt, startMs + 1100);
      hop(new MetricsFrame([{ type: 'ttfb', processor: stt.name, valueMs: 150 }]), stt);
      hop(new LLMFullResponseStartFrame(), llm, startMs + 1150);
      hop(new LLMTextFrame('Hi'), llm, startMs + 1300);
      hop(new MetricsFrame([{ type: 'ttfb', processor: llm.name, model: 'gpt-4o-mini', valueMs: 150 }]), llm);
      hop(
        new MetricsFrame([
          {
            type: 'llm-usage',
            processor: llm.name,
            model: 'gpt-4o-mini',
            promptTokens: 42,
            completionTokens: 7,
            totalTokens: 49,
          },
        ]),
        llm,
      );
      hop(new LLMFullResponseEndFrame(), llm, startMs + 1350);
      hop(new TTSAudioRawFrame({ audio, sampleRate: 8000 }), tts, startMs + 1400);
      hop(new MetricsFrame([{ type: 'ttfb', processor: tts.name, valueMs: 100 }]), tts);
      hop(new BotStartedSpeakingFrame(), output, startMs + 1500);
    };
    turn(0);
    hop(new BotStoppedSpeakingFrame(), output, 3000);
    turn(4000);
    hop(new MetricsFrame([{ type: 'mailbox-overflow', processor: tts.name, droppedFrames: 1 }]), tts);
    // The user barges in while the bot speaks.
    hop(new UserStartedSpeakingFrame(), output, 6000);
    hop(new MetricsFrame([{ type: 'mailbox-overflow', processor: tts.name, droppedFrames: 51 }]), tts);
    hop(new EndFrame(), output, 7000);

    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((span) => span.name === name);
    const callSpan = named('voxline.call')[0] as ReadableSpan;
    expect(callSpan.attributes).toMatchObject({
      'voxline.call.direction': 'outbound',
      'voxline.turn.number': 3,
    });
    const turns = named('voxline.turn');
    expect(turns.map((span) => span.attributes['voxline.turn.barge_in'])).toEqual([false, false, true]);
    expect(turns.map((span) => span.attributes['voxline.turn.latency_ms'])).toEqual([500, 500, undefined]);
    const chats = named('chat gpt-4o-mini');
    expect(chats).toHaveLength(2);
    expect(chats[0]?.attributes).toMatchObject({
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 7,
    });
    expect(chats[0]?.parentSpanContext?.spanId).toBe(turns[0]?.spanContext().spanId);

    const text = await metrics.scrape();
    expect(text).toContain('voxline_calls_active{carrier="twilio"} 0');
    expect(text).toContain('voxline_calls_total{carrier="twilio"} 1');
    expect(text).toContain('voxline_barge_ins_total{carrier="twilio"} 1');
    expect(text).toContain('voxline_turn_latency_seconds_count{carrier="twilio"} 2');
    expect(text).toContain('voxline_turn_latency_seconds_bucket{le="0.5",carrier="twilio"} 2');
    expect(text).toContain(
      'voxline_service_ttfb_seconds_count{carrier="twilio",service="stt",processor="DeepgramSTTService"} 2',
    );
    expect(text).toContain(
      'voxline_service_ttfb_seconds_count{carrier="twilio",service="llm",processor="OpenAILLMService"} 2',
    );
    expect(text).toContain(
      'voxline_service_ttfb_seconds_count{carrier="twilio",service="tts",processor="ElevenLabsTTSService"} 2',
    );
    expect(text).toContain(
      'voxline_frames_dropped_total{carrier="twilio",processor="ElevenLabsTTSService"} 51',
    );
  });
});
