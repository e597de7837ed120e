/** A {@link CommandOutput} for tests that keeps what a command prints. */
import type { CommandOutput } from 'voxline';

/** Collects the lines (stdout) and warnings (stderr) a command prints; JSON output is dropped. */
export function capturedOutput(): CommandOutput & { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  return {
    lines,
    warnings,
    line: (text) => lines.push(text),
    json: () => {},
    warn: (text) => warnings.push(text),
  };
}
