/**
 * One multi-context WebSocket (`multi-stream-input`) on the fake ElevenLabs server.
 *
 * Client messages are snake_case (`context_id`, `close_context`, `voice_settings`, `xi_api_key`),
 * server messages camelCase (`contextId`, `isFinal`, `normalizedAlignment`, `charStartTimesMs`),
 * as the SDK's wire serializers define them (`@elevenlabs/elevenlabs-js` 2.73
 * `serialization/types/{InitialiseContext,SendTextMulti,CloseContext,KeepContextAlive,
 * AudioOutputMulti,FinalOutputMulti}`).
 *
 * Behaviour modelled (https://elevenlabs.io/docs/api-reference/websockets/multi-context):
 * - a context starts with a message whose text is a single space; `voice_settings` and
 *   `generation_config` only in that first message;
 * - text is buffered per context and generated when the buffer reaches the context's
 *   `chunk_length_schedule` (default [120, 160, 250, 290] characters) or on `flush`; with
 *   `auto_mode=true` every text message is generated as it arrives;
 * - `{"text": ""}` without a context id is a socket keep-alive; `{"text": "", "context_id"}`
 *   keeps that context alive;
 * - `close_context` discards text not yet generated; generations already under way (flushed or
 *   scheduled) still stream ("if it has already been set to flush it will continue flushing"),
 *   then `{"isFinal": true, "contextId"}` ends the context;
 * - at most 5 open contexts: a sixth gets `max_active_conversations` and a 1008 close
 *   (https://github.com/livekit/agents-js/issues/1985);
 * - no message for `inactivity_timeout` seconds (default 20) closes the socket with 1008;
 * - `close_socket` flushes every context, then closes normally.
 *
 * Audio is {@link synthesizeCharacters}: `msPerCharacter` of tone or silence per character,
 * sent in chunks of `charactersPerChunk` characters, each with alignment whose times are relative
 * to that chunk, as the real service's are.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '@voxline/core';
import type { RawData, WebSocket } from 'ws';
import { type ElevenLabsOutputFormat, type RawOutputEncoding, rawOutputEncoding } from '../output-format.js';
import { encodeForOutput, synthesizeCharacters } from './character-speech.js';

/** Default `generation_config.chunk_length_schedule` (characters). */
export const DEFAULT_CHUNK_LENGTH_SCHEDULE: readonly number[] = [120, 160, 250, 290];

/** Limit of open contexts per socket. */
export const MAX_ACTIVE_CONTEXTS = 5;

/** Synthesis and timing options of the fake; see {@link FakeElevenLabsServerOptions}. */
export interface FakeSynthesisOptions {
  msPerCharacter: number;
  charactersPerChunk: number;
  firstChunkLatencyMs: number;
  chunkIntervalMs: number;
  clock: Clock;
}

/** The query of a `multi-stream-input` request, as the fake understood it. */
export interface MultiStreamQuery {
  modelId: string | undefined;
  outputFormat: ElevenLabsOutputFormat;
  /** Seconds. */
  inactivityTimeout: number;
  /** `auto_mode=true`: no chunk schedule or buffering, each text message is generated at once. */
  autoMode: boolean;
  raw: URLSearchParams;
}

/** What the fake knows about one context, for assertions. */
export interface FakeContext {
  readonly id: string;
  /** Every text fragment received for it, concatenated (without the initial space). */
  text: string;
  /** The text actually synthesized (flushed or scheduled), concatenated. */
  generatedText: string;
  /** `voice_settings` of its first message. */
  readonly voiceSettings: unknown;
  /** `generation_config` of its first message. */
  readonly generationConfig: unknown;
  /** Audio messages sent for it. */
  audioMessages: number;
  /** Whether the client sent `close_context`. */
  closeRequested: boolean;
  /** Whether `isFinal` was sent. */
  finalSent: boolean;
}

interface ContextState extends FakeContext {
  buffer: string;
  generations: number;
  schedule: readonly number[];
  work: Promise<void>;
}

/** How the socket ended. */
export interface SocketClose {
  code: number;
  reason: string;
}

const DEFAULT_CONTEXT_ID = '';

/** WebSocket close reasons are limited to 123 bytes. */
function closeReason(text: string): string {
  return Buffer.from(text).subarray(0, 123).toString('utf8');
}

/** One socket; created by the server for every accepted upgrade. */
export class FakeElevenLabsConnection {
  /** Every JSON message received, in order. */
  readonly receivedMessages: Record<string, unknown>[] = [];
  /** Every JSON message sent, in order (audio payloads included). */
  readonly sentMessages: Record<string, unknown>[] = [];
  /** Requests the real service tolerates but documents against (e.g. text not ending in a space). */
  readonly violations: string[] = [];
  /** Contexts by id, in creation order; a reused id replaces the old entry. */
  readonly contexts = new Map<string, FakeContext>();
  /** Every context ever opened, in order (reused ids appear again). */
  readonly contextHistory: FakeContext[] = [];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<SocketClose>;

