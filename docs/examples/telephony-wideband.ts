/**
 * The wideband request of the telephony guide: answer a Telnyx call with a G.722 stream.
 */
import type { TelnyxCallCommands } from '@voxline/telnyx';

export async function answerWideband(commands: TelnyxCallCommands, callControlId: string): Promise<void> {
  // #region answer-wideband
  await commands.answer(callControlId, {
    stream: { url: 'wss://voice.example.com/telnyx', codec: 'G722' }, // or codec: 'OPUS'
  });
  // #endregion answer-wideband
}
