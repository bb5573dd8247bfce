import { type Detector, memoryStore } from '@parapet/core';
import { detectOnce, linearityRatio } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { offTopic } from './off-topic.js';
import { refusal } from './refusal.js';
import { toxicity } from './toxicity.js';

/**
 * Linear time on hostile input for toxicity, refusal and off-topic. For each adversarial family,
 * normalizing and detecting on 1 M characters must cost about four times what 250 K characters cost;
 * quadratic behaviour would cost sixteen. The assertion is a generous ratio (< 10), taken as the best of
 * five runs, never an absolute time.
 */
type Family = Record<string, (size: number) => string>;

const _store = memoryStore();

function suite(name: string, detector: Detector, families: Family): void {
  describe(`${name} is linear on adversarial inputs`, () => {
    for (const [family, make] of Object.entries(families)) {
      it(family, async () => {
        expect(
          // Nine rounds and a 1 ms floor: some families allocate a lot, and one GC pause must not decide.
          await linearityRatio((text) => detectOnce(detector, text, 'output'), make(250_000), make(1_000_000), {
            rounds: 9,
            floorMs: 1,
          }),
        ).toBeLessThan(10);
      });
    }
  });
}

const repeat = (unit: string) => (size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

suite('toxicity', toxicity({ maxFindings: 100_000, stages: ['output'] }), {
  'one giant word': repeat('a'),
  'single letters spaced': repeat('a '),
  'single letters dotted': repeat('f.'),
  'stretched letters': (size) => `f${'u'.repeat(size - 3)}ck`,
  stars: repeat('*'),
  'masked words': repeat('f*ck '),
  apostrophes: repeat("'a"),
  'elisions ': repeat("t'a "),
  'profanity everywhere': repeat('shit '),
  'threat subjects': repeat('i will '),
  'threat verbs': repeat('kill '),
  'subject verb object': repeat('i will kill you '),
  'groups and dehumanising words': repeat('jews are vermin '),
  'calls to violence': repeat('kill all the jews '),
  'phrase prefixes': repeat('son of a '),
  'sexual next to minors': repeat('porn child '),
  'digits spelled apart': repeat('5 '),
  'accented words': repeat('cabrón é '),
  emoji: repeat('😀'),
  'right-to-left': repeat('שלום '),
  'lone surrogates': repeat('\ud800a'),
});

suite('refusal', refusal(), {
  apologies: repeat("I'm sorry, "),
  'sentence ends': repeat('. '),
  quotes: repeat('"'),
  'block quotes': repeat('> I cannot help\n'),
  'refusal repeated': repeat("I can't help with that. "),
  'one giant word': repeat('a'),
  'lone surrogates': repeat('\ud800a'),
});

suite(
  'offTopic',
  offTopic({ allowed: ['billing'], examples: { billing: ['Your refund is on its way.'] }, maxLemmaChars: 0 }),
  {
    'words without sentence ends': repeat('lasagna recipe '),
    'short sentences': repeat('Hi. '),
    'one giant word': repeat('a'),
  },
);
