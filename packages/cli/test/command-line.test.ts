import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { cloudAgentEnvironment } from '../src/agents/agent-registry.js';
import { main } from '../src/commands/main.js';
import { carrierWebhookEnvironment } from '../src/server/carrier-webhooks.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const jfk = join(root, '..', 'shared', 'data', 'jfk-16k.wav');
const packageVersion = (
  JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }
).version;

/** Runs `main` in this process, capturing what it writes to stdout and stderr. */
async function voxline(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const capture = (append: (text: string) => void) => (chunk: string | Uint8Array) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(
    capture((text) => {
      stdout += text;
    }) as typeof process.stdout.write,
  );
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(
    capture((text) => {
      stderr += text;
    }) as typeof process.stderr.write,
  );
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('voxline --help, -h and help: exit 0, on stdout', () => {
  it.each([['--help'], ['-h'], ['help']])(
    'voxline %s lists every command and where their help is',
    async (flag) => {
      const { code, stdout, stderr } = await voxline([flag]);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toMatch(/^Usage: voxline \[options\] \[command\]/);
      for (const command of [
        'serve',
        'simulate',
        'demo',
        'create-plugin [options] <name>',
        '-V, --version',
        '-h, --help',
      ])
        expect(stdout).toContain(command);
      expect(stdout).toContain("Run 'voxline <command> --help'");
    },
  );

  /** What each command's help must show: its options (with defaults) and its environment variables. */
  const commandHelp: [command: string, mustShow: string[]][] = [
    [
      'serve',
      [
        '--agent <offline|cloud>',
        '--host <address>',
        '(default: "127.0.0.1")',
        '--port <number>',
        '(default: "8765")',
        '--json',
        'Environment variables:',
        'VOXLINE_LOG_LEVEL',
        '(default: info)',
        ...carrierWebhookEnvironment.telnyx,
        ...carrierWebhookEnvironment.twilio,
        'TELNYX_CONNECTION_ID',
        ...cloudAgentEnvironment,
        'OPENAI_MODEL',
      ],
    ],
    [
      'simulate',
      [
        '--carrier <telnyx|twilio|plivo>',
        '--url <ws-url>',
        '--input <wav>',
        '--script <json>',
        '--record <wav>',
        '--report <json>',
        '--json',
        // The call script's step kinds, with their fields.
        'say',
        '{ fromMs?, toMs? }',
        'waitForBotReply',
        'silenceMs? = 1200',
        'bargeIn',
        'afterBotAudioMs',
        'pressKeys',
        'pause',
        'hangUp',
        // The stream credentials it proves its call with, as the server reads them.
        'VOXLINE_STREAM_SECRET',
        'TWILIO_AUTH_TOKEN',
        'PLIVO_AUTH_TOKEN',
      ],
    ],
    [
      'demo',
      [
        '--input <wav>',
        '(default: "../shared/data/jfk-16k.wav")',
        '--output-dir <directory>',
        '.voxline/demo-<time>',
        '--json',
        'VOXLINE_LOG_LEVEL',
        '(default: warn)',
      ],
    ],
    [
      'create-plugin',
      [
        'Usage: voxline create-plugin [options] <name>',
        'kebab case',
        '--dir <directory>',
        './voxline-plugin-<name>',
        '--packages <directory>',
        'VOXLINE_PACKAGES',
        '--json',
      ],
    ],
  ];

  it.each(
    commandHelp.flatMap(([command, mustShow]) =>
      ['--help', '-h'].map((flag) => [command, flag, mustShow] as const),
    ),
  )('voxline %s %s shows its options and environment variables', async (command, flag, mustShow) => {
    const { code, stdout, stderr } = await voxline([command, flag]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(new RegExp(`^Usage: voxline ${command} \\[options\\]`));
    // Descriptions are wrapped to the terminal's width: compare with runs of spaces as one.
    const words = stdout.replace(/\s+/g, ' ');
    for (const text of [...mustShow, '-h, --help']) expect(words).toContain(text);
  });

  it('the help of one command does not describe the options of another', async () => {
    const serve = (await voxline(['serve', '--help'])).stdout;
    const simulate = (await voxline(['simulate', '--help'])).stdout;
    expect(serve).not.toContain('--carrier');
    expect(simulate).not.toContain('--agent');
    expect(simulate).not.toContain('DEEPGRAM_API_KEY');
  });

  it('voxline help <command> is the same text as <command> --help', async () => {
    const viaHelpCommand = await voxline(['help', 'simulate']);
    expect(viaHelpCommand.code).toBe(0);
    expect(viaHelpCommand.stdout).toBe((await voxline(['simulate', '--help'])).stdout);
  });

  it('--help wins over running the command (no server is started)', async () => {
    const { code, stdout } = await voxline(['serve', '--agent', 'offline', '--port', '0', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: voxline serve/);
  });
});

describe('voxline --version and -V', () => {
  it.each([['--version'], ['-V']])(
    'voxline %s prints the version of packages/cli/package.json',
    async (flag) => {
      const { code, stdout, stderr } = await voxline([flag]);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toBe(`${packageVersion}\n`);
    },
  );
});

describe('usage mistakes: one line, a suggestion when one is close, where the help is, exit 2', () => {
  it.each([
    [
      'a misspelt command',
      ['simulte'],
      "voxline: unknown command 'simulte'",
      '(Did you mean simulate?)',
      'voxline',
    ],
    [
      'a misspelt option',
      ['serve', '--prot', '9000'],
      "voxline: unknown option '--prot'",
      '(Did you mean --port?)',
      'voxline serve',
    ],
    [
      'a misspelt option of simulate',
      ['simulate', '--carier', 'telnyx'],
      "voxline: unknown option '--carier'",
      '(Did you mean --carrier?)',
      'voxline simulate',
    ],
    [
      'a misspelt --version',
      ['--verison'],
      "voxline: unknown option '--verison'",
      '(Did you mean --version?)',
      'voxline',
    ],
  ])('%s', async (_name, args, firstLine, suggestion, helpCommand) => {
    const { code, stdout, stderr } = await voxline(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([firstLine, suggestion, `Run '${helpCommand} --help' for usage.`, '']);
  });

  it.each([
    ['an unknown command with nothing close', ['dance'], "voxline: unknown command 'dance'"],
    [
      'an unknown option with nothing close',
      ['serve', '--colour', 'red'],
      "voxline: unknown option '--colour'",
    ],
    [
      'an option without its value',
      ['serve', '--port'],
      "voxline: option '--port <number>' argument missing",
    ],
    [
      'create-plugin without a name',
      ['create-plugin'],
      'voxline: create-plugin needs a name: voxline create-plugin <name>',
    ],
    [
      'create-plugin with two names',
      ['create-plugin', 'one', 'two'],
      "voxline: too many arguments for 'create-plugin'. Expected 1 argument but got 2.",
    ],
    // Mistakes the commands themselves find keep their messages, and get the hint too.
    ['serve without --agent', ['serve'], 'voxline: --agent is required: one of offline, cloud'],
    [
      'a port out of range, found before the agent loads',
      ['serve', '--agent', 'offline', '--port', '70000'],
      "voxline: option '--port <number>' argument '70000' is invalid. A TCP port is a whole number from 0 to 65535.",
    ],
  ])('%s', async (_name, args, firstLine) => {
    const { code, stderr } = await voxline(args);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe(firstLine);
    expect(lines.at(-1)).toMatch(/^Run 'voxline( [a-z-]+)? --help' for usage\.$/);
    expect(stderr).not.toContain('Did you mean');
  });

  it('voxline alone prints the help on stderr and exits 2', async () => {
    const { code, stdout, stderr } = await voxline([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: voxline \[options\] \[command\]/);
  });

  it('a failure at run time keeps exit 1 and gets no usage hint', async () => {
    const { code, stderr } = await voxline([
      'simulate',
      '--carrier',
      'twilio',
      '--url',
      'ws://127.0.0.1:9',
      '--input',
      join(tmpdir(), 'voxline-no-such-file.wav'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^voxline: input file not found: .*voxline-no-such-file\.wav\n$/);
  });
});

describe('voxline simulate --script: an invalid script is refused before connecting, exit 2', () => {
  const directory = mkdtempSync(join(tmpdir(), 'voxline-script-'));
  /** Simulates against a closed port: reaching the connection would fail with exit 1 instead. */
  const simulateWith = async (script: string) => {
    const path = join(directory, 'turns.json');
    writeFileSync(path, script);
    return voxline([
      'simulate',
      '--carrier',
      'telnyx',
      '--url',
      'ws://127.0.0.1:9/telnyx',
      '--input',
      jfk,
      '--script',
      path,
    ]);
  };
  const stepKinds = 'one of say, waitForBotReply, bargeIn, pressKeys, pause, hangUp';

  it.each([
    [
      'an unknown step kind, naming the valid ones',
      { steps: [{ say: {} }, { sya: { fromMs: 0 } }] },
      `invalid call script at steps.1: a step is an object with one key, ${stepKinds}; got {"sya":{"fromMs":0}}`,
    ],
    [
      'a step with two kinds',
      { steps: [{ say: {}, hangUp: {} }] },
      `invalid call script at steps.0: a step is an object with one key, ${stepKinds}; got {"say":{},"hangUp":{}}`,
    ],
    [
      'a say that ends before it starts',
      { steps: [{ say: { fromMs: 5200, toMs: 2600 } }, { hangUp: {} }] },
      'invalid call script at steps.0.say.toMs: fromMs (5200) must be less than toMs (2600)',
    ],
    [
      'a barge-in of no length',
      { steps: [{ say: {} }, { bargeIn: { afterBotAudioMs: 800, fromMs: 1000, toMs: 1000 } }] },
      'invalid call script at steps.1.bargeIn.toMs: fromMs (1000) must be less than toMs (1000)',
    ],
    [
      'a bad field of a known kind',
      { steps: [{ pressKeys: { digits: '12', toneMs: -5 } }] },
      'invalid call script at steps.0.pressKeys.toneMs: Too small: expected number to be >0',
    ],
    ['no steps', { steps: [] }, 'invalid call script at steps: Too small: expected array to have >=1 items'],
  ])('%s', async (_name, script, message) => {
    const { code, stdout, stderr } = await simulateWith(JSON.stringify(script));
    expect(code).toBe(2);
    expect(stdout).not.toContain('Calling');
    expect(stderr.split('\n')[0]).toBe(`voxline: ${join(directory, 'turns.json')}: ${message}`);
  });

  it('a file that is not JSON', async () => {
    const { code, stderr } = await simulateWith('{ steps: [ say ] }');
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`voxline: ${join(directory, 'turns.json')} is not valid JSON`);
  });

  it('a valid script gets past validation and fails only at the connection (exit 1)', async () => {
    const { code, stderr } = await simulateWith(
      JSON.stringify({
        steps: [{ say: { fromMs: 0, toMs: 2600 } }, { waitForBotReply: {} }, { hangUp: {} }],
      }),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^voxline: cannot connect to ws:\/\/127\.0\.0\.1:9\/telnyx/);
  });
});

describe('--json', () => {
  it('still selects the machine-readable output of a command', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'voxline-json-'));
    const directory = join(scratch, 'plugin');
    // The plugin's @voxline/core comes from a folder of packed packages; only its path is written.
    writeFileSync(join(scratch, `voxline-core-${packageVersion}.tgz`), '');
    const { code, stdout } = await voxline([
      'create-plugin',
      'acme',
      '--dir',
      directory,
      '--packages',
      scratch,
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ packageName: 'voxline-plugin-acme', directory });
  });
});

describe('the voxline executable', () => {
  /** Runs packages/cli/src/bin.ts in its own process: the exit code the shell sees. */
  const bin = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--conditions=@voxline/source',
        '--import',
        'tsx',
        join(root, 'packages', 'cli', 'src', 'bin.ts'),
        ...args,
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, VOXLINE_LOG_LEVEL: 'silent' } },
    );

  it('exits 0 for --version and serve --help, 2 for a misspelt option', () => {
    const version = bin(['-V']);
    expect([version.status, version.stdout]).toEqual([0, `${packageVersion}\n`]);
    const help = bin(['serve', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('TWILIO_AUTH_TOKEN');
    const typo = bin(['demo', '--ouput-dir', 'x']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('(Did you mean --output-dir?)');
  });
});
