import { type Detector, memoryStore } from '@parapet/core';
import { detectOnce, linearityRatio } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { offTopic } from './off-topic.js';
import { refusal } from './refusal.js';
import { toxicity } from './toxicity.js';

/**
 * Linear time on hostile input for toxicity, refusal and off-topic. For each adversarial family,
 * normalizing and detecting on 1 M characters must cost about eight times what 125 K characters cost;
 * quadratic behaviour would cost sixty-four. The sizes are eight apart, not four as elsewhere, because
 * these families make a finding every few words: tens of thousands of findings and token arrays of a
 * quarter of a million words leave the young heap, so the garbage collector alone makes the large run
 * cost up to twice as much per character (a 4× pair measured 7.8 here and 10.6 on a CI run, against a
 * bound of 10). Eight apart, a linear scan measures 8–16 and a quadratic one 64: the bound (< 24) sits
 * between them with room on both sides. It is a ratio of best-of-nine times, never an absolute time.
 */
type Family = Record<string, (size: number) => string>;

const _store = memoryStore();

function suite(name: string, detector: Detector, families: Family): void {
  describe(`${name} is linear on adversarial inputs`, () => {
    for (const [family, make] of Object.entries(families)) {
      it(family, async () => {
        expect(
          // Nine rounds and a 1 ms floor: some families allocate a lot, and one GC pause must not decide.
          await linearityRatio((text) => detectOnce(detector, text, 'output'), make(125_000), make(1_000_000), {
            rounds: 9,
            floorMs: 1,
          }),
        ).toBeLessThan(24);
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
