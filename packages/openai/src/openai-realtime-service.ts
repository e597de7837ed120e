/**
 * OpenAI Realtime speech-to-speech (`wss://api.openai.com/v1/realtime`, GA interface) as one
 * Voxline processor, on the SDK's Realtime WebSocket client (`OpenAIRealtimeWS` from
 * `openai/realtime/ws`, which runs on `ws`).
 *
 * It takes the caller's audio and produces the bot's: it replaces STT, LLM and TTS. Wire facts
 * (https://platform.openai.com/docs/api-reference/realtime; `openai` 6.49 `resources/realtime`):
 * - GA session: `session.update` with `session.type: "realtime"`, nested
 *   `audio.input/output.format`, no `OpenAI-Beta` header (the SDK's GA client sends none);
 * - telephony passthrough: with `audio/pcmu` both ways (the default when the pipeline runs at
 *   8000 Hz) the caller's µ-law bytes go up unchanged (G.711 decode then encode is lossless) and
 *   the model's µ-law comes back; otherwise `audio/pcm`, which is 24 kHz only;
 * - input audio is appended as base64 (`input_audio_buffer.append`); the server's VAD
 *   (`server_vad`, `create_response`, `interrupt_response`) takes turns and cancels a reply when
 *   the caller speaks;
 * - barge-in: on `input_audio_buffer.speech_started` the service broadcasts an
 *   `InterruptionFrame` (the transport clears its queue) and sends `conversation.item.truncate`
 *   for the reply being played, with `audio_end_ms` = what the caller heard, so the model's memory
 *   matches the call. The heard time is the transport's `BotInterruptedFrame` (sent upstream) when
 *   one arrives within `heardWaitMs`, else the bot-speaking time reported by
 *   `BotStarted/StoppedSpeakingFrame`s; never more than the audio sent. Late audio of the cut
 *   reply is dropped.
 *
 * Frames out: `InputAudioRawFrame`s forwarded; `UserStartedSpeakingFrame`/`UserStoppedSpeaking
 * Frame` (both ways) from the server's VAD; the caller's words as `TranscriptionFrame`s when
 * `inputTranscriptionModel` is set; per reply `TTSStartedFrame(itemId)`, `TTSTextFrame`s of the
 * transcript, `TTSAudioRawFrame`s (`contextId` = the item id), `TTSStoppedFrame`; function calls
 * as `FunctionCallInProgressFrame`/`FunctionCallResultFrame`; `llm-usage` metrics per response.
 *
 * Function calls run through {@link OpenAIRealtimeService.functions}; their results are sent as
 * `function_call_output` items and, once the response is done, `response.create` asks for the
 * spoken answer. Faults: a refused handshake is retried if transient; a lost socket is reported
 * (`ErrorFrame`) and a new session opened (the server-side conversation is lost with it); `error`
 * events are reported as non-fatal `ErrorFrame`s.
 */

import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '@voxline/audio';
import {
  BotInterruptedFrame,
  BotStartedSpeakingFrame,
  BotStoppedSpeakingFrame,
  CancelFrame,
  EndFrame,
  type Frame,
  FrameDirection,
  FunctionCallInProgressFrame,
  FunctionCallResultFrame,
  FunctionRegistry,
  InputAudioRawFrame,
  LLMContext,
  ServiceError,
  StartFrame,
  TranscriptionFrame,
  TTSAudioRawFrame,
  TTSStartedFrame,
  TTSStoppedFrame,
  TTSTextFrame,
  UserStartedSpeakingFrame,
  UserStoppedSpeakingFrame,
} from '@voxline/core';
import {
  AIService,
  type AIServiceOptions,
  formatFunctionResult,
  functionResultValue,
  SocketClosedError,
  serviceErrorCodeForStatus,
} from '@voxline/core/processor-kit';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';
import type { ClientOptions } from 'ws';

/** Audio encoding on the Realtime socket. */
export type RealtimeAudioEncoding = 'pcmu' | 'pcma' | 'pcm';

