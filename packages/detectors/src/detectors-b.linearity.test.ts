import { type DetectContext, normalizeText } from '@parapet/core';
import { collectGarbage } from '@parapet/core/test';
import { beforeAll, describe, expect, it } from 'vitest';
import { language } from './language.js';
import { topics } from './topics.js';

/**
 * Linear time on hostile input for language() and topics(). For each adversarial family, a check of 1 M
 * characters must cost about four times one of 250 K characters; quadratic behaviour would cost sixteen.
 * The assertion is a generous ratio (< 10), the best of five runs, small and large interleaved; never an
 * absolute time. The normalized view is built outside the timed part (it has its own linearity test).
 */
const FAMILIES: Record<string, (size: number) => string> = {
  'letters then !': (size) => `${'a'.repeat(size)}!`,
  'one long word of accents': (size) => 'é'.repeat(size),
  'words without end': (size) => 'the '.repeat(size / 4),
  'sentence ends': (size) => 'a. '.repeat(size / 3),
  apostrophes: (size) => "l'".repeat(size / 2),
  'punctuation only': (size) => '!?'.repeat(size / 2),
  'mixed scripts': (size) => 'aбγ文'.repeat(size / 4),
  'Han characters': (size) => '文'.repeat(size),
  'combining marks': (size) => 'e\u0301'.repeat(size / 2),
  emoji: (size) => '😀'.repeat(size / 2),
  'lone surrogates': (size) => '\ud800a'.repeat(size / 2),
  'keyword repeated': (size) => 'politics '.repeat(size / 9),
  'competitor prefix repeated': (size) => 'Acme Acm '.repeat(size / 9),
  'digits and spaces': (size) => '1 '.repeat(size / 2),
};

type Check = (text: string, context: DetectContext) => unknown;

async function once(check: Check, text: string, context: DetectContext): Promise<number> {
  collectGarbage();
  const started = performance.now();
  await check(text, context);
  return performance.now() - started;
}

async function ratio(check: Check, small: string, large: string): Promise<number> {
  const smallContext = { normalized: normalizeText(small) } as DetectContext;
  const largeContext = { normalized: normalizeText(large) } as DetectContext;
  await once(check, small, smallContext);
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    bestSmall = Math.min(bestSmall, await once(check, small, smallContext));
    bestLarge = Math.min(bestLarge, await once(check, large, largeContext));
  }
  return bestLarge / Math.max(bestSmall, 1);
}

describe('language() is linear on adversarial inputs', () => {
  // maxChars high enough that the bound does not hide the behaviour of the scan itself.
  const detector = language({ allowed: ['en'], onUnknown: 'flag', maxChars: 1_000_000 });
  for (const [family, make] of Object.entries(FAMILIES)) {
    it(family, async () => {
      expect(
        await ratio((text, context) => detector.detect(text, context), make(250_000), make(1_000_000)),
      ).toBeLessThan(10);
    });
  }
});

describe('topics() is linear on adversarial inputs', () => {
  const detector = topics({
    allowed: ['billing'],
    banned: ['politics'],
    examples: { billing: ['Why was I charged twice?'], politics: ['Who should I vote for?'] },
    competitors: ['Acme', 'Acme Health'],
    maxChars: 1_000_000,
    maxFindings: 10_000,
  });
  beforeAll(async () => {
    // Load compromise before timing.
    await detector.detect('hello', { normalized: normalizeText('hello') } as DetectContext);
  });
  for (const [family, make] of Object.entries(FAMILIES)) {
    it(family, async () => {
      expect(
        await ratio((text, context) => detector.detect(text, context), make(250_000), make(1_000_000)),
      ).toBeLessThan(10);
    });
  }
});
