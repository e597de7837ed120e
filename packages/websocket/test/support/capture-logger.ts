import type { Logger } from '@voxline/core';

/** One log record: level, message and the merged bindings and fields. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A {@link Logger} that keeps every record in `records` (children share the array). */
export function captureLogger(
  records: LogRecord[] = [],
  bindings: Record<string, unknown> = {},
): Logger & {
  records: LogRecord[];
} {
  const write =
    (level: LogRecord['level']) =>
    (first: object | string, message?: string): void => {
      if (typeof first === 'string') records.push({ level, message: first, fields: { ...bindings } });
      else records.push({ level, message: message ?? '', fields: { ...bindings, ...first } });
    };
  return {
    records,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => captureLogger(records, { ...bindings, ...more }),
  };
}
