/**
 * Deepgram live speech-to-text (`wss://api.deepgram.com/v1/listen`) as a Voxline
 * {@link STTService}, on the official `@deepgram/sdk` (v5 `client.listen.v1.connect`).
 *
 * Wire facts it relies on (https://developers.deepgram.com/reference/speech-to-text/listen-streaming,
 * https://developers.deepgram.com/docs/audio-keep-alive):
 * - API keys authenticate with `Authorization: Token <key>` (the SDK adds the `Token` scheme);
 * - raw audio needs both `encoding` and `sample_rate`, so both are always sent: `linear16`
 *   (little-endian 16-bit PCM) at the pipeline's input rate, or `mulaw` at 8000 Hz for
 *   telephony, which halves the bytes sent and loses nothing when the caller's audio was µ-law
 *   to begin with (G.711 decode then encode gives back the same bytes);
 * - audio goes in binary frames; `KeepAlive`, `Finalize` and `CloseStream` are JSON text frames;
 * - the service closes the stream (1011 `NET-0001`) after 10 s without audio or KeepAlive, so a
 *   KeepAlive is sent whenever no audio was sent for `keepAliveIntervalMs` (one timer for the
 *   whole stream, on the pipeline clock);
 * - `start`/`duration` and word times are seconds from the start of *that* stream.
 *
 * Transcripts: interim results become `InterimTranscriptionFrame`s; `is_final` segments are
 * collected and the utterance is pushed as one `TranscriptionFrame` when Deepgram says it ended
 * — `speech_final` (endpointing saw a pause), `UtteranceEnd` (`utterance_end_ms` of no words,
 * which still fires when background noise keeps endpointing from firing), or the answer to our
 * `Finalize` (`from_finalize`), which is sent when the user stops speaking. Empty transcripts
 * are ignored.
 *
 * Connection: the SDK's own reconnection is switched off; the base class reconnects with backoff
 * on transient faults (network drops, 1011 closes, HTTP 429/5xx at the handshake) and replays the
 * audio held during the gap. Word times of later streams are shifted by the audio sent on
 * earlier ones, so `startMs`/`endMs` stay relative to the first stream.
 */
import { endianness } from 'node:os';
import { DeepgramClient } from '@deepgram/sdk';
import { encodeMuLaw } from '@voxline/audio';
import { InvalidOptionError, ServiceError, STTService, type STTServiceOptions } from '@voxline/core';
import { SocketClosedError, serviceErrorCodeForStatus } from '@voxline/core/processor-kit';

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
type ListenConnectArgs = Parameters<DeepgramClient['listen']['v1']['connect']>[0];

/** Options of {@link DeepgramSTTService}. */
export interface DeepgramSTTServiceOptions extends STTServiceOptions {
  /** API key; default the `DEEPGRAM_API_KEY` environment variable. */
  apiKey?: string;
  /** Base URL of the API; default the SDK's (`wss://api.deepgram.com`). Tests point it at the fake. */
  baseUrl?: string;
  /** Model; default `'nova-3'`. */
  model?: string;
  /** BCP-47 language, e.g. `'en-US'`; default Deepgram's (English). Reported on transcriptions. */
  language?: string;
  /**
   * Wire encoding: `'linear16'` (default) sends 16-bit PCM at the pipeline rate; `'mulaw'` sends
   * G.711 µ-law and requires 8000 Hz input (telephony).
   */
  encoding?: 'linear16' | 'mulaw';
  /** Ask for interim results; default true (also needed for `utteranceEndMs`). */
  interimResults?: boolean;
  /** Endpointing silence in ms, or false to disable it; default 300 (Deepgram's own default is 10). */
  endpointingMs?: number | false;
  /** `utterance_end_ms`: gap after the last word that ends an utterance; default 1000. 0 disables. */
  utteranceEndMs?: number;
  /** Punctuation and smart formatting; default true. */
  smartFormat?: boolean;
  /** Key terms to boost (nova-3 `keyterm`). */
  keyterms?: readonly string[];
  /** Send a KeepAlive after this many ms without audio; default 5000 (Deepgram closes after 10 s). */
  keepAliveIntervalMs?: number;
  /** On EndFrame, how long to wait for the final results after `CloseStream`, in ms; default 3000. */
  closeTimeoutMs?: number;
  /** Connection attempt timeout in seconds; default 10. */
  connectTimeoutSeconds?: number;
  /** Extra query parameters, passed as is. */
  extraQuery?: Record<string, string>;
}

