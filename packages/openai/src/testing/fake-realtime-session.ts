/**
 * One WebSocket session on the fake OpenAI Realtime server (GA interface).
 *
 * Event names and shapes follow the GA interface of `openai` 6.49 (`resources/realtime/
 * realtime.ts`: `RealtimeClientEvent`, `RealtimeServerEvent`); see
 * https://platform.openai.com/docs/api-reference/realtime.
 * What it checks, the way the service does:
 * - `session.update` needs `session.type: "realtime"` (`missing_required_parameter`), refuses the
 *   beta session keys (`modalities`, `input_audio_format`, `voice` at the top, ...:
 *   `unknown_parameter`) and audio formats other than `audio/pcm` at 24000 Hz, `audio/pcmu`,
 *   `audio/pcma`;
 * - `input_audio_buffer.append` needs base64 audio; `commit` needs at least 100 ms;
 * - `conversation.item.truncate` needs an assistant audio item and `audio_end_ms` no longer than
 *   its audio; `function_call_output` items need a known `call_id`;
 * - `response.create` while a response is active, and `response.cancel` with none, are errors;
 *   unknown event types are errors.
 * Errors are `error` events (`{"type":"error","error":{type,code,message,param,event_id}}`); the
 * session stays open, as on the real service.
 *
 * Turn detection (`server_vad`) is modelled with an energy detector on the appended audio (20 ms
 * windows above `speechRmsThreshold`), honouring `silence_duration_ms`, `create_response` and
 * `interrupt_response`: speech during a response cancels it (`response.done` with status
 * `cancelled`), after at most `lateDeltasAfterCancel` audio deltas already in flight.
 *
 * Replies are scripted (`ScriptedRealtimeReply`): spoken text (tone-per-character audio in the
 * session's output format, with transcript deltas) or a function call.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '@voxline/core';
import type { RawData, WebSocket } from 'ws';
import {
  decodeRealtimeAudio,
  encodeRealtimeAudio,
  formatSampleRate,
  type RealtimeAudioFormat,
  speakCharacters,
} from './realtime-audio.js';

/** One scripted answer of the model. */
export interface ScriptedRealtimeReply {
  /** Spoken reply: audio and transcript. */
  text?: string;
  /** A function call instead. */
  toolCall?: { name: string; arguments: string; callId?: string };
  /** Transcript of the user turn this reply answers, when input transcription is on. */
  userTranscript?: string;
}

/** Options shared by the sessions of a server; see `FakeOpenAIRealtimeServerOptions`. */
export interface FakeRealtimeSessionOptions {
  takeReply: () => ScriptedRealtimeReply | undefined;
  msPerCharacter: number;
  charactersPerChunk: number;
  chunkIntervalMs: number;
  speechRmsThreshold: number;
  lateDeltasAfterCancel: number;
  clock: Clock;
}

/** A `conversation.item.truncate` the fake accepted. */
export interface AcceptedTruncation {
  item_id: string;
  content_index: number;
  audio_end_ms: number;
  /** Audio ms the item had before. */
  audioMsBefore: number;
}

interface ConversationItem {
  id: string;
  type: 'message' | 'function_call' | 'function_call_output';
  role?: string;
  callId?: string;
  /** Ms of audio of an assistant audio item. */
  audioMs: number;
}

interface ActiveResponse {
  id: string;
  cancelled: boolean;
  cancelReason?: string;
}

const BETA_SESSION_KEYS = [
  'modalities',
  'input_audio_format',
  'output_audio_format',
  'voice',
  'turn_detection',
  'input_audio_transcription',
  'input_audio_noise_reduction',
  'temperature',
  'speed',
  'max_response_output_tokens',
];
const GA_SESSION_KEYS = [
  'type',
  'audio',
  'instructions',
  'output_modalities',
  'tools',
  'tool_choice',
  'max_output_tokens',
  'model',
  'include',
  'prompt',
  'tracing',
  'truncation',
  'parallel_tool_calls',
  'reasoning',
];
const CLIENT_EVENTS = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.truncate',
  'conversation.item.delete',
  'conversation.item.retrieve',
  'response.create',
  'response.cancel',
  'output_audio_buffer.clear',
];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const WINDOW_MS = 20;

