/**
 * ElevenLabs streaming text-to-speech over the multi-context WebSocket
 * (`wss://api.elevenlabs.io/v1/text-to-speech/{voice_id}/multi-stream-input`) as a Voxline
 * {@link TTSService}.
 *
 * Why `ws` and not the SDK: `@elevenlabs/elevenlabs-js` 2.73 defines the message types of this
 * socket (`SendTextMulti`, `CloseContext`, `AudioOutputMulti`, ...) but ships no client for it —
 * its WebSocket helpers cover speech-to-text and agents only. The messages are written here with
 * the wire names its serializers define (`serialization/types/*Multi*`, `CloseContext`, ...).
 *
 * One socket per service, one **context per bot turn** (the base class names it):
 * - the context opens with `{"text": " ", "context_id", "voice_settings", "generation_config"}` —
 *   settings only in that first message, as the API requires;
 * - each sentence is sent as `{"text": "<sentence> ", "context_id"}`. In the default sentence mode
 *   the socket runs with `auto_mode=true` (no chunk schedule: each sentence is generated at once);
 *   in token mode the `chunk_length_schedule` applies;
 * - end of turn: `flush`, then `close_context`; the server finishes the flushed text and answers
 *   `{"isFinal": true, "contextId"}`, which completes the turn;
 * - interruption: `close_context` at once. The server may still stream audio it had generated for
 *   that context: it is recognised by `contextId` (camelCase from the server, while the client
 *   writes `context_id`) and dropped;
 * - at most 5 contexts may be open per socket (a sixth closes it with `max_active_conversations`,
 *   1008): before opening a context the service waits briefly for closed ones to finish, and
 *   starts a fresh socket if they do not;
 * - keep-alive: when nothing was sent for `keepAliveIntervalMs`, `{"text": "", "context_id"}` for
 *   the open turn, or `{"text": ""}`, so `inactivity_timeout` never closes the socket;
 * - audio: the output format matches the pipeline (`ulaw_8000` at 8 kHz, decoded to PCM;
 *   `pcm_<rate>` otherwise), and character alignment becomes word timestamps (times per message
 *   accumulated, see {@link AlignmentWordTracker}).
 *
 * Faults: a refused handshake (401, 429, 5xx) or a socket lost before the turn produced audio is
 * retried by the base class (reconnecting here); a socket lost mid-turn, or an error message from
 * the server, fails that turn (`ErrorFrame`, the turn ends) and the next turn reconnects.
 */
import { randomUUID } from 'node:crypto';
import { InvalidOptionError, ServiceError, TTSService, type TTSServiceOptions } from '@voxline/core';
import { SocketClosedError, serviceErrorCodeForStatus } from '@voxline/core/processor-kit';
import WebSocket from 'ws';
import { AlignmentWordTracker, type CharacterAlignment } from './alignment-words.js';
import {
  outputFormatForPipeline,
  type RawOutputEncoding,
  type RawOutputFormat,
  rawOutputEncoding,
} from './output-format.js';
import { RawAudioDecoder } from './raw-audio-decoder.js';
import { rejectOnAbort } from './reject-on-abort.js';

/** Voice settings, sent with each context's first message. */
export interface ElevenLabsVoiceSettings {
  /** 0..1. */
  stability?: number;
  /** 0..1. */
  similarityBoost?: number;
  /** 0..1. */
  style?: number;
  useSpeakerBoost?: boolean;
  /** 0.7..1.2; 1 is normal speed. */
  speed?: number;
}

/** Options of {@link ElevenLabsTTSService}. */
export interface ElevenLabsTTSServiceOptions extends TTSServiceOptions {
  /** API key; default the `ELEVENLABS_API_KEY` environment variable. */
  apiKey?: string;
  /** Voice id; default the `ELEVENLABS_VOICE_ID` environment variable. */
  voiceId?: string;
  /** WebSocket base URL; default `wss://api.elevenlabs.io`. Tests point it at the fake. */
  baseUrl?: string;
  /** Model; default `'eleven_flash_v2_5'` (`eleven_v3` has no WebSocket API). */
  modelId?: string;
  /**
   * Raw output format; default from the pipeline output rate: `ulaw_8000` at 8000 Hz, else
   * `pcm_<rate>` (see {@link outputFormatForPipeline}).
   */
  outputFormat?: RawOutputFormat;
  voiceSettings?: ElevenLabsVoiceSettings;
  /** `generation_config.chunk_length_schedule` (characters), for token mode. */
  chunkLengthSchedule?: readonly number[];
  /** ISO 639-1 language code, for models that take it. */
  languageCode?: string;
  /** `inactivity_timeout` in seconds, 1..180; default 60. */
  inactivityTimeoutSeconds?: number;
  /** Send a keep-alive after this many ms without a message; default 10000. Must be below the inactivity timeout. */
  keepAliveIntervalMs?: number;
  /** How long to wait for closed contexts to finish before starting a fresh socket, in ms; default 1000. */
  contextCloseWaitMs?: number;
}

