/**
 * Streams 16-bit PCM to a WAV file on disk with bounded memory, for recordings too long to hold
 * in memory (a whole call).
 */

import { type FileHandle, open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { InvalidAudioArgumentError, WavTooLargeError, WavWriterClosedError } from '../errors.js';
import {
  DATA_SIZE_OFFSET,
  MAX_DATA_BYTES,
  pcm16WavHeader,
  RIFF_SIZE_OFFSET,
  WAV_HEADER_BYTES,
} from './wav-header.js';

/** Options of {@link WavFileWriter.open}. */
export interface WavFileWriterOptions {
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Interleaved channels. Default 1. */
  numChannels?: number;
  /** Size of the in-memory block samples are gathered in before a disk write, in bytes. Default 65,536. */
  blockBytes?: number;
}

const HOST_IS_BIG_ENDIAN = endianness() === 'BE';

/**
 * Writes a canonical 16-bit PCM WAV file (44-byte header) incrementally.
 *
 * `write()` is synchronous and cheap: it copies samples into an in-memory block (64 KiB by
 * default, about 2 s of 16 kHz mono); a full block is handed to an asynchronous disk write, in
 * order, and its memory is reused once written. Memory is therefore the current block plus
 * blocks the disk has not taken yet (one or two on a healthy disk; see `pendingBytes`).
 *
 * The header's RIFF and data sizes are written as 0 at open and patched by `flush()` and
 * `close()`. Until then other programs see an empty file; call `flush()` now and then for a
 * file that is valid up to that point even if the process dies.
 *
 * ```ts
 * const writer = await WavFileWriter.open('call.wav', { sampleRate: 16000, numChannels: 2 });
 * writer.write(stereoChunk); // as often as audio arrives
 * await writer.close();
 * ```
 */
export class WavFileWriter {
  readonly path: string;
  readonly sampleRate: number;
  readonly numChannels: number;

  readonly #handle: FileHandle;
  readonly #blockSamples: number;
  readonly #freeBlocks: Int16Array[] = [];
  #block: Int16Array;
  #blockFill = 0;
  /** Bytes of sample data accepted so far (written or buffered). */
  #dataBytes = 0;
  /** Bytes handed to disk writes so far; the next block starts at this offset after the header. */
  #submittedBytes = 0;
  /** Bytes handed to disk writes that have not completed. */
  #pendingBytes = 0;
  #writes: Promise<void> = Promise.resolve();
  #failure: unknown;
  #closed = false;

  private constructor(
    handle: FileHandle,
    path: string,
    sampleRate: number,
    numChannels: number,
    blockBytes: number,
  ) {
    this.#handle = handle;
    this.path = path;
    this.sampleRate = sampleRate;
    this.numChannels = numChannels;
    // A whole number of sample frames per block, so a block never splits a stereo pair.
    this.#blockSamples = Math.max(numChannels, Math.floor(blockBytes / 2 / numChannels) * numChannels);
    this.#block = new Int16Array(this.#blockSamples);
    // The header is the first background write, so it fails (for example a full disk) the way
    // sample writes do: on the next call.
    const header = pcm16WavHeader(sampleRate, numChannels, 0);
    this.#writes = this.#writeAt(header, 0);
  }

  /**
   * Creates (or truncates) `path` and starts writing the header.
   *
   * @throws {@link InvalidAudioArgumentError} if `sampleRate`, `numChannels` or `blockBytes` is not a positive integer.
   * @throws the `fs` error if the file cannot be opened (for example `ENOENT`, `EACCES`). Errors
   *   of later writes (for example `ENOSPC`) surface on the next `write`, `flush` or `close`.
   */
  static async open(path: string, options: WavFileWriterOptions): Promise<WavFileWriter> {
    const { sampleRate, numChannels = 1, blockBytes = 65536 } = options;
    for (const [name, value] of [
      ['sampleRate', sampleRate],
      ['numChannels', numChannels],
      ['blockBytes', blockBytes],
    ] as const) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new InvalidAudioArgumentError(`${name} must be a positive integer, got ${value}`);
      }
    }
    const handle = await open(path, 'w');
    return new WavFileWriter(handle, path, sampleRate, numChannels, blockBytes);
  }

  /** Sample frames (samples per channel) accepted so far. */
  get frameCount(): number {
    return this.#dataBytes / 2 / this.numChannels;
  }

  /** Duration accepted so far, in ms. */
  get durationMs(): number {
    return (this.frameCount * 1000) / this.sampleRate;
  }

  /** Bytes of audio held in memory and not yet on disk (the current block and writes in flight). */
  get pendingBytes(): number {
    return this.#pendingBytes + this.#blockFill * 2;
  }

  /**
   * Appends PCM. Synchronous; the disk write happens in the background (see class docs).
   *
   * @param pcm - 16-bit samples, interleaved, a whole number of sample frames; copied, not retained.
   * @throws {@link WavWriterClosedError} after `close()`, or if an earlier disk write failed (the
   *   failure is the `cause`).
   * @throws {@link InvalidAudioArgumentError} if `pcm.length` is not a multiple of `numChannels`.
   * @throws {@link WavTooLargeError} if the data would pass the 4 GiB RIFF limit (nothing is appended).
   */
  write(pcm: Int16Array): void {
    this.#assertWritable();
    const length = pcm.length;
    if (length % this.numChannels !== 0) {
      throw new InvalidAudioArgumentError(
        `chunk of ${length} samples is not a whole number of ${this.numChannels}-channel sample frames`,
      );
    }
    if (this.#dataBytes + length * 2 > MAX_DATA_BYTES) {
      throw new WavTooLargeError(`${this.path}: a WAV data chunk cannot exceed ${MAX_DATA_BYTES} bytes`);
    }
    this.#dataBytes += length * 2;
    let offset = 0;
    while (offset < length) {
      const block = this.#block;
      let fill = this.#blockFill;
      const end = Math.min(length, offset + this.#blockSamples - fill);
      while (offset < end) block[fill++] = pcm[offset++]!;
      this.#blockFill = fill;
      if (fill === this.#blockSamples) this.#submitBlock();
    }
  }

  /**
   * Writes everything accepted so far to disk and patches the header sizes, so the file is a
   * valid WAV of the audio written up to now.
   *
   * @throws {@link WavWriterClosedError} after `close()` or a failed write.
   */
  async flush(): Promise<void> {
    this.#assertWritable();
    this.#submitBlock();
    this.#queueHeaderPatch();
    await this.#writes;
    if (this.#failure !== undefined) {
      throw new WavWriterClosedError(`${this.path}: a disk write failed`, { cause: this.#failure });
    }
  }

  /**
   * Writes the remaining audio, patches the header and closes the file. Idempotent.
   *
   * @throws {@link WavWriterClosedError} with the disk error as `cause` if any write failed (the
   *   file is closed anyway).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#submitBlock();
    this.#queueHeaderPatch();
    await this.#writes;
    try {
      await this.#handle.close();
    } catch (error) {
      this.#failure ??= error;
    }
    if (this.#failure !== undefined) {
      throw new WavWriterClosedError(`${this.path}: a disk write failed`, { cause: this.#failure });
    }
  }

  #assertWritable(): void {
    if (this.#failure !== undefined) {
      throw new WavWriterClosedError(`${this.path}: an earlier disk write failed`, { cause: this.#failure });
    }
    if (this.#closed) throw new WavWriterClosedError(`${this.path}: the writer is closed`);
  }

  /** Queues the current block (if it holds anything) for writing and starts a fresh one. */
  #submitBlock(): void {
    const fill = this.#blockFill;
    if (fill === 0) return;
    const block = this.#block;
    const byteLength = fill * 2;
    const position = WAV_HEADER_BYTES + this.#submittedBytes;
    this.#submittedBytes += byteLength;
    this.#pendingBytes += byteLength;
    this.#block = this.#freeBlocks.pop() ?? new Int16Array(this.#blockSamples);
    this.#blockFill = 0;
    this.#writes = this.#writes.then(async () => {
      const bytes = new Uint8Array(block.buffer, block.byteOffset, byteLength);
      // WAV is little-endian; Int16Array memory is in host order.
      if (HOST_IS_BIG_ENDIAN) Buffer.from(bytes.buffer, bytes.byteOffset, byteLength).swap16();
      await this.#writeAt(bytes, position);
      this.#pendingBytes -= byteLength;
      this.#freeBlocks.push(block);
    });
  }

  /** Writes `bytes` at `position`, recording the first failure instead of rejecting. */
  async #writeAt(bytes: Uint8Array, position: number): Promise<void> {
    if (this.#failure !== undefined) return;
    try {
      await this.#handle.write(bytes, 0, bytes.length, position);
    } catch (error) {
      this.#failure = error;
    }
  }

  #queueHeaderPatch(): void {
    const dataBytes = this.#dataBytes;
    this.#writes = this.#writes.then(async () => {
      const riffSize = Buffer.alloc(4);
      riffSize.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, 0);
      await this.#writeAt(riffSize, RIFF_SIZE_OFFSET);
      const dataSize = Buffer.alloc(4);
      dataSize.writeUInt32LE(dataBytes, 0);
      await this.#writeAt(dataSize, DATA_SIZE_OFFSET);
    });
  }
}
