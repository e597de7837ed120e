/**
 * `voxline simulate`: play a phone call against any agent server.
 *
 * ```
 * voxline simulate --carrier telnyx|twilio|plivo --url ws://… --input caller.wav
 *                  [--codec PCMU|PCMA|G722|OPUS] [--script turns.json] [--record call.wav]
 *                  [--report report.json] [--json]
 * ```
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { NotWavFileError } from '@voxline/audio';
import { type CallReport, formatConversation, formatTurnTable } from '../simulator/call-report.js';
import { type CallScript, CallScriptError, parseCallScript } from '../simulator/call-script.js';
import {
  type CallSimulatorOptions,
  SimulatorError,
  type SimulatorEvent,
  simulateCall,
} from '../simulator/call-simulator.js';
import { CallerAudio } from '../simulator/caller-audio.js';
import { SIMULATED_CODECS, type SimulatedCodec } from '../simulator/carrier-codec.js';
import type { SimulatedCarrier } from '../simulator/carrier-messages.js';
import { CliError } from './cli-error.js';
import { type CommandOutput, formatSimulatorEvent } from './terminal-output.js';

/** Parsed options of `simulate`. */
export interface SimulateOptions {
  carrier: string | undefined;
  url: string | undefined;
  input: string | undefined;
  /** `--codec`: PCMU (default), PCMA, G722 or OPUS (Telnyx only; G722 and OPUS are wideband, 16 kHz). */
  codec?: string;
  script?: string;
  record?: string;
  report?: string;
}

