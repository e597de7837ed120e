/**
 * `voxline demo`: the offline agent and the call simulator on loopback, on a real recording.
 *
 * It starts the offline agent on a free port, its speech recognition limited to the phrases of
 * the recording ({@link DEMO_PHRASES}; with another `--input`, the whole vocabulary and no check
 * of the words), calls it as a Telnyx caller who says two things from the
 * recording (by default `../shared/data/jfk-16k.wav`: "what your country can do for you", then
 * "ask what you can do for your country"), prints what the agent heard and replied as it happens,
 * the turn table and the conversation, and where the recording and report were written. It exits
 * 0 only if the call completed and the agent heard each turn's words as said and replied to it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '@voxline/core';
import { startAgentServer } from '../server/agent-server.js';
import { type ConversationEvent, formatConversationEvent } from '../server/conversation-events.js';
import type { CallReport } from '../simulator/call-report.js';
import type { CallScript } from '../simulator/call-script.js';
import type { SimulatorEvent } from '../simulator/call-simulator.js';
import { CliError } from './cli-error.js';
import { loadCallerAudio, runSimulation } from './simulate-command.js';
import type { CommandOutput } from './terminal-output.js';

/** Parsed options of `demo`. */
export interface DemoOptions {
  input?: string;
  outputDirectory?: string;
  /** Recognize speech when pocketsphinx is installed; default true (tests turn it off). */
  speechRecognition?: boolean;
}

/** The default caller recording, relative to the working directory (the repository root). */
export const DEFAULT_DEMO_INPUT = '../shared/data/jfk-16k.wav';

/**
 * Two caller turns from the JFK recording (times from its hand labels: 5.41–7.69 s and
 * 8.19–10.44 s). The opening "And so my fellow Americans" is not among them: through the
 * telephone band pocketsphinx's en-US model does not recognize it even with the grammar below.
 */
export const demoScript: CallScript = {
  steps: [
    { say: { fromMs: 5200, toMs: 7900, text: 'what your country can do for you' } },
    { waitForBotReply: { silenceMs: 1200, timeoutMs: 30_000 } },
    { say: { fromMs: 8000, toMs: 10_500, text: 'ask what you can do for your country' } },
    { waitForBotReply: { silenceMs: 1200, timeoutMs: 30_000 } },
    { hangUp: {} },
  ],
};

/**
 * What the demo agent can recognize: the phrases of the whole recording, between its pauses. A
 * general-vocabulary model on 8000 Hz telephone audio gets few words right; limited to these, it
 * tells the two turns apart (they share most of their words) and hears each correctly.
 */
export const DEMO_PHRASES: readonly string[] = [
  'and so my fellow americans',
  'ask not',
  'what your country can do for you',
  'ask not what your country can do for you',
  'ask what you can do for your country',
];

/** `script` with the `text` of its `say` steps removed. */
function withoutText(script: CallScript): CallScript {
  return {
    steps: script.steps.map((step) => {
      if (!('say' in step)) return step;
      const { text: _text, ...slice } = step.say;
      return { say: slice };
    }),
  };
}

