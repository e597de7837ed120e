/**
 * A {@link Logger} for tests that keeps every record, so a test can assert what was logged (a
 * rejected webhook's reason, a retry's warning) without parsing log output.
 */
import type { Logger } from '../logger.js';

/** One log record: its level, its message and its fields (the logger's bindings merged in). */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** See the module comment. Children share their parent's `records` and add their bindings. */
export class RecordingLogger implements Logger {
  /**
   * @param records where records go; default a new array (children pass their parent's).
   * @param bindings fields merged into every record; default none.
   */
  readonly #bindings: Record<string, unknown>;
  constructor(
    readonly records: LogRecord[] = [],
    bindings: Record<string, unknown> = {},
  ) {
    this.#bindings = bindings;
  }

  debug(objectOrMessage: object | string, message?: string): void {
    this.#record('debug', objectOrMessage, message);
  }

  info(objectOrMessage: object | string, message?: string): void {
    this.#record('info', objectOrMessage, message);
  }

  warn(objectOrMessage: object | string, message?: string): void {
    this.#record('warn', objectOrMessage, message);
  }

  error(objectOrMessage: object | string, message?: string): void {
    this.#record('error', objectOrMessage, message);
  }

  child(bindings: Record<string, unknown>): RecordingLogger {
    return new RecordingLogger(this.records, { ...this.#bindings, ...bindings });
  }

  /** The records at `level`. */
  at(level: LogRecord['level']): LogRecord[] {
    return this.records.filter((record) => record.level === level);
  }

  #record(level: LogRecord['level'], objectOrMessage: object | string, message?: string): void {
    if (typeof objectOrMessage === 'string') {
      this.records.push({ level, message: objectOrMessage, fields: { ...this.#bindings } });
    } else {
      this.records.push({ level, message: message ?? '', fields: { ...this.#bindings, ...objectOrMessage } });
    }
  }
}
