/**
 * Logging. Voxline logs structured records through a small {@link Logger} interface that pino
 * (https://getpino.io) satisfies; pass your own pino instance, or any object with the same
 * methods, to tasks and transports.
 *
 * One environment variable sets the level everywhere: `VOXLINE_LOG_LEVEL`. On a terminal the
 * records are pretty-printed (pino-pretty, loaded only then, as a separate stream); otherwise
 * they are JSON lines, one record per line, for a log collector.
 */
import { createRequire } from 'node:module';
import { type DestinationStream, pino } from 'pino';
import { VoxlineError } from './errors/voxline-error.js';

/** A structured logger: pino's method shapes (`logger.info({ callId }, 'message')`). */
export interface Logger {
  debug(object: object, message?: string): void;
  debug(message: string): void;
  info(object: object, message?: string): void;
  info(message: string): void;
  warn(object: object, message?: string): void;
  warn(message: string): void;
  error(object: object, message?: string): void;
  error(message: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** Whether records at `level` are written (pino has it; optional for other loggers). */
  isLevelEnabled?(level: string): boolean;
}

/** The levels, most severe first; `'silent'` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A log level that is not one of {@link LOG_LEVELS}; the message names where it came from. */
export class LogLevelError extends VoxlineError {
  declare readonly code: 'invalid-log-level';

  constructor(
    /** The value given. */
    readonly value: string,
    /** Where it came from, e.g. `VOXLINE_LOG_LEVEL`. */
    readonly source: string,
  ) {
    super('invalid-log-level', `${source} must be one of ${LOG_LEVELS.join(', ')}; got '${value}'`);
    this.name = 'LogLevelError';
  }
}

/**
 * Parses a log level, ignoring case and surrounding spaces (`' Debug '` is `'debug'`).
 *
 * @param source - where the value came from, for the error message; default `'log level'`.
 * @throws {LogLevelError} for anything else.
 */
export function parseLogLevel(value: string, source = 'log level'): LogLevel {
  const level = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new LogLevelError(value, source);
  return level as LogLevel;
}

/**
 * The level a logger should use: `level` when given, else the `VOXLINE_LOG_LEVEL` variable of
 * `env` when set and not empty, else `defaultLevel` (default `'info'`).
 *
 * @throws {LogLevelError} for a `level` or `VOXLINE_LOG_LEVEL` that is not a level.
 */
export function resolveLogLevel(
  options: { level?: string; defaultLevel?: LogLevel } = {},
  env: NodeJS.ProcessEnv = process.env,
): LogLevel {
  if (options.level !== undefined) return parseLogLevel(options.level);
  const variable = env.VOXLINE_LOG_LEVEL;
  if (variable !== undefined && variable.trim() !== '') return parseLogLevel(variable, 'VOXLINE_LOG_LEVEL');
  return options.defaultLevel ?? 'info';
}

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** The level; overrides `VOXLINE_LOG_LEVEL`. */
  level?: string;
  /** The level when neither `level` nor `VOXLINE_LOG_LEVEL` is set; default `'info'`. */
  defaultLevel?: LogLevel;
  /** The `name` field of every record; default `'voxline'`. */
  name?: string;
  /** Pretty-print for people (pino-pretty) instead of JSON lines; default: when stdout is a TTY. */
  pretty?: boolean;
  /** Where records go; default stdout. */
  destination?: DestinationStream;
}

/**
 * Creates a pino logger for Voxline. The level comes from `level`, else the `VOXLINE_LOG_LEVEL`
 * environment variable, else `defaultLevel` (`'info'`); see {@link resolveLogLevel}. Records are
 * JSON lines, or pretty-printed when `pretty` (by default, when stdout is a terminal).
 *
 * @throws {LogLevelError} for a level that is not one of {@link LOG_LEVELS}.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const settings = { name: options.name ?? 'voxline', level: resolveLogLevel(options) };
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  if (pretty) return pino(settings, prettyStream(options.destination));
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}

/** A pino-pretty stream; the module is loaded only here, so JSON-only processes never load it. */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  const require = createRequire(import.meta.url);
  const build = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
  return build({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    ...(destination === undefined ? {} : { destination }),
  });
}

let sharedLogger: Logger | undefined;

/** The process-wide default logger, created on first use with {@link createLogger}. */
export function defaultLogger(): Logger {
  sharedLogger ??= createLogger();
  return sharedLogger;
}

/**
 * Masks a phone number for logs, keeping the country code and the last two digits:
 * `+13125550123` → `+1*******23`. Anything that is not a phone number is returned unchanged.
 */
export function maskPhoneNumber(value: string): string {
  const match = /^(\+?\d{1,2})(\d+)(\d{2})$/.exec(value.replace(/[\s()-]/g, ''));
  if (!match) return value;
  return `${match[1]}${'*'.repeat((match[2] as string).length)}${match[3]}`;
}
