import { describe, expect, it } from 'vitest';
import { entropy, entropyOfCodePoints } from '../../checksums.js';
import { hasRepeats, isMasked } from './shared.js';

// The definitions the fast versions must equal: a map of code points (entropyOfCodePoints), a set, a map
// of 4-unit slices.
function hasRepeatsBySlices(value: string): boolean {
  const counts = new Map<string, number>();
  for (let i = 0; i + 4 <= value.length; i++) {
    const piece = value.slice(i, i + 4);
    const count = (counts.get(piece) ?? 0) + 1;
    if (count >= 3) return true;
    counts.set(piece, count);
  }
  return false;
}

function fewDistinctBySet(body: string): boolean {
  return body.length >= 10 && new Set(body).size <= 3;
}

/** Random strings from small alphabets (so repeats and few-distinct cases happen), ASCII and beyond. */
function randomValues(count: number): string[] {
  const alphabets = [
    'ab',
    'abc',
    'abcd',
    'aB3+/=',
    '0123456789abcdef',
    'xyzé',
    'a😀b',
    '\ud800ab',
    'ÄÖÜäöü1',
    'ab\u0000\u007f\u0080',
  ];
  let seed = 2024;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const out: string[] = ['', 'a', 'aaaa', 'abcabcabcabc', 'ghp_0123456789abcdefABCDEF', '😀😀😀😀😀'];
  for (let i = 0; i < count; i++) {
    const alphabet = alphabets[next(alphabets.length)]!;
    const chars = [...alphabet];
    const length = next(40);
    let value = '';
    for (let k = 0; k < length; k++) value += chars[next(chars.length)];
    out.push(value);
  }
  return out;
}

describe('secret value checks (fast paths against their definitions)', () => {
  const values = randomValues(5000);

  it('entropy equals the map-of-code-points sum to the last bit', () => {
    for (const value of values)
      expect(entropy(value), JSON.stringify(value)).toBe(value.length === 0 ? 0 : entropyOfCodePoints(value));
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('ab')).toBe(1);
  });

  it('hasRepeats equals the slice-map definition', () => {
    let repeats = 0;
    for (const value of values) {
      const expected = hasRepeatsBySlices(value);
      if (expected) repeats++;
      expect(hasRepeats(value), JSON.stringify(value)).toBe(expected);
    }
    expect(repeats).toBeGreaterThan(500);
    expect(hasRepeats('1234-1234-1234')).toBe(true);
    expect(hasRepeats('ghp_0123456789abcdefABCDEF')).toBe(false);
  });

  it('isMasked counts at most three distinct characters as a mask, like a set would', () => {
    let masked = 0;
    for (const value of values) {
      // allowRuns keeps the run check out; the mask patterns are the same code on both sides.
      const expected =
        /x{4,}|X{4,}|\*{3,}|#{3,}|•{3,}|\.{3,}|…|<[^>]{0,40}>|\$\{|\{\{/.test(value) ||
        /your|here|placeholder|redacted|changeme|insert|replace/i.test(value) ||
        fewDistinctBySet(value);
      if (expected) masked++;
      expect(isMasked(value, true), JSON.stringify(value)).toBe(expected);
    }
    expect(masked).toBeGreaterThan(500);
  });
});
