/**
 * Traces and metrics of one call, read from its pipeline's frames: a `voxline.call` span for the
 * call, a `voxline.turn` child span per user turn with the turn's milestones as span events, a
 * GenAI `chat` span per LLM completion under its turn, and the call's Prometheus series.
 *
 * An observer sees every hop of every frame, so the per-frame path (audio frames, 20 ms each) is
 * two `instanceof` checks and, for the bot's audio, one boolean: no span, no allocation. Only the
 * few frames a turn has (speech start and end, transcriptions, LLM response edges, bot speaking
 * edges, metrics) create anything.
 */
import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  CancelFrame,
  EndFrame,
  type FrameObserver,
  type FramePushEvent,
  FrameSightings,
  InputAudioRawFrame,
  InterimTranscriptionFrame,
  LLMFullResponseEndFrame,
  LLMFullResponseStartFrame,
  LLMTextFrame,
  type MetricsData,
  MetricsFrame,
  OutputAudioRawFrame,
  TranscriptionFrame,
  TTSAudioRawFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
} from '@voxline/core';
import type { CallInfo } from '@voxline/telephony';
import { GEN_AI_ATTRIBUTES, SPAN_NAMES, TURN_EVENTS, VOXLINE_ATTRIBUTES } from './telemetry-names.js';
import {
  type CallMetricLabels,
  callMetricLabels,
  type ServiceKind,
  type VoxlineMetrics,
} from './voxline-metrics.js';

/** Options of {@link CallTelemetryObserver}. */
export interface CallTelemetryOptions {
  /** Where spans go; default `trace.getTracer('voxline')` (a no-op until an SDK is registered). */
  tracer?: Tracer;
  /** Where the call's Prometheus series go; default none. */
  metrics?: VoxlineMetrics;
}

/** See the module comment. One per call; the call span starts when it is created. */
export class CallTelemetryObserver implements FrameObserver {
  readonly #sightings = new FrameSightings(256);
  readonly #tracer: Tracer;
  readonly #metrics: VoxlineMetrics | undefined;
  readonly #labels: CallMetricLabels;
  readonly #callSpan: Span;
  readonly #callContext: Context;
  /** Processor names learnt from the frames they push, to attribute their TTFB metrics. */
  readonly #serviceNames = new Map<string, ServiceKind>();
  /** Frames each processor's mailbox had dropped at its last report (reports are running totals). */
  readonly #droppedSoFar = new Map<string, number>();
  #turn: Span | undefined;
  #turnContext: Context | undefined;
  #turnNumber = 0;
  #chat: Span | undefined;
  #llmFirstTokenSeen = false;
  #ttsFirstAudioSeen = false;
  #botSpokeThisTurn = false;
  #botSpeaking = false;
  #userSpeaking = false;
  /** Pipeline-clock time of the user's last speech end in this turn, ms; NaN once measured. */
  #userStoppedAt = Number.NaN;
  #ended = false;