/** Lowercase words without punctuation, to compare what was said with what was heard. */
function words(text: string | null): string {
  return (text ?? '')
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** The turns whose words the agent did not hear as the caller said them, one line each. */
export function misheardTurns(report: CallReport): string[] {
  return report.turns
    .filter((turn) => turn.said !== null && words(turn.heard) !== words(turn.said))
    .map(
      (turn) =>
        `turn ${turn.turn}: the caller said "${turn.said}", the agent heard ${turn.heard === null ? 'nothing' : `"${turn.heard}"`}`,
    );
}

/**
 * Puts what the agent heard and replied into the simulator's turns: each event belongs to the turn
 * the caller had most recently begun when it happened.
 */
class ConversationByTurn {
  #currentTurn = 0;
  readonly #heard = new Map<number, string[]>();
  readonly #replied = new Map<number, string[]>();

  onSimulatorEvent(event: SimulatorEvent): void {
    if (event.type === 'caller-speaks') this.#currentTurn++;
  }

  onConversationEvent(event: ConversationEvent): void {
    if (event.type === 'metrics' || this.#currentTurn === 0) return;
    const texts = event.type === 'heard' ? this.#heard : this.#replied;
    const list = texts.get(this.#currentTurn) ?? [];
    list.push(event.text);
    texts.set(this.#currentTurn, list);
  }

  fill(report: CallReport): void {
    for (const turn of report.turns) {
      turn.heard = this.#heard.get(turn.turn)?.join(' ') ?? null;
      turn.replyText = this.#replied.get(turn.turn)?.join(' ') ?? null;
    }
  }
}

/** The `demo` command. */
export async function demoCommand(options: DemoOptions, output: CommandOutput): Promise<number> {
  const input = resolve(options.input ?? DEFAULT_DEMO_INPUT);
  if (!existsSync(input)) throw new CliError(`input file not found: ${input} (pass --input <wav>)`);
  const audio = loadCallerAudio(input);
  // The script's words and the phrase list are the JFK recording's; another recording gets the
  // same turn times, but neither its words nor a grammar are known.
  const knownRecording = input === resolve(DEFAULT_DEMO_INPUT);
  const script = knownRecording ? demoScript : withoutText(demoScript);
  const directory = resolve(
    options.outputDirectory ?? join('.voxline', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`),
  );
  mkdirSync(directory, { recursive: true });

  const { createOfflineVoiceAgent } = await import('../agents/offline-agent.js');
  const agent = createOfflineVoiceAgent({
    ...(knownRecording ? { phrases: DEMO_PHRASES } : {}),
    useSpeechRecognition: options.speechRecognition ?? true,
  });
  for (const notice of agent.notices) output.warn(`note: ${notice}`);
  const logger = createLogger({ defaultLevel: 'warn' });
  // The demo's caller proves its stream the way Telnyx does, with a per-call token under a secret
  // only this process knows, so the demo runs the same verified path as a deployment.
  const streamSecret = randomBytes(32).toString('base64url');
  const conversation = new ConversationByTurn();
  const server = await startAgentServer({
    agent,
    port: 0,
    logger,
    env: { ...process.env, VOXLINE_STREAM_SECRET: streamSecret },
    onConversation: (event) => {
      for (const line of formatConversationEvent(event)) output.line(`           ${line}`);
      conversation.onConversationEvent(event);
    },
  });
  output.line(`Offline agent listening on ${server.webSocketUrl}`);
  try {
    const report = await runSimulation(
      {
        carrier: 'telnyx',
        url: `${server.webSocketUrl}/telnyx`,
        audio,
        script,
        record: join(directory, 'call.wav'),
        report: join(directory, 'report.json'),
        credentials: { telnyxStreamSecret: streamSecret },
        onEvent: (event) => conversation.onSimulatorEvent(event),
        complete: (completed) => conversation.fill(completed),
      },
      output,
    );
    output.json({ ...report, notices: agent.notices });
    const unanswered = report.turns.filter((turn) => !turn.answered).map((turn) => turn.turn);
    if (report.turns.length < 2 || unanswered.length > 0) {
      output.warn(`demo failed: no bot reply to turn(s) ${unanswered.join(', ') || '(no turns ran)'}`);
      return 1;
    }
    if (report.endedBy === 'error') {
      output.warn('demo failed: the call did not complete');
      return 1;
    }
    const misheard = misheardTurns(report);
    if (misheard.length > 0) {
      output.warn(
        `demo failed: the agent answered, but did not hear what was said:\n  ${misheard.join('\n  ')}`,
      );
      return 1;
    }
    output.line(
      knownRecording
        ? 'Demo complete: the agent heard what the caller said and answered every turn.'
        : "Demo complete: the agent answered every turn (this recording's words are unknown, so what it heard is not checked).",
    );
    return 0;
  } finally {
    await server.close();
  }
}
