/**
 * The wideband request of the telephony guide: answer a Telnyx call with a G.722 stream.
 */
import type { TelnyxCallControl } from '@voxline/telnyx';

export async function answerWideband(control: TelnyxCallControl, callControlId: string): Promise<void> {
  // #region answer-wideband
  await control.answer(callControlId, {
    stream: { url: 'wss://voice.example.com/telnyx', codec: 'G722' }, // or codec: 'OPUS'
  });
  // #endregion answer-wideband
}