  constructor(call: CallInfo, options: CallTelemetryOptions = {}) {
    this.#tracer = options.tracer ?? trace.getTracer('voxline');
    this.#metrics = options.metrics;
    this.#labels = callMetricLabels(call);
    this.#callSpan = this.#tracer.startSpan(SPAN_NAMES.call, {
      kind: SpanKind.SERVER,
      attributes: callAttributes(call),
    });
    this.#callContext = trace.setSpan(context.active(), this.#callSpan);
    this.#metrics?.callsActive.inc(this.#labels);
    this.#metrics?.callsTotal.inc(this.#labels);
  }

  onPushFrame(event: FramePushEvent): void {
    const frame = event.frame;
    // The per-frame path: caller audio in, bot audio out.
    if (frame instanceof InputAudioRawFrame) return;
    if (frame instanceof OutputAudioRawFrame) {
      if (!this.#ttsFirstAudioSeen && this.#turn !== undefined && frame instanceof TTSAudioRawFrame) {
        this.#ttsFirstAudioSeen = true;
        this.#learnService(event.source.name, 'tts');
        this.#turn.addEvent(TURN_EVENTS.ttsFirstAudio);
      }
      return;
    }
    if (this.#ended) return;
    // Speaking edges go both ways through the pipeline as separate frames: the state, not the
    // frame id, tells a new edge from a copy.
    if (frame instanceof UserStartedSpeakingFrame) {
      if (!this.#userSpeaking) this.#startTurn();
    } else if (frame instanceof UserStoppedSpeakingFrame) {
      if (!this.#userSpeaking) return;
      this.#userSpeaking = false;
      this.#userStoppedAt = event.timestamp;
      this.#turn?.addEvent(TURN_EVENTS.userStoppedSpeaking);
    } else if (frame instanceof TranscriptionFrame) {
      if (frame instanceof InterimTranscriptionFrame || !this.#sightings.firstSighting(frame.id)) return;
      this.#learnService(event.source.name, 'stt');
      this.#turn?.addEvent(TURN_EVENTS.sttFinal);
    } else if (frame instanceof LLMFullResponseStartFrame) {
      if (this.#sightings.firstSighting(frame.id)) this.#startChat(event.source.name);
    } else if (frame instanceof LLMTextFrame) {
      if (this.#llmFirstTokenSeen || this.#turn === undefined) return;
      this.#llmFirstTokenSeen = true;
      this.#turn.addEvent(TURN_EVENTS.llmFirstToken);
    } else if (frame instanceof LLMFullResponseEndFrame) {
      if (this.#sightings.firstSighting(frame.id)) this.#endChat();
    } else if (frame instanceof BotStartedSpeakingFrame) {
      if (!this.#botSpeaking) this.#botStarted(event.timestamp);
    } else if (frame instanceof BotStoppedSpeakingFrame) {
      if (!this.#botSpeaking) return;
      this.#botSpeaking = false;
      this.#turn?.addEvent(TURN_EVENTS.botStoppedSpeaking);
      if (this.#botSpokeThisTurn) this.#endTurn();
    } else if (frame instanceof MetricsFrame) {
      if (this.#sightings.firstSighting(frame.id)) this.#record(frame.data);
    } else if (frame instanceof EndFrame || frame instanceof CancelFrame) {
      this.end();
    }
  }

  /**
   * Ends the open spans and the call span and takes the call off `voxline_calls_active`. Called at
   * the pipeline's `EndFrame` or `CancelFrame`; later calls do nothing.
   */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endTurn();
    this.#callSpan.setAttribute(VOXLINE_ATTRIBUTES.turnNumber, this.#turnNumber);
    this.#callSpan.end();
    this.#metrics?.callsActive.dec(this.#labels);
  }

  #startTurn(): void {
    const bargeIn = this.#botSpeaking;
    this.#endTurn();
    this.#turnNumber++;
    this.#userSpeaking = true;
    if (bargeIn) this.#metrics?.bargeIns.inc(this.#labels);
    this.#turn = this.#tracer.startSpan(
      SPAN_NAMES.turn,
      {
        attributes: {
          [VOXLINE_ATTRIBUTES.turnNumber]: this.#turnNumber,
          [VOXLINE_ATTRIBUTES.bargeIn]: bargeIn,
        },
      },
      this.#callContext,
    );
    this.#turnContext = trace.setSpan(this.#callContext, this.#turn);
    this.#turn.addEvent(TURN_EVENTS.userStartedSpeaking);
  }

  #endTurn(): void {
    this.#endChat();
    this.#turn?.end();
    this.#turn = undefined;
    this.#turnContext = undefined;
    this.#llmFirstTokenSeen = false;
    this.#ttsFirstAudioSeen = false;
    this.#botSpokeThisTurn = false;
    this.#userStoppedAt = Number.NaN;
  }

  #startChat(processor: string): void {
    this.#endChat();
    this.#learnService(processor, 'llm');
    this.#chat = this.#tracer.startSpan(
      SPAN_NAMES.chat,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [GEN_AI_ATTRIBUTES.operationName]: 'chat',
          [GEN_AI_ATTRIBUTES.system]: genAiSystem(processor),
          [VOXLINE_ATTRIBUTES.processor]: processor,
        },
      },
      this.#turnContext ?? this.#callContext,
    );
  }

  #endChat(): void {
    this.#chat?.end();
    this.#chat = undefined;
  }

  #botStarted(timestamp: number): void {
    this.#botSpeaking = true;
    if (this.#turn === undefined) return;
    this.#botSpokeThisTurn = true;
    this.#turn.addEvent(TURN_EVENTS.botStartedSpeaking);
    if (Number.isNaN(this.#userStoppedAt)) return;
    const latencyMs = timestamp - this.#userStoppedAt;
    this.#userStoppedAt = Number.NaN;
    this.#turn.setAttribute(VOXLINE_ATTRIBUTES.turnLatencyMs, latencyMs);
    this.#metrics?.turnLatency.observe(this.#labels, latencyMs / 1000);
  }

  #record(data: readonly MetricsData[]): void {
    for (const entry of data) {
      if (entry.type === 'ttfb') {
        const kind = this.#serviceNames.get(entry.processor) ?? serviceKindByName(entry.processor);
        if (kind === 'llm' && entry.model !== undefined) this.#setModel(entry.model);
        this.#metrics?.serviceTtfb.observe(
          { ...this.#labels, service: kind, processor: processorClass(entry.processor) },
          entry.valueMs / 1000,
        );
      } else if (entry.type === 'llm-usage') {
        if (entry.model !== undefined) this.#setModel(entry.model);
        const span = this.#chat ?? this.#turn;
        span?.setAttribute(GEN_AI_ATTRIBUTES.inputTokens, entry.promptTokens);
        span?.setAttribute(GEN_AI_ATTRIBUTES.outputTokens, entry.completionTokens);
      } else if (entry.type === 'mailbox-overflow') {
        const before = this.#droppedSoFar.get(entry.processor) ?? 0;
        this.#droppedSoFar.set(entry.processor, entry.droppedFrames);
        if (entry.droppedFrames > before) {
          this.#metrics?.framesDropped.inc(
            { ...this.#labels, processor: processorClass(entry.processor) },
            entry.droppedFrames - before,
          );
        }
      }
    }
  }

  #setModel(model: string): void {
    if (this.#chat === undefined) return;
    this.#chat.setAttribute(GEN_AI_ATTRIBUTES.requestModel, model);
    this.#chat.updateName(`${SPAN_NAMES.chat} ${model}`);
  }

  #learnService(processor: string, kind: ServiceKind): void {
    if (!this.#serviceNames.has(processor)) this.#serviceNames.set(processor, kind);
  }

  /** Marks the call span failed (an error the application wants on the trace). */
  recordError(error: Error): void {
    this.#callSpan.recordException(error);
    this.#callSpan.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
}

/** The call span's attributes (see {@link VOXLINE_ATTRIBUTES}). */
function callAttributes(call: CallInfo): Record<string, string | number> {
  const attributes: Record<string, string | number> = {
    [VOXLINE_ATTRIBUTES.carrier]: call.carrier,
    [VOXLINE_ATTRIBUTES.callId]: call.callId,
    [VOXLINE_ATTRIBUTES.streamId]: call.streamId,
    [VOXLINE_ATTRIBUTES.codec]: call.mediaFormat.encoding,
    [VOXLINE_ATTRIBUTES.sampleRate]: call.mediaFormat.sampleRate,
  };
  if (call.outboundMediaFormat !== undefined) {
    attributes[VOXLINE_ATTRIBUTES.outboundCodec] = call.outboundMediaFormat.encoding;
    attributes[VOXLINE_ATTRIBUTES.outboundSampleRate] = call.outboundMediaFormat.sampleRate;
  }
  const direction = call.customParameters.direction ?? call.extra.direction;
  if (direction === 'inbound' || direction === 'outbound')
    attributes[VOXLINE_ATTRIBUTES.callDirection] = direction;
  return attributes;
}

/** `OpenAILLMService#7` → `OpenAILLMService`: processor names carry an instance number. */
function processorClass(processor: string): string {
  const hash = processor.lastIndexOf('#');
  return hash > 0 ? processor.slice(0, hash) : processor;
}

/** A processor's service kind from its name, for processors not seen pushing a service's frames. */
function serviceKindByName(processor: string): ServiceKind {
  if (/STT/i.test(processor)) return 'stt';
  if (/TTS/i.test(processor)) return 'tts';
  if (/LLM/i.test(processor)) return 'llm';
  return 'other';
}

/**
 * The GenAI `gen_ai.system` of an LLM processor: a well-known value of the convention for the
 * services Voxline ships (`openai`), else the processor's class name in lower case.
 */
function genAiSystem(processor: string): string {
  if (/openai/i.test(processor)) return 'openai';
  return processorClass(processor).toLowerCase();
}
