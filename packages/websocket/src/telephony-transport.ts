/**
 * One carrier media-stream connection (one call): the socket, the carrier's serializer, the input
 * and output processors a pipeline is built around, and the checks every inbound message passes.
 *
 * ```
 *  carrier ──text──> receive() ── checks ── serializer.deserialize ──> input() ──> pipeline
 *  carrier <──text── send() <── serializer.serialize <── paced 20 ms frames ── output() <──┘
 * ```
 *
 * Inbound checks, in order, for every message (each refusal is logged with the call id, counted
 * in {@link TelephonyTransport.counters} by reason, and emitted as a `rejected` event):
 *
 * 1. rate: a token bucket per connection (`input.rateLimit`, default 200 messages/s sustained,
 *    bursts of 400); an empty bucket closes the socket with 1008 (policy violation);
 * 2. binary frames are refused and close the socket with 1003 (carriers send JSON text only);
 * 3. size: a message over `input.maxMessageBytes` (default 64 KiB) closes the socket with 1009;
 * 4. the carrier: with one plugin in `carriers`, the stream is that carrier's; with several, it is
 *    detected from the upgrade request and the first message(s) (`detectCarrier`, once per
 *    connection); a stream that is no served carrier's, or that two claim, closes the socket with
 *    1008;
 * 5. the serializer's verdict: a non-fatal {@link SerializerError} (malformed JSON, wrong types,
 *    invalid base64, media before start, an oversized payload, an unknown event, another stream's
 *    id) drops that message and the call goes on; a fatal one (an unsupported codec) closes the
 *    socket (1003);
 * 6. real time: inbound audio may run ahead of the time since `start` by at most
 *    `input.inboundAudioBurstMs` (default 1000 ms); audio beyond that is dropped
 *    (`audio-over-real-time`) and the call goes on. A caller cannot make the agent hear faster than it speaks.
 *
 * Checks 1 and 6 judge what the client sent, not how late we read it: time in which our event loop
 * was stalled is added to their allowance (see {@link EventLoopStallMonitor}).
 *
 * Nothing a peer sends can throw out of {@link TelephonyTransport.receive}; an unexpected failure
 * closes this connection with 1011 and affects no other.
 */
import {
  type BotInterruptedFrame,
  type Clock,
  defaultLogger,
  defaultPipelineParams,
  type Frame,
  InputAudioRawFrame,
  type Logger,
  maskPhoneNumber,
  realClock,
} from '@voxline/core';
import { RepeatedLogLimiter, TypedEventEmitter } from '@voxline/core/processor-kit';
import {
  type CallInfo,
  type Carrier,
  type CarrierPlugin,
  createCarrierSerializer,
  type DeserializedMessage,
  detectCarrier,
  type MediaStreamUpgrade,
  type SerializerAudioParams,
  SerializerError,
  type TelephonySerializer,
} from '@voxline/telephony';
import { checkCarriersOption } from './carriers-option.js';
import { CloseCode } from './close-codes.js';
import { processStallMonitor } from './event-loop-stall-monitor.js';
import { type MessageRateLimit, MessageRateLimiter, type StallClock } from './message-rate-limiter.js';
import type { CorkableWriter } from './pacing-scheduler.js';
import { resolveInputOptions, type TelephonyInputOptions } from './telephony-input-options.js';
import { TelephonyInputProcessor } from './telephony-input-processor.js';
import { resolveOutputOptions, type TelephonyOutputOptions } from './telephony-output-options.js';
import { TelephonyOutputProcessor } from './telephony-output-processor.js';
import {
  createTransportCounters,
  type InputRejectionReason,
  type TransportCounters,
} from './transport-counters.js';

/**
 * The socket a transport talks through: the part of a `ws` `WebSocket` it uses, so tests can pass a
 * fake. `readyState` 1 means open (the WebSocket API's `OPEN`).
 */
export interface MessageSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** The `net.Socket` under a `ws` WebSocket, when `socket` is one (`ws` keeps it in `_socket`). */
function underlyingSocket(socket: MessageSocket): CorkableWriter | undefined {
  const underlying = (socket as { _socket?: Partial<CorkableWriter> | null })._socket;
  return typeof underlying?.cork === 'function' && typeof underlying.uncork === 'function'
    ? (underlying as CorkableWriter)
    : undefined;
}

/** A WebSocket message as `ws` delivers it (text frames arrive as `Buffer`s too), or a string. */
export type SocketMessage = string | Buffer | ArrayBuffer | Buffer[];

