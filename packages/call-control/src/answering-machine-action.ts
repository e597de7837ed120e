/**
 * What an outbound call does when answering-machine detection says a machine answered.
 *
 * - `'hang-up'`: end the call at once (no message).
 * - `{ leaveMessage }`: stop the agent's media stream, wait for the end of the machine's greeting
 *   (the beep), speak the message with the carrier's text-to-speech, then hang up.
 * - `'continue'`: do nothing; the result is still reported as a `machine-detection` event, so the
 *   agent can decide.
 */
export type AnsweringMachineAction =
  | 'hang-up'
  | 'continue'
  | {
      leaveMessage: {
        /** What to say; plain text. */
        text: string;
        /**
         * Carrier voice name: Telnyx `AWS.Polly.Joanna-Neural` (the default there), Twilio
         * `Polly.Joanna-Neural` (Twilio's default voice when omitted).
         */
        voice?: string;
        /** Language code, e.g. `en-US`. */
        language?: string;
      };
    };
