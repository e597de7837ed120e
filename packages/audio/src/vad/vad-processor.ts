import {
  CancelFrame,
  EndFrame,
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputAudioRawFrame,
  StartFrame,
  VADUserStartedSpeakingFrame,
  VADUserStoppedSpeakingFrame,
} from '@voxline/core';
import type { VADAnalyzer } from './vad-analyzer.js';
import { VADError } from './vad-error.js';
import type { VADResult } from './vad-result.js';
import type { VADState } from './vad-state-machine.js';

/** Options of {@link VADProcessor}. */
export interface VADProcessorOptions {
  /** Name for logs and observers; default the class name and a number. */
  name?: string;
}

/**
 * Runs a {@link VADAnalyzer} on the caller's audio: consumes nothing, forwards every frame, and
 * pushes a {@link VADUserStartedSpeakingFrame} / {@link VADUserStoppedSpeakingFrame} downstream
 * when the analyzer confirms a speech edge. The frames carry the edge's audio time
 * (`speechStartMs` = first speech window, `speechEndMs` = first window of the confirming
 * silence), in ms of audio since the {@link StartFrame}, so turn latency can be measured from
 * when the user really stopped rather than from when the VAD decided.
 *
 * Input: downstream {@link InputAudioRawFrame}s, mono, at the analyzer's sample rate. Audio at
 * another rate or with more channels is forwarded unanalysed and reported once as a non-fatal
 * `unsupported-vad-sample-rate` / `invalid-vad-audio` {@link VADError}; put a resampler
 * in front.
 *
 * Ordering: the processor runs inline, so each audio frame is forwarded before this processor
 * returns, never delayed by inference. Analysis may finish later (Silero runs on a later turn of
 * the event loop); the analyzer resolves calls in the order they were made, so VAD frames come
 * out in stream order, each after the audio frame that completed its deciding window. (A queued
 * processor would serialise the audio behind each inference; an inline one with the analyzer's
 * own ordering does not.) An {@link EndFrame} is held until the audio before it has been
 * analysed, so a final stop edge is not lost; a {@link CancelFrame} drops pending analysis.
 *
 * Lifecycle: a {@link StartFrame} resets the analyzer (audio time restarts at 0); `cleanup()`
 * closes it. Use one processor and one analyzer per call. Inference failures become non-fatal
 * `ErrorFrame`s upstream and analysis continues.
 */
export class VADProcessor extends FrameProcessor {
  readonly #analyzer: VADAnalyzer;
  #analysed: Promise<void> = Promise.resolve();
  #reportedUnsupportedAudio = false;

  constructor(analyzer: VADAnalyzer, options: VADProcessorOptions = {}) {
    super({ name: options.name, mode: 'inline' });
    this.#analyzer = analyzer;
  }

  /** The analyzer's current state (after the last window analysed). */
  get state(): VADState {
    return this.#analyzer.state;
  }

  override async cleanup(): Promise<void> {
    this.#analyzer.close();
    await super.cleanup();
  }

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    if (frame instanceof InputAudioRawFrame && direction === FrameDirection.Downstream) {
      this.pushFrame(frame, direction);
      this.#analyse(frame);
      return;
    }
    if (frame instanceof StartFrame) {
      this.#analyzer.reset();
      this.#reportedUnsupportedAudio = false;
    } else if (frame instanceof CancelFrame) {
      this.#analyzer.reset();
    } else if (frame instanceof EndFrame && direction === FrameDirection.Downstream) {
      void this.#analysed.then(() => this.pushFrame(frame, direction));
      return;
    }
    this.pushFrame(frame, direction);
  }

  #analyse(frame: InputAudioRawFrame): void {
    const analyzer = this.#analyzer;
    if (frame.sampleRate !== analyzer.sampleRate || frame.numChannels !== 1) {
      this.#reportUnsupportedAudio(frame);
      return;
    }
    this.#analysed = analyzer.analyze(frame.audio).then(
      (result) => this.#pushEdges(result),
      (error: unknown) => this.pushError(error),
    );
  }

  #pushEdges(result: VADResult): void {
    for (const event of result.events) {
      if (event.type === 'started') this.pushFrame(new VADUserStartedSpeakingFrame(event.startMs));
      else this.pushFrame(new VADUserStoppedSpeakingFrame(event.stopMs));
    }
  }

  #reportUnsupportedAudio(frame: InputAudioRawFrame): void {
    if (this.#reportedUnsupportedAudio) return;
    this.#reportedUnsupportedAudio = true;
    const error =
      frame.numChannels !== 1
        ? new VADError('invalid-vad-audio', `VAD needs mono audio, got ${frame.numChannels} channels`)
        : new VADError(
            'unsupported-vad-sample-rate',
            `VAD analyzer runs at ${this.#analyzer.sampleRate} Hz, got audio at ${frame.sampleRate} Hz`,
          );
    this.pushError(error);
  }
}