/** Options of {@link OpenAIRealtimeService}. */
export interface OpenAIRealtimeServiceOptions extends AIServiceOptions {
  /** API key; default the `OPENAI_API_KEY` environment variable. */
  apiKey?: string;
  /** API base URL (the SDK dials `wss:` on its host); default the SDK's. */
  baseURL?: string;
  /** Model; default `'gpt-realtime'`. */
  model?: string;
  /** Voice; default `'marin'`. */
  voice?: string;
  /** System instructions. */
  instructions?: string;
  /** Audio encoding both ways; default `'pcmu'` when the pipeline input is 8000 Hz, else `'pcm'` (24 kHz). */
  audio?: RealtimeAudioEncoding;
  /** `server_vad` silence before a turn ends, in ms; default 500. */
  silenceDurationMs?: number;
  /** `server_vad` audio kept before speech starts, in ms; default 300. */
  prefixPaddingMs?: number;
  /** `server_vad` threshold 0..1; default the server's (0.5). */
  vadThreshold?: number;
  /** Transcribe the caller with this model (e.g. `'gpt-4o-mini-transcribe'`); default off. */
  inputTranscriptionModel?: string;
  /** Functions the model may call; default an empty registry. */
  functions?: FunctionRegistry;
  /** How long to wait for the transport's heard time after a barge-in, in ms; default 200. */
  heardWaitMs?: number;
  /** `ws` client options, e.g. `{ ca }` to trust a local test server's certificate. */
  webSocketOptions?: ClientOptions;
  /** A preconfigured client; `apiKey`/`baseURL` are then ignored. */
  client?: OpenAI;
}

/** A server event, as far as the service reads it. */
type ServerEvent = Record<string, unknown> & { type: string };

/** The reply being played to the caller. */
interface PlayingReply {
  itemId: string;
  /** Ms of its audio pushed downstream. */
  sentMs: number;
  /** Ms the caller heard while the bot was reported speaking (closed intervals). */
  playedMs: number;
  /** Clock ms since when the bot is reported speaking, if it is. */
  speakingSince: number | undefined;
  stopped: boolean;
}

interface Session {
  rt: OpenAIRealtimeWS;
  closing: boolean;
}

/** See the module comment. */
export class OpenAIRealtimeService extends AIService {
  /** Functions the model may call. */
  readonly functions: FunctionRegistry;
  readonly #options: OpenAIRealtimeServiceOptions;
  #session: Session | undefined;
  #encoding: RealtimeAudioEncoding = 'pcm';
  #lifetime = new AbortController();
  #playing: PlayingReply | undefined;
  readonly #cutItems = new Set<string>();
  #heardReport: ((heardMs: number) => void) | undefined;
  #pendingFunctionOutputs = 0;
  /** A response that called functions is done; the answer waits for their outputs. */
  #responseDone = false;
  readonly #functionContext = new LLMContext();
  #encodeBuffer = new Uint8Array(0);
  #rateMismatchReported = false;

  constructor(options: OpenAIRealtimeServiceOptions = {}) {
    super({ ...options, model: options.model ?? 'gpt-realtime' });
    this.#options = options;
    this.functions = options.functions ?? new FunctionRegistry();
  }

  /** Whether the session is open and configured. */
  get connected(): boolean {
    return this.#session !== undefined && !this.#session.closing;
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void | Promise<void> {
    if (frame instanceof InputAudioRawFrame) {
      this.pushFrame(frame, direction);
      if (direction === FrameDirection.Downstream) this.#appendAudio(frame);
      return;
    }
    if (direction === FrameDirection.Upstream) this.#notePlayback(frame);
    if (frame instanceof StartFrame) {
      this.applyStartParams();
      this.#lifetime = new AbortController();
      this.#encoding = this.#options.audio ?? (this.params.audioInSampleRate === 8000 ? 'pcmu' : 'pcm');
      this.pushFrame(frame, direction);
      this.#open();
      return;
    }
    if (frame instanceof EndFrame || frame instanceof CancelFrame) this.#close();
    this.pushFrame(frame, direction);
  }

  override async cleanup(): Promise<void> {
    this.#close();
    await super.cleanup();
  }

  /** Sample rate in Hz of the socket's audio. */
  get #sampleRate(): number {
    return this.#encoding === 'pcm' ? 24000 : 8000;
  }

