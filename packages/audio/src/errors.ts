/**
 * Typed errors thrown by `@voxline/audio`. Every error carries a stable kebab-case `code` so
 * callers can branch on it without parsing messages (the convention of `VoxlineError`).
 */
import { VoxlineError } from '@voxline/core';

/** Codes carried by {@link AudioError} and its subclasses. */
export type AudioErrorCode =
  | 'output-buffer-too-small'
  | 'invalid-audio-argument'
  | 'odd-byte-length'
  | 'not-wav-file'
  | 'unsupported-wav-format'
  | 'wav-too-large'
  | 'wav-writer-closed';

/** Base class of every error thrown by `@voxline/audio`. */
export class AudioError extends VoxlineError {
  declare readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'AudioError';
  }
}

/**
 * A caller-supplied output buffer is shorter than the result. Nothing has been written to it.
 * Like a `RangeError`, it reports an argument outside its valid range; `required` and
 * `actual` are lengths in elements of the output buffer.
 */
export class OutputBufferTooSmallError extends AudioError {
  readonly required: number;
  readonly actual: number;

  constructor(required: number, actual: number) {
    super(
      'output-buffer-too-small',
      `output buffer too small: ${required} elements required, ${actual} available`,
    );
    this.name = 'OutputBufferTooSmallError';
    this.required = required;
    this.actual = actual;
  }
}

/** An option or argument is outside its valid range (for example a frame duration that is not a whole number of samples). */
export class InvalidAudioArgumentError extends AudioError {
  constructor(message: string) {
    super('invalid-audio-argument', message);
    this.name = 'InvalidAudioArgumentError';
  }
}

/** 16-bit audio bytes (L16) whose length is odd: the last sample is incomplete. Nothing has been decoded. */
export class OddByteLengthError extends AudioError {
  readonly byteLength: number;

  constructor(byteLength: number) {
    super('odd-byte-length', `L16 audio must have an even number of bytes, got ${byteLength}`);
    this.name = 'OddByteLengthError';
    this.byteLength = byteLength;
  }
}

/** The input is not a RIFF/RIFX/RF64 WAVE file. The message is exactly "not a WAV file" plus the reason. */
export class NotWavFileError extends AudioError {
  constructor(reason: string, options?: ErrorOptions) {
    super('not-wav-file', `not a WAV file: ${reason}`, options);
    this.name = 'NotWavFileError';
  }
}

/** The input is a WAV file, but its encoding cannot be converted to 16-bit PCM. */
export class UnsupportedWavFormatError extends AudioError {
  constructor(message: string, options?: ErrorOptions) {
    super('unsupported-wav-format', message, options);
    this.name = 'UnsupportedWavFormatError';
  }
}

/** A WAV file would exceed the 4 GiB limit of the 32-bit RIFF size fields. */
export class WavTooLargeError extends AudioError {
  constructor(message: string) {
    super('wav-too-large', message);
    this.name = 'WavTooLargeError';
  }
}

/** A {@link WavFileWriter} was used after `close()` or after a failed disk write. */
export class WavWriterClosedError extends AudioError {
  constructor(message: string, options?: ErrorOptions) {
    super('wav-writer-closed', message, options);
    this.name = 'WavWriterClosedError';
  }
}
