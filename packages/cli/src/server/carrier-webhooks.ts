/**
 * The carrier webhook routes of `voxline serve`, configured from the environment:
 *
 * | route | carrier | needs |
 * |---|---|---|
 * | `POST /telnyx/webhook` | Telnyx Call Control: verifies Ed25519, answers `call.initiated` with a bidirectional RTP stream to `<PUBLIC_URL>/telnyx` | `PUBLIC_URL`, `TELNYX_API_KEY`, `TELNYX_PUBLIC_KEY` |
 * | `POST /twilio/voice` (+ `/twilio/status`) | Twilio: verifies `X-Twilio-Signature`, answers with `<Connect><Stream url="wss://…/twilio">` | `PUBLIC_URL`, `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN` |
 * | `POST /plivo/answer` (+ `/plivo/hangup`) | Plivo: verifies `X-Plivo-Signature-V3`, answers with a bidirectional `<Stream>wss://…/plivo</Stream>` | `PUBLIC_URL`, `PLIVO_AUTH_ID`, `PLIVO_AUTH_TOKEN` |
 *
 * A carrier whose variables are missing gets a route that answers 503 with the names of the
 * missing variables, so a misconfigured number fails loudly instead of ringing into nothing.
 * With the variables set, the carrier's call terminator is used to hang calls up when the agent
 * ends them. See docs/telephony.md for the carrier console settings.
 */

import {
  BullMQRecordingJobQueue,
  type CallCommandRouter,
  CallRegistry,
  type DeduplicationStore,
  type RecordingJobQueue,
  type RecordingStorage,
} from '@voxline/call-control';
import { PlivoCallTerminator, PlivoMediaStreamVerifier, plivoWebhooks } from '@voxline/plivo';
import type { CallTerminator, MediaStreamVerifier } from '@voxline/telephony';
import {
  TelnyxCallCommands,
  TelnyxCallFlow,
  TelnyxCallTerminator,
  TelnyxMediaStreamVerifier,
  telnyxWebhooks,
} from '@voxline/telnyx';
import {
  TwilioCallCommands,
  TwilioCallFlow,
  TwilioCallTerminator,
  TwilioMediaStreamVerifier,
  twilioWebhooks,
} from '@voxline/twilio';
import type { FastifyInstance } from 'fastify';

/** Environment variables each carrier's webhooks need. */
export const carrierWebhookEnvironment = {
  telnyx: ['PUBLIC_URL', 'TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY'],
  twilio: ['PUBLIC_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'],
  plivo: ['PUBLIC_URL', 'PLIVO_AUTH_ID', 'PLIVO_AUTH_TOKEN'],
} as const;

/** The webhook routes of `voxline serve` (all `POST`). */
export const carrierWebhookPaths: readonly string[] = [
  '/telnyx/webhook',
  '/twilio/voice',
  '/twilio/status',
  '/plivo/answer',
  '/plivo/hangup',
];

/** The carriers `voxline serve` has webhooks for. */
export type WebhookCarrier = keyof typeof carrierWebhookEnvironment;

/** What `carrierCallTerminators` and {@link registerCarrierWebhooks} found configured. */
export interface CarrierWebhookStatus {
  telnyx: { configured: boolean; missing: string[] };
  twilio: { configured: boolean; missing: string[] };
  plivo: { configured: boolean; missing: string[] };
}

/** Which carriers the environment configures. */
export function carrierWebhookStatus(env: NodeJS.ProcessEnv): CarrierWebhookStatus {
  const check = (names: readonly string[]) => {
    const missing = names.filter((name) => !env[name]);
    return { configured: missing.length === 0, missing };
  };
  return {
    telnyx: check(carrierWebhookEnvironment.telnyx),
    twilio: check(carrierWebhookEnvironment.twilio),
    plivo: check(carrierWebhookEnvironment.plivo),
  };
}

/** The hang-up clients of the configured carriers (empty when none is configured). */
export function carrierCallTerminators(env: NodeJS.ProcessEnv): CallTerminator[] {
  const status = carrierWebhookStatus(env);
  const terminators: CallTerminator[] = [];
  if (env.TELNYX_API_KEY) terminators.push(new TelnyxCallTerminator({ apiKey: env.TELNYX_API_KEY }));
  if (status.twilio.configured) {
    terminators.push(
      new TwilioCallTerminator({ accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN }),
    );
  }
  if (env.PLIVO_AUTH_ID && env.PLIVO_AUTH_TOKEN) {
    terminators.push(new PlivoCallTerminator({ authId: env.PLIVO_AUTH_ID, authToken: env.PLIVO_AUTH_TOKEN }));
  }
  return terminators;
}