/** Options of a {@link TelephonyTransport}. */
export interface TelephonyTransportOptions {
  /**
   * The carriers served, as plugins from the carrier packages: `[telnyxCarrier()]` for one carrier,
   * `[telnyxCarrier({ outboundEncoding: 'PCMU' }), twilioCarrier()]` for several. Required and
   * non-empty, one plugin per carrier. With one plugin, every stream is that carrier's; with
   * several, each connection's carrier is detected from its upgrade request and first messages
   * (`detectCarrier`). The transport creates the call's serializer with the plugin.
   */
  carriers: readonly CarrierPlugin[];
  /**
   * The connection's WebSocket upgrade request, for plugins that recognise their carrier by it
   * (`CarrierPlugin.recognizeUpgrade`); default none (recognition by messages only).
   */
  upgrade?: MediaStreamUpgrade;
  /**
   * Sample rates of the pipeline side the serializer is set up with when created; default the
   * pipeline defaults (16000 Hz in, 24000 Hz out). Change them with {@link TelephonyTransport.setAudioParams}.
   */
  audioParams?: SerializerAudioParams;
  /** Inbound checks: message size, message rate, audio ahead of real time; see {@link TelephonyInputOptions}. */
  input?: TelephonyInputOptions;
  /** Outbound pacing, marks and speaking state; see {@link TelephonyOutputOptions}. */
  output?: TelephonyOutputOptions;
  /**
   * The clock for pacing and rate limiting; default the real clock. With another clock, the limits
   * get no event-loop stall credit (stalls are measured in real time).
   */
  clock?: Clock;
  /** Logger; default the Voxline logger. Records carry the connection id, then the call id. */
  logger?: Logger;
}

/** Events of a {@link TelephonyTransport}. */
export type TelephonyTransportEvents = {
  /** The carrier's `start` message was read: the call is known. */
  start: [call: CallInfo];
  /** The carrier sent `stop`: the caller hung up, or the stream was stopped. */
  stop: [];
  /**
   * The call's `start` was refused (a codec it cannot handle): the socket is closing with 1003,
   * but the phone call is up, so it should be hung up. Emitted just before `closing`.
   */
  refusedCall: [call: CallInfo];
  /** An inbound message was refused; `detail` says why in words. */
  rejected: [reason: InputRejectionReason, detail: string];
  /** The bot was interrupted while its audio played (the frame also goes through the pipeline). */
  interrupted: [frame: BotInterruptedFrame];
  /** The transport is closing the socket (bad input it cannot survive, or the end of the call). */
  closing: [code: number, reason: string];
  /** The socket has closed, whoever closed it. */
  closed: [code: number, reason: string];
};

const OPEN = 1;
/** Refusals of one reason logged in full before logging only every 500th. */
const LOGGED_REFUSALS_PER_REASON = 3;

let lastConnectionId = 0;

function messageByteLength(message: SocketMessage): number {
  if (typeof message === 'string') return Buffer.byteLength(message);
  if (Array.isArray(message)) {
    let total = 0;
    for (const part of message) total += part.length;
    return total;
  }
  return message.byteLength;
}

function messageText(message: SocketMessage): string {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return Buffer.concat(message).toString('utf8');
  if (message instanceof ArrayBuffer) return Buffer.from(message).toString('utf8');
  return message.toString('utf8');
}

/** Close reasons are limited to 123 bytes by RFC 6455 §5.5; ours are ASCII. */
function closeReason(text: string): string {
  return text.length <= 120 ? text : `${text.slice(0, 117)}...`;
}

/** One connection; see the module comment. */
export class TelephonyTransport extends TypedEventEmitter<TelephonyTransportEvents> {
  /** Process-unique id of this connection, in every log record. */
  readonly connectionId: number = ++lastConnectionId;
  /** This connection's counters, updated in place. */
  readonly counters: TransportCounters = createTransportCounters();
  readonly clock: Clock;
  #currentLogger: Logger;
  readonly #carriers: readonly CarrierPlugin[];
  readonly #upgrade: MediaStreamUpgrade | undefined;
  #audioParams: SerializerAudioParams;
  readonly #maxMessageBytes: number;
  readonly #rateLimiter: MessageRateLimiter;
  readonly #rateLimit: Readonly<MessageRateLimit>;
  readonly #inputProcessor: TelephonyInputProcessor;
  readonly #outputProcessor: TelephonyOutputProcessor;
  #currentSerializer: TelephonySerializer | undefined;
  readonly #undetected: string[] = [];
  #state: 'open' | 'closing' | 'closed' = 'open';
  #currentCall: CallInfo | undefined;
  #stopReceived = false;
  readonly #stalls: StallClock;
  readonly #inboundAudioBurstMs: number;
  /** When `start` was read (clock ms), and the stall time then: the origin of the real-time check. */
  #audioOriginAt = 0;
  #audioOriginStallMs = 0;
  /** Inbound audio accepted since `start`, in ms. */
  #inboundAudioMs = 0;
  #lastMediaTime = 0;
  readonly #carrierErrorLogLimiter = new RepeatedLogLimiter();

