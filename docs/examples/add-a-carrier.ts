/**
 * The "add a carrier" section of the plugin guide: the carrier plugin of a made-up carrier, Acme,
 * whose media stream opens with `{"event":"hello"}` and whose every later message carries an
 * `acme_stream` id. add-a-carrier.test.ts serves it beside Telnyx and Twilio on one route.
 */
import type { CallInfo, DeserializedMessage, TelephonySerializer } from '@voxline/telephony';

/**
 * A stand-in for Acme's serializer, so the plugin below compiles: a real one extends
 * `MediaStreamSerializer` and passes `serializerConformance` (see the table above).
 */
class AcmeFrameSerializer implements TelephonySerializer {
  readonly carrier = 'acme';
  call: CallInfo | undefined;
  constructor(readonly options: AcmeFrameSerializerOptions) {}
  setup(): void {}
  deserialize(): DeserializedMessage {
    return { frames: [], event: { type: 'connected' } };
  }
  serialize(): undefined {
    return undefined;
  }
  serializeMark(name: string): string {
    return JSON.stringify({ event: 'mark', name });
  }
  serializeClear(): string {
    return '{"event":"clear"}';
  }
}

// #region plugin
import { type CarrierPlugin, type CarrierRecognition, notMine } from '@voxline/telephony';
import { headerValue } from '@voxline/telephony/carrier-kit';

export interface AcmeFrameSerializerOptions {
  /** Acme's outbound codec; default PCMU. */
  outboundEncoding?: 'PCMU' | 'L16';
}

/** The Acme carrier, for `voxlineTelephony({ carriers: [acmeCarrier(), ...] })`. */
export function acmeCarrier(options: AcmeFrameSerializerOptions = {}): CarrierPlugin {
  return {
    carrier: 'acme', // equal to the `carrier` of the serializers it creates
    // Only Acme signs its upgrade with this header: proof before any message.
    recognizeUpgrade: (upgrade) =>
      headerValue(upgrade, 'x-acme-signature') !== undefined
        ? { kind: 'mine', evidence: 'X-Acme-Signature header' }
        : notMine, // unsigned (a local simulator): let the messages decide
    recognizeMessage: recognizeAcmeMessage,
    createSerializer: () => new AcmeFrameSerializer(options), // one per call
  };
}

/** Acme opens with {"event":"hello"}; every later message carries `acme_stream`. */
function recognizeAcmeMessage(message: Readonly<Record<string, unknown>>, index: number): CarrierRecognition {
  if (typeof message.acme_stream === 'string') return { kind: 'mine', evidence: 'acme_stream' };
  // Another carrier could open with "hello" too: consistent with Acme, not proof.
  if (index === 0 && message.event === 'hello') return { kind: 'maybe', evidence: 'hello first' };
  return notMine;
}
// #endregion plugin
