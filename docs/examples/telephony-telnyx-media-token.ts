/**
 * The Telnyx media-stream check of the telephony guide: a stream runs the agent only when its call
 * is one our signed webhooks answered, or when its upgrade carries the per-call token we gave
 * Telnyx. telephony-telnyx-media-token.test.ts runs it.
 */
// #region verify-stream
import type { CallRegistry } from '@voxline/call-control';
import { type TelnyxCallFlowOptions, TelnyxMediaStreamVerifier } from '@voxline/telnyx';

/**
 * The call flow options and the media route's verifier that share one secret: the call flow
 * answers each call with `stream_auth_token` = HMAC-SHA256(secret, call_control_id), Telnyx sends
 * it back in the upgrade's `x-telnyx-streaming-auth-token` header, and the verifier checks it on
 * whichever instance the stream reaches.
 */
export function telnyxStreamProof(registry: CallRegistry, secret: string) {
  const callFlow: Pick<TelnyxCallFlowOptions, 'registry' | 'streamTokenSecret'> = {
    registry,
    streamTokenSecret: secret,
  };
  const verifier = new TelnyxMediaStreamVerifier({ registry, tokenSecret: secret });
  return { callFlow, verifier };
}

// await app.register(voxlineTelephony, { path: '/telnyx', carriers: [telnyxCarrier()], verifiers: [proof.verifier], ... });
// #endregion verify-stream
