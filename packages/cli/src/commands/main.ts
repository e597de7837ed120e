/**
 * The `voxline` command line: parses arguments with commander (https://github.com/tj/commander.js),
 * runs a command, and turns every outcome into an exit code:
 *
 * - 0: the command succeeded, or `--help`/`-h`/`help` or `--version`/`-V` was asked for;
 * - 2: a usage mistake: an unknown command or option (with a "Did you mean …?" when one is
 *   close), a missing or bad value, an invalid call script; one line on stderr, then where the
 *   help is;
 * - 1 (or the command's own code): the command failed at run time, in one line on stderr.
 *
 * This file is only the parsing layer: each command's behaviour, validation and defaults for
 * library callers live in its run function (`serveCommand`, `simulateCommand`, …).
 */
import { LogLevelError } from '@voxline/core';
import { type AddHelpTextContext, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { agentNames } from '../agents/agent-registry.js';
import { callScriptStepKinds } from '../simulator/call-script.js';
import { CliError } from './cli-error.js';
import { createPluginCommand, voxlineVersion } from './create-plugin-command.js';
import { DEFAULT_DEMO_INPUT, demoCommand } from './demo-command.js';
import {
  carrierWebhookVariables,
  cloudAgentVariables,
  type EnvironmentGroup,
  logLevelVariables,
  offlineAgentVariables,
  pluginPackagesVariables,
  scaleOutVariables,
  simulatorCredentialVariables,
  streamVerificationVariables,
} from './environment-variables.js';
import { parsePort, parseWorkers, serveCommand } from './serve-command.js';
import { simulateCommand } from './simulate-command.js';
import { type CommandOutput, processOutput } from './terminal-output.js';

/** Exit code of a usage mistake (commander's own default is 1, which we keep for failures). */
const USAGE_EXIT_CODE = 2;

/**
 * Runs the command line with `args` (without `node` and the script); returns the exit code.
 * Help, version and usage errors are written to the process's stdout and stderr; `output`
 * (default: the process's, JSON with `--json`) receives what a command prints.
 */
export async function main(args: readonly string[], output?: CommandOutput): Promise<number> {
  let exitCode = 0;
  let commandName = '';
  const program = createProgram(async (name, flags, run) => {
    commandName = name;
    exitCode = await run(output ?? processOutput(flags.json === true));
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed the help, the version or the usage error.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    if (error instanceof CliError) {
      process.stderr.write(`voxline: ${error.message}\n`);
      if (error.exitCode === USAGE_EXIT_CODE) process.stderr.write(`${helpHint(commandName)}\n`);
      return error.exitCode;
    }
    if (error instanceof LogLevelError) {
      // A bad VOXLINE_LOG_LEVEL is a usage mistake too: one line naming the valid levels.
      process.stderr.write(`voxline: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    process.stderr.write(`voxline: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

/** Runs one command's run function with the output it asked for; records its exit code. */
type CommandRunner = (
  commandName: string,
  flags: { json?: boolean },
  run: (output: CommandOutput) => Promise<number>,
) => Promise<void>;

/** The whole command line: the program, its commands, their options and help texts. */
function createProgram(runCommand: CommandRunner): Command {
  const program = new Command('voxline')
    .description(
      'Serve a voice agent for phone calls, simulate a call against any agent server, run the offline demo.',
    )
    .version(voxlineVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .helpCommand('help [command]', 'print the help of a command')
    // Inherited by the commands added below: usage errors throw instead of exiting the process.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'voxline: ')) })
    .showHelpAfterError(helpHint(''))
    // The command list shows each command's usage line (create-plugin's says its name is required).
    .configureHelp({ subcommandTerm: (command) => `${command.name()} ${command.usage()}` })
    .addHelpText(
      'after',
      `
Run 'voxline <command> --help' for a command's options and the environment variables it reads.
Exit codes: 0 success, 1 failure, 2 usage mistake.`,
    );

  addServeCommand(program, runCommand);
  addSimulateCommand(program, runCommand);
  addDemoCommand(program, runCommand);
  addCreatePluginCommand(program, runCommand);
  return program;
}

function addServeCommand(program: Command, runCommand: CommandRunner): void {
  program
    .command('serve')
    .description(
      'Run an agent server for carrier media streams until SIGINT/SIGTERM (calls in progress end gracefully).',
    )
    .addOption(
      new Option(
        `--agent <${agentNames().join('|')}>`,
        'required: the agent to run; offline needs no network or keys, cloud is Deepgram → OpenAI → ElevenLabs',
      ),
    )
    .addOption(
      new Option('--host <address>', 'interface to listen on (0.0.0.0: every interface)').default(
        '127.0.0.1',
      ),
    )
    .addOption(
      new Option('--port <number>', 'TCP port to listen on, 0-65535 (0: any free port)')
        .default('8765')
        // Checked here so that a typo is a usage error before the agent (and its models) load.
        .argParser(checkPort),
    )
    .addOption(
      new Option(
        '--workers <number>',
        'worker processes sharing the port (node:cluster): a dead worker is restarted, SIGTERM drains them all; without --redis the webhook routes answer 503, since workers share no call state (default: the number of cores with --redis, else 1)',
      ).argParser(checkWorkers),
    )
    .addOption(
      new Option(
        '--redis <url>',
        'Redis for the state workers and instances share (calls, webhook claims, commands, recording jobs); default REDIS_URL',
      ),
    )
    .addOption(
      new Option(
        '--allow-unverified-streams',
        'local development only: serve media streams nothing can verify (no carrier credentials or VOXLINE_STREAM_SECRET); anyone who finds the server can then start calls, none is ever hung up',
      ),
    )
    .addOption(jsonOption())
    .showHelpAfterError(helpHint('serve'))
    .addHelpText(
      'after',
      helpSections(
        environmentSection(logLevelVariables('info')),
        environmentSection(streamVerificationVariables),
        environmentSection(carrierWebhookVariables),
        environmentSection(scaleOutVariables),
        environmentSection(offlineAgentVariables),
        environmentSection(cloudAgentVariables),
      ),
    )
    .addHelpText('after', '\nExample:\n  voxline serve --agent offline --port 8765')
    .action(
      (flags: {
        agent?: string;
        host: string;
        port: string;
        json?: boolean;
        allowUnverifiedStreams?: boolean;
        workers?: string;
        redis?: string;
      }) =>
        runCommand('serve', flags, (output) =>
          serveCommand(
            {
              agent: flags.agent,
              host: flags.host,
              port: flags.port,
              ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
              ...(flags.redis !== undefined ? { redis: flags.redis } : {}),
              allowUnverifiedStreams: flags.allowUnverifiedStreams === true,
            },
            output,
          ),
        ),
    );
}

/** Returns `value` unchanged if it is a worker count; `serveCommand` parses it. */
function checkWorkers(value: string): string {
  try {
    parseWorkers(value);
  } catch {
    throw new InvalidArgumentError('A worker count is a whole number from 1 to 256.');
  }
  return value;
}

/** Returns `value` unchanged if it is a TCP port; `serveCommand` parses it. */
function checkPort(value: string): string {
  try {
    parsePort(value, 0);
  } catch {
    throw new InvalidArgumentError('A TCP port is a whole number from 0 to 65535.');
  }
  return value;
}

function addSimulateCommand(program: Command, runCommand: CommandRunner): void {
  program
    .command('simulate')
    .description(
      "Play a phone call against an agent server, speaking the carrier's media-stream protocol at real time; print each call event and the turn table.",
    )
    .addOption(
      new Option(
        '--carrier <telnyx|twilio|plivo>',
        'required: the carrier whose protocol to speak (µ-law, 8000 Hz)',
      ),
    )
    .addOption(new Option('--url <ws-url>', 'required: the agent WebSocket, e.g. ws://127.0.0.1:8765/telnyx'))
    .addOption(
      new Option(
        '--input <wav>',
        "required: the caller's recording, a WAV file (any rate; mono or averaged to mono)",
      ),
    )
    .addOption(
      new Option(
        '--script <json>',
        'the call script: what the caller says and does (default: say the whole recording, wait for the reply, hang up)',
      ),
    )
    .addOption(
      new Option('--record <wav>', 'write the call as a stereo WAV, 8000 Hz: caller left, bot right'),
    )
    .addOption(
      new Option('--report <json>', 'write the call report (per turn latencies, violations) as JSON'),
    )
    .addOption(
      new Option(
        '--codec <PCMU|PCMA|G722|OPUS>',
        'codec of the stream (Telnyx only; Twilio is always PCMU): G722 and OPUS are wideband, 16000 Hz',
      ).default('PCMU'),
    )
    .addOption(jsonOption())
    .showHelpAfterError(helpHint('simulate'))
    .addHelpText(
      'after',
      helpSections(
        {
          title:
            'Call script (--script): a JSON file { "steps": [ … ] }, each step an object with one of these keys (times in ms)',
          items: Object.entries(callScriptStepKinds),
        },
        environmentSection(simulatorCredentialVariables),
      ),
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 the call ran, 1 it failed or the agent broke the protocol, 2 usage mistake or invalid script.

Example:
  voxline simulate --carrier telnyx --url ws://127.0.0.1:8765/telnyx --input caller.wav --record call.wav`,
    )
    .action(
      (flags: {
        carrier?: string;
        url?: string;
        input?: string;
        codec?: string;
        script?: string;
        record?: string;
        report?: string;
        json?: boolean;
      }) =>
        runCommand('simulate', flags, (output) =>
          simulateCommand(
            {
              carrier: flags.carrier,
              url: flags.url,
              input: flags.input,
              ...(flags.codec ? { codec: flags.codec } : {}),
              ...(flags.script ? { script: flags.script } : {}),
              ...(flags.record ? { record: flags.record } : {}),
              ...(flags.report ? { report: flags.report } : {}),
            },
            output,
          ),
        ),
    );
}

function addDemoCommand(program: Command, runCommand: CommandRunner): void {
  program
    .command('demo')
    .description(
      'Start the offline agent on loopback and call it with two caller turns from a recording; exit 0 only if the agent answered both.',
    )
    .addOption(
      new Option(
        '--input <wav>',
        "the caller's recording; the turns are timed for the JFK recording",
      ).default(DEFAULT_DEMO_INPUT),
    )
    .addOption(
      new Option(
        '--output-dir <directory>',
        'where call.wav and report.json are written (default: .voxline/demo-<time>)',
      ),
    )
    .addOption(jsonOption())
    .showHelpAfterError(helpHint('demo'))
    .addHelpText('after', helpSections(environmentSection(logLevelVariables('warn'))))
    .action((flags: { input: string; outputDir?: string; json?: boolean }) =>
      runCommand('demo', flags, (output) =>
        demoCommand(
          { input: flags.input, ...(flags.outputDir ? { outputDirectory: flags.outputDir } : {}) },
          output,
        ),
      ),
    );
}

function addCreatePluginCommand(program: Command, runCommand: CommandRunner): void {
  program
    .command('create-plugin')
    .description('Create a plugin package from the template, ready to build and test.')
    // Optional to commander so that a missing name gets createPluginCommand's message, which
    // shows the whole command; the usage line still says it is required.
    .argument('[name]', 'the plugin name, kebab case (acme or voxline-plugin-acme)')
    .usage('[options] <name>')
    .addOption(
      new Option(
        '--dir <directory>',
        'where to create it; must not exist or be empty (default: ./voxline-plugin-<name>)',
      ),
    )
    .addOption(
      new Option(
        '--packages <directory>',
        "a folder of packed Voxline packages (node scripts/pack-packages.mjs) the plugin's @voxline/core comes from (default: VOXLINE_PACKAGES, else the checkout's .voxline/packages)",
      ),
    )
    .addOption(jsonOption())
    .showHelpAfterError(helpHint('create-plugin'))
    .addHelpText('after', helpSections(environmentSection(pluginPackagesVariables)))
    .action((name: string | undefined, flags: { dir?: string; packages?: string; json?: boolean }) =>
      runCommand('create-plugin', flags, (output) =>
        createPluginCommand(
          {
            ...(name !== undefined ? { name } : {}),
            ...(flags.dir ? { directory: flags.dir } : {}),
            ...(flags.packages ? { packages: flags.packages } : {}),
          },
          output,
        ),
      ),
    );
}

/** Where the help is, after a usage mistake. */
function helpHint(commandName: string): string {
  return `Run 'voxline${commandName ? ` ${commandName}` : ''} --help' for usage.`;
}

/** A help section after the options: a heading and `term  description` items. */
interface HelpSection {
  title: string;
  items: [term: string, description: string][];
}

function environmentSection(group: EnvironmentGroup): HelpSection {
  return {
    title: group.title,
    items: group.variables.map((variable) => [variable.name, variable.description]),
  };
}

/**
 * Help text for `addHelpText('after', …)`: the sections, laid out and wrapped the way commander
 * lays out the options (one aligned term column, descriptions wrapped to the terminal).
 */
function helpSections(...sections: HelpSection[]): (context: AddHelpTextContext) => string {
  return (context) => {
    const helper = context.command.createHelp();
    const stream = context.error ? process.stderr : process.stdout;
    helper.prepareContext({ helpWidth: stream.isTTY ? stream.columns : undefined });
    const width = helper.helpWidth ?? 80;
    const termWidth = Math.max(
      0,
      ...sections.flatMap((section) => section.items.map(([term]) => term.length)),
    );
    const text = sections.map((section) => {
      const heading = helper.boxWrap(`${section.title}:${section.items.length === 0 ? ' none' : ''}`, width);
      const items = section.items.map(([term, description]) =>
        helper.formatItem(term, termWidth, description, helper),
      );
      return [heading, ...items].join('\n');
    });
    return `\n${text.join('\n\n')}`;
  };
}

/** `--json`, which every command takes. */
function jsonOption(): Option {
  return new Option('--json', 'print one JSON document on stdout instead of text (warnings stay on stderr)');
}
