import {
  InterruptionFrame,
  LLMFullResponseEndFrame,
  LLMTextFrame,
  SentenceAggregator,
  SentenceSplitter,
  TextFrame,
  WordChunker,
} from '@voxline/core';
import { frameNames, runProcessor } from '@voxline/core/testing';
import { describe, expect, it } from 'vitest';

/** Splits all of `text` at once, then flushes. */
function split(text: string): string[] {
  const splitter = new SentenceSplitter();
  const sentences = splitter.push(text);
  const rest = splitter.flush();
  return rest === '' ? sentences : [...sentences, rest];
}

/** Feeds `fragments` one by one, as an LLM streams them, then flushes. */
function stream(fragments: readonly string[]): string[] {
  const splitter = new SentenceSplitter();
  const sentences = fragments.flatMap((fragment) => splitter.push(fragment));
  const rest = splitter.flush();
  return rest === '' ? sentences : [...sentences, rest];
}

/** Deterministic pseudo-random cuts (an LCG), 1 to `maxLength` characters each. */
function randomFragments(text: string, seed: number, maxLength: number): string[] {
  let state = seed;
  const fragments: string[] = [];
  for (let at = 0; at < text.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const length = 1 + (state % maxLength);
    fragments.push(text.slice(at, at + length));
    at += length;
  }
  return fragments;
}

const cases: [string, string, string[]][] = [
  [
    'titles',
    'Mr. Smith will see you now. Dr. Jones is out until Mon. at noon.',
    ['Mr. Smith will see you now.', 'Dr. Jones is out until Mon. at noon.'],
  ],
  [
    'e.g. and i.e.',
    'Bring an ID, e.g. a passport. Then wait, i.e. sit down.',
    ['Bring an ID, e.g. a passport.', 'Then wait, i.e. sit down.'],
  ],
  [
    'dotted initials',
    'He served in the U.S. Army for J. R. R. Tolkien. It was long ago.',
    ['He served in the U.S. Army for J. R. R. Tolkien.', 'It was long ago.'],
  ],
  [
    'decimals and prices',
    'Pi is about 3.14. A coffee is $1.50 today. Done.',
    ['Pi is about 3.14.', 'A coffee is $1.50 today.', 'Done.'],
  ],
  ['number at the end', 'Your total is 42. Anything else?', ['Your total is 42.', 'Anything else?']],
  [
    'URLs and e-mail',
    'Visit example.com/help?id=7. Or write to jane.doe@mail.example.org. Thanks!',
    ['Visit example.com/help?id=7.', 'Or write to jane.doe@mail.example.org.', 'Thanks!'],
  ],
  ['versions', 'Update to v2.10.3 now. It fixes calls.', ['Update to v2.10.3 now.', 'It fixes calls.']],
  ['ellipses', 'Well... I think so. Hmm… maybe not.', ['Well...', 'I think so.', 'Hmm… maybe not.']],
  [
    'quotes after the period',
    'He said "Stop." Then he left. "Really?" she asked.',
    ['He said "Stop."', 'Then he left.', '"Really?" she asked.'],
  ],
  ['brackets', 'It is free (for now.) Call us!', ['It is free (for now.)', 'Call us!']],
  ['questions and exclamations', 'Ready? Let us go! Now?! Yes.', ['Ready?', 'Let us go!', 'Now?!', 'Yes.']],
  [
    'numbered lists and newlines',
    'Here are the steps:\n1. Open the app.\n2. Tap Settings.\n\nThat is all.',
    ['Here are the steps:', '1. Open the app.', '2. Tap Settings.', 'That is all.'],
  ],
  [
    'times',
    'We open at 9 a.m. and close at 5 p.m. on weekdays.',
    ['We open at 9 a.m. and close at 5 p.m. on weekdays.'],
  ],
  ['no terminator', 'Sure thing', ['Sure thing']],
  ['CJK', '你好。今天天气很好！「真的？」是的。', ['你好。', '今天天气很好！', '「真的？」', '是的。']],
];

