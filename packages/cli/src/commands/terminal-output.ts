/**
 * How commands print: readable lines for people, or one JSON document for machines (`--json`).
 */
import type { SimulatorEvent } from '../simulator/call-simulator.js';

/** Where a command writes. Tests pass their own. */
export interface CommandOutput {
  /** A line for people (suppressed with `--json`). */
  line(text: string): void;
  /** The final machine-readable result (printed only with `--json`). */
  json(value: unknown): void;
  /** A warning for people, on stderr (kept with `--json`). */
  warn(text: string): void;
}

/** Writes to the process's stdout and stderr. */
export function processOutput(json: boolean): CommandOutput {
  return {
    line: (text) => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    json: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    warn: (text) => process.stderr.write(`${text}\n`),
  };
}

const eventLabels: Record<SimulatorEvent['type'], string> = {
  connected: 'connected',
  'caller-speaks': 'caller speaks',
  'caller-silent': 'caller silent',
  'bot-audio': 'bot speaks',
  'bot-quiet': 'bot quiet',
  mark: 'mark echoed',
  clear: 'clear received',
  dtmf: 'key pressed',
  'hang-up': 'caller hangs up',
  'agent-closed': 'agent ended the call',
  violation: 'PROTOCOL VIOLATION',
  timeout: 'timeout',
};

/** One live line per call event: `  3.42 s  bot speaks`. */
export function formatSimulatorEvent(event: SimulatorEvent): string {
  const seconds = (event.atMs / 1000).toFixed(2).padStart(7);
  return `${seconds} s  ${eventLabels[event.type]}${event.detail ? `  (${event.detail})` : ''}`;
}
