/**
 * What an offline agent uses when no speech recognizer is installed: every speech segment
 * becomes the placeholder transcript {@link UNTRANSCRIBED_SPEECH}, so turns, the context and the
 * reply still happen (the responder says it heard speech but could not make out the words).
 */
import { SegmentedSTTService, type SegmentedSTTServiceOptions } from '@voxline/core';

/** The transcript of a segment when no recognizer is installed. */
export const UNTRANSCRIBED_SPEECH = '(speech heard; no speech recognizer is installed)';

export class UntranscribedSpeechSTTService extends SegmentedSTTService {
  constructor(options: SegmentedSTTServiceOptions = {}) {
    super(options);
  }

  protected override async transcribe(): Promise<string> {
    return UNTRANSCRIBED_SPEECH;
  }
}
