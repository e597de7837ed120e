/**
 * E.164 phone numbers: `+`, a country code, at most 15 digits in all
 * (https://www.itu.int/rec/T-REC-E.164). Both Telnyx and Twilio take numbers in this form.
 */

const E164 = /^\+[1-9]\d{7,14}$/;

/** True for an E.164 number such as `+13125550123`. */
export function isE164(value: string): boolean {
  return E164.test(value);
}
