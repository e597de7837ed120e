/**
 * Audio frames. Pipelines carry raw PCM: signed 16-bit samples in host byte order in an
 * `Int16Array`, interleaved when `numChannels > 1`. Wire formats (µ-law, A-law, big-endian L16)
 * exist only at the edges, inside serializers and codecs.
 *
 * Ownership: a frame owns its `audio`. The array is never a view of a buffer its producer reuses,
 * and nobody writes into it after the frame is pushed, so a processor may keep a frame or its audio
 * past its hop (mailbox, jitter or playback buffer, recording) without copying. Buffers reused per
 * call (a serializer's payload scratch, a resampler's or encoder's output) stay inside one hop and
 * never travel in a frame.
 */
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { DataFrame, SystemFrame } from './frame.js';

/** The fields every audio frame has. */
export interface AudioFields {
  /** Signed 16-bit PCM, host byte order, interleaved if `numChannels > 1`. */
  readonly audio: Int16Array;
  /** Sample rate in Hz, e.g. 8000, 16000, 24000. */
  readonly sampleRate: number;
  /** Channel count; 1 for telephony. */
  readonly numChannels: number;
  /**
   * Presentation time in ms on the pipeline clock of the first sample, when known (set by
   * input transports from the carrier's timestamps, and by output pacing).
   */
  pts: number | undefined;
}

/** Options shared by audio frame constructors. */
export interface AudioFrameInit {
  /** PCM samples; see {@link AudioFields.audio}. */
  audio: Int16Array;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Channel count; default 1. */
  numChannels?: number;
  /** Presentation time in ms; default undefined. */
  pts?: number;
}

function validateAudio(init: AudioFrameInit): number {
  const numChannels = init.numChannels ?? 1;
  if (!(init.audio instanceof Int16Array))
    throw new InvalidOptionError('audio', 'audio must be an Int16Array of PCM samples');
  if (!(init.sampleRate > 0))
    throw new InvalidOptionError(
      'sampleRate',
      `sampleRate must be a positive number of Hz, got ${init.sampleRate}`,
    );
  if (!Number.isInteger(numChannels) || numChannels < 1) {
    throw new InvalidOptionError('numChannels', `numChannels must be a positive integer, got ${numChannels}`);
  }
  return numChannels;
}

/** Duration in ms of an audio frame's samples. */
export function audioDurationMs(frame: AudioFields): number {
  return (frame.audio.length / frame.numChannels / frame.sampleRate) * 1000;
}

/** True when the frame carries audio (any of the audio frame classes). */
export function isAudioFrame(frame: object): frame is AudioFields {
  return (frame as Partial<AudioFields>).audio instanceof Int16Array;
}

/**
 * Audio from the caller, as the input transport received it.
 *
 * A system frame: input audio is never delayed behind queued output work and never dropped by an
 * interruption (the interruption is usually caused by this very audio).
 */
export class InputAudioRawFrame extends SystemFrame implements AudioFields {
  readonly audio: Int16Array;
  readonly sampleRate: number;
  readonly numChannels: number;
  pts: number | undefined;
  constructor(init: AudioFrameInit) {
    super();
    this.numChannels = validateAudio(init);
    this.audio = init.audio;
    this.sampleRate = init.sampleRate;
    this.pts = init.pts;
  }
}

/** Audio for the output transport to play to the caller. Dropped by an interruption. */
export class OutputAudioRawFrame extends DataFrame implements AudioFields {
  readonly audio: Int16Array;
  readonly sampleRate: number;
  readonly numChannels: number;
  pts: number | undefined;
  constructor(init: AudioFrameInit) {
    super();
    this.numChannels = validateAudio(init);
    this.audio = init.audio;
    this.sampleRate = init.sampleRate;
    this.pts = init.pts;
  }
}

/**
 * Audio produced by a TTS service. `contextId` names the TTS context (one per bot turn), so late
 * audio of an interrupted turn can be recognised and dropped.
 */
export class TTSAudioRawFrame extends OutputAudioRawFrame {
  readonly contextId: string | undefined;
  constructor(init: AudioFrameInit & { contextId?: string }) {
    super(init);
    this.contextId = init.contextId;
  }
}