describe('SentenceSplitter', () => {
  for (const [name, text, expected] of cases) {
    it(`splits ${name}`, () => {
      expect(split(text)).toEqual(expected);
    });
    it(`splits ${name} the same whatever the token boundaries`, () => {
      for (const seed of [1, 7, 42, 1234]) expect(stream(randomFragments(text, seed, 6))).toEqual(expected);
      expect(stream([...text])).toEqual(expected);
    });
  }

  it('releases a sentence as soon as the next one starts, not before', () => {
    const splitter = new SentenceSplitter();
    // A tokenizer-like stream, split mid-word and mid-number.
    expect(splitter.push('Your table')).toEqual([]);
    expect(splitter.push(' is booked for 7')).toEqual([]);
    expect(splitter.push('.')).toEqual([]); // 7. could be 7.30
    expect(splitter.push('30 pm')).toEqual([]);
    expect(splitter.push('.')).toEqual([]);
    expect(splitter.push(' ')).toEqual([]); // the next word could be lowercase
    expect(splitter.push('See you')).toEqual(['Your table is booked for 7.30 pm.']);
    expect(splitter.push(' then!')).toEqual([]);
    expect(splitter.flush()).toBe('See you then!');
    expect(splitter.flush()).toBe('');
  });

  it('drops its buffer on reset', () => {
    const splitter = new SentenceSplitter();
    splitter.push('Half a sent');
    splitter.reset();
    expect(splitter.push('ence. Next')).toEqual(['ence.']);
  });

  it('takes custom abbreviations', () => {
    const splitter = new SentenceSplitter({ abbreviations: ['approx', 'etc'] });
    expect(splitter.push('Bring pens, paper etc. Also bring water. Mr. X came. ')).toEqual([
      'Bring pens, paper etc. Also bring water.',
      'Mr.',
    ]);
  });

  it('splits a realistic LLM answer streamed in tokens the same as the whole text', () => {
    const answer =
      'Sure! Your appointment with Dr. Patel is on Tue., March 4 at 10:30 a.m. at 221B Baker St. London. ' +
      'The co-pay is $25.50, i.e. the standard rate. You can reschedule at https://clinic.example.com/r?id=A1.B2 ' +
      'or by e-mail (front.desk@clinic.example.com). Anything else I can help with?';
    const whole = split(answer);
    expect(whole).toEqual([
      'Sure!',
      'Your appointment with Dr. Patel is on Tue., March 4 at 10:30 a.m. at 221B Baker St. London.',
      'The co-pay is $25.50, i.e. the standard rate.',
      'You can reschedule at https://clinic.example.com/r?id=A1.B2 or by e-mail (front.desk@clinic.example.com).',
      'Anything else I can help with?',
    ]);
    const tokens = answer.match(/\s?[A-Za-z]+|\s?\d{1,3}|\s?[^\sA-Za-z\d]/g) ?? [];
    expect(tokens.join('')).toBe(answer);
    expect(stream(tokens)).toEqual(whole);
  });
});

describe('WordChunker', () => {
  it('passes text on up to the last whitespace, never cutting a word', () => {
    const chunker = new WordChunker();
    expect(chunker.push('Hel')).toEqual([]);
    expect(chunker.push('lo th')).toEqual(['Hello ']);
    expect(chunker.push('ere, my fr')).toEqual(['there, my ']);
    expect(chunker.push('iend.  ')).toEqual(['friend.  ']);
    expect(chunker.push('   ')).toEqual([]);
    expect(chunker.flush()).toBe('');
  });

  it('flushes the last word', () => {
    const chunker = new WordChunker();
    chunker.push(' Good');
    chunker.push('bye');
    expect(chunker.flush()).toBe('Goodbye');
  });
});

describe('SentenceAggregator', () => {
  it('turns LLM tokens into sentence text frames, flushing at the end of the response', async () => {
    const { downstream } = await runProcessor(new SentenceAggregator(), {
      frames: [
        new LLMTextFrame('Hi'),
        new LLMTextFrame(' there. How'),
        new LLMTextFrame(' are you'),
        new LLMFullResponseEndFrame(),
        new LLMTextFrame('Dropped'),
        new InterruptionFrame(),
        new LLMTextFrame('Kept at the end'),
        // runProcessor ends with an EndFrame, which flushes.
      ],
    });
    expect(frameNames(downstream)).toEqual([
      'TextFrame',
      'TextFrame',
      'LLMFullResponseEndFrame',
      'InterruptionFrame',
      'TextFrame',
    ]);
    expect(
      downstream.filter((frame) => frame instanceof TextFrame).map((frame) => (frame as TextFrame).text),
    ).toEqual(['Hi there.', 'How are you', 'Kept at the end']);
  });
});