/**
 * The media-stream verifiers the environment allows, sharing `registry` with the Telnyx
 * controller:
 *
 * - Telnyx: with Telnyx configured, a stream whose call our signed webhooks answered (the
 *   registry); with `VOXLINE_STREAM_SECRET`, also a stream carrying that secret's token for its
 *   call (answered calls get the token; the simulator sends it too);
 * - Twilio: with `TWILIO_AUTH_TOKEN`, a stream whose upgrade Twilio signed;
 * - Plivo: with `PLIVO_AUTH_TOKEN`, a stream whose upgrade carries a valid `X-Plivo-Signature-V3`;
 *   with `VOXLINE_STREAM_SECRET` too, also an unsigned stream carrying that secret's token for its
 *   call (our answer webhook puts it in the stream's `extraHeaders`).
 */
export function carrierStreamVerifiers(
  env: NodeJS.ProcessEnv,
  registry: CallRegistry,
): MediaStreamVerifier[] {
  const status = carrierWebhookStatus(env);
  const verifiers: MediaStreamVerifier[] = [];
  const secret = env.VOXLINE_STREAM_SECRET || undefined;
  if (status.telnyx.configured || secret !== undefined) {
    verifiers.push(
      new TelnyxMediaStreamVerifier({
        ...(status.telnyx.configured ? { registry } : {}),
        ...(secret !== undefined ? { tokenSecret: secret } : {}),
      }),
    );
  }
  if (env.TWILIO_AUTH_TOKEN) {
    verifiers.push(new TwilioMediaStreamVerifier({ authToken: env.TWILIO_AUTH_TOKEN }));
  }
  if (env.PLIVO_AUTH_TOKEN) {
    verifiers.push(
      new PlivoMediaStreamVerifier({
        authToken: env.PLIVO_AUTH_TOKEN,
        ...(env.PLIVO_AUTH_ID ? { authId: env.PLIVO_AUTH_ID } : {}),
        ...(secret !== undefined ? { streamSecret: secret } : {}),
      }),
    );
  }
  return verifiers;
}

function webSocketBase(publicUrl: string): string {
  const url = new URL(publicUrl);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  return url.toString().replace(/\/$/, '');
}

/** What the webhook routes share with the deployment's other instances (see `SharedState`). */
export interface CarrierWebhookSharing {
  /** Hands each call event to the instance serving the call's media stream. */
  router?: CallCommandRouter;
  /** Where webhook events and once-only commands are claimed. */
  deduplication?: DeduplicationStore;
  /** Record answered Telnyx and Twilio calls at the carrier; default no recording. */
  recordings?: CarrierRecordingSettings;
}

/**
 * Recording of answered calls: dual-channel WAV at the carrier (Telnyx `record_start`, Twilio
 * `<Recording>` REST), downloaded when the carrier reports it and kept in `storage` under
 * `<call reference>/<recording>.wav`.
 */
export interface CarrierRecordingSettings {
  storage: RecordingStorage;
  /**
   * Queue downloads in this Redis (BullMQ), so a recording whose instance dies is finished by
   * another; default: in this process.
   */
  redisUrl?: string;
  /** Prefix of the queue's Redis keys; default `voxline:`. */
  redisPrefix?: string;
  /**
   * How long a download job stays locked to the instance running it, in ms: a job of an instance
   * that died is taken over within about this plus twice a quarter of it. Default 30,000.
   */
  jobLockMs?: number;
}

/**
 * Registers the webhook routes on `app`; returns which carriers are configured. The Telnyx and
 * Twilio call flows open their calls in `registry` (share it with {@link carrierStreamVerifiers});
 * `sharing` links them to the other instances (default: this process only).
 */
