/**
 * `voxline demo` end to end: the offline agent (Silero VAD, pocketsphinx limited to the
 * recording's phrases, the deterministic responder, Flite) on loopback, called by the simulator
 * with the JFK recording as a Telnyx caller. Needs the Debian packages `pocketsphinx` and
 * `pocketsphinx-en-us`. Each run takes the call's real time, about 20 s.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CallReport, DEFAULT_DEMO_INPUT, demoCommand, demoScript } from 'voxline';
import { capturedOutput as capture } from './support/captured-output.js';

/** What the demo's script says, turn by turn. */
const said = demoScript.steps.flatMap((step) => ('say' in step ? [step.say.text] : []));

describe('voxline demo', () => {
  it('hears each turn as the caller said it, replies to it, and prints and reports both', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'voxline-demo-'));
    const output = capture();
    const code = await demoCommand({ outputDirectory: directory }, output);
    expect(output.warnings).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(directory, 'report.json'), 'utf8')) as CallReport;
    expect(report.turns.map((turn) => turn.said)).toEqual(said);
    expect(report.turns.map((turn) => turn.heard)).toEqual(said);
    expect(report.turns.map((turn) => turn.replyText)).toEqual(
      said.map((text, index) => `Turn ${index + 1}. You said: ${text}.`),
    );
    const printed = output.lines.join('\n');
    for (const text of said) {
      expect(printed).toContain(`caller said   "${text}"`);
      expect(printed).toContain(`agent heard   "${text}"`);
      expect(printed).toMatch(new RegExp(`heard "${text}"`));
    }
    expect(printed).toMatch(
      /agent replied "Turn 2\. You said: ask what you can do for your country\."\s+\(\d+ ms\)/,
    );
    expect(printed).toMatch(/PocketsphinxSTTService#\d+ ttfb \d+ ms/);
    expect(output.lines.at(-1)).toBe(
      'Demo complete: the agent heard what the caller said and answered every turn.',
    );
  }, 90_000);

  it('fails, saying which turns were not heard, when the agent answers without recognizing speech', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'voxline-demo-'));
    const output = capture();
    const code = await demoCommand({ outputDirectory: directory, speechRecognition: false }, output);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(directory, 'report.json'), 'utf8')) as CallReport;
    expect(report.turns.every((turn) => turn.answered)).toBe(true);
    expect(output.warnings.at(-1)).toMatch(
      /^demo failed: the agent answered, but did not hear what was said:\n {2}turn 1: the caller said "what your country can do for you", the agent heard "\(speech heard/,
    );
    expect(output.lines.join('\n')).not.toContain('Demo complete');
  }, 90_000);

  it('with another recording, checks replies but claims nothing about the words heard', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'voxline-demo-'));
    const other = join(directory, 'caller.wav');
    copyFileSync(DEFAULT_DEMO_INPUT, other);
    const output = capture();
    const code = await demoCommand(
      { input: other, outputDirectory: directory, speechRecognition: false },
      output,
    );
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(directory, 'report.json'), 'utf8')) as CallReport;
    expect(report.turns.map((turn) => turn.said)).toEqual([null, null]);
    expect(output.lines.at(-1)).toBe(
      "Demo complete: the agent answered every turn (this recording's words are unknown, so what it heard is not checked).",
    );
  }, 90_000);
});
