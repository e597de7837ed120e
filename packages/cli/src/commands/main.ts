/**
 * The `voxline` command line: parses arguments, runs a command, turns failures into one clear
 * line and a non-zero exit code.
 */
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { createPluginCommand } from './create-plugin-command.js';
import { demoCommand } from './demo-command.js';
import { serveCommand } from './serve-command.js';
import { simulateCommand } from './simulate-command.js';
import { type CommandOutput, processOutput } from './terminal-output.js';

const usage = `Usage:
  voxline serve --agent <offline|cloud> [--host 127.0.0.1] [--port 8765]
  voxline simulate --carrier <telnyx|twilio> --url ws://… --input caller.wav
                   [--codec PCMU|PCMA|G722|OPUS] [--script turns.json] [--record call.wav] [--report report.json]
  voxline demo [--input caller.wav] [--output-dir dir]
  voxline create-plugin <name> [--dir voxline-plugin-<name>]
Add --json for machine-readable output.`;

/** Runs the command line with `args` (without `node` and the script); returns the exit code. */
export async function main(args: readonly string[], output?: CommandOutput): Promise<number> {
  const [command, ...rest] = args;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      // Only create-plugin takes a positional argument (the name).
      allowPositionals: command === 'create-plugin',
      options: {
        agent: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        carrier: { type: 'string' },
        url: { type: 'string' },
        input: { type: 'string' },
        codec: { type: 'string' },
        script: { type: 'string' },
        record: { type: 'string' },
        report: { type: 'string' },
        'output-dir': { type: 'string' },
        dir: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`voxline: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const out = output ?? processOutput(values.json === true);
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return command === undefined ? 2 : 0;
  }
  const text = (name: string) => values[name] as string | undefined;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand({ agent: text('agent'), host: text('host'), port: text('port') }, out);
      case 'simulate':
        return await simulateCommand(
          {
            carrier: text('carrier'),
            url: text('url'),
            input: text('input'),
            ...(text('codec') ? { codec: text('codec') } : {}),
            ...(text('script') ? { script: text('script') } : {}),
            ...(text('record') ? { record: text('record') } : {}),
            ...(text('report') ? { report: text('report') } : {}),
          },
          out,
        );
      case 'demo':
        return await demoCommand(
          {
            ...(text('input') ? { input: text('input') } : {}),
            ...(text('output-dir') ? { outputDirectory: text('output-dir') } : {}),
          },
          out,
        );
      case 'create-plugin':
        if (positionals.length > 1)
          throw new CliError(`create-plugin takes one name, got ${positionals.length}`, 2);
        return await createPluginCommand(
          {
            ...(positionals[0] ? { name: positionals[0] } : {}),
            ...(text('dir') ? { directory: text('dir') } : {}),
          },
          out,
        );
      default:
        throw new CliError(`unknown command '${command}'\n${usage}`, 2);
    }
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`voxline: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`voxline: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
