import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { VADError } from '@voxline/audio';
import { defaultLogger, type Logger } from '@voxline/core';
import { ProcessRestartBudget, type SileroProcessRestartOptions } from './process-restart-budget.js';
import type { SileroBatch } from './silero-batch.js';
import type { SileroBatchRunner } from './silero-batch-runner.js';
import { SILERO_STREAM_STATE_SIZE } from './silero-model-interface.js';
import { SILERO_MODEL_PATH, SILERO_SESSION_OPTIONS } from './silero-session.js';

/** The child's entry point: CommonJS, shipped beside `src` and `dist` (see its header comment). */
export const SILERO_INFERENCE_CHILD_PATH: string = fileURLToPath(
  new URL('../child/silero-inference-child.cjs', import.meta.url),
);

const REQUEST_HEADER_BYTES = 12;
const RESPONSE_HEADER_BYTES = 8;
const MAX_ERROR_MESSAGE_BYTES = 4096;
/** At most one crash report a minute per runner; the ones in between are counted in the next. */
const CRASH_LOG_INTERVAL_MS = 60_000;

/** A batch sent to the child, waiting for its answer. */
interface PendingRun {
  batch: SileroBatch;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Byte views of a batch's buffers and its request header, made once per batch. */
interface BatchBytes {
  header: Buffer;
  input: Uint8Array;
  state: Uint8Array;
  output: Uint8Array;
  stateN: Uint8Array;
}

/** Options of {@link ProcessBatchRunner}. */
export interface ProcessBatchRunnerOptions {
  modelPath?: string;
  /** Most rows of a batch (the scheduler's `maxBatchSize`): sizes the child's buffers. */
  capacity: number;
  restart?: SileroProcessRestartOptions;
  /** Where a crash of the child is reported (rate-limited); default `defaultLogger()`. */
  logger?: Logger;
}

/**
 * Runs batches in a child process (`child_process.fork` of `child/silero-inference-child.cjs`)
 * with its own Silero session, so a crash of onnxruntime-node's native code (a segfault, an
 * abort) ends the child and not this process. Signals and exits of the child are contained; a
 * hang is not detected.
 *
 * Batches go over a binary pipe (not the JSON IPC channel): a 12-byte header and the batch's
 * input rows and packed state, written straight from the batch's buffers, one batch at a time
 * ({@link maxBatchesInFlight} 1: the scheduler keeps filling the next batch while the child
 * works, so a slow child makes larger batches instead of a queue); the answer (speech
 * probabilities and next states) is read straight into the batch's `output` and `stateN`. Per
 * batch, Node's stream allocates the chunks it reads; nothing is allocated per window.
 *
 * When the child dies, the batch it held rejects (its windows report `vad-inference-failed`
 * and are skipped), one error is logged (at most one a minute, counting the crashes in
 * between), and the next batch starts a new child after a backoff (see
 * {@link SileroProcessRestartOptions}); past the cap of restarts a minute, batches reject at once
 * until a restart is allowed again. The child's handles do not keep the process alive while no
 * batch is running.
 */
export class ProcessBatchRunner implements SileroBatchRunner {
  readonly needsSharedBuffers = false;
  readonly maxBatchesInFlight = 1;
  readonly #modelPath: string;
  readonly #capacity: number;
  readonly #budget: ProcessRestartBudget;
  readonly #logger: Logger | undefined;
  #child: ChildProcess | undefined;
  #pipe: Socket | undefined;
  #childStartedAt = 0;
  /** Whether the current child has loaded the model (a crash before is a load failure, not logged). */
  #childLoaded = false;
  /** Resolves once the current child is ready; undefined when no child is starting or running. */
  #ready: Promise<void> | undefined;
  /** The timer of a restart waiting out its backoff, so {@link close} can cancel it. */
  #backoffTimer: NodeJS.Timeout | undefined;
  #cancelBackoff: ((error: Error) => void) | undefined;
  readonly #pending: PendingRun[] = [];
  readonly #bytes = new WeakMap<SileroBatch, BatchBytes>();
  // The answer being read: its header, then its body into the head pending batch (or an error).
  readonly #responseHeader = Buffer.alloc(RESPONSE_HEADER_BYTES);
  #responseHeaderFilled = 0;
  #responseStatus = 0;
  #responseBodyBytes = 0;
  #responseBodyFilled = 0;
  readonly #errorMessage = Buffer.alloc(MAX_ERROR_MESSAGE_BYTES);
  #childrenStarted = 0;
  #lastCrashLogAt = Number.NEGATIVE_INFINITY;
  #crashesNotLogged = 0;
  #closed = false;

