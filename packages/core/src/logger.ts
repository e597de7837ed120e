/**
 * Logging. Voxline logs structured records through a small {@link Logger} interface that pino
 * (https://getpino.io) satisfies; pass your own pino instance, or any object with the same
 * methods, to tasks and transports.
 */
import { pino } from 'pino';

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

/**
 * Creates a pino logger for Voxline. The level comes from `level`, else the `VOXLINE_LOG_LEVEL`
 * environment variable, else `'info'` (`'silent'` turns logging off).
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'voxline',
    level: options.level ?? process.env.VOXLINE_LOG_LEVEL ?? 'info',
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
