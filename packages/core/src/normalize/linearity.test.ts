import { describe, expect, it } from 'vitest';
import { patternDetector } from '../pattern-detector.js';
import type { DetectContext } from '../types.js';
import { normalizeText } from './normalize.js';

/**
 * Linear time on hostile input. For each adversarial family, the full normalization (normalized text,
 * decoded payloads, leet view) of 1 M characters must cost about four times that of 250 K characters;
 * quadratic behaviour would cost sixteen. The assertion is a generous ratio (< 10; quadratic is 16), taken as the best of
 * five runs, never an absolute time.
 */
const FAMILIES: Record<string, (size: number) => string> = {
  'letters then !': (size) => `${'a'.repeat(size)}!`,
  digits: (size) => '7'.repeat(size),
  '"1 " repeated': (size) => '1 '.repeat(size / 2),
  '@ repeated': (size) => '@'.repeat(size),
  dots: (size) => 'a.'.repeat(size / 2),
  'base64-like run': (size) => 'QUJD'.repeat(size / 4),
  'base64 words': (size) => 'aWdub3JlIGFsbA== '.repeat(size / 17),
  'percent escapes': (size) => '%41'.repeat(size / 3),
  'backslash-x escapes': (size) => '\\x41'.repeat(size / 4),
  'spaced hex': (size) => '41 '.repeat(size / 3),
  'zero-width between letters': (size) => 'a\u200b'.repeat(size / 2),
  'combining marks': (size) => 'e\u0301'.repeat(size / 2),
  'look-alike letters': (size) => 'рa'.repeat(size / 2),
  'leetspeak token': (size) => '1g'.repeat(size / 2),
  // One token of letters ending in a look-alike (read back from it), and look-alikes each in a short token.
  'letters then one look-alike': (size) => `${'a'.repeat(size - 1)}1`,
  'look-alike tokens': (size) => 'a! '.repeat(size / 3),
  // Unicode tag characters carrying ASCII (half a million of them in 1 M code units): their hidden text.
  'tag characters': (size) => '\u{e0061}'.repeat(size / 2),
  emoji: (size) => '😀'.repeat(size / 2),
  'lone surrogates': (size) => '\ud800a'.repeat(size / 2),
  'rot13 hints': (size) => 'gur naq '.repeat(size / 8),
};

function once(text: string): number {
  const started = performance.now();
  const view = normalizeText(text);
  void view.payloads.length;
  void view.leet.length;
  void view.hiddenText.length;
  return performance.now() - started;
}

/** Best of five, small and large interleaved, so a pause of the machine hits both sizes alike. */
function ratio(small: string, large: string): number {
  once(small);
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    bestSmall = Math.min(bestSmall, once(small));
    bestLarge = Math.min(bestLarge, once(large));
  }
  return bestLarge / Math.max(bestSmall, 0.05);
}

describe('normalization is linear on adversarial inputs', () => {
  for (const [family, make] of Object.entries(FAMILIES)) {
    it(family, () => {
      expect(ratio(make(250_000), make(1_000_000))).toBeLessThan(10);
    });
  }
});

describe('patternDetector is linear on adversarial inputs', () => {
  const detector = patternDetector({
    patterns: ['(a+)+$', '(\\d+\\s?)+x', '[a-z.]+@[a-z.]+\\.com'],
    keywords: ['ignore previous instructions'],
    maxMatches: 100,
  });
  const run = (text: string) => {
    const context = { normalized: normalizeText(text) } as DetectContext;
    let best = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = performance.now();
      detector.detect(text, context);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  for (const family of ['letters then !', '"1 " repeated', 'dots', '@ repeated', 'digits']) {
    it(family, () => {
      const make = FAMILIES[family]!;
      const small = make(250_000);
      const large = make(1_000_000);
      run(small);
      expect(run(large) / Math.max(run(small), 0.05)).toBeLessThan(10);
    });
  }
});
