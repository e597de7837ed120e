/**
 * One live-transcription stream on the fake Deepgram server: receives audio and control messages,
 * and answers with scripted transcripts as the audio clock passes each word, in the real
 * message shapes.
 *
 * Time here is **audio time**: seconds of audio received on this connection, computed from the
 * byte count and the declared `encoding`/`sample_rate`/`channels`. Results are therefore
 * deterministic whatever the wall clock does, like the real service, whose `start`/`duration`
 * and word times are also audio seconds from the start of the stream.
 *
 * Message shapes: `@deepgram/sdk` 5.13 `api/resources/listen/resources/v1/types`
 * (ListenV1Results, ListenV1UtteranceEnd, ListenV1SpeechStarted, ListenV1Metadata).
 * Behaviour: https://developers.deepgram.com/docs/understand-endpointing-interim-results,
 * https://developers.deepgram.com/docs/utterance-end, https://developers.deepgram.com/docs/finalize,
 * https://developers.deepgram.com/docs/close-stream, https://developers.deepgram.com/docs/audio-keep-alive;
 * close codes from https://enterprise-docs.deepgram.com/guides/streaming/error-handling
 * (1011 NET-0001 no audio within the timeout window, 1002 DATA-0000 undecodable audio).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '@voxline/core';
import type { RawData, WebSocket } from 'ws';
import type { ListenQuery } from './listen-query.js';

/** A word the fake "recognises", with its audio times in seconds from the stream start. */
export interface ScriptedWord {
  /** The word as the model outputs it (lower case, no punctuation). */
  word: string;
  /** Start, in seconds of audio from the start of the stream. */
  start: number;
  /** End, in seconds of audio from the start of the stream. */
  end: number;
  /** Punctuated form used when `punctuate` or `smart_format` is on; default `word`. */
  punctuatedWord?: string;
  /** Confidence 0..1; default 0.99. */
  confidence?: number;
}

/** An utterance: words said together, ended by a pause. */
export interface ScriptedUtterance {
  words: readonly ScriptedWord[];
  /**
   * Whether endpointing detects the pause after the utterance; default true. False simulates a
   * noisy line where `speech_final` never comes, so only `UtteranceEnd` ends the turn.
   */
  speechFinal?: boolean;
}

/** Options of one fake stream; see {@link FakeDeepgramServerOptions}. */
export interface FakeDeepgramConnectionOptions {
  utterances: readonly ScriptedUtterance[];
  inactivityTimeoutMs: number;
  resultLatencyMs: number;
  silenceFinalEveryMs: number;
  clock: Clock;
}

/** A text message the client sent, with the audio time it arrived at. */
export interface ReceivedControlMessage {
  type: string;
  message: Record<string, unknown>;
  /** Audio seconds received before it. */
  audioSeconds: number;
}

/** How the fake ended the stream. */
export interface StreamClose {
  code: number;
  reason: string;
}

/** Seconds of audio after the last word at which an un-endpointed segment is finalized anyway. */
const SEGMENT_FINAL_AFTER_SECONDS = 0.5;

/** First bytes of the containers the real service sniffs when no `encoding` is given. */
const CONTAINER_MAGIC: readonly number[][] = [
  [0x52, 0x49, 0x46, 0x46], // RIFF (WAV)
  [0x4f, 0x67, 0x67, 0x53], // OggS
  [0x66, 0x4c, 0x61, 0x43], // fLaC
  [0x49, 0x44, 0x33], // ID3 (MP3)
  [0x1a, 0x45, 0xdf, 0xa3], // EBML (WebM)
];