function id(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** See the module comment. */
export class FakeRealtimeSession {
  /** Client events received, in order (`input_audio_buffer.append` audio included). */
  readonly clientEvents: Record<string, unknown>[] = [];
  /** Server events sent, in order. */
  readonly serverEvents: Record<string, unknown>[] = [];
  /** Accepted truncations. */
  readonly truncations: AcceptedTruncation[] = [];
  /** Audio appended, as sent (decoded from base64). */
  readonly appendedAudio: Buffer[] = [];
  /** Things the fake could not do from its script. */
  readonly violations: string[] = [];
  /** The session configuration as the server holds it. */
  readonly session: Record<string, unknown>;
  /** Resolves when the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;

  readonly #items = new Map<string, ConversationItem>();
  #lastItemId: string | null = null;
  #response: ActiveResponse | undefined;
  #ended = false;
  #resolveClosed!: (close: { code: number; reason: string }) => void;
  // Turn detection over the appended audio.
  #audioMs = 0;
  #bufferMs = 0;
  #window: Int16Array = new Int16Array(0);
  #windowFill = 0;
  #speechItemId: string | undefined;
  #silenceSinceMs: number | undefined;
  /** The next reply, taken early when its user transcript was needed. */
  #peeked: ScriptedRealtimeReply | undefined;

  readonly #options: FakeRealtimeSessionOptions;
  readonly #socket: WebSocket;
  constructor(
    /** 0 for the first session, then 1, 2, ... */
    readonly index: number,
    /** The `model` query parameter. */
    readonly model: string,
    readonly headers: IncomingHttpHeaders,
    /** True when the client sent `OpenAI-Beta: realtime=v1`: the beta interface, which this fake refuses. */
    readonly beta: boolean,
    socket: WebSocket,
    options: FakeRealtimeSessionOptions,
  ) {
    this.#options = options;
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.session = beta ? this.#betaSession() : this.#defaultSession();
    socket.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    socket.on('close', (code, reason) => this.#finish({ code, reason: reason.toString() }));
    socket.on('error', () => this.#finish({ code: 1006, reason: 'socket error' }));
    this.#send({ type: 'session.created', session: this.session });
  }

  /** The audio input format in force. */
  get inputFormat(): RealtimeAudioFormat {
    return ((this.session.audio as Record<string, Record<string, unknown>> | undefined)?.input?.format ?? {
      type: 'audio/pcm',
      rate: 24000,
    }) as RealtimeAudioFormat;
  }

  /** The audio output format in force. */
  get outputFormat(): RealtimeAudioFormat {
    return ((this.session.audio as Record<string, Record<string, unknown>> | undefined)?.output?.format ?? {
      type: 'audio/pcm',
      rate: 24000,
    }) as RealtimeAudioFormat;
  }

  /** Client events of one type. */
  eventsOfType(type: string): Record<string, unknown>[] {
    return this.clientEvents.filter((event) => event.type === type);
  }

  /** Server events of one type. */
  sentOfType(type: string): Record<string, unknown>[] {
    return this.serverEvents.filter((event) => event.type === type);
  }

  /** Drops the TCP connection without a close frame. */
  drop(): void {
    if (this.#ended) return;
    this.#socket.terminate();
    this.#finish({ code: 1006, reason: 'dropped' });
  }

  #finish(close: { code: number; reason: string }): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#response) this.#response.cancelled = true;
    this.#resolveClosed(close);
  }

  #send(event: Record<string, unknown>): void {
    if (this.#ended) return;
    const full = { event_id: id('event'), ...event };
    this.serverEvents.push(full);
    this.#socket.send(JSON.stringify(full));
  }

  #error(
    code: string | null,
    message: string,
    param: string | null,
    clientEvent?: Record<string, unknown>,
  ): void {
    this.#send({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code,
        message,
        param,
        event_id: typeof clientEvent?.event_id === 'string' ? clientEvent.event_id : null,
      },
    });
  }

  #defaultSession(): Record<string, unknown> {
    return {
      type: 'realtime',
      object: 'realtime.session',
      id: id('sess'),
      model: this.model,
      output_modalities: ['audio'],
      instructions: 'You are a helpful assistant.',
      tools: [],
      tool_choice: 'auto',
      max_output_tokens: 'inf',
      tracing: null,
      prompt: null,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          transcription: null,
          noise_reduction: null,
          turn_detection: {
            type: 'server_vad',
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 200,
            idle_timeout_ms: null,
            create_response: true,
            interrupt_response: true,
          },
        },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
      },
    };
  }

  #betaSession(): Record<string, unknown> {
    return {
      object: 'realtime.session',
      id: id('sess'),
      model: this.model,
      modalities: ['audio', 'text'],
      instructions: 'You are a helpful assistant.',
      voice: 'alloy',
      input_audio_format: 'pcm16',
      output_audio_format: 'pcm16',
      input_audio_transcription: null,
      turn_detection: {
        type: 'server_vad',
        threshold: 0.5,
        prefix_padding_ms: 300,
        silence_duration_ms: 200,
      },
      tools: [],
      tool_choice: 'auto',
      temperature: 0.8,
      max_response_output_tokens: 'inf',
    };
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#ended) return;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      this.#error(null, `Invalid JSON in client event${isBinary ? ' (binary frame)' : ''}.`, null);
      return;
    }
    this.clientEvents.push(event);
    const type = event.type;
    if (typeof type !== 'string' || !CLIENT_EVENTS.includes(type)) {
      this.#error(
        'invalid_value',
        `Invalid value: '${String(type)}'. Supported values are: ${CLIENT_EVENTS.map((name) => `'${name}'`).join(', ')}.`,
        'type',
        event,
      );
      return;
    }
    if (this.beta) {
      this.#onBetaEvent(event);
      return;
    }
    switch (type) {
      case 'session.update':
        this.#onSessionUpdate(event);
        return;
      case 'input_audio_buffer.append':
        this.#onAppend(event);
        return;
      case 'input_audio_buffer.commit':
        this.#onCommit(event);
        return;
      case 'input_audio_buffer.clear':
        this.#bufferMs = 0;
        this.#send({ type: 'input_audio_buffer.cleared' });
        return;
      case 'conversation.item.create':
        this.#onItemCreate(event);
        return;
      case 'conversation.item.truncate':
        this.#onTruncate(event);
        return;
      case 'response.create':
        if (this.#response) {
          this.#error(
            'conversation_already_has_active_response',
            `Conversation already has an active response in progress: ${this.#response.id}. Wait until the response is finished before creating a new one.`,
            null,
            event,
          );
          return;
        }
        void this.#respond();
        return;
      case 'response.cancel':
        if (!this.#response) {
          this.#error(
            'response_cancel_not_active',
            'Cancellation failed: no active response found',
            null,
            event,
          );
          return;
        }
        this.#response.cancelled = true;
        this.#response.cancelReason = 'client_cancelled';
        return;
      case 'output_audio_buffer.clear':
        this.#error(
          null,
          'output_audio_buffer.clear is only supported for WebRTC and SIP sessions.',
          null,
          event,
        );
        return;
      default:
        this.violations.push(`client event the fake does not model: ${type}`);
    }
  }

  /** The beta interface: the GA session shape is refused as the real beta endpoint refuses it. */
  #onBetaEvent(event: Record<string, unknown>): void {
    if (event.type === 'session.update' && isObject(event.session)) {
      const gaKey = Object.keys(event.session).find((key) =>
        ['type', 'audio', 'output_modalities'].includes(key),
      );
      if (gaKey !== undefined) {
        this.#error('unknown_parameter', `Unknown parameter: 'session.${gaKey}'.`, `session.${gaKey}`, event);
        return;
      }
    }
    this.violations.push(`beta interface event (this fake models the GA interface): ${String(event.type)}`);
  }

  #onSessionUpdate(event: Record<string, unknown>): void {
    const update = event.session;
    if (!isObject(update)) {
      this.#error('missing_required_parameter', "Missing required parameter: 'session'.", 'session', event);
      return;
    }
    if (update.type === undefined) {
      this.#error(
        'missing_required_parameter',
        "Missing required parameter: 'session.type'.",
        'session.type',
        event,
      );
      return;
    }
    if (update.type !== 'realtime') {
      this.#error(
        'invalid_value',
        `Invalid value: '${String(update.type)}'. Supported values are: 'realtime' and 'transcription'.`,
        'session.type',
        event,
      );
      return;
    }
    for (const key of Object.keys(update)) {
      if (BETA_SESSION_KEYS.includes(key) || !GA_SESSION_KEYS.includes(key)) {
        this.#error('unknown_parameter', `Unknown parameter: 'session.${key}'.`, `session.${key}`, event);
        return;
      }
    }
    const audio = isObject(update.audio) ? update.audio : {};
    for (const direction of ['input', 'output'] as const) {
      const format = isObject(audio[direction])
        ? (audio[direction] as Record<string, unknown>).format
        : undefined;
      if (format === undefined) continue;
      const problem = this.#checkFormat(format, `session.audio.${direction}.format`);
      if (problem) {
        this.#error('invalid_value', problem.message, problem.param, event);
        return;
      }
    }
    const modalities = update.output_modalities;
    if (modalities !== undefined && (!Array.isArray(modalities) || modalities.length !== 1)) {
      this.#error(
        'invalid_value',
        "Invalid 'session.output_modalities': give either ['audio'] or ['text'].",
        'session.output_modalities',
        event,
      );
      return;
    }
    mergeInto(this.session, update);
    this.#send({ type: 'session.updated', session: this.session });
  }

  #checkFormat(format: unknown, param: string): { message: string; param: string } | undefined {
    if (!isObject(format) || !['audio/pcm', 'audio/pcmu', 'audio/pcma'].includes(String(format.type))) {
      return {
        message: `Invalid value for '${param}.type'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.`,
        param: `${param}.type`,
      };
    }
    if (format.type === 'audio/pcm' && format.rate !== undefined && format.rate !== 24000) {
      return {
        message: `Invalid value: ${String(format.rate)}. Supported values are: 24000.`,
        param: `${param}.rate`,
      };
    }
    return undefined;
  }

  #onAppend(event: Record<string, unknown>): void {
    const audio = event.audio;
    if (typeof audio !== 'string' || audio.length % 4 !== 0 || !BASE64.test(audio)) {
      this.#error('invalid_value', "Invalid 'audio'. Expected base64-encoded audio bytes.", 'audio', event);
      return;
    }
    const bytes = Buffer.from(audio, 'base64');
    const format = this.inputFormat;
    if (format.type === 'audio/pcm' && bytes.length % 2 !== 0) {
      this.#error(
        'invalid_value',
        "Invalid 'audio'. 16-bit PCM audio must have an even number of bytes.",
        'audio',
        event,
      );
      return;
    }
    this.appendedAudio.push(bytes);
    this.#detectTurns(decodeRealtimeAudio(bytes, format), formatSampleRate(format));
  }

  /** Energy turn detection in 20 ms windows; see the module comment. */
  #detectTurns(samples: Int16Array, sampleRate: number): void {
    const windowSize = (sampleRate * WINDOW_MS) / 1000;
    if (this.#window.length !== windowSize) {
      this.#window = new Int16Array(windowSize);
      this.#windowFill = 0;
    }
    for (let index = 0; index < samples.length; index++) {
      this.#window[this.#windowFill++] = samples[index] as number;
      if (this.#windowFill < windowSize) continue;
      this.#windowFill = 0;
      let energy = 0;
      for (const sample of this.#window) energy += sample * sample;
      this.#onWindow(Math.sqrt(energy / windowSize) >= this.#options.speechRmsThreshold);
    }
  }

  #onWindow(speech: boolean): void {
    const start = this.#audioMs;
    this.#audioMs += WINDOW_MS;
    this.#bufferMs += WINDOW_MS;
    const detection = (this.session.audio as Record<string, Record<string, unknown>>).input?.turn_detection as
      | { silence_duration_ms?: number; create_response?: boolean; interrupt_response?: boolean }
      | null
      | undefined;
    if (!detection) return;
    if (this.#speechItemId === undefined) {
      if (!speech) return;
      this.#speechItemId = id('item');
      this.#silenceSinceMs = undefined;
      this.#send({
        type: 'input_audio_buffer.speech_started',
        audio_start_ms: start,
        item_id: this.#speechItemId,
      });
      if (this.#response && detection.interrupt_response !== false) {
        this.#response.cancelled = true;
        this.#response.cancelReason = 'turn_detected';
      }
      return;
    }
    if (speech) {
      this.#silenceSinceMs = undefined;
      return;
    }
    this.#silenceSinceMs ??= start;
    if (this.#audioMs - this.#silenceSinceMs < (detection.silence_duration_ms ?? 200)) return;
    const itemId = this.#speechItemId;
    this.#speechItemId = undefined;
    this.#send({
      type: 'input_audio_buffer.speech_stopped',
      audio_end_ms: this.#silenceSinceMs,
      item_id: itemId,
    });
    this.#commitUserItem(itemId);
    if (detection.create_response !== false && !this.#response) void this.#respond();
  }

  #onCommit(event: Record<string, unknown>): void {
    if (this.#bufferMs < 100) {
      this.#error(
        'input_audio_buffer_commit_empty',
        `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${this.#bufferMs.toFixed(2)}ms of audio.`,
        null,
        event,
      );
      return;
    }
    this.#commitUserItem(id('item'));
  }

  #commitUserItem(itemId: string): void {
    this.#bufferMs = 0;
    this.#send({ type: 'input_audio_buffer.committed', previous_item_id: this.#lastItemId, item_id: itemId });
    const item = {
      id: itemId,
      type: 'message',
      object: 'realtime.item',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    this.#addItem({ id: itemId, type: 'message', role: 'user', audioMs: 0 }, item);
    const transcription = (this.session.audio as Record<string, Record<string, unknown>>).input
      ?.transcription;
    const transcript = this.#peekedReply()?.userTranscript;
    if (transcription && transcript !== undefined) {
      this.#send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript,
      });
    }
  }

  #addItem(item: ConversationItem, wire: Record<string, unknown>): void {
    this.#items.set(item.id, item);
    this.#send({ type: 'conversation.item.added', previous_item_id: this.#lastItemId, item: wire });
    this.#send({ type: 'conversation.item.done', previous_item_id: this.#lastItemId, item: wire });
    this.#lastItemId = item.id;
  }

  #onItemCreate(event: Record<string, unknown>): void {
    const item = event.item;
    if (!isObject(item) || typeof item.type !== 'string') {
      this.#error(
        'missing_required_parameter',
        "Missing required parameter: 'item.type'.",
        'item.type',
        event,
      );
      return;
    }
    const itemId = typeof item.id === 'string' ? item.id : id('item');
    if (item.type === 'function_call_output') {
      const known = [...this.#items.values()].some(
        (entry) => entry.type === 'function_call' && entry.callId === item.call_id,
      );
      if (!known) {
        this.#error(
          'invalid_value',
          `Tool call ID '${String(item.call_id)}' not found in conversation.`,
          'item.call_id',
          event,
        );
        return;
      }
      if (typeof item.output !== 'string') {
        this.#error(
          'missing_required_parameter',
          "Missing required parameter: 'item.output'.",
          'item.output',
          event,
        );
        return;
      }
      this.#addItem(
        { id: itemId, type: 'function_call_output', callId: item.call_id as string, audioMs: 0 },
        {
          id: itemId,
          object: 'realtime.item',
          status: 'completed',
          ...item,
        },
      );
      return;
    }
    if (item.type === 'message') {
      if (!['user', 'assistant', 'system'].includes(String(item.role))) {
        this.#error(
          'invalid_value',
          `Invalid value: '${String(item.role)}'. Supported values are: 'user', 'assistant', and 'system'.`,
          'item.role',
          event,
        );
        return;
      }
      this.#addItem(
        { id: itemId, type: 'message', role: item.role as string, audioMs: 0 },
        {
          id: itemId,
          object: 'realtime.item',
          status: 'completed',
          ...item,
        },
      );
      return;
    }
    this.violations.push(`conversation.item.create of type ${item.type} is not modelled`);
  }

  #onTruncate(event: Record<string, unknown>): void {
    const itemId = event.item_id;
    const item = typeof itemId === 'string' ? this.#items.get(itemId) : undefined;
    if (item === undefined) {
      this.#error('invalid_value', `Item with item_id '${String(itemId)}' not found.`, 'item_id', event);
      return;
    }
    if (item.type !== 'message' || item.role !== 'assistant') {
      this.#error('invalid_value', 'Only assistant messages can be truncated.', 'item_id', event);
      return;
    }
    const end = event.audio_end_ms;
    if (typeof end !== 'number' || !Number.isInteger(end) || end < 0) {
      this.#error(
        'invalid_value',
        "Invalid 'audio_end_ms': expected a non-negative integer.",
        'audio_end_ms',
        event,
      );
      return;
    }
    if (event.content_index !== 0) {
      this.#error(
        'invalid_value',
        "Invalid 'content_index': the item has one audio content part, at index 0.",
        'content_index',
        event,
      );
      return;
    }
    if (end > item.audioMs) {
      this.#error(
        'invalid_value',
        `Audio content of ${Math.round(item.audioMs)}ms is already shorter than ${end}ms`,
        'audio_end_ms',
        event,
      );
      return;
    }
    this.truncations.push({
      item_id: item.id,
      content_index: 0,
      audio_end_ms: end,
      audioMsBefore: item.audioMs,
    });
    item.audioMs = end;
    this.#send({
      type: 'conversation.item.truncated',
      item_id: item.id,
      content_index: 0,
      audio_end_ms: end,
    });
  }

  #peekedReply(): ScriptedRealtimeReply | undefined {
    this.#peeked ??= this.#options.takeReply();
    return this.#peeked;
  }

  /** Runs one response from the script. */
  async #respond(): Promise<void> {
    const reply = this.#peekedReply();
    this.#peeked = undefined;
    const response: ActiveResponse = { id: id('resp'), cancelled: false };
    this.#response = response;
    const base = {
      id: response.id,
      object: 'realtime.response',
      conversation_id: 'conv_fake',
      output_modalities: ['audio'],
    };
    this.#send({
      type: 'response.created',
      response: { ...base, status: 'in_progress', output: [], usage: null },
    });
    let output: Record<string, unknown>[] = [];
    if (reply === undefined) {
      this.violations.push('response requested with no scripted reply left');
    } else if (reply.toolCall) {
      output = [await this.#streamFunctionCall(response, reply.toolCall)];
    } else {
      output = [await this.#streamSpeech(response, reply.text ?? '')];
    }
    const status = reply === undefined ? 'failed' : response.cancelled ? 'cancelled' : 'completed';
    this.#response = undefined;
    this.#send({
      type: 'response.done',
      response: {
        ...base,
        status,
        status_details: response.cancelled ? { type: 'cancelled', reason: response.cancelReason } : null,
        output,
        usage: {
          total_tokens: 120,
          input_tokens: 100,
          output_tokens: 20,
          input_token_details: { audio_tokens: 80, text_tokens: 20, cached_tokens: 0 },
          output_token_details: { audio_tokens: 15, text_tokens: 5 },
        },
      },
    });
  }

  async #streamFunctionCall(
    response: ActiveResponse,
    call: NonNullable<ScriptedRealtimeReply['toolCall']>,
  ): Promise<Record<string, unknown>> {
    const itemId = id('item');
    const callId = call.callId ?? id('call');
    const item = {
      id: itemId,
      type: 'function_call',
      object: 'realtime.item',
      status: 'in_progress',
      call_id: callId,
      name: call.name,
      arguments: '',
    };
    const where = { response_id: response.id, item_id: itemId, output_index: 0 };
    this.#send({ type: 'response.output_item.added', response_id: response.id, output_index: 0, item });
    const half = Math.ceil(call.arguments.length / 2);
    for (const delta of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      this.#send({ type: 'response.function_call_arguments.delta', ...where, call_id: callId, delta });
    }
    this.#send({
      type: 'response.function_call_arguments.done',
      ...where,
      call_id: callId,
      name: call.name,
      arguments: call.arguments,
    });
    const done = { ...item, status: 'completed', arguments: call.arguments };
    this.#send({ type: 'response.output_item.done', response_id: response.id, output_index: 0, item: done });
    this.#addItem({ id: itemId, type: 'function_call', callId, audioMs: 0 }, done);
    return done;
  }

  async #streamSpeech(response: ActiveResponse, text: string): Promise<Record<string, unknown>> {
    const itemId = id('item');
    const item: ConversationItem = { id: itemId, type: 'message', role: 'assistant', audioMs: 0 };
    const wire = {
      id: itemId,
      type: 'message',
      object: 'realtime.item',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    this.#send({ type: 'response.output_item.added', response_id: response.id, output_index: 0, item: wire });
    this.#addItem(item, wire);
    const where = { response_id: response.id, item_id: itemId, output_index: 0, content_index: 0 };
    this.#send({ type: 'response.content_part.added', ...where, part: { type: 'audio', transcript: '' } });
    const format = this.outputFormat;
    const rate = formatSampleRate(format);
    const characters = Array.from(text);
    const { charactersPerChunk, chunkIntervalMs, msPerCharacter, clock } = this.#options;
    let transcript = '';
    let lateAllowance = this.#options.lateDeltasAfterCancel;
    for (let start = 0; start < characters.length; start += charactersPerChunk) {
      if (start > 0 && chunkIntervalMs > 0) await clock.sleep(chunkIntervalMs);
      if (this.#ended) break;
      if (response.cancelled && lateAllowance-- <= 0) break;
      const chunk = characters.slice(start, start + charactersPerChunk).join('');
      const audio = encodeRealtimeAudio(speakCharacters(chunk, rate, msPerCharacter), format);
      item.audioMs += Array.from(chunk).length * msPerCharacter;
      transcript += chunk;
      this.#send({ type: 'response.output_audio.delta', ...where, delta: audio.toString('base64') });
      this.#send({ type: 'response.output_audio_transcript.delta', ...where, delta: chunk });
    }
    const status = response.cancelled ? 'incomplete' : 'completed';
    if (!response.cancelled) {
      this.#send({ type: 'response.output_audio.done', ...where });
      this.#send({ type: 'response.output_audio_transcript.done', ...where, transcript });
      this.#send({ type: 'response.content_part.done', ...where, part: { type: 'audio', transcript } });
    }
    const done = { ...wire, status, content: [{ type: 'output_audio', transcript }] };
    this.#send({ type: 'response.output_item.done', response_id: response.id, output_index: 0, item: done });
    return done;
  }
}

/** Objects a session update replaces whole rather than merges. */
const REPLACED_KEYS = new Set(['format', 'turn_detection', 'transcription', 'noise_reduction']);

/** Deep-merges `update` into `target` (nested settings merged, formats and the like replaced). */
function mergeInto(target: Record<string, unknown>, update: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(update)) {
    const current = target[key];
    if (isObject(value) && isObject(current) && !REPLACED_KEYS.has(key)) mergeInto(current, value);
    else target[key] = value;
  }
}
