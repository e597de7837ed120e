/**
 * Our call context in Telnyx `client_state`.
 *
 * Telnyx returns the `client_state` of a command in every later webhook of the call (and in the
 * media stream's `start` message), which makes it the place to carry our own id of the call and the
 * agent that should handle it from one webhook to the next, without a database. Telnyx requires it
 * to be **base64** (telnyx-node `CallDialParams.client_state`;
 * https://developers.telnyx.com/api-reference/call-commands/update-client-state); we put
 * base64 of a small JSON object in it:
 *
 * ```json
 * {"voxline":1,"reference":"5f0c...","direction":"outbound","agent":"sales","data":{"campaign":"spring"}}
 * ```
 *
 * Decoding is forgiving on purpose: a `client_state` set by another application on the same
 * connection (not base64, not JSON, or not ours) decodes to `undefined` rather than failing the
 * webhook.
 */
import type { CallContext, CallDirection } from '@voxline/call-control';

/** What Voxline keeps in `client_state`. */
export interface VoxlineClientState extends CallContext {
  /** Our id of the call (`CallControlSession.reference`). */
  reference: string;
  /** Who placed the call, so that a session re-opened from the state (after a restart) is right. */
  direction?: CallDirection;
}

/** Format marker, so that our state is told apart from another application's. */
const FORMAT_VERSION = 1;

/** Base64 of the JSON of `state` (see the module comment). */
export function encodeClientState(state: VoxlineClientState): string {
  const json: Record<string, unknown> = { voxline: FORMAT_VERSION, reference: state.reference };
  if (state.direction !== undefined) json.direction = state.direction;
  if (state.agent !== undefined) json.agent = state.agent;
  if (state.data !== undefined) json.data = state.data;
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64');
}

/**
 * Our state from a webhook's `client_state`; `undefined` when it is absent, not base64 JSON, or not
 * ours.
 */
export function decodeClientState(value: string | null | undefined): VoxlineClientState | undefined {
  if (typeof value !== 'string' || value === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const object = parsed as Record<string, unknown>;
  if (object.voxline !== FORMAT_VERSION || typeof object.reference !== 'string' || object.reference === '') {
    return undefined;
  }
  const state: VoxlineClientState = { reference: object.reference };
  if (object.direction === 'inbound' || object.direction === 'outbound') state.direction = object.direction;
  if (typeof object.agent === 'string') state.agent = object.agent;
  if (typeof object.data === 'object' && object.data !== null && !Array.isArray(object.data)) {
    state.data = object.data as Record<string, unknown>;
  }
  return state;
}