/** Server message, as far as the service reads it (camelCase, see the SDK's `AudioOutputMulti`). */
interface ServerMessage {
  audio?: string | null;
  isFinal?: boolean | null;
  contextId?: string;
  context_id?: string;
  alignment?: CharacterAlignment | null;
  normalizedAlignment?: CharacterAlignment | null;
  error?: string;
  message?: string;
  code?: number;
}

/** A context open on the server (its `isFinal` not received yet). */
interface OpenContext {
  readonly id: string;
  readonly decoder: RawAudioDecoder;
  readonly words: AlignmentWordTracker;
  /** Ms of audio received for it: the offset of the next message's alignment. */
  audioMs: number;
  closeSent: boolean;
}

/** One socket. */
interface Connection {
  readonly id: string;
  readonly socket: WebSocket;
  readonly ready: Promise<void>;
  readonly contexts: Map<string, OpenContext>;
  readonly alive: AbortController;
  /** Wakes waiters when a context finishes or the socket closes. */
  changed: (() => void)[];
  lastSentAt: number;
  closing: boolean;
  closed: boolean;
}

const MAX_CONTEXTS = 5;
const ERROR_CODES: Record<string, ServiceError['code']> = {
  invalid_api_key: 'auth',
  max_active_conversations: 'rate-limited',
  too_many_concurrent_requests: 'rate-limited',
};

/** See the module comment. */
export class ElevenLabsTTSService extends TTSService {
  readonly #options: ElevenLabsTTSServiceOptions;
  #connection: Connection | undefined;
  #encoding: RawOutputEncoding | undefined;

