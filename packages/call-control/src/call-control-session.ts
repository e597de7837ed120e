/**
 * One phone call as the control plane sees it: who, which direction, what state, and a typed event
 * for everything the carrier reports about it (answered, hung up, machine detected, DTMF, stream and
 * recording changes).
 *
 * Sessions live in a {@link CallRegistry} keyed by the carrier's call id, the same id the media
 * stream's `start` message carries (`CallInfo.callId`), so a pipeline built for the stream finds its
 * call with `registry.get(call.callId)` and can listen to it:
 *
 * ```ts
 * createPipeline: (call, transport) => {
 *   const session = registry.get(call.callId);
 *   session?.on('dtmf', ({ digit }) => logger.info({ digit }, 'caller pressed a key'));
 *   return [transport.input(), stt, llm, tts, transport.output()];
 * }
 * ```
 *
 * (Not to be confused with `CallSession` of `@voxline/websocket`, which runs the media stream of a
 * call; this one follows the call's signalling.)
 */
import { randomUUID } from 'node:crypto';
import { defaultLogger, type Logger } from '@voxline/core';
import { TypedEventEmitter } from '@voxline/core/processor-kit';
import type { Carrier } from '@voxline/telephony';
import type {
  CallControlEvent,
  CallDirection,
  CallHangupEvent,
  MachineDetectionResult,
} from './call-control-events.js';
import type { CallEndStatus } from './call-end-status.js';

/**
 * What we carry along with a call, across webhooks (Telnyx: in `client_state`; Twilio: in the
 * stream's `<Parameter>`s): which agent handles it and any small JSON data of yours.
 */
export interface CallContext {
  /** Name of the agent (pipeline) that should handle the call, e.g. `'sales'`. */
  agent?: string;
  /** Small JSON data of yours (Telnyx limits the encoded `client_state`; keep it under ~1 KB). */
  data?: Record<string, unknown>;
}

/**
 * The {@link CallContext} fields of `source` (a dial request, a decoded `client_state`), leaving
 * out its other fields and absent ones.
 */
export function callContextOf(source: CallContext): CallContext {
  return {
    ...(source.agent !== undefined ? { agent: source.agent } : {}),
    ...(source.data !== undefined ? { data: source.data } : {}),
  };
}

/** Where a call is in its life. */
export type CallState = 'initiated' | 'ringing' | 'answered' | 'ended';

/** What a session is created with. */
export interface CallControlSessionInit {
  carrier: Carrier;
  /** The carrier's call id: Telnyx `call_control_id`, Twilio `CallSid`. */
  callId: string;
  /** Our id of the call; default a new UUID. Carried across webhooks; recordings are named after it. */
  reference?: string;
  direction: CallDirection;
  /** Caller number (E.164), when known. */
  from?: string;
  /** Callee number (E.164), when known. */
  to?: string;
  context?: CallContext;
  /** Where listener failures are logged; default the shared Voxline logger. */
  logger?: Logger;
}

/** Event names of a {@link CallControlSession}: one per event `type`, plus `event` for all of them. */
export type CallControlSessionEvents = {
  [Event in CallControlEvent as Event['type']]: [Event];
} & { event: [CallControlEvent] };

/** One call's signalling state and events; see the module comment. */
export class CallControlSession extends TypedEventEmitter<CallControlSessionEvents> {
  readonly carrier: Carrier;
  readonly callId: string;
  /** Our id of the call (a UUID unless given): carried in Telnyx `client_state`, names recordings. */
  readonly reference: string;
  readonly direction: CallDirection;
  from: string | undefined;
  to: string | undefined;
  context: CallContext;
  state: CallState = 'initiated';
  /** How the call ended, once it has. */
  endStatus: CallEndStatus | undefined;
  /** The answering-machine detection result, once known. */
  machineDetection: MachineDetectionResult | undefined;
  /** Resolves with the hang-up event when the call ends. Never rejects. */
  readonly ended: Promise<CallHangupEvent>;
  #resolveEnded!: (event: CallHangupEvent) => void;
  readonly #logger: Logger;

  constructor(init: CallControlSessionInit) {
    super();
    this.carrier = init.carrier;
    this.callId = init.callId;
    this.reference = init.reference ?? randomUUID();
    this.direction = init.direction;
    this.from = init.from;
    this.to = init.to;
    this.context = init.context ?? {};
    this.#logger = init.logger ?? defaultLogger();
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  /**
   * Applies an event to the state and emits it (first under its `type`, then as `event`). Called
   * by carrier call flows; events after `hangup` other than recording events are ignored.
   */
  deliver(event: CallControlEvent): void {
    if (this.state === 'ended' && !event.type.startsWith('recording-')) return;
    switch (event.type) {
      case 'ringing':
        if (this.state === 'initiated') this.state = 'ringing';
        break;
      case 'answered':
        this.state = 'answered';
        break;
      case 'machine-detection':
        this.machineDetection = event.result;
        break;
      case 'hangup':
        this.state = 'ended';
        this.endStatus = event.status;
        this.#resolveEnded(event);
        break;
      default:
        break;
    }
    // The cast pairs each event with its own name; TypeScript cannot follow the correlation.
    this.emit(event.type as 'answered', event as never);
    this.emit('event', event);
  }

  protected override onListenerError(error: unknown, eventName: string): void {
    this.#logger.error(
      { err: error, carrier: this.carrier, callId: this.callId, event: eventName },
      'call event listener threw',
    );
  }
}
