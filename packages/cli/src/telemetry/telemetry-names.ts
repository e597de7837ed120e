/**
 * The names Voxline's traces use. OpenTelemetry has semantic conventions for GenAI (LLM) spans
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/) and HTTP server spans
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/), used as they are; it has none for
 * phone calls or media streams, so those are `voxline.*` names, listed here and in
 * docs/observability.md.
 */

/** The tracer's instrumentation scope name (`trace.getTracer(TRACER_NAME)`). */
export const TRACER_NAME = 'voxline';

/** Span names. */
export const SPAN_NAMES = {
  /** One call: from the media stream's `start` to the end of its pipeline. Kind SERVER. */
  call: 'voxline.call',
  /** One user turn: from the user's speech start to the end of the bot's answer (or the next turn). */
  turn: 'voxline.turn',
  /** One LLM completion; renamed `chat {model}` once the model is known (GenAI conventions). */
  chat: 'chat',
} as const;

/** `voxline.*` attribute names (values: strings unless noted). */
export const VOXLINE_ATTRIBUTES = {
  /** `telnyx`, `twilio`, `plivo`, ... */
  carrier: 'voxline.carrier',
  /** The carrier's call id (Telnyx `call_control_id`, Twilio `CallSid`, Plivo `CallUUID`). */
  callId: 'voxline.call.id',
  /** The media stream's id. */
  streamId: 'voxline.stream.id',
  /** `inbound` or `outbound`, when the stream's custom parameters or extras say (`direction`). */
  callDirection: 'voxline.call.direction',
  /** Inbound codec as the carrier names it: `PCMU`, `PCMA`, `L16`, `G722`, `OPUS`. */
  codec: 'voxline.audio.codec',
  /** Inbound sample rate in Hz (int). */
  sampleRate: 'voxline.audio.sample_rate',
  /** Outbound codec, when the serializer set one. */
  outboundCodec: 'voxline.audio.outbound_codec',
  /** Outbound sample rate in Hz (int). */
  outboundSampleRate: 'voxline.audio.outbound_sample_rate',
  /** Turn number in its call, from 1 (int). */
  turnNumber: 'voxline.turn.number',
  /** True when the user spoke over the bot to start this turn (boolean). */
  bargeIn: 'voxline.turn.barge_in',
  /** End of the user's speech to the bot's first audio, ms (double). */
  turnLatencyMs: 'voxline.turn.latency_ms',
  /** Name of the processor that produced an LLM span (e.g. `OpenAILLMService#7`). */
  processor: 'voxline.processor',
  /** Carrier HTTP request operation: `hangup`, `answer`, `record_start`, ... */
  operation: 'voxline.carrier.operation',
  /** Try number of a retried carrier request, from 1 (int). */
  attempt: 'voxline.carrier.attempt',
} as const;

/** Span events on a turn span, in the order a turn usually has them. */
export const TURN_EVENTS = {
  userStartedSpeaking: 'voxline.user.started_speaking',
  userStoppedSpeaking: 'voxline.user.stopped_speaking',
  /** A final transcription (its text is not recorded). */
  sttFinal: 'voxline.stt.final',
  llmFirstToken: 'voxline.llm.first_token',
  ttsFirstAudio: 'voxline.tts.first_audio',
  /** The transport started the bot's audio to the carrier (playback-accurate with carrier marks). */
  botStartedSpeaking: 'voxline.bot.started_speaking',
  botStoppedSpeaking: 'voxline.bot.stopped_speaking',
} as const;

/** GenAI semantic-convention attribute names used on LLM spans. */
export const GEN_AI_ATTRIBUTES = {
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
} as const;
