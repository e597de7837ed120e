/**
 * Twilio call statuses and answering-machine results, normalized.
 *
 * `CallStatus` values: `queued`, `initiated`, `ringing`, `in-progress`, and the terminal
 * `completed`, `busy`, `no-answer`, `failed`, `canceled`
 * (https://www.twilio.com/docs/voice/api/call-resource#call-status-values). The terminal ones are
 * exactly Voxline's {@link CallEndStatus} words.
 *
 * `AnsweredBy` values (https://www.twilio.com/docs/voice/answering-machine-detection): `human`,
 * `machine_start` (with `MachineDetection=Enable`), `machine_end_beep`, `machine_end_silence`,
 * `machine_end_other` (with `DetectMessageEnd`: the greeting is over), `fax`, `unknown`.
 */
import type { CallEndStatus, MachineDetectionResult } from '@voxline/call-control';

/** The terminal status of a `CallStatus`, or undefined while the call is not over. */
export function twilioEndStatus(callStatus: string): CallEndStatus | undefined {
  switch (callStatus) {
    case 'completed':
    case 'busy':
    case 'no-answer':
    case 'failed':
    case 'canceled':
      return callStatus;
    default:
      return undefined;
  }
}

/** `AnsweredBy` as a {@link MachineDetectionResult}. */
export function twilioMachineResult(answeredBy: string): MachineDetectionResult {
  if (answeredBy === 'human') return 'human';
  if (answeredBy.startsWith('machine')) return 'machine';
  if (answeredBy === 'fax') return 'fax';
  return 'not-sure';
}

/** Whether `AnsweredBy` says the machine's greeting is over (`machine_end_*`). */
export function twilioGreetingEnded(answeredBy: string): boolean {
  return answeredBy.startsWith('machine_end_');
}