  #open(): void {
    const signal = this.#lifetime.signal;
    this.retry('Realtime connect', () => this.#connect(signal), signal).catch((error: unknown) =>
      this.reportFailure(error, 'Realtime connect failed'),
    );
  }

  #close(): void {
    this.#lifetime.abort();
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    session.closing = true;
    session.rt.close();
  }

  async #connect(signal: AbortSignal): Promise<void> {
    const client = this.#options.client ?? this.#createClient();
    const rt = await OpenAIRealtimeWS.create(client, {
      model: this.model ?? 'gpt-realtime',
      ...(this.#options.webSocketOptions === undefined ? {} : { options: this.#options.webSocketOptions }),
    });
    const session: Session = { rt, closing: false };
    await new Promise<void>((resolve, reject) => {
      let configured = false;
      const fail = (error: unknown) => {
        if (configured) return;
        configured = true;
        signal.removeEventListener('abort', onAbort);
        session.closing = true;
        reject(error);
        try {
          rt.socket.terminate();
        } catch {
          // Already closing: nothing to abort.
        }
      };
      const onAbort = () => fail(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      rt.socket.on('unexpected-response', (_request, response) => {
        const status = response.statusCode ?? 0;
        fail(
          new ServiceError(serviceErrorCodeForStatus(status), `Realtime handshake refused: HTTP ${status}`, {
            status,
          }),
        );
      });
      rt.socket.on('close', (code, reason) => {
        if (!configured) fail(new SocketClosedError('Realtime socket closed', code));
        else this.#onClose(session, code, reason.toString());
      });
      rt.on('error', (error) => {
        // A socket we gave up on (refused handshake, abort) reports its own teardown: not news.
        if (session.closing) return;
        if (!configured) {
          const cause = (error as { cause?: unknown }).cause;
          fail(cause ?? error);
          return;
        }
        const event = (error as { error?: { code?: string; message?: string } }).error;
        this.pushError(
          new ServiceError(
            'bad-request',
            `Realtime error ${event?.code ?? ''}: ${event?.message ?? error.message}`,
          ),
        );
      });
      rt.on('event', (event) => {
        const typed = event as unknown as ServerEvent;
        if (typed.type === 'session.created') this.#send(session, this.#sessionUpdate());
        else if (typed.type === 'session.updated' && !configured) {
          configured = true;
          signal.removeEventListener('abort', onAbort);
          this.#session = session;
          resolve();
        } else if (configured) this.#onEvent(session, typed);
      });
    });
    this.logger.debug({ encoding: this.#encoding }, 'Realtime session open');
  }

  #createClient(): OpenAI {
    const apiKey = this.#options.apiKey ?? process.env.OPENAI_API_KEY;
    if (!apiKey) throw new ServiceError('auth', 'No OpenAI API key: pass apiKey or set OPENAI_API_KEY');
    return new OpenAI({
      apiKey,
      ...(this.#options.baseURL === undefined ? {} : { baseURL: this.#options.baseURL }),
    });
  }

  #sessionUpdate(): RealtimeClientEvent {
    const format =
      this.#encoding === 'pcm'
        ? ({ type: 'audio/pcm', rate: 24000 } as const)
        : ({ type: this.#encoding === 'pcmu' ? 'audio/pcmu' : 'audio/pcma' } as const);
    const tools = this.functions.tools().map((tool) => ({
      type: 'function' as const,
      name: tool.function.name,
      ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
      parameters: tool.function.parameters,
    }));
    return {
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['audio'],
        ...(this.#options.instructions === undefined ? {} : { instructions: this.#options.instructions }),
        audio: {
          input: {
            format,
            turn_detection: {
              type: 'server_vad',
              silence_duration_ms: this.#options.silenceDurationMs ?? 500,
              prefix_padding_ms: this.#options.prefixPaddingMs ?? 300,
              ...(this.#options.vadThreshold === undefined ? {} : { threshold: this.#options.vadThreshold }),
              create_response: true,
              interrupt_response: true,
            },
            ...(this.#options.inputTranscriptionModel === undefined
              ? {}
              : { transcription: { model: this.#options.inputTranscriptionModel } }),
          },
          output: { format, voice: this.#options.voice ?? 'marin' },
        },
        ...(tools.length > 0 ? { tools, tool_choice: 'auto' as const } : {}),
      },
    };
  }

  #send(session: Session, event: RealtimeClientEvent): void {
    if (session.closing) return;
    session.rt.send(event);
  }

  /** Input audio: encoded for the socket and appended as base64 (one JSON message per frame). */
  #appendAudio(frame: InputAudioRawFrame): void {
    const session = this.#session;
    if (session === undefined || session.closing) return;
    if (frame.sampleRate !== this.#sampleRate || frame.numChannels !== 1) {
      if (!this.#rateMismatchReported) {
        this.#rateMismatchReported = true;
        this.pushError(
          new ServiceError(
            'unsupported-input',
            `Realtime ${this.#encoding} needs mono ${this.#sampleRate} Hz input, got ${frame.sampleRate} Hz; put a resampler before it`,
          ),
        );
      }
      return;
    }
    let bytes: Uint8Array;
    if (this.#encoding === 'pcm') {
      bytes = new Uint8Array(frame.audio.buffer, frame.audio.byteOffset, frame.audio.byteLength);
    } else {
      // Base64 copies the bytes into a string at once, so one buffer serves every frame.
      if (this.#encodeBuffer.length < frame.audio.length)
        this.#encodeBuffer = new Uint8Array(frame.audio.length);
      const out = this.#encodeBuffer.subarray(0, frame.audio.length);
      bytes = this.#encoding === 'pcmu' ? encodeMuLaw(frame.audio, out) : encodeALaw(frame.audio, out);
    }
    const audio = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    this.#send(session, { type: 'input_audio_buffer.append', audio });
  }

  #onEvent(session: Session, event: ServerEvent): void {
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        void this.#onSpeechStarted(session, event);
        return;
      case 'input_audio_buffer.speech_stopped':
        this.metrics.startTtfb();
        this.#both(() => new UserStoppedSpeakingFrame(event.audio_end_ms as number | undefined));
        return;
      case 'conversation.item.input_audio_transcription.completed':
        this.pushFrame(new TranscriptionFrame(String(event.transcript ?? '')), FrameDirection.Downstream);
        return;
      case 'response.output_audio.delta':
        this.#onAudioDelta(event);
        return;
      case 'response.output_audio_transcript.delta':
        if (!this.#cutItems.has(String(event.item_id)) && typeof event.delta === 'string') {
          this.pushFrame(new TTSTextFrame(event.delta, String(event.item_id)), FrameDirection.Downstream);
        }
        return;
      case 'response.output_audio.done':
        this.#endReply(String(event.item_id));
        return;
      case 'response.function_call_arguments.done':
        void this.#runFunction(session, event);
        return;
      case 'response.done':
        this.#onResponseDone(session, event);
        return;
      default:
        return;
    }
  }

  #onAudioDelta(event: ServerEvent): void {
    const itemId = String(event.item_id);
    if (this.#cutItems.has(itemId) || typeof event.delta !== 'string') return;
    const bytes = Buffer.from(event.delta, 'base64');
    let pcm: Int16Array;
    if (this.#encoding === 'pcmu') pcm = decodeMuLaw(bytes, new Int16Array(bytes.length));
    else if (this.#encoding === 'pcma') pcm = decodeALaw(bytes, new Int16Array(bytes.length));
    else {
      pcm = new Int16Array(bytes.length >> 1);
      for (let index = 0; index < pcm.length; index++) pcm[index] = bytes.readInt16LE(index * 2);
    }
    if (this.#playing?.itemId !== itemId) {
      this.#playing = { itemId, sentMs: 0, playedMs: 0, speakingSince: undefined, stopped: false };
      this.metrics.stopTtfb();
      this.pushFrame(new TTSStartedFrame(itemId), FrameDirection.Downstream);
    }
    this.#playing.sentMs += (pcm.length / this.#sampleRate) * 1000;
    this.pushFrame(
      new TTSAudioRawFrame({ audio: pcm, sampleRate: this.#sampleRate, contextId: itemId }),
      FrameDirection.Downstream,
    );
  }

  #endReply(itemId: string): void {
    const playing = this.#playing;
    if (playing === undefined || playing.itemId !== itemId || playing.stopped) return;
    playing.stopped = true;
    this.pushFrame(new TTSStoppedFrame(itemId), FrameDirection.Downstream);
  }

  /** Barge-in: interrupt the pipeline, then truncate the reply being played to what was heard. */
  async #onSpeechStarted(session: Session, event: ServerEvent): Promise<void> {
    const reply = this.#playing;
    const cut = reply !== undefined && !this.#cutItems.has(reply.itemId) ? reply : undefined;
    if (cut !== undefined) this.#cutItems.add(cut.itemId);
    // Listen for the transport's heard time before interrupting: it may answer synchronously.
    const heard = cut === undefined ? undefined : this.#heardOf(cut);
    this.broadcastInterruption();
    this.#both(() => new UserStartedSpeakingFrame(event.audio_start_ms as number | undefined));
    if (cut === undefined || heard === undefined) return;
    const heardMs = await heard;
    if (!cut.stopped) this.pushFrame(new TTSStoppedFrame(cut.itemId), FrameDirection.Downstream);
    cut.stopped = true;
    const audioEndMs = Math.max(0, Math.min(Math.floor(heardMs), Math.floor(cut.sentMs)));
    this.#send(session, {
      type: 'conversation.item.truncate',
      item_id: cut.itemId,
      content_index: 0,
      audio_end_ms: audioEndMs,
    });
    this.logger.debug({ itemId: cut.itemId, audioEndMs }, 'Realtime reply truncated to what was heard');
  }

  /** The transport's report of the heard time, or the bot-speaking estimate after `heardWaitMs`. */
  async #heardOf(reply: PlayingReply): Promise<number> {
    const waitMs = this.#options.heardWaitMs ?? 200;
    const timer = new AbortController();
    const reported = new Promise<number>((resolve) => {
      this.#heardReport = resolve;
    });
    const estimate = this.clock.sleep(waitMs, timer.signal).then(
      () => {
        const speaking = reply.speakingSince === undefined ? 0 : this.clock.now() - reply.speakingSince;
        return reply.playedMs + speaking;
      },
      () => Number.NaN,
    );
    const heard = await Promise.race([reported, estimate]);
    timer.abort();
    this.#heardReport = undefined;
    return heard;
  }

  /** Upstream frames from the output transport: playback state and heard time. */
  #notePlayback(frame: Frame): void {
    const reply = this.#playing;
    if (frame instanceof BotInterruptedFrame) {
      if (frame.contextId === undefined || frame.contextId === reply?.itemId)
        this.#heardReport?.(frame.heardMs);
      return;
    }
    if (reply === undefined) return;
    if (frame instanceof BotStartedSpeakingFrame) reply.speakingSince ??= this.clock.now();
    else if (frame instanceof BotStoppedSpeakingFrame && reply.speakingSince !== undefined) {
      reply.playedMs += this.clock.now() - reply.speakingSince;
      reply.speakingSince = undefined;
    }
  }

  async #runFunction(session: Session, event: ServerEvent): Promise<void> {
    const call = {
      id: String(event.call_id),
      name: String(event.name),
      arguments: String(event.arguments ?? ''),
    };
    this.#pendingFunctionOutputs++;
    const definition = this.functions.get(call.name);
    this.pushFrame(
      new FunctionCallInProgressFrame(
        call.id,
        call.name,
        safeParse(call.arguments),
        definition?.cancelOnInterruption ?? true,
      ),
      FrameDirection.Downstream,
    );
    const outcome = await this.functions.invoke(call, {
      context: this.#functionContext,
      signal: this.#lifetime.signal,
    });
    this.#send(session, {
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.id, output: formatFunctionResult(outcome) },
    });
    this.pushFrame(
      new FunctionCallResultFrame(
        call.id,
        call.name,
        outcome.args,
        functionResultValue(outcome),
        definition?.runLLM ?? true,
      ),
      FrameDirection.Downstream,
    );
    this.#pendingFunctionOutputs--;
    this.#answerIfReady(session, definition?.runLLM ?? true);
  }

  #onResponseDone(session: Session, event: ServerEvent): void {
    const response = (event.response ?? {}) as {
      status?: string;
      status_details?: { error?: { message?: string } } | null;
      output?: { type?: string; id?: string }[];
      usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null;
    };
    if (response.usage) {
      this.reportUsage({
        type: 'llm-usage',
        processor: this.name,
        model: this.model,
        promptTokens: response.usage.input_tokens ?? 0,
        completionTokens: response.usage.output_tokens ?? 0,
        totalTokens: response.usage.total_tokens ?? 0,
      });
    }
    if (response.status === 'failed') {
      this.pushError(
        new ServiceError(
          'server-error',
          `Realtime response failed: ${response.status_details?.error?.message ?? 'unknown'}`,
        ),
      );
    }
    for (const item of response.output ?? []) if (item.type === 'message' && item.id) this.#endReply(item.id);
    const calledFunctions = (response.output ?? []).some((item) => item.type === 'function_call');
    if (calledFunctions) {
      this.#responseDone = true;
      this.#answerIfReady(session, true);
    }
  }

  /** Once the function response is done and every output sent, ask for the spoken answer. */
  #answerIfReady(session: Session, runLLM: boolean): void {
    if (!this.#responseDone || this.#pendingFunctionOutputs > 0) return;
    this.#responseDone = false;
    if (runLLM) this.#send(session, { type: 'response.create' });
  }

  #onClose(session: Session, code: number, reason: string): void {
    if (session.closing) return;
    session.closing = true;
    if (this.#session === session) this.#session = undefined;
    this.reportFailure(
      new SocketClosedError('Realtime socket closed', code, reason),
      'Realtime session lost',
    );
    if (!this.#lifetime.signal.aborted) this.#open();
  }

  #both(make: () => Frame): void {
    this.pushFrame(make(), FrameDirection.Downstream);
    this.pushFrame(make(), FrameDirection.Upstream);
  }
}

function safeParse(encoded: string): unknown {
  try {
    return encoded.trim() === '' ? {} : JSON.parse(encoded);
  } catch {
    return encoded;
  }
}