  /** @throws {InvalidOptionError} for an invalid option. */
  constructor(options: ElevenLabsTTSServiceOptions = {}) {
    super({ ...options, model: options.model ?? options.modelId ?? 'eleven_flash_v2_5' });
    this.#options = options;
    const timeout = options.inactivityTimeoutSeconds ?? 60;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 180) {
      throw new InvalidOptionError(
        'inactivityTimeoutSeconds',
        `inactivityTimeoutSeconds must be an integer 1..180, got ${timeout}`,
      );
    }
    if ((options.keepAliveIntervalMs ?? 10_000) >= timeout * 1000) {
      throw new InvalidOptionError(
        'keepAliveIntervalMs',
        'keepAliveIntervalMs must be shorter than the inactivity timeout',
      );
    }
  }

  /** The output format requested (valid after the StartFrame). */
  get outputFormat(): RawOutputFormat {
    return this.#options.outputFormat ?? outputFormatForPipeline(this.sampleRate);
  }

  protected override async connect(signal: AbortSignal): Promise<void> {
    await this.#ensureConnection(signal);
  }

  protected override async disconnect(): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#connection = undefined;
    connection.closing = true;
    connection.alive.abort();
    if (connection.socket.readyState === WebSocket.OPEN) {
      connection.socket.send(JSON.stringify({ close_socket: true }));
      await this.#waitFor(connection, () => connection.closed, 1000);
    }
    connection.socket.terminate();
  }

  protected override async openContext(contextId: string, signal: AbortSignal): Promise<void> {
    let connection = await this.#ensureConnection(signal);
    if (connection.contexts.size >= MAX_CONTEXTS) {
      await this.#waitFor(
        connection,
        () => connection.contexts.size < MAX_CONTEXTS,
        this.#options.contextCloseWaitMs ?? 1000,
      );
      if (connection.contexts.size >= MAX_CONTEXTS) {
        this.logger.warn(
          { open: connection.contexts.size },
          'ElevenLabs contexts did not close in time; new socket',
        );
        await this.disconnect();
        connection = await this.#ensureConnection(signal);
      }
    }
    const stale = connection.contexts.get(contextId);
    if (stale !== undefined && !stale.closeSent) return;
    connection.contexts.set(contextId, {
      id: contextId,
      decoder: new RawAudioDecoder(this.#encoding as RawOutputEncoding),
      words: new AlignmentWordTracker(),
      audioMs: 0,
      closeSent: false,
    });
    const settings = this.#options.voiceSettings;
    this.#send(connection, {
      text: ' ',
      context_id: contextId,
      ...(settings === undefined
        ? {}
        : {
            voice_settings: {
              ...(settings.stability === undefined ? {} : { stability: settings.stability }),
              ...(settings.similarityBoost === undefined
                ? {}
                : { similarity_boost: settings.similarityBoost }),
              ...(settings.style === undefined ? {} : { style: settings.style }),
              ...(settings.useSpeakerBoost === undefined
                ? {}
                : { use_speaker_boost: settings.useSpeakerBoost }),
              ...(settings.speed === undefined ? {} : { speed: settings.speed }),
            },
          }),
      ...(this.#options.chunkLengthSchedule === undefined
        ? {}
        : { generation_config: { chunk_length_schedule: [...this.#options.chunkLengthSchedule] } }),
    });
  }

  protected override sendText(contextId: string, text: string): void {
    const connection = this.#openConnection();
    // Text chunks should end with a space (the API's guidance; it marks a word boundary).
    this.#send(connection, { text: text.endsWith(' ') ? text : `${text} `, context_id: contextId });
  }

  protected override flushContext(contextId: string): void {
    const connection = this.#openConnection();
    const context = connection.contexts.get(contextId);
    this.#send(connection, { context_id: contextId, text: '', flush: true });
    // Closing after a flush lets the flushed text finish, then the server sends isFinal.
    this.#send(connection, { context_id: contextId, close_context: true });
    if (context !== undefined) context.closeSent = true;
  }

  protected override cancelContext(contextId: string): void {
    const connection = this.#connection;
    const context = connection?.contexts.get(contextId);
    if (connection === undefined || context === undefined || context.closeSent) return;
    context.closeSent = true;
    if (connection.socket.readyState === WebSocket.OPEN) {
      this.#send(connection, { context_id: contextId, close_context: true });
    }
  }

  #openConnection(): Connection {
    const connection = this.#connection;
    if (connection === undefined || connection.closed || connection.socket.readyState !== WebSocket.OPEN) {
      throw new ServiceError('network', 'ElevenLabs socket is not open');
    }
    return connection;
  }

  #send(connection: Connection, message: Record<string, unknown>): void {
    connection.socket.send(JSON.stringify(message));
    connection.lastSentAt = this.clock.now();
  }

  /** The open socket, opening one if needed. */
  async #ensureConnection(signal: AbortSignal): Promise<Connection> {
    let connection = this.#connection;
    if (connection === undefined || connection.closed || connection.closing) {
      connection = this.#openSocket();
      this.#connection = connection;
    }
    await rejectOnAbort(connection.ready, signal);
    return connection;
  }

  #openSocket(): Connection {
    const apiKey = this.#options.apiKey ?? process.env.ELEVENLABS_API_KEY;
    const voiceId = this.#options.voiceId ?? process.env.ELEVENLABS_VOICE_ID;
    if (!apiKey)
      throw new ServiceError('auth', 'No ElevenLabs API key: pass apiKey or set ELEVENLABS_API_KEY');
    if (!voiceId)
      throw new ServiceError('bad-request', 'No ElevenLabs voice: pass voiceId or set ELEVENLABS_VOICE_ID');
    const format = this.outputFormat;
    const encoding = rawOutputEncoding(format);
    if (encoding === undefined)
      throw new ServiceError('bad-request', `output format ${format} is not raw audio`);
    this.#encoding = encoding;

    const query = new URLSearchParams({
      model_id: this.model ?? 'eleven_flash_v2_5',
      output_format: format,
      inactivity_timeout: String(this.#options.inactivityTimeoutSeconds ?? 60),
      auto_mode: this.#textModeIsSentence() ? 'true' : 'false',
    });
    if (this.#options.languageCode) query.set('language_code', this.#options.languageCode);
    const base = (this.#options.baseUrl ?? 'wss://api.elevenlabs.io').replace(/\/$/, '');
    const url = `${base}/v1/text-to-speech/${encodeURIComponent(voiceId)}/multi-stream-input?${query}`;
    const socket = new WebSocket(url, { headers: { 'xi-api-key': apiKey } });

    let opened!: () => void;
    let refused!: (error: unknown) => void;
    const connection: Connection = {
      id: randomUUID(),
      socket,
      ready: new Promise<void>((resolve, reject) => {
        opened = resolve;
        refused = reject;
      }),
      contexts: new Map(),
      alive: new AbortController(),
      changed: [],
      lastSentAt: this.clock.now(),
      closing: false,
      closed: false,
    };
    connection.ready.catch(() => {});
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      refused(
        new ServiceError(
          serviceErrorCodeForStatus(status),
          `ElevenLabs refused the connection: HTTP ${status}`,
          { status },
        ),
      );
      socket.terminate();
    });
    socket.on('open', () => {
      opened();
      void this.#keepAlive(connection);
    });
    socket.on('error', (error) => refused(error));
    socket.on('message', (data) => this.#onMessage(connection, data.toString()));
    socket.on('close', (code, reason) => this.#onClose(connection, code, reason.toString()));
    return connection;
  }

  #textModeIsSentence(): boolean {
    return (this.#options.textMode ?? 'sentence') === 'sentence';
  }

  #onMessage(connection: Connection, text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.logger.warn({ text: text.slice(0, 100) }, 'ElevenLabs sent a message that is not JSON');
      return;
    }
    if (typeof message.error === 'string') {
      this.#onServerError(message);
      return;
    }
    const contextId = message.contextId ?? message.context_id;
    const context = contextId === undefined ? undefined : connection.contexts.get(contextId);
    if (context === undefined) return;
    if (typeof message.audio === 'string' && message.audio !== '') {
      const pcm = context.decoder.decode(Buffer.from(message.audio, 'base64'));
      const words = context.words.add(message.alignment ?? message.normalizedAlignment, context.audioMs);
      context.audioMs += (pcm.length / context.decoder.encoding.sampleRate) * 1000;
      if (words.length > 0) this.pushWordTimestamps(context.id, words);
      this.pushAudio(context.id, pcm, { sampleRate: context.decoder.encoding.sampleRate });
    }
    if (message.isFinal === true) {
      const last = context.words.flush();
      if (last.length > 0) this.pushWordTimestamps(context.id, last);
      connection.contexts.delete(context.id);
      this.#notify(connection);
      this.completeContext(context.id);
    }
  }

  #onServerError(message: ServerMessage): void {
    const code = ERROR_CODES[message.error ?? ''] ?? 'bad-request';
    const fault = new ServiceError(
      code,
      `ElevenLabs error ${message.error}: ${message.message ?? ''}`.trim(),
    );
    this.logger.error({ error: message.error, message: message.message }, 'ElevenLabs error message');
    const active = this.activeContextId;
    if (active !== undefined) this.failContext(active, fault);
    else this.pushError(fault);
  }

  #onClose(connection: Connection, code: number, reason: string): void {
    connection.closed = true;
    connection.alive.abort();
    const lost = new SocketClosedError('ElevenLabs socket closed', code, reason);
    const hadContexts = connection.contexts.size > 0;
    connection.contexts.clear();
    this.#notify(connection);
    if (this.#connection === connection) this.#connection = undefined;
    if (connection.closing) return;
    // Not opened yet: the handshake handlers already rejected `ready` with the precise cause.
    const active = this.activeContextId;
    if (active !== undefined && hadContexts) this.failContext(active, lost);
    this.logger.warn({ code, reason }, 'ElevenLabs socket closed');
  }

  /** One loop per socket: a keep-alive whenever nothing was sent for the interval. */
  async #keepAlive(connection: Connection): Promise<void> {
    const interval = this.#options.keepAliveIntervalMs ?? 10_000;
    try {
      for (;;) {
        const due = connection.lastSentAt + interval - this.clock.now();
        if (due > 0) {
          await this.clock.sleep(due, connection.alive.signal);
          continue;
        }
        if (connection.closed || connection.socket.readyState !== WebSocket.OPEN) return;
        const active = this.activeContextId;
        const context = active === undefined ? undefined : connection.contexts.get(active);
        this.#send(
          connection,
          context !== undefined && !context.closeSent ? { text: '', context_id: context.id } : { text: '' },
        );
      }
    } catch {
      // Aborted: the socket closed.
    }
  }

  #notify(connection: Connection): void {
    for (const wake of connection.changed.splice(0)) wake();
  }

  /** Waits until `condition` holds (re-checked when contexts change) or `timeoutMs` passes. */
  async #waitFor(connection: Connection, condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = this.clock.now() + timeoutMs;
    while (!condition() && !connection.closed) {
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) return;
      const timer = new AbortController();
      const changed = new Promise<void>((resolve) => connection.changed.push(resolve));
      await Promise.race([changed, this.clock.sleep(remaining, timer.signal).catch(() => {})]);
      timer.abort();
    }
  }
}
