/**
 * Key presses for the DTMF and IVR guide: a phone menu driven by InputDTMFFrame, in-band
 * detection for carriers that send tones in the audio, and playing tones to the far end.
 */
// #region menu
import {
  type Frame,
  FrameDirection,
  FrameProcessor,
  InputDTMFFrame,
  StartFrame,
  TTSSpeakFrame,
} from '@voxline/core';

/** A phone menu: it greets with the choices and answers each key. */
export class PhoneMenu extends FrameProcessor {
  static readonly choices = 'Press 1 for our opening hours, 2 for our address, or 0 to hear this again.';

  protected override processFrame(frame: Frame, direction: FrameDirection): void {
    this.pushFrame(frame, direction);
    if (frame instanceof StartFrame) this.#say(PhoneMenu.choices);
    else if (frame instanceof InputDTMFFrame) this.#say(this.#answer(frame.digit));
  }

  #answer(digit: string): string {
    switch (digit) {
      case '1':
        return 'We are open from nine to five, Monday to Friday.';
      case '2':
        return 'We are at 12 Harbour Street.';
      case '0':
        return PhoneMenu.choices;
      default:
        return `Sorry, ${digit} is not a choice. ${PhoneMenu.choices}`;
    }
  }

  #say(text: string): void {
    this.pushFrame(new TTSSpeakFrame(text), FrameDirection.Downstream);
  }
}

// #endregion menu

// #region in-band
import { DTMFDetectorProcessor } from '@voxline/audio';
import type { TelephonyTransport } from '@voxline/websocket';

/**
 * For a transport that leaves DTMF in the audio (Telnyx and Twilio media streams do not: their
 * serializers turn the carrier's dtmf events into InputDTMFFrames already).
 */
export function menuPipeline(transport: TelephonyTransport, tts: FrameProcessor): FrameProcessor[] {
  return [transport.input(), new DTMFDetectorProcessor(), new PhoneMenu(), tts, transport.output()];
}

// #endregion in-band

// #region send-tones
import { generateDTMF } from '@voxline/audio';
import { OutputAudioRawFrame } from '@voxline/core';

/**
 * Presses keys on the far end (another IVR) in-band: the tones go out as audio, paced like speech.
 * G.711 carries DTMF tones intact at the levels generateDTMF uses.
 */
export function keyPressAudio(digits: string, sampleRate: number): OutputAudioRawFrame {
  const audio = generateDTMF(digits, { sampleRate, toneMs: 100, gapMs: 100 });
  return new OutputAudioRawFrame({ audio, sampleRate });
}
// #endregion send-tones