export async function registerCarrierWebhooks(
  app: FastifyInstance,
  env: NodeJS.ProcessEnv,
  registry: CallRegistry = new CallRegistry(),
  sharing: CarrierWebhookSharing = {},
): Promise<CarrierWebhookStatus> {
  const { router, deduplication, recordings } = sharing;
  const flowSharing = {
    ...(router !== undefined ? { router } : {}),
    ...(deduplication !== undefined ? { deduplication } : {}),
  };
  // One queue for both carriers; Twilio's downloads get the account's credentials, only for its host.
  let twilioCommands: TwilioCallCommands | undefined;
  const recordingJobs = recordingJobQueueOf(recordings, registry, (carrier, url) => {
    const authorization = carrier === 'twilio' ? twilioCommands?.mediaAuthorization(url) : undefined;
    return authorization !== undefined ? { authorization } : undefined;
  });
  if (recordingJobs !== undefined) app.addHook('onClose', () => recordingJobs.close());
  const flowRecording = {
    ...(recordings !== undefined ? { recording: { storage: recordings.storage } } : {}),
    ...(recordingJobs !== undefined ? { recordingJobs } : {}),
  };
  const pluginSharing = deduplication !== undefined ? { deduplication } : {};
  const status = carrierWebhookStatus(env);
  const notConfigured =
    (carrier: WebhookCarrier) =>
    async (_request: unknown, reply: { code(n: number): { send(body: unknown): unknown } }) =>
      reply.code(503).send({ error: 'not-configured', carrier, missing: status[carrier].missing });

  if (status.telnyx.configured) {
    const commands = new TelnyxCallCommands({
      apiKey: env.TELNYX_API_KEY,
      ...(env.TELNYX_CONNECTION_ID ? { connectionId: env.TELNYX_CONNECTION_ID } : {}),
    });
    const callFlow = new TelnyxCallFlow({
      commands,
      registry,
      ...(env.VOXLINE_STREAM_SECRET ? { streamTokenSecret: env.VOXLINE_STREAM_SECRET } : {}),
      stream: { url: `${webSocketBase(env.PUBLIC_URL as string)}/telnyx`, codec: 'PCMU' },
      ...flowSharing,
      ...flowRecording,
    });
    await app.register(telnyxWebhooks, {
      callFlow,
      publicKey: env.TELNYX_PUBLIC_KEY as string,
      path: '/telnyx/webhook',
      ...pluginSharing,
    });
  } else {
    app.post('/telnyx/webhook', notConfigured('telnyx'));
  }

  if (status.twilio.configured) {
    const commands = new TwilioCallCommands({
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
    });
    twilioCommands = commands;
    const callFlow = new TwilioCallFlow({
      commands,
      streamUrl: `${webSocketBase(env.PUBLIC_URL as string)}/twilio`,
      webhookBaseUrl: (env.PUBLIC_URL as string).replace(/\/$/, ''),
      voicePath: '/twilio/voice',
      statusPath: '/twilio/status',
      registry,
      ...flowSharing,
      ...flowRecording,
    });
    await app.register(twilioWebhooks, {
      callFlow,
      authToken: env.TWILIO_AUTH_TOKEN as string,
      ...pluginSharing,
    });
  } else {
    app.post('/twilio/voice', notConfigured('twilio'));
    app.post('/twilio/status', notConfigured('twilio'));
  }

  if (status.plivo.configured) {
    await app.register(plivoWebhooks, {
      authToken: env.PLIVO_AUTH_TOKEN as string,
      stream: { url: `${webSocketBase(env.PUBLIC_URL as string)}/plivo` },
      ...(env.VOXLINE_STREAM_SECRET ? { streamSecret: env.VOXLINE_STREAM_SECRET } : {}),
      publicUrl: env.PUBLIC_URL as string,
      answerPath: '/plivo/answer',
      hangupPath: '/plivo/hangup',
      ...pluginSharing,
    });
  } else {
    app.post('/plivo/answer', notConfigured('plivo'));
    app.post('/plivo/hangup', notConfigured('plivo'));
  }
  return status;
}

/** The durable queue of `recordings.redisUrl`; undefined without one (the flows queue in-process). */
function recordingJobQueueOf(
  recordings: CarrierRecordingSettings | undefined,
  registry: CallRegistry,
  downloadHeaders: (carrier: string, url: string) => Record<string, string> | undefined,
): RecordingJobQueue | undefined {
  if (recordings?.redisUrl === undefined) return undefined;
  const lockDuration = recordings.jobLockMs ?? 30_000;
  return new BullMQRecordingJobQueue({
    url: recordings.redisUrl,
    ...(recordings.redisPrefix !== undefined ? { prefix: recordings.redisPrefix } : {}),
    storage: recordings.storage,
    registry,
    downloadHeaders,
    lockDuration,
    stalledInterval: Math.max(100, Math.round(lockDuration / 4)),
  });
}
