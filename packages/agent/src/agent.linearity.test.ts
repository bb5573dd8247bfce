import { linearityRatio } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { argumentValues, stringLeaves, traceableValues } from './taint.js';

/**
 * The value-taint extractors run on every untrusted tool output and on argument strings: each family of
 * hostile text must cost about four times as much at 1 M characters as at 250 K (a quadratic scan would
 * cost sixteen). Ratios, never absolute times.
 */
const FAMILIES: Record<string, (size: number) => string> = {
  'letters without @': (size) => 'a'.repeat(size),
  'dotted labels': (size) => 'ab.'.repeat(size / 3),
  'at signs': (size) => 'a@'.repeat(size / 2),
  'email-like without tld': (size) => 'x@y '.repeat(size / 4),
  'digits and separators': (size) => '1 -'.repeat(size / 3),
  'digit runs too long': (size) => '9'.repeat(size),
  'url prefixes': (size) => 'http://'.repeat(size / 7),
  'url without end': (size) => `https://${'a'.repeat(size - 8)}`,
  'uppercase codes': (size) => 'DE12ABCDEFGHIJ'.repeat(size / 14),
  'hyphen runs': (size) => 'a-'.repeat(size / 2),
  'token characters': (size) => 'k9_='.repeat(size / 4),
  'short tokens': (size) => 'abc1234567-x '.repeat(size / 13),
};

describe('taint extractors are linear on hostile input', () => {
  for (const [name, make] of Object.entries(FAMILIES)) {
    it(name, async () => {
      const small = make(250_000);
      const large = make(1_000_000);
      const outputs = await linearityRatio((text) => traceableValues(text), small, large, { rounds: 7, floorMs: 1 });
      const args = await linearityRatio((text) => argumentValues(text), small, large, { rounds: 7, floorMs: 1 });
      expect(outputs).toBeLessThan(10);
      expect(args).toBeLessThan(10);
    });
  }

  it('string leaves of a wide object', async () => {
    const make = (size: number) =>
      Object.fromEntries(Array.from({ length: size / 10 }, (_, i) => [`k${i}`, 'v'.repeat(9)]));
    const small = make(250_000);
    const large = make(1_000_000);
    const timed = await linearityRatio((text) => stringLeaves(text === 's' ? small : large, 1_000_000), 's', 'l', {
      rounds: 7,
      floorMs: 1,
    });
    expect(timed).toBeLessThan(10);
  });
});
