import { describe, expect, it } from 'vitest';
import { ArgumentError } from './errors.js';
import { applyReplacements, type Replacement } from './redact.js';

const r = (start: number, end: number, replacement: string): Replacement => ({ span: { start, end }, replacement });

/** Every order of a small list. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('applyReplacements', () => {
  it('returns the text unchanged without replacements', () => {
    expect(applyReplacements('hello', [])).toBe('hello');
  });

  it('applies non-overlapping replacements in any order', () => {
    const text = 'call 555-0100 or mail bob@example.com';
    const replacements = [r(5, 13, '<PHONE>'), r(22, 37, '<EMAIL>')];
    for (const order of permutations(replacements)) {
      expect(applyReplacements(text, order)).toBe('call <PHONE> or mail <EMAIL>');
    }
  });

  it('replaces at the very start and end of the text', () => {
    expect(applyReplacements('abcdef', [r(0, 2, 'X'), r(4, 6, 'Y')])).toBe('XcdY');
    expect(applyReplacements('abcdef', [r(0, 6, 'ALL')])).toBe('ALL');
  });

  it('merges overlapping spans into one, taking the replacement of the span that starts first', () => {
    const replacements = [r(2, 6, '<A>'), r(4, 8, '<B>')];
    for (const order of permutations(replacements)) expect(applyReplacements('abcdefghij', order)).toBe('ab<A>ij');
  });

  it('on the same start the longest span wins; on identical spans the result does not depend on order', () => {
    for (const order of permutations([r(2, 4, '<S>'), r(2, 8, '<L>')])) {
      expect(applyReplacements('abcdefghij', order)).toBe('ab<L>ij');
    }
    const outcomes = new Set(
      permutations([r(2, 8, '<B>'), r(2, 8, '<A>'), r(2, 8, '<C>')]).map((order) =>
        applyReplacements('abcdefghij', order),
      ),
    );
    expect(outcomes.size).toBe(1);
  });

  it('merges chains of overlaps and nested spans; nothing of any span survives', () => {
    const text = 'ABCDEFGHIJKLMNOPQRST';
    const replacements = [
      r(1, 5, '#1'),
      r(3, 9, '#2'),
      r(8, 12, '#3'),
      r(14, 16, '#4'),
      r(14, 15, '#5'),
      r(15, 18, '#6'),
    ];
    for (const order of permutations(replacements).slice(0, 200)) {
      const out = applyReplacements(text, order);
      expect(out).toBe('A#1MN#4ST');
      for (const char of 'BCDEFGHIJKLOPQR') expect(out).not.toContain(char);
    }
  });

  it('ignores empty spans', () => {
    expect(applyReplacements('abc', [r(1, 1, 'X')])).toBe('abc');
  });

  it('keeps surrogate pairs intact around a replacement', () => {
    expect(applyReplacements('😀 secret 😀', [r(3, 9, '***')])).toBe('😀 *** 😀');
  });
});

describe('applyReplacements argument checks', () => {
  it('rejects spans outside the text and non-string replacements with a typed error', () => {
    expect(() => applyReplacements('abc', [{ span: { start: 0, end: 9 }, replacement: 'x' }])).toThrow(ArgumentError);
    expect(() => applyReplacements('abc', [{ span: { start: 0, end: 1 }, replacement: 3 as never }])).toThrow(
      ArgumentError,
    );
    expect(() => applyReplacements(42 as never, [])).toThrow(ArgumentError);
  });
});
