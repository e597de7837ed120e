/**
 * What a simulated call measured, per caller turn, and how it prints.
 */

/** One caller turn (a `say` or `bargeIn` step). Times in ms since the call started. */
export interface TurnReport {
  /** 1-based turn number. */
  turn: number;
  kind: 'say' | 'barge-in';
  /** When the caller's speech began and ended (from the recording's energy), ms. */
  speechStartMs: number;
  speechEndMs: number;
  /** When the first audible bot audio arrived after the speech ended, ms; undefined if none. */
  firstBotAudioMs: number | undefined;
  /** End of user speech → first bot audio, ms; undefined if the bot did not answer. */
  responseLatencyMs: number | undefined;
  /** Barge-in only: speech start → `clear` received from the agent, ms; undefined if no clear. */
  interruptionToClearMs: number | undefined;
  /** ms of the bot's reply to this turn the caller heard before it ended or was cleared. */
  botAudioHeardMs: number;
  /** Whether a bot reply followed this turn. */
  answered: boolean;
  /** What the caller said: the script step's `text`; null when the script does not say. */
  said: string | null;
  /**
   * What the agent's speech-to-text heard during this turn (its transcripts, joined); null when
   * the agent runs in another process (the simulator only hears audio) or heard nothing.
   */
  heard: string | null;
  /** What the agent's LLM answered to this turn; null as for `heard`. */
  replyText: string | null;
}

/** The whole call. */
export interface CallReport {
  carrier: 'telnyx' | 'twilio' | 'plivo';
  url: string;
  callId: string;
  streamId: string;
  /** Call duration in ms. */
  durationMs: number;
  /** Who ended the call: the simulated caller (script) or the agent (closed the socket). */
  endedBy: 'caller' | 'agent' | 'error';
  turns: TurnReport[];
  /** Messages the agent sent, by event. */
  agentMessages: { media: number; mark: number; clear: number };
  /** ms of bot audio received in total. */
  botAudioReceivedMs: number;
  /** Messages from the agent a carrier would refuse, with the reasons. */
  protocolViolations: string[];
  /** Where the dual-channel recording was written (caller left, bot right), if it was. */
  recordingPath?: string;
}

function cell(value: number | undefined): string {
  return value === undefined ? '—' : `${Math.round(value)}`;
}

/** The turn table, for terminals. */
export function formatTurnTable(report: CallReport): string {
  const header = [
    'turn',
    'kind',
    'speech (s)',
    'reply latency (ms)',
    'barge-in → clear (ms)',
    'bot heard (ms)',
  ];
  const rows = report.turns.map((turn) => [
    String(turn.turn),
    turn.kind,
    `${(turn.speechStartMs / 1000).toFixed(2)}–${(turn.speechEndMs / 1000).toFixed(2)}`,
    turn.answered ? cell(turn.responseLatencyMs) : 'no reply',
    cell(turn.interruptionToClearMs),
    cell(turn.botAudioHeardMs),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells.map((value, column) => value.padEnd(widths[column] as number)).join('  ');
  return [line(header), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)].join('\n');
}

function quoted(value: string | null, unknown: string): string {
  return value === null ? unknown : `"${value}"`;
}

/**
 * The conversation, turn by turn, for terminals: what the caller said, what the agent heard and
 * what it answered, with the reply latency.
 *
 * ```
 * turn 1  caller said   "what your country can do for you"
 *         agent heard   "what your country can do for you"
 *         agent replied "Turn 1. You said: what your country can do for you."  (1840 ms)
 * ```
 */
export function formatConversation(report: CallReport): string {
  const unknown = '(not known here: the agent runs in another process)';
  return report.turns
    .map((turn) => {
      const pad = ' '.repeat(`turn ${turn.turn}`.length);
      const latency = turn.answered ? `  (${cell(turn.responseLatencyMs)} ms)` : '  (no reply)';
      return [
        `turn ${turn.turn}  caller said   ${quoted(turn.said, '(the script gives no text)')}`,
        `${pad}  agent heard   ${quoted(turn.heard, unknown)}`,
        `${pad}  agent replied ${quoted(turn.replyText, unknown)}${latency}`,
      ].join('\n');
    })
    .join('\n');
}