/** Deepgram's `Results` message, as far as this service reads it. */
interface ResultsMessage {
  type: 'Results';
  is_final?: boolean;
  speech_final?: boolean;
  from_finalize?: boolean;
  channel?: { alternatives?: { transcript?: string; words?: { start: number; end: number }[] }[] };
}

/** One open stream and what belongs to it. */
interface Stream {
  socket: ListenSocket;
  /** Aborts this stream's keep-alive loop. */
  alive: AbortController;
  /** Audio seconds sent on earlier streams: the offset of this stream's times. */
  offsetSeconds: number;
  /** Whether we are closing it (a close is then not a lost connection). */
  closing: boolean;
  /** Resolves when the socket closed. */
  closed: Promise<void>;
}

const HTTP_STATUS_IN_MESSAGE = /Unexpected server response: (\d{3})/;

/** See the module comment. */
export class DeepgramSTTService extends STTService {
  readonly #options: DeepgramSTTServiceOptions;
  readonly #encoding: 'linear16' | 'mulaw';
  #client: DeepgramClient | undefined;
  #stream: Stream | undefined;
  #lifetimeSignal: AbortSignal | undefined;
  /** Samples sent on all streams so far (for time offsets). */
  #samplesSent = 0;
  #lastAudioAt = 0;
  /** `is_final` segments of the utterance in progress. */
  #segments: string[] = [];
  #utteranceStartSeconds: number | undefined;
  #utteranceEndSeconds: number | undefined;

  /**
   * @throws {InvalidOptionError} for an invalid retry policy or option.
   */
  constructor(options: DeepgramSTTServiceOptions = {}) {
    super({ ...options, model: options.model ?? 'nova-3' });
    this.#options = options;
    this.#encoding = options.encoding ?? 'linear16';
    if (options.keepAliveIntervalMs !== undefined && !(options.keepAliveIntervalMs > 0)) {
      throw new InvalidOptionError(
        'keepAliveIntervalMs',
        'keepAliveIntervalMs must be a positive number of ms',
      );
    }
  }

  /** The query parameters sent to `/v1/listen`, for logs and tests. */
  get connectArgs(): ListenConnectArgs {
    const options = this.#options;
    const interimResults = options.interimResults ?? true;
    const utteranceEndMs = options.utteranceEndMs ?? 1000;
    const smartFormat = options.smartFormat ?? true;
    const args: ListenConnectArgs = {
      model: this.model ?? 'nova-3',
      encoding: this.#encoding,
      sample_rate: this.sampleRate,
      channels: 1,
      interim_results: interimResults ? 'true' : 'false',
      endpointing: options.endpointingMs ?? 300,
      smart_format: smartFormat ? 'true' : 'false',
      punctuate: smartFormat ? 'true' : 'false',
      vad_events: 'true',
      ...(options.language === undefined ? {} : { language: options.language }),
      ...(utteranceEndMs > 0 && interimResults ? { utterance_end_ms: utteranceEndMs } : {}),
      ...(options.keyterms === undefined || options.keyterms.length === 0
        ? {}
        : { keyterm: [...options.keyterms] }),
      ...(options.extraQuery === undefined ? {} : { queryParams: options.extraQuery }),
    };
    return args;
  }

