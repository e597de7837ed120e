/**
 * The environment variables the commands read, with what each is for, for the `Environment
 * variables:` section of `voxline <command> --help`.
 *
 * The names come from the constants the code reads them through (carrier webhooks, the cloud
 * agent), and the descriptions are keyed by them, so a variable added there without a
 * description here does not compile.
 */
import { cloudAgentEnvironment, offlineAgentEnvironment } from '../agents/agent-registry.js';
import { carrierWebhookEnvironment } from '../server/carrier-webhooks.js';
import { scaleOutEnvironment } from './serve-command.js';

/** One environment variable as the help shows it. */
export interface EnvironmentVariable {
  name: string;
  /** One line: what it is for, and its default when it is optional. */
  description: string;
}

/** A titled group of variables, shown as one help section. */
export interface EnvironmentGroup {
  /** The section's heading, without the colon. */
  title: string;
  variables: EnvironmentVariable[];
}

/**
 * The log level variable; the commands' defaults differ (`serve` logs `info`, `demo` only
 * `warn`, so its turn table is not buried).
 */
export function logLevelVariables(defaultLevel: string): EnvironmentGroup {
  return {
    title: 'Environment variables',
    variables: [
      {
        name: 'VOXLINE_LOG_LEVEL',
        description: `log level (pino): trace, debug, info, warn, error, fatal or silent (default: ${defaultLevel})`,
      },
    ],
  };
}

const carrierDescriptions: Record<
  (typeof carrierWebhookEnvironment)['telnyx' | 'twilio' | 'plivo'][number],
  string
> = {
  PUBLIC_URL:
    "this server's public https:// address as the carrier reaches it; the media-stream URLs (wss://…/telnyx, wss://…/twilio, wss://…/plivo) and Twilio's signature checks are derived from it",
  TELNYX_API_KEY: 'Telnyx API key (v2): answers incoming calls and hangs up calls the agent ends',
  TELNYX_PUBLIC_KEY: 'Telnyx public key (Ed25519, base64, from the portal) that verifies webhook signatures',
  TWILIO_ACCOUNT_SID: 'Twilio account SID (AC…)',
  TWILIO_AUTH_TOKEN:
    'Twilio auth token: verifies X-Twilio-Signature on webhooks and media streams, hangs up calls the agent ends',
  PLIVO_AUTH_ID: 'Plivo auth ID (MA… or SA…): hangs up calls the agent ends',
  PLIVO_AUTH_TOKEN:
    'Plivo auth token: verifies X-Plivo-Signature-V3 on webhooks and media streams, hangs up calls the agent ends',
};

/** How `serve` verifies media streams besides the carrier credentials, and what `simulate` proves them with. */
export const streamVerificationVariables: EnvironmentGroup = {
  title: 'Environment variables of media-stream verification',
  variables: [
    {
      name: 'VOXLINE_STREAM_SECRET',
      description:
        'secret of the per-call Telnyx stream tokens (x-telnyx-streaming-auth-token): serve accepts Telnyx streams carrying one, and answers calls with it; simulate sends one',
    },
  ],
};

/** What `simulate` proves its stream with (the same variables the server verifies it by). */
export const simulatorCredentialVariables: EnvironmentGroup = {
  title: 'Environment variables (optional: they prove the stream to a server that verifies streams)',
  variables: [
    {
      name: 'VOXLINE_STREAM_SECRET',
      description:
        "as a Telnyx caller: send the call's stream token under this secret (x-telnyx-streaming-auth-token)",
    },
    {
      name: 'TWILIO_AUTH_TOKEN',
      description: 'as a Twilio caller: sign the WebSocket upgrade with X-Twilio-Signature',
    },
    {
      name: 'PLIVO_AUTH_TOKEN',
      description: 'as a Plivo caller: sign the WebSocket upgrade with X-Plivo-Signature-V3 and a nonce',
    },
  ],
};

/** Shared state (Redis) and recordings of `serve`. */
export const scaleOutVariables: EnvironmentGroup = {
  title: 'Environment variables of shared state and recordings',
  variables: Object.entries(scaleOutEnvironment).map(([name, description]) => ({ name, description })),
};

/** Where `create-plugin` finds the packed Voxline packages. */
export const pluginPackagesVariables: EnvironmentGroup = {
  title: 'Environment variables',
  variables: [
    {
      name: 'VOXLINE_PACKAGES',
      description:
        'a folder of packed Voxline packages (node scripts/pack-packages.mjs); --packages takes precedence',
    },
  ],
};

/** The carrier webhook variables of `serve`, in the order a reader sets them up. */
export const carrierWebhookVariables: EnvironmentGroup = {
  title:
    "Environment variables of the carrier webhooks (a carrier's webhook routes answer 503 until all of its variables are set)",
  variables: [
    ...[
      ...new Set([
        ...carrierWebhookEnvironment.telnyx,
        ...carrierWebhookEnvironment.twilio,
        ...carrierWebhookEnvironment.plivo,
      ]),
    ].map((name) => ({ name, description: carrierDescriptions[name] })),
    {
      name: 'TELNYX_CONNECTION_ID',
      description: 'optional: the Telnyx Call Control application (connection_id) for Call Control requests',
    },
  ],
};

const cloudAgentDescriptions: Record<(typeof cloudAgentEnvironment)[number], string> = {
  DEEPGRAM_API_KEY: 'Deepgram API key (speech to text)',
  OPENAI_API_KEY: 'OpenAI API key (the replies)',
  ELEVENLABS_API_KEY: 'ElevenLabs API key (text to speech)',
  ELEVENLABS_VOICE_ID: 'ElevenLabs voice id',
};

const offlineAgentDescriptions: Record<(typeof offlineAgentEnvironment)[number], string> = {
  VOXLINE_VAD_ISOLATION:
    "where Silero VAD runs: 'none' (default, in the server process) or 'process' (a child process, so a crash of its native code does not end the server; costs ~100 MB and up to 10 ms per speech decision)",
};

/** The variables of `serve --agent offline`. */
export const offlineAgentVariables: EnvironmentGroup = {
  title: 'Environment variables of the offline agent',
  variables: offlineAgentEnvironment.map((name) => ({ name, description: offlineAgentDescriptions[name] })),
};

/** The variables of `serve --agent cloud`. */
export const cloudAgentVariables: EnvironmentGroup = {
  title:
    'Environment variables of the cloud agent (--agent cloud refuses to start and names the missing ones)',
  variables: [
    ...cloudAgentEnvironment.map((name) => ({ name, description: cloudAgentDescriptions[name] })),
    { name: 'OPENAI_MODEL', description: 'optional: the OpenAI model (default: gpt-4.1-mini)' },
  ],
};
