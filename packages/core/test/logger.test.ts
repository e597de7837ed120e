import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, LOG_LEVELS, LogLevelError, parseLogLevel, resolveLogLevel } from '../src/index.js';

/** A stream that keeps what is written, as text. */
function collector() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('log levels', () => {
  it('parses every level, ignoring case and surrounding spaces', () => {
    for (const level of LOG_LEVELS) expect(parseLogLevel(level)).toBe(level);
    expect(parseLogLevel(' Debug ')).toBe('debug');
    expect(parseLogLevel('WARN')).toBe('warn');
  });

  it('refuses anything else with a typed error that names the source and the levels', () => {
    let error: unknown;
    try {
      parseLogLevel('verbose', 'VOXLINE_LOG_LEVEL');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LogLevelError);
    expect(error).toMatchObject({
      code: 'invalid-log-level',
      value: 'verbose',
      source: 'VOXLINE_LOG_LEVEL',
      message:
        "VOXLINE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'verbose'",
    });
    expect(() => parseLogLevel('')).toThrow(LogLevelError);
    expect(() => parseLogLevel('30')).toThrow(LogLevelError);
  });

  it('takes the level option first, then VOXLINE_LOG_LEVEL, then the default', () => {
    expect(resolveLogLevel({ level: 'error' }, { VOXLINE_LOG_LEVEL: 'debug' })).toBe('error');
    expect(resolveLogLevel({ defaultLevel: 'warn' }, { VOXLINE_LOG_LEVEL: 'Debug' })).toBe('debug');
    expect(resolveLogLevel({ defaultLevel: 'warn' }, {})).toBe('warn');
    expect(resolveLogLevel({ defaultLevel: 'warn' }, { VOXLINE_LOG_LEVEL: '  ' })).toBe('warn');
    expect(resolveLogLevel({}, {})).toBe('info');
    // Only VOXLINE_LOG_LEVEL is read: LOG_LEVEL is not a Voxline variable.
    expect(resolveLogLevel({}, { LOG_LEVEL: 'debug' })).toBe('info');
    expect(() => resolveLogLevel({}, { VOXLINE_LOG_LEVEL: 'loud' })).toThrow(/^VOXLINE_LOG_LEVEL must be/);
  });
});

describe('createLogger', () => {
  it('writes JSON lines at the chosen level', () => {
    const out = collector();
    const logger = createLogger({ level: 'info', name: 'test', pretty: false, destination: out.stream });
    logger.debug('hidden');
    logger.info({ callId: 'c1' }, 'call started');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 30,
      name: 'test',
      callId: 'c1',
      msg: 'call started',
    });
  });

  it('pretty-prints for people when asked', async () => {
    const out = collector();
    const logger = createLogger({ level: 'info', pretty: true, destination: out.stream });
    logger.warn({ callId: 'c1' }, 'slow reply');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = out.text();
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(voxline\): slow reply\n\s+callId: "c1"\n$/);
  });

  it('throws a LogLevelError for a bad VOXLINE_LOG_LEVEL instead of failing inside pino', () => {
    const saved = process.env.VOXLINE_LOG_LEVEL;
    process.env.VOXLINE_LOG_LEVEL = 'chatty';
    try {
      expect(() => createLogger({ pretty: false })).toThrow(LogLevelError);
    } finally {
      if (saved === undefined) delete process.env.VOXLINE_LOG_LEVEL;
      else process.env.VOXLINE_LOG_LEVEL = saved;
    }
  });

  // The default output follows stdout: a child process logs once with its stdout on a pipe and
  // once on a pseudo-terminal (util-linux `script`).
  const logOnce = join(dirname(fileURLToPath(import.meta.url)), 'support', 'log-once.ts');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const node = ['--conditions=@voxline/source', '--import', 'tsx', logOnce];

  it('writes JSON lines when stdout is not a terminal', () => {
    const output = execFileSync(process.execPath, node, {
      cwd: root,
      env: { ...process.env, VOXLINE_LOG_LEVEL: 'info' },
    });
    expect(JSON.parse(output.toString().trim())).toMatchObject({ level: 30, msg: 'hello from a child' });
  });

  it('pretty-prints when stdout is a terminal', () => {
    const command = [process.execPath, ...node].map((part) => `'${part}'`).join(' ');
    const output = execFileSync('script', ['-qec', command, '/dev/null'], {
      cwd: root,
      env: { ...process.env, VOXLINE_LOG_LEVEL: 'info' },
    })
      .toString()
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes
      .replace(/\u001b\[[0-9;]*m/g, '');
    expect(output).toMatch(/INFO \(voxline\): hello from a child/);
    expect(output).not.toMatch(/"msg"/);
  });
});