/** Reads the caller's recording at `sampleRate` Hz (default 8000), turning file problems into one-line errors. */
export function loadCallerAudio(path: string, sampleRate = 8000): CallerAudio {
  try {
    return CallerAudio.fromWavFile(path, sampleRate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CliError(`input file not found: ${path}`);
    if ((error as NodeJS.ErrnoException).code === 'EISDIR')
      throw new CliError(`input is a directory: ${path}`);
    if (error instanceof NotWavFileError) throw new CliError(`input is not a WAV file: ${path}`);
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Reads and validates a call script file, before any connection is made.
 *
 * @throws CliError: exit 1 for a file that cannot be read, exit 2 (a usage mistake) for one that
 *   is not JSON or not a valid script (the message names the step and field).
 */
export function loadCallScript(path: string): CallScript {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`script file not found: ${path}`);
  }
  try {
    return parseCallScript(JSON.parse(text));
  } catch (error) {
    if (error instanceof CallScriptError) throw new CliError(`${path}: ${error.message}`, 2);
    throw new CliError(`${path} is not valid JSON`, 2);
  }
}

/** Checks the codec against the carrier: Telnyx streams any {@link SimulatedCodec}, Twilio and Plivo only PCMU here. */
export function parseCodec(value: string | undefined, carrier: SimulatedCarrier): SimulatedCodec {
  if (value === undefined) return 'PCMU';
  const codec = value.toUpperCase();
  if (!(SIMULATED_CODECS as readonly string[]).includes(codec)) {
    throw new CliError(`--codec must be one of ${SIMULATED_CODECS.join(', ')}, got '${value}'`, 2);
  }
  if (carrier === 'twilio' && codec !== 'PCMU') {
    throw new CliError(`--codec ${codec}: Twilio media streams are always PCMU`, 2);
  }
  if (carrier === 'plivo' && codec !== 'PCMU') {
    throw new CliError(`--codec ${codec}: the simulator streams Plivo as PCMU only`, 2);
  }
  return codec as SimulatedCodec;
}

/** Checks the carrier name. */
export function parseCarrier(value: string | undefined): SimulatedCarrier {
  if (value === 'telnyx' || value === 'twilio' || value === 'plivo') return value;
  throw new CliError(`--carrier must be telnyx, twilio or plivo${value ? `, got '${value}'` : ''}`, 2);
}

/**
 * Runs the call, prints the live lines, the turn table and the conversation (what the caller said;
 * what the agent heard and replied when `complete` fills them in), writes the report.
 */
export async function runSimulation(
  options: {
    carrier: SimulatedCarrier;
    url: string;
    audio: CallerAudio;
    codec?: SimulatedCodec;
    script?: CallScript;
    record?: string;
    report?: string;
    /** Proves the stream to a server that verifies streams; see `CallSimulatorOptions.credentials`. */
    credentials?: CallSimulatorOptions['credentials'];
    /** Called with every call event after it is printed. */
    onEvent?: (event: SimulatorEvent) => void;
    /** Completes the report before it is printed and written (the demo adds the agent's side). */
    complete?: (report: CallReport) => void;
  },
  output: CommandOutput,
): Promise<CallReport> {
  output.line(`Calling ${options.url} as ${options.carrier} (${options.codec ?? 'PCMU'}) ...`);
  let report: CallReport;
  try {
    report = await simulateCall({
      carrier: options.carrier,
      url: options.url,
      audio: options.audio,
      ...(options.codec ? { codec: options.codec } : {}),
      ...(options.script ? { script: options.script } : {}),
      ...(options.record ? { recordPath: options.record } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      onEvent: (event) => {
        output.line(formatSimulatorEvent(event));
        options.onEvent?.(event);
      },
    });
  } catch (error) {
    if (error instanceof SimulatorError) throw new CliError(error.message);
    throw error;
  }
  options.complete?.(report);
  output.line('');
  output.line(formatTurnTable(report));
  output.line('');
  output.line(formatConversation(report));
  if (report.protocolViolations.length > 0) {
    output.warn(
      `${report.protocolViolations.length} protocol violation(s): ${report.protocolViolations.join('; ')}`,
    );
  }
  if (options.report) writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
  if (options.record) output.line(`recording (caller left, bot right): ${options.record}`);
  if (options.report) output.line(`report: ${options.report}`);
  return report;
}

/**
 * The stream credentials the simulator presents, from the environment the server reads too:
 * `VOXLINE_STREAM_SECRET` (Telnyx stream tokens), `TWILIO_AUTH_TOKEN` (Twilio signatures) and
 * `PLIVO_AUTH_TOKEN` (Plivo signatures).
 */
export function simulatorCredentials(env: NodeJS.ProcessEnv): CallSimulatorOptions['credentials'] {
  return {
    ...(env.VOXLINE_STREAM_SECRET ? { telnyxStreamSecret: env.VOXLINE_STREAM_SECRET } : {}),
    ...(env.TWILIO_AUTH_TOKEN ? { twilioAuthToken: env.TWILIO_AUTH_TOKEN } : {}),
    ...(env.PLIVO_AUTH_TOKEN ? { plivoAuthToken: env.PLIVO_AUTH_TOKEN } : {}),
  };
}

/**
 * The `simulate` command. Reads `VOXLINE_STREAM_SECRET`, `TWILIO_AUTH_TOKEN` and `PLIVO_AUTH_TOKEN` from `env` to
 * prove its stream to a server that verifies streams (see {@link simulatorCredentials}).
 */
export async function simulateCommand(
  options: SimulateOptions,
  output: CommandOutput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const carrier = parseCarrier(options.carrier);
  const codec = parseCodec(options.codec, carrier);
  if (!options.url)
    throw new CliError('--url is required (the agent WebSocket, e.g. ws://127.0.0.1:8765/telnyx)', 2);
  if (!options.input) throw new CliError('--input is required (the caller recording, a WAV file)', 2);
  const audio = loadCallerAudio(options.input, codec === 'PCMU' || codec === 'PCMA' ? 8000 : 16000);
  const script = options.script ? loadCallScript(options.script) : undefined;
  const report = await runSimulation(
    {
      carrier,
      url: options.url,
      audio,
      codec,
      ...(script ? { script } : {}),
      ...(options.record ? { record: options.record } : {}),
      ...(options.report ? { report: options.report } : {}),
      credentials: simulatorCredentials(env),
    },
    output,
  );
  output.json(report);
  return report.protocolViolations.length === 0 ? 0 : 1;
}