  /**
   * @throws {InvalidOptionError} for a missing, empty or invalid `carriers` list (see the option),
   *   and for invalid `input` or `output` options, naming the option by its path (e.g. `output.leadMs`).
   */
  readonly #socket: MessageSocket;
  constructor(socket: MessageSocket, options: TelephonyTransportOptions) {
    super();
    this.#socket = socket;
    this.clock = options.clock ?? realClock;
    this.#currentLogger = (options.logger ?? defaultLogger()).child({ connection: this.connectionId });
    checkCarriersOption(options.carriers, 'TelephonyTransport');
    this.#carriers = options.carriers;
    this.#upgrade = options.upgrade;
    this.#audioParams = options.audioParams ?? {
      inputSampleRate: defaultPipelineParams.audioInSampleRate,
      outputSampleRate: defaultPipelineParams.audioOutSampleRate,
    };
    const input = resolveInputOptions(options.input, 'input.');
    const output = resolveOutputOptions(options.output, 'output.');
    this.#maxMessageBytes = input.maxMessageBytes;
    this.#inboundAudioBurstMs = input.inboundAudioBurstMs;
    this.#rateLimit = input.rateLimit;
    if (this.clock === realClock) {
      processStallMonitor.acquire();
      this.#stalls = processStallMonitor;
    } else {
      this.#stalls = { stallMs: () => 0 };
    }
    this.#rateLimiter = new MessageRateLimiter(this.#rateLimit, this.clock, this.#stalls);
    this.#inputProcessor = new TelephonyInputProcessor((count) => {
      this.counters.inboundFramesDropped += count;
    });
    const transport = this;
    this.#outputProcessor = new TelephonyOutputProcessor(
      {
        get serializer() {
          return transport.#currentSerializer;
        },
        counters: this.counters,
        send: (message) => this.send(message),
        onInterrupted: (frame) => this.emit('interrupted', frame),
        writer: this.#socketWriter,
      },
      output,
    );
  }

  /** The processor that brings the caller's frames into the pipeline: put it first. */
  input(): TelephonyInputProcessor {
    return this.#inputProcessor;
  }

  /** The processor that plays the agent's audio to the caller: put it last. */
  output(): TelephonyOutputProcessor {
    return this.#outputProcessor;
  }

  /** The call, once the carrier's `start` message was read. */
  get call(): CallInfo | undefined {
    return this.#currentCall;
  }

  /** The carrier, once known. */
  get carrier(): Carrier | undefined {
    return this.#currentSerializer?.carrier;
  }

  /** The serializer, once the carrier is known. */
  get serializer(): TelephonySerializer | undefined {
    return this.#currentSerializer;
  }

  /** The connection's logger (bound to the call id once the call is known). */
  get logger(): Logger {
    return this.#currentLogger;
  }

  /** True once the carrier sent `stop`. */
  get carrierStopped(): boolean {
    return this.#stopReceived;
  }

  /** When the last media message (or `start`) was read, in clock ms; 0 before `start`. */
  get lastMediaAt(): number {
    return this.#lastMediaTime;
  }

  /** True until the transport or the peer started closing the socket. */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /**
   * Sets the pipeline-side sample rates (from the pipeline parameters) on the serializer, now if
   * it exists, else when it is created. Rates equal to the current ones change nothing (setting
   * them again would rebuild the serializer's audio paths and lose audio they hold).
   */
  setAudioParams(params: SerializerAudioParams): void {
    const current = this.#audioParams;
    if (
      current.inputSampleRate === params.inputSampleRate &&
      current.outputSampleRate === params.outputSampleRate
    ) {
      return;
    }
    this.#audioParams = { ...params };
    this.#currentSerializer?.setup(this.#audioParams);
  }

  /**
   * Handles one inbound WebSocket message; see the module comment for the checks. Never throws.
   *
   * @param message - the message as `ws` delivers it, or a string.
   * @param isBinary - whether it arrived in a binary frame.
   */
  receive(message: SocketMessage, isBinary = false): void {
    if (this.#state !== 'open') return;
    const counters = this.counters;
    counters.messagesReceived++;
    const bytes = messageByteLength(message);
    counters.bytesReceived += bytes;
    if (!this.#rateLimiter.tryTake()) {
      const limit = this.#rateLimit;
      this.#refuse(
        'rate-limited',
        `more than ${limit.messagesPerSecond} messages/s (burst ${limit.burst})`,
        CloseCode.PolicyViolation,
      );
      return;
    }
    if (isBinary) {
      this.#refuse(
        'binary-message',
        `binary message of ${bytes} bytes; only JSON text is accepted`,
        CloseCode.UnsupportedData,
      );
      return;
    }
    if (bytes > this.#maxMessageBytes) {
      this.#refuse(
        'message-too-large',
        `message of ${bytes} bytes exceeds ${this.#maxMessageBytes}`,
        CloseCode.MessageTooBig,
      );
      return;
    }
    try {
      this.#receiveText(messageText(message));
    } catch (error) {
      this.#fail(error, 'inbound message handling failed');
    }
  }

  /**
   * Corks and uncorks the `net.Socket` under a `ws` WebSocket (its `_socket`), so the messages the
   * pacing scheduler sends in one pass leave in one write; `ws` itself corks around each frame's
   * header and payload, and corks nest. Does nothing for a socket without one (a test fake).
   */
  readonly #socketWriter: CorkableWriter = {
    cork: () => underlyingSocket(this.#socket)?.cork(),
    uncork: () => underlyingSocket(this.#socket)?.uncork(),
  };

  /**
   * Sends one text message to the carrier. Returns false, without throwing, when the socket is no
   * longer open (counted in `sendsAfterClose`).
   */
  send(message: string): boolean {
    if (this.#socket.readyState !== OPEN) {
      this.counters.sendsAfterClose++;
      return false;
    }
    try {
      this.#socket.send(message);
      return true;
    } catch (error) {
      this.counters.sendsAfterClose++;
      this.#currentLogger.debug({ err: error }, 'send failed');
      return false;
    }
  }

  /** Closes the socket with `code` (see {@link CloseCode}); later calls do nothing. Never throws. */
  close(code: number = CloseCode.Normal, reason = 'call ended'): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    const text = closeReason(reason);
    this.#currentLogger.info({ closeCode: code, reason: text }, 'closing the connection');
    this.emit('closing', code, text);
    try {
      this.#socket.close(code, text);
    } catch (error) {
      this.#currentLogger.warn({ err: error }, 'socket close failed');
    }
  }

  /** Tells the transport its socket has closed (wire it to the socket's `close` event). */
  handleSocketClose(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#stalls === processStallMonitor) processStallMonitor.release();
    this.#currentLogger.info({ closeCode: code, reason }, 'connection closed');
    this.emit('closed', code, reason);
  }

  /**
   * Tells the transport its socket reported an error (wire it to the socket's `error` event).
   * `ws` reports a message over its `maxPayload` this way, and closes the socket with 1009 itself.
   */
  handleSocketError(error: Error & { code?: string }): void {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.counters.messagesReceived++;
      this.#refuse('message-too-large', error.message, CloseCode.MessageTooBig);
      return;
    }
    this.#currentLogger.warn({ err: error }, 'socket error');
  }

  protected override onListenerError(error: unknown, eventName: string): void {
    this.#currentLogger.error({ err: error, event: eventName }, 'a transport event listener threw');
  }

  #receiveText(text: string): void {
    const serializer = this.#currentSerializer;
    if (serializer !== undefined) {
      this.#deserialize(serializer, text);
      return;
    }
    this.#undetected.push(text);
    let plugin = this.#carriers.length === 1 ? this.#carriers[0] : undefined;
    if (plugin === undefined) {
      const detection = detectCarrier(this.#undetected, this.#carriers, this.#upgrade);
      if (detection.kind === 'need-more') return;
      if (detection.kind === 'unknown') {
        this.#undetected.length = 0;
        this.#refuse('unknown-carrier', detection.reason, CloseCode.PolicyViolation);
        return;
      }
      plugin = detection.plugin;
      this.#currentLogger.debug(
        { carrier: plugin.carrier, evidence: detection.evidence },
        'carrier detected',
      );
    }
    const carrier = plugin.carrier;
    let created: TelephonySerializer;
    try {
      created = createCarrierSerializer(plugin);
      created.setup(this.#audioParams);
    } catch (error) {
      this.#undetected.length = 0;
      if (error instanceof SerializerError)
        this.#refuse(error.code, error.message, CloseCode.PolicyViolation);
      else this.#fail(error, 'serializer creation failed');
      return;
    }
    this.#currentSerializer = created;
    this.#currentLogger = this.#currentLogger.child({ carrier });
    for (const message of this.#undetected.splice(0)) {
      if (this.#state !== 'open') break;
      this.#deserialize(created, message);
    }
  }

  #deserialize(serializer: TelephonySerializer, text: string): void {
    let result: DeserializedMessage;
    try {
      result = serializer.deserialize(text);
    } catch (error) {
      if (!(error instanceof SerializerError)) throw error;
      if (error.fatal && error.call !== undefined) this.emit('refusedCall', error.call);
      const code = error.fatal
        ? error.code === 'unsupported-codec'
          ? CloseCode.UnsupportedData
          : CloseCode.PolicyViolation
        : undefined;
      this.#refuse(error.code, error.message, code);
      return;
    }
    const event = result.event;
    let frames = result.frames;
    switch (event.type) {
      case 'media':
        this.counters.mediaMessages++;
        this.#lastMediaTime = this.clock.now();
        if (frames.length > 0 && !this.#withinRealTime(frames)) frames = [];
        break;
      case 'start':
        this.#onStart(event.call);
        break;
      case 'mark':
        this.#outputProcessor.handleMarkEcho(event.name);
        break;
      case 'stop':
        this.#stopReceived = true;
        this.#currentLogger.info('the carrier stopped the stream');
        break;
      case 'error': {
        this.counters.carrierErrors++;
        const verdict = this.#carrierErrorLogLimiter.admit(String(event.code), this.clock.now());
        if (verdict === 'log') {
          this.#currentLogger.warn(
            { carrierCode: event.code, title: event.title, detail: event.detail },
            'the carrier reported an error',
          );
        } else if (verdict !== 'skip') {
          this.#currentLogger.warn(
            { carrierCode: event.code, repeated: verdict.suppressed },
            'the carrier reported the same error again',
          );
        }
        break;
      }
      case 'ignored':
        this.#refuse('ignored', event.reason);
        break;
      default:
        break;
    }
    if (frames.length > 0) this.#inputProcessor.deliver(frames);
    if (event.type === 'start') this.emit('start', event.call);
    else if (event.type === 'stop') this.emit('stop');
  }

  /**
   * Whether the audio in `frames` keeps the inbound stream within real time plus the burst
   * allowance (check 6 of the module comment); counts it when it does, refuses it when not.
   */
  #withinRealTime(frames: readonly Frame[]): boolean {
    let ms = 0;
    for (const frame of frames) {
      if (frame instanceof InputAudioRawFrame) ms += (frame.audio.length * 1000) / frame.sampleRate;
    }
    const elapsedMs = this.clock.now() - this.#audioOriginAt;
    const allowanceMs = this.#inboundAudioBurstMs + (this.#stalls.stallMs() - this.#audioOriginStallMs);
    if (this.#inboundAudioMs + ms <= elapsedMs + allowanceMs) {
      this.#inboundAudioMs += ms;
      return true;
    }
    this.#refuse(
      'audio-over-real-time',
      `inbound audio ${Math.round(this.#inboundAudioMs + ms)} ms is ahead of the ${Math.round(elapsedMs)} ms since start by more than ${this.#inboundAudioBurstMs} ms`,
    );
    return false;
  }

  #onStart(call: CallInfo): void {
    this.#audioOriginAt = this.clock.now();
    this.#audioOriginStallMs = this.#stalls.stallMs();
    this.#lastMediaTime = this.#audioOriginAt;
    this.#currentCall = call;
    const bindings: Record<string, unknown> = { callId: call.callId, streamId: call.streamId };
    if (call.from !== undefined) bindings.from = maskPhoneNumber(call.from);
    if (call.to !== undefined) bindings.to = maskPhoneNumber(call.to);
    this.#currentLogger = this.#currentLogger.child(bindings);
    this.#currentLogger.info({ mediaFormat: call.mediaFormat }, 'call started');
  }

  /** Counts and logs a refused message; closes the socket when `closeCode` is given. */
  #refuse(reason: InputRejectionReason, detail: string, closeCode?: number): void {
    const counters = this.counters;
    counters.rejectedMessages++;
    const count = ++counters.rejected[reason];
    if (count <= LOGGED_REFUSALS_PER_REASON || count % 500 === 0 || closeCode !== undefined) {
      // Ignored messages are expected in some setups (the other track's media): not a warning.
      if (reason === 'ignored') this.#currentLogger.debug({ reason, count }, `message ignored: ${detail}`);
      else this.#currentLogger.warn({ reason, count, closeCode }, `message refused: ${detail}`);
    }
    this.emit('rejected', reason, detail);
    if (closeCode !== undefined) this.close(closeCode, `${reason}: ${detail}`);
  }

  #fail(error: unknown, message: string): void {
    this.#currentLogger.error({ err: error }, message);
    this.close(CloseCode.InternalError, 'internal error');
  }
}