  protected override async connect(signal: AbortSignal): Promise<void> {
    if (this.#encoding === 'mulaw' && this.sampleRate !== 8000) {
      throw new ServiceError(
        'unsupported-input',
        `encoding 'mulaw' needs 8000 Hz input, the STT is opened at ${this.sampleRate} Hz`,
      );
    }
    this.#lifetimeSignal = signal;
    const apiKey = this.#options.apiKey ?? process.env.DEEPGRAM_API_KEY;
    if (apiKey === undefined || apiKey === '') {
      throw new ServiceError('auth', 'No Deepgram API key: pass apiKey or set DEEPGRAM_API_KEY');
    }
    this.#client ??= new DeepgramClient({
      apiKey,
      ...(this.#options.baseUrl === undefined ? {} : { baseUrl: this.#options.baseUrl }),
    });
    const socket = await this.#client.listen.v1.connect({
      ...this.connectArgs,
      // The base class owns reconnection (with backoff on the pipeline clock and audio held).
      reconnectAttempts: 0,
      shouldReconnect: () => false,
      connectionTimeoutInSeconds: this.#options.connectTimeoutSeconds ?? 10,
      abortSignal: signal,
    });
    let closedResolve!: () => void;
    const stream: Stream = {
      socket,
      alive: new AbortController(),
      offsetSeconds: this.#samplesSent / this.sampleRate,
      closing: false,
      closed: new Promise((resolve) => {
        closedResolve = resolve;
      }),
    };
    await new Promise<void>((resolve, reject) => {
      let opened = false;
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('open', () => {
        opened = true;
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      socket.on('error', (error) => {
        if (opened) return;
        signal.removeEventListener('abort', onAbort);
        reject(this.#handshakeError(error));
      });
      socket.on('close', (event) => {
        closedResolve();
        stream.alive.abort();
        if (!opened) {
          signal.removeEventListener('abort', onAbort);
          // The SDK reports a refused handshake as a close, then as an error with the HTTP
          // status: let the error's more precise rejection win.
          queueMicrotask(() =>
            reject(
              new ServiceError('network', `Deepgram closed the connection before it opened (${event.code})`),
            ),
          );
          return;
        }
        this.#onClose(stream, event.code, event.reason);
      });
      socket.on('message', (message) =>
        this.#onMessage(stream, message as unknown as Record<string, unknown>),
      );
      socket.connect();
    });
    this.#stream = stream;
    this.#lastAudioAt = this.clock.now();
    void this.#keepAlive(stream);
    this.logger.debug({ encoding: this.#encoding, sampleRate: this.sampleRate }, 'Deepgram stream open');
  }

  protected override sendAudio(pcm: Int16Array): void {
    const stream = this.#stream;
    if (stream === undefined) throw new ServiceError('network', 'Deepgram stream is not open');
    if (this.#encoding === 'mulaw') {
      // A fresh array: the socket may hold on to it until it is compressed and written.
      stream.socket.sendMedia(encodeMuLaw(pcm, new Uint8Array(pcm.length)));
    } else if (LITTLE_ENDIAN_HOST) {
      // linear16 is little-endian: on such hosts the samples' own bytes are the wire format.
      stream.socket.sendMedia(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    } else {
      stream.socket.sendMedia(toLittleEndian(pcm));
    }
    this.#samplesSent += pcm.length;
    this.#lastAudioAt = this.clock.now();
  }

  protected override finalize(): void {
    const stream = this.#stream;
    if (stream === undefined || stream.closing) return;
    stream.socket.sendFinalize({ type: 'Finalize' });
  }

  protected override async disconnect(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return;
    this.#stream = undefined;
    stream.closing = true;
    stream.alive.abort();
    const graceful = this.#lifetimeSignal?.aborted !== true;
    if (graceful && stream.socket.readyState === 1) {
      // CloseStream: Deepgram flushes, sends the last results and Metadata, then closes.
      try {
        stream.socket.sendCloseStream({ type: 'CloseStream' });
        const timeout = new AbortController();
        await Promise.race([
          stream.closed,
          this.clock.sleep(this.#options.closeTimeoutMs ?? 3000, timeout.signal).catch(() => {}),
        ]);
        timeout.abort();
      } catch (error) {
        this.logger.debug({ err: error }, 'Deepgram CloseStream failed');
      }
    }
    this.#flushUtterance();
    stream.socket.close();
  }

  /** One loop per stream: a KeepAlive whenever no audio went out for the interval. */
  async #keepAlive(stream: Stream): Promise<void> {
    const interval = this.#options.keepAliveIntervalMs ?? 5000;
    try {
      for (;;) {
        const due = this.#lastAudioAt + interval - this.clock.now();
        if (due > 0) {
          await this.clock.sleep(due, stream.alive.signal);
          continue;
        }
        if (stream.closing || stream.socket.readyState !== 1) return;
        stream.socket.sendKeepAlive({ type: 'KeepAlive' });
        this.#lastAudioAt = this.clock.now();
      }
    } catch {
      // Aborted: the stream closed.
    }
  }

  #onMessage(stream: Stream, message: Record<string, unknown>): void {
    switch (message.type) {
      case 'Results':
        this.#onResults(stream, message as unknown as ResultsMessage);
        return;
      case 'UtteranceEnd':
        this.#flushUtterance();
        return;
      default:
        // SpeechStarted and Metadata need nothing here.
        return;
    }
  }

  #onResults(stream: Stream, results: ResultsMessage): void {
    const alternative = results.channel?.alternatives?.[0];
    const transcript = alternative?.transcript ?? '';
    const words = alternative?.words ?? [];
    if (results.is_final !== true) {
      if (transcript === '') return;
      this.pushTranscription([...this.#segments, transcript].join(' '), {
        final: false,
        language: this.#options.language,
        result: results,
      });
      return;
    }
    if (transcript !== '') {
      this.#segments.push(transcript);
      const first = words[0];
      const last = words[words.length - 1];
      if (first !== undefined && this.#utteranceStartSeconds === undefined) {
        this.#utteranceStartSeconds = first.start + stream.offsetSeconds;
      }
      if (last !== undefined) this.#utteranceEndSeconds = last.end + stream.offsetSeconds;
    }
    if (results.speech_final === true || results.from_finalize === true) this.#flushUtterance();
  }

  /** Pushes the utterance collected so far as one final transcription. */
  #flushUtterance(): void {
    if (this.#segments.length === 0) return;
    const text = this.#segments.join(' ');
    const start = this.#utteranceStartSeconds;
    const end = this.#utteranceEndSeconds;
    this.#segments = [];
    this.#utteranceStartSeconds = undefined;
    this.#utteranceEndSeconds = undefined;
    this.pushTranscription(text, {
      final: true,
      language: this.#options.language,
      ...(start === undefined ? {} : { startMs: Math.round(start * 1000) }),
      ...(end === undefined ? {} : { endMs: Math.round(end * 1000) }),
    });
  }

  #onClose(stream: Stream, code: number, reason: string): void {
    if (stream.closing || this.#stream !== stream) return;
    this.#stream = undefined;
    // Segments already final stay final: push them before the next stream starts over.
    this.#flushUtterance();
    this.connectionLost(new SocketClosedError('Deepgram closed the stream', code, reason));
  }

  /** Turns the SDK's handshake error ("Unexpected server response: 401") into a ServiceError. */
  #handshakeError(error: Error): ServiceError {
    const status = HTTP_STATUS_IN_MESSAGE.exec(error.message)?.[1];
    if (status !== undefined) {
      return new ServiceError(
        serviceErrorCodeForStatus(Number(status)),
        `Deepgram refused the connection: HTTP ${status}`,
        {
          status: Number(status),
          cause: error,
        },
      );
    }
    return new ServiceError('network', `Deepgram connection failed: ${error.message}`, { cause: error });
  }
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Little-endian bytes of `pcm`, for big-endian hosts. */
function toLittleEndian(pcm: Int16Array): Uint8Array {
  const bytes = new Uint8Array(pcm.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < pcm.length; index++) view.setInt16(index * 2, pcm[index] as number, true);
  return bytes;
}
