/**
 * The dialer's settings, read from the environment: those of the `telnyx-inbound` example plus
 * the dialling ones (see the README).
 */
import { readTelnyxAgentConfig, type TelnyxAgentConfig } from '@voxline/example-telnyx-inbound';
import { ConfigError, checkRecordingsDirectoryVariable } from '@voxline/example-voice-agent';
import { outboundPersona } from './outbound-agent.js';

export { ConfigError, checkRecordingsDirectoryVariable };

/** What the dialer runs with. */
export interface DialerConfig extends TelnyxAgentConfig {
  /** The Call Control application calls are placed from. */
  connectionId: string;
  /** Caller ID, E.164. */
  from: string;
  voicemailMessage: string;
  voicemailVoice: string | undefined;
  /** Calls at once. */
  concurrency: number;
}

const DEFAULT_VOICEMAIL =
  'Hello, this is an automated assistant calling on behalf of the team. We will try you again later. Goodbye.';

/**
 * Reads the variables of the README's table.
 *
 * @throws ConfigError naming every missing required variable, or a value it cannot use.
 */
export function readDialerConfig(env: NodeJS.ProcessEnv): DialerConfig {
  const missing = ['TELNYX_CONNECTION_ID', 'FROM_NUMBER'].filter((name) => !env[name]);
  let base: TelnyxAgentConfig;
  try {
    base = readTelnyxAgentConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError) || missing.length === 0) throw error;
    const all = [...error.variables, ...missing];
    throw new ConfigError(all, `missing environment variables: ${all.join(', ')}`);
  }
  if (missing.length > 0)
    throw new ConfigError(missing, `missing environment variables: ${missing.join(', ')}`);
  const from = env.FROM_NUMBER as string;
  if (!/^\+[1-9]\d{6,14}$/.test(from)) {
    throw new ConfigError(
      ['FROM_NUMBER'],
      `FROM_NUMBER must be one of your numbers in E.164 (+13125550100), got '${from}'`,
    );
  }
  const concurrency = Number(env.MAX_CONCURRENT_CALLS ?? '2');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new ConfigError(
      ['MAX_CONCURRENT_CALLS'],
      `MAX_CONCURRENT_CALLS must be an integer 1-100, got '${env.MAX_CONCURRENT_CALLS}'`,
    );
  }
  return {
    ...base,
    // The inbound defaults do not fit an outbound call: use the outbound ones unless set.
    persona: {
      systemPrompt: env.SYSTEM_PROMPT ? base.persona.systemPrompt : outboundPersona.systemPrompt,
      greeting: env.GREETING === undefined ? outboundPersona.greeting : base.persona.greeting,
    },
    connectionId: env.TELNYX_CONNECTION_ID as string,
    from,
    voicemailMessage: env.VOICEMAIL_MESSAGE || DEFAULT_VOICEMAIL,
    voicemailVoice: env.VOICEMAIL_VOICE || undefined,
    concurrency,
  };
}
