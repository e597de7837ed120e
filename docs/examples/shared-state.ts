/**
 * The shared state of the telephony guide: a Telnyx call flow and its webhooks on a `SharedState`,
 * so that several instances serve the same calls. Compiled by the typecheck; the behaviour is
 * tested across two instances in packages/telnyx/test/webhook-plugin.test.ts.
 */
import { CallCommandRouter, CallRegistry, inMemorySharedState } from '@voxline/call-control';
import {
  type TelnyxCallCommands,
  TelnyxCallFlow,
  type TelnyxMediaStreamSettings,
  telnyxWebhooks,
} from '@voxline/telnyx';
import type { FastifyInstance } from 'fastify';

/** Registers Telnyx's webhooks on `app` with a call flow whose state is shared. */
export async function shareCallState(
  app: FastifyInstance,
  commands: TelnyxCallCommands,
  stream: TelnyxMediaStreamSettings,
  publicKey: string,
) {
  // #region shared-state
  const shared = inMemorySharedState(); // or redisSharedState(...) for several instances
  const registry = new CallRegistry({ directory: shared.calls, instanceId: shared.instanceId });
  const router = new CallCommandRouter({ directory: shared.calls, bus: shared.bus, registry });
  await router.start();
  const calls = new TelnyxCallFlow({
    commands,
    stream,
    registry,
    router,
    deduplication: shared.deduplication,
  });
  await app.register(telnyxWebhooks, { callFlow: calls, publicKey, deduplication: shared.deduplication });
  // The instance whose media route accepted the call's stream attaches it (voxline serve does this):
  // await router.attachMedia(call.callId, { execute: async (command) => { /* run it on the pipeline */ } });
  // #endregion shared-state
  return { shared, registry, router, calls };
}
