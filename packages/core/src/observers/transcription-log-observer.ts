/**
 * Reports what the user said: every final {@link TranscriptionFrame}, once (not once per hop),
 * as a log record `user said` with the text, and to a callback.
 */
import { InterimTranscriptionFrame, TranscriptionFrame } from '../frames/data.js';
import type { FrameObserver, FramePushEvent } from './frame-observer.js';
import { FrameSightings } from './frame-sightings.js';
import type { LogObserverOptions } from './log-observer-options.js';

/** Options of {@link TranscriptionLogObserver}. */
export interface TranscriptionLogObserverOptions extends LogObserverOptions {
  /** Called once per final transcription; `timestamp` is the first hop's time on the pipeline clock, ms. */
  onTranscription?: (frame: TranscriptionFrame, timestamp: number) => void;
}

/** See the module comment. Interim transcriptions are not reported. */
export class TranscriptionLogObserver implements FrameObserver {
  readonly #sightings = new FrameSightings();

  readonly #options: TranscriptionLogObserverOptions;
  constructor(options: TranscriptionLogObserverOptions = {}) {
    this.#options = options;
  }

  onPushFrame(event: FramePushEvent): void {
    const frame = event.frame;
    if (!(frame instanceof TranscriptionFrame) || frame instanceof InterimTranscriptionFrame) return;
    if (!this.#sightings.firstSighting(frame.id)) return;
    this.#options.logger?.[this.#options.level ?? 'info'](
      { text: frame.text, userId: frame.userId, language: frame.language, frame: frame.name },
      'user said',
    );
    this.#options.onTranscription?.(frame, event.timestamp);
  }
}
