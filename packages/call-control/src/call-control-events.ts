/**
 * Call events, normalized across carriers. Carrier call flows turn each verified webhook
 * (Telnyx `call.answered`, Twilio `CallStatus=in-progress`, ...) into one of these and deliver it to
 * the call's {@link CallControlSession}.
 */
import type { Carrier } from '@voxline/telephony';
import type { CallEndStatus } from './call-end-status.js';

/** Who placed the call: `inbound` (someone called our number) or `outbound` (we dialled). */
export type CallDirection = 'inbound' | 'outbound';

/**
 * What answering-machine detection concluded: `human`, `machine`, `fax`, `silence` (nothing was
 * said), or `not-sure`.
 */
export type MachineDetectionResult = 'human' | 'machine' | 'fax' | 'silence' | 'not-sure';

/** Fields every event has. */
interface CallEventBase {
  /** The carrier's call id (Telnyx `call_control_id`, Twilio `CallSid`). */
  callId: string;
  /** When the carrier says it happened (ISO 8601), when it says. */
  occurredAt?: string;
}

/** The call exists: an inbound call arrived, or an outbound call is being placed. */
export interface CallInitiatedEvent extends CallEventBase {
  type: 'initiated';
  direction: CallDirection;
}

/** The callee's phone is ringing (Twilio `ringing`). */
export interface CallRingingEvent extends CallEventBase {
  type: 'ringing';
}

/** The call was answered (Telnyx `call.answered`; Twilio `in-progress`). */
export interface CallAnsweredEvent extends CallEventBase {
  type: 'answered';
}

/** The call is over; the session is removed from the registry right after this event. */
export interface CallHangupEvent extends CallEventBase {
  type: 'hangup';
  /** How it ended, normalized. */
  status: CallEndStatus;
  /** The carrier's own word: Telnyx `hangup_cause` (`normal_clearing`, ...), Twilio `CallStatus`. */
  cause: string;
  /** Who hung up, when the carrier says (Telnyx `hangup_source`). */
  source?: 'caller' | 'callee' | 'unknown';
  /** The SIP response code, when the carrier gives one (Telnyx `sip_hangup_cause`). */
  sipCode?: string;
  /** Call length in seconds, when the carrier gives it (Twilio `CallDuration`). */
  durationSeconds?: number;
}

/** Answering-machine detection finished. */
export interface MachineDetectionEvent extends CallEventBase {
  type: 'machine-detection';
  result: MachineDetectionResult;
  /** The carrier's own word: Telnyx `result`, Twilio `AnsweredBy` (`machine_end_beep`, ...). */
  carrierResult: string;
}

/** The answering machine's greeting ended: the moment to leave a message. */
export interface MachineGreetingEndedEvent extends CallEventBase {
  type: 'machine-greeting-ended';
  /** Whether a beep was heard. */
  beep: boolean;
  carrierResult: string;
}

/** The media stream to our WebSocket started. */
export interface StreamingStartedEvent extends CallEventBase {
  type: 'streaming-started';
  streamId?: string;
}

/** The media stream stopped. */
export interface StreamingStoppedEvent extends CallEventBase {
  type: 'streaming-stopped';
  streamId?: string;
}

/** The media stream could not start or broke (wrong URL, TLS failure, our server refused it). */
export interface StreamingFailedEvent extends CallEventBase {
  type: 'streaming-failed';
  streamId?: string;
  /** The carrier's explanation (Telnyx `failure_reason`, Twilio `StreamError`). */
  reason?: string;
}

/** Text-to-speech the carrier played on the call (a `speak` command) finished. */
export interface SpeakEndedEvent extends CallEventBase {
  type: 'speak-ended';
}

/** A DTMF digit pressed by the caller, as the carrier detected it. */
export interface DtmfReceivedEvent extends CallEventBase {
  type: 'dtmf';
  /** `0`-`9`, `*`, `#`, `A`-`D`. */
  digit: string;
}

/**
 * The carrier finished a recording and offers it for download. The URL expires (Telnyx: 10
 * minutes), which is why controllers download and store it at once.
 */
export interface RecordingSavedEvent extends CallEventBase {
  type: 'recording-saved';
  /** The carrier's recording id when it has one (Twilio `RecordingSid`). */
  recordingId?: string;
  /** Where to download it now. */
  url: string;
  format: 'wav' | 'mp3';
  /** 2 for dual-channel (caller and agent on separate channels), else 1. */
  channels: 1 | 2;
  startedAt?: string;
  endedAt?: string;
  durationSeconds?: number;
}

/** A recording was stored through the configured `RecordingStorage`. */
export interface RecordingStoredEvent extends CallEventBase {
  type: 'recording-stored';
  recording: StoredRecording;
}

/** A recording could not be made, downloaded or stored. */
export interface RecordingFailedEvent extends CallEventBase {
  type: 'recording-failed';
  reason: string;
}

/** Every normalized call event. */
export type CallControlEvent =
  | CallInitiatedEvent
  | CallRingingEvent
  | CallAnsweredEvent
  | CallHangupEvent
  | MachineDetectionEvent
  | MachineGreetingEndedEvent
  | StreamingStartedEvent
  | StreamingStoppedEvent
  | StreamingFailedEvent
  | SpeakEndedEvent
  | DtmfReceivedEvent
  | RecordingSavedEvent
  | RecordingStoredEvent
  | RecordingFailedEvent;

/** A recording kept in our storage. */
export interface StoredRecording {
  carrier: Carrier;
  /** The carrier's call id. */
  callId: string;
  /** Our id of the call (see `CallControlSession.reference`); the recording is named after it. */
  callReference: string;
  /** The carrier's recording id when it has one. */
  recordingId?: string;
  /** The storage key, relative: `<callReference>/<recording name>.wav`. */
  key: string;
  /** Where it is: an absolute file path, or `s3://bucket/key`. */
  location: string;
  /** Size in bytes. */
  bytes: number;
  /** `audio/wav` or `audio/mpeg`. */
  contentType: string;
  channels: 1 | 2;
}