function startsWith(data: Buffer, magic: readonly number[]): boolean {
  return magic.every((byte, index) => data[index] === byte);
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** One stream; created by the server for every accepted upgrade. */
export class FakeDeepgramConnection {
  /** The `dg-request-id` of this stream. */
  readonly requestId = randomUUID();
  /** Text messages received (KeepAlive, Finalize, CloseStream), in order. */
  readonly controlMessages: ReceivedControlMessage[] = [];
  /** Binary audio messages received, in order (copies). */
  readonly audioChunks: Buffer[] = [];
  /** JSON messages the fake sent, in order. */
  readonly sentMessages: Record<string, unknown>[] = [];
  /**
   * Requests the real service would mishandle but not reject (e.g. a KeepAlive sent as a binary
   * frame); a correct client leaves this empty.
   */
  readonly violations: string[] = [];
  /** Resolves when the stream has ended, however it ended. */
  readonly closed: Promise<StreamClose>;

  #audioBytes = 0;
  #lastActivityAt: number;
  readonly #idleWatch = new AbortController();
  #resolveClosed!: (close: StreamClose) => void;
  #ended = false;
  #sawFirstAudio = false;

  // Transcript state: the utterance being heard and how much of it was reported.
  #utteranceIndex = 0;
  #interimWordCount = 0;
  #finalWordCount = 0;
  #speechStartedSent = false;
  /** Audio seconds up to which results are final (the start of the next result). */
  #finalCursor = 0;

  readonly #options: FakeDeepgramConnectionOptions;
  readonly #socket: WebSocket;
  constructor(
    /** 0 for the first stream the server accepted, then 1, 2, ... */
    readonly index: number,
    /** The parsed query parameters of the upgrade request. */
    readonly query: ListenQuery,
    /** The headers of the upgrade request. */
    readonly headers: IncomingHttpHeaders,
    socket: WebSocket,
    options: FakeDeepgramConnectionOptions,
  ) {
    this.#options = options;
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#lastActivityAt = options.clock.now();
    socket.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    socket.on('close', (code, reason) => this.#finish({ code, reason: reason.toString() }));
    socket.on('error', () => this.#finish({ code: 1006, reason: 'socket error' }));
    void this.#watchInactivity();
  }

  /** Seconds of audio received so far (0 when the encoding is not measurable). */
  get audioSeconds(): number {
    return this.query.bytesPerSecond === undefined ? 0 : this.#audioBytes / this.query.bytesPerSecond;
  }

  /** Bytes of audio received so far. */
  get audioByteCount(): number {
    return this.#audioBytes;
  }

  /** The KeepAlive messages received. */
  get keepAlives(): ReceivedControlMessage[] {
    return this.controlMessages.filter((message) => message.type === 'KeepAlive');
  }

  /** The Finalize messages received. */
  get finalizes(): ReceivedControlMessage[] {
    return this.controlMessages.filter((message) => message.type === 'Finalize');
  }

  /** Whether the stream is still open. */
  get open(): boolean {
    return !this.#ended;
  }

  /** Closes the stream with a close frame, as the service does on errors. */
  close(code: number, reason: string): void {
    if (this.#ended) return;
    this.#socket.close(code, reason);
  }

  /** Drops the TCP connection without a close frame (a network failure; the client sees 1006). */
  drop(): void {
    if (this.#ended) return;
    this.#socket.terminate();
    this.#finish({ code: 1006, reason: 'dropped' });
  }

  #finish(close: StreamClose): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#idleWatch.abort();
    this.#resolveClosed(close);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.#ended) return;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (isBinary) this.#onAudio(bytes);
    else this.#onControl(bytes.toString('utf8'));
  }

  #onAudio(bytes: Buffer): void {
    // A zero-length binary frame is the legacy "close stream" signal.
    if (bytes.length === 0) {
      this.#closeStream();
      return;
    }
    if (bytes[0] === 0x7b && bytes.subarray(0, 8).toString('latin1').startsWith('{"type"')) {
      this.violations.push('control message sent as a binary frame (the service treats it as audio)');
    }
    if (!this.#sawFirstAudio) {
      this.#sawFirstAudio = true;
      if (this.query.encoding === undefined && !CONTAINER_MAGIC.some((magic) => startsWith(bytes, magic))) {
        // Raw audio without `encoding`: nothing to sniff, so it cannot be decoded.
        this.#socket.close(1002, 'DATA-0000');
        return;
      }
    }
    this.audioChunks.push(Buffer.from(bytes));
    this.#audioBytes += bytes.length;
    this.#lastActivityAt = this.#options.clock.now();
    this.#advance(this.audioSeconds);
  }

  #onControl(text: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.violations.push(`text frame is not JSON: ${text.slice(0, 60)}`);
      return;
    }
    const type = typeof message.type === 'string' ? message.type : '';
    this.controlMessages.push({ type, message, audioSeconds: this.audioSeconds });
    switch (type) {
      case 'KeepAlive':
        this.#lastActivityAt = this.#options.clock.now();
        return;
      case 'Finalize':
        this.#finalize();
        return;
      case 'CloseStream':
        this.#closeStream();
        return;
      default:
        this.violations.push(`unknown control message type '${type}'`);
    }
  }

  /** Closes with NET-0001 once no audio and no KeepAlive arrived for the timeout. */
  async #watchInactivity(): Promise<void> {
    const { clock, inactivityTimeoutMs } = this.#options;
    try {
      for (;;) {
        const idleFor = clock.now() - this.#lastActivityAt;
        if (idleFor >= inactivityTimeoutMs) {
          this.#socket.close(1011, 'NET-0001');
          return;
        }
        await clock.sleep(inactivityTimeoutMs - idleFor, this.#idleWatch.signal);
        if (this.#ended) return;
      }
    } catch {
      // Aborted: the stream ended.
    }
  }

  #send(message: Record<string, unknown>): void {
    this.sentMessages.push(message);
    const text = JSON.stringify(message);
    if (this.#options.resultLatencyMs <= 0) {
      if (!this.#ended) this.#socket.send(text);
      return;
    }
    void this.#options.clock.sleep(this.#options.resultLatencyMs).then(() => {
      if (!this.#ended) this.#socket.send(text);
    });
  }

  /** Emits whatever the audio up to `now` seconds reveals. */
  #advance(now: number): void {
    for (;;) {
      const utterance = this.#options.utterances[this.#utteranceIndex];
      if (utterance === undefined || utterance.words.length === 0) {
        this.#maybeSilenceFinal(now, Number.POSITIVE_INFINITY);
        return;
      }
      const words = utterance.words;
      const first = words[0] as ScriptedWord;
      const last = words[words.length - 1] as ScriptedWord;
      if (this.#finalWordCount === 0 && this.#interimWordCount === 0)
        this.#maybeSilenceFinal(now, first.start);

      if (this.query.vadEvents && !this.#speechStartedSent && now >= first.start) {
        this.#speechStartedSent = true;
        this.#send({ type: 'SpeechStarted', channel: [0], timestamp: round(first.start) });
      }

      let heard = 0;
      while (heard < words.length && (words[heard] as ScriptedWord).end <= now) heard++;
      if (this.query.interimResults && heard > this.#finalWordCount && heard > this.#interimWordCount) {
        this.#interimWordCount = heard;
        this.#sendResults(words.slice(this.#finalWordCount, heard), now, {
          isFinal: false,
          speechFinal: false,
        });
      }

      if (heard === words.length && this.#finalWordCount < words.length) {
        const endpointed = this.query.endpointingMs !== false && utterance.speechFinal !== false;
        const endpointingSeconds = endpointed
          ? (this.query.endpointingMs as number) / 1000
          : SEGMENT_FINAL_AFTER_SECONDS;
        if (now < last.end + endpointingSeconds) return;
        this.#sendResults(words.slice(this.#finalWordCount), now, { isFinal: true, speechFinal: endpointed });
        this.#finalWordCount = words.length;
      }
      if (this.#finalWordCount < words.length) return;

      if (this.query.utteranceEndMs !== undefined) {
        if (now < last.end + this.query.utteranceEndMs / 1000) return;
        this.#send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: round(last.end) });
      }
      this.#utteranceIndex++;
      this.#interimWordCount = 0;
      this.#finalWordCount = 0;
      this.#speechStartedSent = false;
    }
  }

  /** During silence the real service still finalizes (empty) segments every few seconds. */
  #maybeSilenceFinal(now: number, nextSpeechStart: number): void {
    const every = this.#options.silenceFinalEveryMs / 1000;
    if (every <= 0) return;
    while (now - this.#finalCursor >= every && this.#finalCursor + every <= nextSpeechStart) {
      this.#sendResults([], this.#finalCursor + every, { isFinal: true, speechFinal: false });
    }
  }

  /** Handles `Finalize`: everything heard so far becomes final, flagged `from_finalize`. */
  #finalize(): void {
    const now = this.audioSeconds;
    const utterance = this.#options.utterances[this.#utteranceIndex];
    let pending: readonly ScriptedWord[] = [];
    if (utterance !== undefined) {
      let started = this.#finalWordCount;
      while (started < utterance.words.length && (utterance.words[started] as ScriptedWord).start < now)
        started++;
      pending = utterance.words.slice(this.#finalWordCount, started);
      this.#finalWordCount = started;
      this.#interimWordCount = Math.max(this.#interimWordCount, started);
    }
    this.#sendResults(pending, now, { isFinal: true, speechFinal: false, fromFinalize: true });
    this.#advance(now);
  }

  /** Handles `CloseStream`: final results, then Metadata, then a normal close. */
  #closeStream(): void {
    this.#finalize();
    const duration = this.audioSeconds;
    this.#send({
      type: 'Metadata',
      transaction_key: 'deprecated',
      request_id: this.requestId,
      sha256: createHash('sha256').update(Buffer.concat(this.audioChunks)).digest('hex'),
      created: new Date().toISOString(),
      duration: round(duration),
      channels: this.query.channels,
    });
    const close = () => {
      if (!this.#ended) this.#socket.close(1000);
    };
    if (this.#options.resultLatencyMs > 0)
      void this.#options.clock.sleep(this.#options.resultLatencyMs).then(close);
    else close();
  }

  #sendResults(
    words: readonly ScriptedWord[],
    now: number,
    flags: { isFinal: boolean; speechFinal: boolean; fromFinalize?: boolean },
  ): void {
    const punctuate = this.query.punctuate;
    const start = this.#finalCursor;
    if (flags.isFinal) this.#finalCursor = Math.max(this.#finalCursor, now);
    const transcript = words
      .map((word) => (punctuate ? (word.punctuatedWord ?? word.word) : word.word))
      .join(' ');
    const confidence = words.length === 0 ? 0 : Math.min(...words.map((word) => word.confidence ?? 0.99));
    this.#send({
      type: 'Results',
      channel_index: [0, 1],
      duration: round(Math.max(0, now - start)),
      start: round(start),
      is_final: flags.isFinal,
      speech_final: flags.speechFinal,
      from_finalize: flags.fromFinalize ?? false,
      channel: {
        alternatives: [
          {
            transcript,
            confidence,
            words: words.map((word) => ({
              word: word.word,
              start: round(word.start),
              end: round(word.end),
              confidence: word.confidence ?? 0.99,
              ...(punctuate ? { punctuated_word: word.punctuatedWord ?? word.word } : {}),
            })),
          },
        ],
      },
      metadata: {
        request_id: this.requestId,
        model_uuid: '00000000-0000-4000-8000-000000000000',
        model_info: {
          name: this.query.model ?? 'general',
          version: 'fake',
          arch: this.query.model ?? 'fake',
        },
      },
    });
  }
}