  readonly #states = new Map<string, ContextState>();
  #authenticated: boolean;
  #ended = false;
  #lastActivityAt: number;
  readonly #idleWatch = new AbortController();
  #resolveClosed!: (close: SocketClose) => void;
  #chunksUntilDrop = Number.POSITIVE_INFINITY;
  readonly #encoding: RawOutputEncoding | undefined;

  readonly #synthesis: FakeSynthesisOptions;
  readonly #apiKeys: readonly string[];
  readonly #socket: WebSocket;
  constructor(
    /** 0 for the first socket, then 1, 2, ... */
    readonly index: number,
    /** The `voice_id` path segment. */
    readonly voiceId: string,
    readonly query: MultiStreamQuery,
    readonly headers: IncomingHttpHeaders,
    socket: WebSocket,
    apiKeys: readonly string[],
    synthesis: FakeSynthesisOptions,
  ) {
    this.#synthesis = synthesis;
    this.#apiKeys = apiKeys;
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#encoding = rawOutputEncoding(query.outputFormat);
    this.#lastActivityAt = synthesis.clock.now();
    this.#authenticated = apiKeys.includes(String(headers['xi-api-key'] ?? ''));
    socket.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    socket.on('close', (code, reason) => this.#finish({ code, reason: reason.toString() }));
    socket.on('error', () => this.#finish({ code: 1006, reason: 'socket error' }));
    if (headers['xi-api-key'] !== undefined && !this.#authenticated) {
      this.#fail('invalid_api_key', 'Invalid API key');
      return;
    }
    if (this.#encoding === undefined) {
      // Compressed formats are real, but this fake only produces raw audio.
      this.#fail('unsupported_by_fake', `This fake produces raw formats only, not ${query.outputFormat}`);
      return;
    }
    void this.#watchInactivity();
  }

  /** Whether the socket is still open. */
  get open(): boolean {
    return !this.#ended;
  }

  /** Contexts open now (not yet ended with `isFinal`). */
  get activeContexts(): number {
    let count = 0;
    for (const context of this.contextHistory) if (!context.finalSent) count++;
    return count;
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  drop(): void {
    if (this.#ended) return;
    this.#socket.terminate();
    this.#finish({ code: 1006, reason: 'dropped' });
  }

  /** Drops the connection after `count` more audio messages (a failure mid-stream). */
  dropAfterAudioMessages(count: number): void {
    this.#chunksUntilDrop = count;
  }

  #finish(close: SocketClose): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#idleWatch.abort();
    this.#resolveClosed(close);
  }

  #send(message: Record<string, unknown>): void {
    if (this.#ended) return;
    this.sentMessages.push(message);
    this.#socket.send(JSON.stringify(message));
  }

  /** Sends the error message and closes with 1008, as the service does on a policy violation. */
  #fail(error: string, message: string): void {
    this.#send({ message, error, code: 1008 });
    if (!this.#ended) this.#socket.close(1008, closeReason(message));
  }

  async #watchInactivity(): Promise<void> {
    const { clock } = this.#synthesis;
    const timeoutMs = this.query.inactivityTimeout * 1000;
    try {
      for (;;) {
        const idleFor = clock.now() - this.#lastActivityAt;
        if (idleFor >= timeoutMs) {
          this.#socket.close(
            1008,
            closeReason(
              `Have not received a new text input within the timeout of ${this.query.inactivityTimeout} seconds. Streaming input terminated.`,
            ),
          );
          return;
        }
        await clock.sleep(timeoutMs - idleFor, this.#idleWatch.signal);
        if (this.#ended) return;
      }
    } catch {
      // Aborted: the socket ended.
    }
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#ended) return;
    this.#lastActivityAt = this.#synthesis.clock.now();
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (isBinary) {
      this.#fail('invalid_message', 'Binary messages are not supported; send JSON text');
      return;
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      this.#fail('invalid_message', 'Message is not valid JSON');
      return;
    }
    this.receivedMessages.push(message);
    if (!this.#authenticated) {
      if (typeof message.xi_api_key === 'string' && this.#apiKeys.includes(message.xi_api_key)) {
        this.#authenticated = true;
      } else {
        this.#fail(
          'invalid_api_key',
          'Invalid API key: send the xi-api-key header or xi_api_key in the first message',
        );
        return;
      }
    }
    if (message.close_socket === true) {
      void this.#closeSocket();
      return;
    }
    if (message.context_id === undefined && message.text === '' && Object.keys(message).length === 1) {
      // `{"text": ""}` with no context: a socket keep-alive (any message resets the timer).
      return;
    }
    const contextId = typeof message.context_id === 'string' ? message.context_id : DEFAULT_CONTEXT_ID;
    if (message.close_context === true) {
      this.#closeContext(contextId);
      return;
    }
    const state = this.#states.get(contextId);
    if (state === undefined || state.closeRequested) {
      this.#openContext(contextId, message);
      return;
    }
    if (message.voice_settings !== undefined || message.generation_config !== undefined) {
      this.#fail(
        'invalid_request',
        'voice_settings and generation_config can only be sent in the first message of a context',
      );
      return;
    }
    const text = message.text;
    if (typeof text !== 'string') {
      this.#fail('invalid_request', 'text must be a string');
      return;
    }
    if (text !== '' && !text.endsWith(' '))
      this.violations.push(`text chunk does not end with a space: ${JSON.stringify(text)}`);
    state.text += text;
    state.buffer += text;
    if (message.flush === true || (this.query.autoMode && state.buffer.trim() !== '')) {
      this.#generate(state, state.buffer);
      state.buffer = '';
      return;
    }
    const threshold = state.schedule[Math.min(state.generations, state.schedule.length - 1)] ?? 0;
    if (state.buffer.length >= threshold && state.buffer.trim() !== '') {
      this.#generate(state, state.buffer);
      state.buffer = '';
    }
  }

  #openContext(contextId: string, message: Record<string, unknown>): void {
    if (message.text !== ' ') {
      this.#fail(
        'invalid_request',
        `The first message of context '${contextId}' must have text " " (a single space), got ${JSON.stringify(message.text)}`,
      );
      return;
    }
    if (this.activeContexts >= MAX_ACTIVE_CONTEXTS) {
      this.#fail(
        'max_active_conversations',
        `Maximum simultaneous contexts per WebSocket connection exceeded (${MAX_ACTIVE_CONTEXTS}). Please close an existing context before opening a new one.`,
      );
      return;
    }
    const generationConfig = message.generation_config as { chunk_length_schedule?: number[] } | undefined;
    const state: ContextState = {
      id: contextId,
      text: '',
      generatedText: '',
      voiceSettings: message.voice_settings,
      generationConfig,
      audioMessages: 0,
      closeRequested: false,
      finalSent: false,
      buffer: '',
      generations: 0,
      schedule: generationConfig?.chunk_length_schedule ?? DEFAULT_CHUNK_LENGTH_SCHEDULE,
      work: Promise.resolve(),
    };
    this.#states.set(contextId, state);
    this.contexts.set(contextId, state);
    this.contextHistory.push(state);
  }

  #closeContext(contextId: string): void {
    const state = this.#states.get(contextId);
    if (state === undefined || state.closeRequested) {
      this.violations.push(`close_context for a context that is not open: '${contextId}'`);
      return;
    }
    state.closeRequested = true;
    state.buffer = '';
    state.work = state.work.then(() => {
      state.finalSent = true;
      this.#send({ isFinal: true, contextId: state.id });
    });
  }

  async #closeSocket(): Promise<void> {
    for (const state of this.#states.values()) {
      if (state.closeRequested) continue;
      if (state.buffer !== '') this.#generate(state, state.buffer);
      state.buffer = '';
      this.#closeContext(state.id);
    }
    await Promise.all([...this.#states.values()].map((state) => state.work));
    if (!this.#ended) this.#socket.close(1000);
  }

  #generate(state: ContextState, text: string): void {
    const characters = Array.from(text);
    if (characters.length === 0) return;
    state.generations++;
    state.generatedText += text;
    const { clock, charactersPerChunk, firstChunkLatencyMs, chunkIntervalMs, msPerCharacter } =
      this.#synthesis;
    const encoding = this.#encoding as RawOutputEncoding;
    state.work = state.work.then(async () => {
      for (let start = 0; start < characters.length; start += charactersPerChunk) {
        const wait = start === 0 ? firstChunkLatencyMs : chunkIntervalMs;
        if (wait > 0) await clock.sleep(wait);
        if (this.#ended) return;
        const chunk = characters.slice(start, start + charactersPerChunk);
        const audio = encodeForOutput(
          synthesizeCharacters(chunk, encoding.sampleRate, msPerCharacter),
          encoding,
        );
        const alignment = {
          chars: chunk,
          charStartTimesMs: chunk.map((_, index) => index * msPerCharacter),
          charDurationsMs: chunk.map(() => msPerCharacter),
        };
        state.audioMessages++;
        this.#send({
          audio: audio.toString('base64'),
          normalizedAlignment: alignment,
          alignment,
          contextId: state.id,
        });
        if (--this.#chunksUntilDrop <= 0) {
          this.drop();
          return;
        }
      }
    });
  }
}