  constructor(options: ProcessBatchRunnerOptions) {
    this.#modelPath = options.modelPath ?? SILERO_MODEL_PATH;
    this.#capacity = options.capacity;
    this.#budget = new ProcessRestartBudget(options.restart);
    this.#logger = options.logger;
  }

  /** Process id of the running child, if any (for tests and monitoring). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Children started so far: 1 for the first, plus one per restart. */
  get childrenStarted(): number {
    return this.#childrenStarted;
  }

  load(): Promise<void> {
    if (this.#closed)
      return Promise.reject(new VADError('vad-closed', 'the Silero inference process is closed'));
    if (this.#ready !== undefined) return this.#ready;
    const now = performance.now();
    const delay = this.#budget.delayBeforeStart(now);
    if (delay === undefined) {
      const seconds = Math.ceil((this.#budget.retryAt(now) - now) / 1000);
      return Promise.reject(
        new VADError(
          'vad-inference-failed',
          `the Silero inference process crashed ${this.#budget.maxRestartsPerMinute} times in a minute; ` +
            `next start in ${seconds} s`,
        ),
      );
    }
    const ready = (delay > 0 ? this.#wait(delay) : Promise.resolve()).then(() => this.#start());
    this.#ready = ready;
    ready.catch(() => {
      if (this.#ready === ready) this.#ready = undefined;
    });
    return ready;
  }

  async run(batch: SileroBatch): Promise<void> {
    await this.load();
    const pipe = this.#pipe;
    // The child can die between its start and this run; the batch fails like one it was running.
    if (pipe === undefined)
      throw new VADError('vad-inference-failed', 'the Silero inference process stopped');
    const bytes = this.#bytesOf(batch);
    const rows = batch.size;
    bytes.header.writeUInt32LE(batch.sampleRate, 0);
    bytes.header.writeUInt32LE(rows, 4);
    bytes.header.writeUInt32LE(batch.rowSize, 8);
    return new Promise<void>((resolve, reject) => {
      if (this.#pending.length === 0) this.#refChild();
      this.#pending.push({ batch, resolve, reject });
      // The views stay valid until the answer: the batch is not reused before its run settles.
      pipe.cork();
      pipe.write(bytes.header);
      pipe.write(bytes.input.subarray(0, rows * batch.rowSize * 4));
      pipe.write(bytes.state.subarray(0, rows * SILERO_STREAM_STATE_SIZE * 4));
      pipe.uncork();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#backoffTimer !== undefined) clearTimeout(this.#backoffTimer);
    this.#cancelBackoff?.(new VADError('vad-closed', 'the Silero inference process was closed'));
    const child = this.#child;
    this.#drop(new VADError('vad-closed', 'the Silero inference process was closed'));
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      // Unreferenced while idle: without this, a process with nothing else to do would end before
      // the exit it awaits.
      child.ref();
      child.kill('SIGTERM');
      await exited;
    }
  }

  #wait(delay: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#cancelBackoff = reject;
      this.#backoffTimer = setTimeout(() => {
        this.#backoffTimer = undefined;
        this.#cancelBackoff = undefined;
        resolve();
      }, delay);
    });
  }

  #start(): Promise<void> {
    if (this.#closed) throw new VADError('vad-closed', 'the Silero inference process is closed');
    const settings = {
      onnxruntimePath: createRequire(import.meta.url).resolve('onnxruntime-node'),
      modelPath: this.#modelPath,
      sessionOptions: { ...SILERO_SESSION_OPTIONS },
      capacity: this.#capacity,
    };
    const startedAt = performance.now();
    this.#budget.starting(startedAt);
    this.#childrenStarted++;
    // No inherited Node flags: the parent's (a test runner's loader, --inspect) are not the child's.
    const child = fork(SILERO_INFERENCE_CHILD_PATH, [JSON.stringify(settings)], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
      serialization: 'json',
    });
    const pipe = child.stdio[4] as Socket;
    this.#child = child;
    this.#pipe = pipe;
    this.#childStartedAt = startedAt;
    this.#childLoaded = false;
    this.#resetResponse();
    pipe.on('data', (chunk: Buffer) => {
      if (this.#child === child) this.#read(chunk);
    });
    // A broken pipe shows as the child's exit, handled there.
    pipe.on('error', () => {});
    return new Promise<void>((resolve, reject) => {
      let loaded = false;
      const failLoad = (cause: Error) => {
        reject(
          new VADError(
            'vad-load-failed',
            `could not load the Silero VAD model ${this.#modelPath} in a child process`,
            { cause },
          ),
        );
      };
      child.on('message', (message: { type: string; message?: string }) => {
        if (message.type === 'ready') {
          loaded = true;
          if (this.#child === child) this.#childLoaded = true;
          if (this.#pending.length === 0) this.#unrefChild();
          resolve();
        } else if (message.type === 'load-failed') {
          failLoad(new VADError('vad-load-failed', message.message ?? 'the Silero model did not load'));
        }
      });
      child.on('error', (error) => {
        // Spawning failed (no exit follows) or a message could not be sent (the child is dying).
        if (child.pid !== undefined) return;
        const cause = this.#lost(child, null, null, error);
        if (!loaded) failLoad(cause);
      });
      child.on('exit', (code, signal) => {
        const cause = this.#lost(child, code, signal);
        if (!loaded) failLoad(cause);
      });
    });
  }

  /** The child is gone: fail what it held and let the next batch start another. */
  #lost(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: Error): Error {
    const how =
      error !== undefined
        ? `could not start: ${error.message}`
        : signal !== null
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
    const cause = new VADError(
      'vad-inference-failed',
      `the Silero inference process (pid ${child.pid}) ${how}`,
      {
        cause: error,
      },
    );
    if (this.#child !== child) return cause;
    const now = performance.now();
    const heldBatches = this.#pending.length;
    const wasLoaded = this.#childLoaded;
    this.#budget.crashed(this.#childStartedAt, now);
    this.#drop(cause);
    // A child that never loaded reports through the load's vad-load-failed instead.
    if (!this.#closed && wasLoaded) this.#report(cause, heldBatches, now);
    return cause;
  }

  /** Forgets the current child (its pipe closed) and rejects its pending runs with `error`. */
  #drop(error: Error): void {
    this.#pipe?.destroy();
    this.#pipe = undefined;
    this.#child = undefined;
    this.#ready = undefined;
    const pending = this.#pending.splice(0);
    for (const run of pending) run.reject(error);
  }

  #report(cause: Error, heldBatches: number, now: number): void {
    if (now - this.#lastCrashLogAt < CRASH_LOG_INTERVAL_MS) {
      this.#crashesNotLogged++;
      return;
    }
    this.#lastCrashLogAt = now;
    const crashesSinceLastReport = this.#crashesNotLogged;
    this.#crashesNotLogged = 0;
    (this.#logger ?? defaultLogger()).error(
      {
        error: cause.message,
        failedBatches: heldBatches,
        crashesSinceLastReport,
        restartsInLastMinute: this.#budget.restartsInLastMinute(now),
      },
      'Silero VAD inference process died; the windows it held failed and a new one starts with the next batch',
    );
  }

  /** Reads answers from the child, straight into the buffers of the batches they belong to. */
  #read(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#responseHeaderFilled < RESPONSE_HEADER_BYTES) {
        const take = Math.min(RESPONSE_HEADER_BYTES - this.#responseHeaderFilled, chunk.length - offset);
        chunk.copy(this.#responseHeader, this.#responseHeaderFilled, offset, offset + take);
        this.#responseHeaderFilled += take;
        offset += take;
        if (this.#responseHeaderFilled < RESPONSE_HEADER_BYTES) return;
        this.#responseStatus = this.#responseHeader.readUInt32LE(0);
        this.#responseBodyBytes = this.#responseHeader.readUInt32LE(4);
        this.#responseBodyFilled = 0;
        const head = this.#pending[0];
        const expected = head === undefined ? -1 : head.batch.size * (1 + SILERO_STREAM_STATE_SIZE) * 4;
        if (
          head === undefined ||
          (this.#responseStatus === 0 && this.#responseBodyBytes !== expected) ||
          (this.#responseStatus !== 0 && this.#responseBodyBytes > MAX_ERROR_MESSAGE_BYTES)
        ) {
          // Not the protocol: a child in an unknown state is replaced.
          this.#child?.kill('SIGKILL');
          return;
        }
      }
      const head = this.#pending[0]!;
      const take = Math.min(this.#responseBodyBytes - this.#responseBodyFilled, chunk.length - offset);
      if (this.#responseStatus === 0) this.#copyResult(head.batch, chunk, offset, take);
      else chunk.copy(this.#errorMessage, this.#responseBodyFilled, offset, offset + take);
      this.#responseBodyFilled += take;
      offset += take;
      if (this.#responseBodyFilled === this.#responseBodyBytes) this.#finishResponse();
    }
  }

  /** Copies `length` bytes of an answer's body at `offset` of `chunk` into the batch's outputs. */
  #copyResult(batch: SileroBatch, chunk: Buffer, offset: number, length: number): void {
    const bytes = this.#bytesOf(batch);
    const outputBytes = batch.size * 4;
    let at = this.#responseBodyFilled;
    let from = offset;
    const end = offset + length;
    if (at < outputBytes) {
      const take = Math.min(outputBytes - at, end - from);
      bytes.output.set(chunk.subarray(from, from + take), at);
      at += take;
      from += take;
    }
    if (from < end) bytes.stateN.set(chunk.subarray(from, end), at - outputBytes);
  }

  #finishResponse(): void {
    const run = this.#pending.shift()!;
    const status = this.#responseStatus;
    const messageBytes = this.#responseBodyBytes;
    this.#resetResponse();
    if (this.#pending.length === 0) this.#unrefChild();
    if (status === 0) run.resolve();
    else
      run.reject(new VADError('vad-inference-failed', this.#errorMessage.toString('utf8', 0, messageBytes)));
  }

  #resetResponse(): void {
    this.#responseHeaderFilled = 0;
    this.#responseBodyBytes = 0;
    this.#responseBodyFilled = 0;
  }

  #bytesOf(batch: SileroBatch): BatchBytes {
    let bytes = this.#bytes.get(batch);
    if (bytes === undefined) {
      const view = (array: Float32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      bytes = {
        header: Buffer.alloc(REQUEST_HEADER_BYTES),
        input: view(batch.input),
        state: view(batch.state),
        output: view(batch.output),
        stateN: view(batch.stateN),
      };
      this.#bytes.set(batch, bytes);
    }
    return bytes;
  }

  #refChild(): void {
    this.#child?.ref();
    this.#child?.channel?.ref();
    this.#pipe?.ref();
  }

  #unrefChild(): void {
    this.#child?.unref();
    this.#child?.channel?.unref();
    this.#pipe?.unref();
  }
}
