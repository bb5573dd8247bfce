import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import {
  compileRecognizers,
  leadingDigitRun,
  leadingTokenRun,
  literalPrefixes,
  resolveOverlaps,
  scanText,
  withoutCaptures,
} from './engine.js';
import type { EntityMatch, Recognizer } from './recognizer.js';
import { ALL_RECOGNIZERS } from './recognizers/index.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'bench-corpus');
const texts = ['small', 'medium']
  .flatMap((name) => readFileSync(join(corpus, `${name}.jsonl`), 'utf8').split('\n'))
  .filter((line) => line.trim().length > 0)
  .map((line) => (JSON.parse(line) as { text: string }).text);

function digitsAt(text: string, at: number): number {
  let run = 0;
  while (at + run < text.length && text.charCodeAt(at + run) >= 48 && text.charCodeAt(at + run) <= 57) run++;
  return run;
}

describe('dispatch facts derived from patterns', () => {
  it('reads leading digit runs conservatively', () => {
    expect(leadingDigitRun('(?<![\\d-])\\d{3}-\\d{2}-\\d{4}')).toEqual([3, 3]);
    expect(leadingDigitRun('\\d{2,5}[ .-]\\d{3}')).toEqual([2, 5]);
    expect(leadingDigitRun('\\d{2} ?\\d{3}')[0]).toBe(2);
    expect(leadingDigitRun('\\d{2} ?\\d{3}')[1]).toBeGreaterThan(100);
    expect(leadingDigitRun('(?:\\d{4}|\\d{2})-x')).toEqual([2, 4]);
    expect(leadingDigitRun('\\w+')).toEqual([0, 1_000_000]);
    expect(leadingDigitRun('[0-9A-F]{4}')).toEqual([0, 1_000_000]);
  });

  it('never excludes a recognizer where it matches (checked on every match in the bench corpus)', () => {
    for (const recognizer of ALL_RECOGNIZERS) {
      const [min, max] = leadingDigitRun(recognizer.pattern.source);
      const sticky = new RegExp(recognizer.pattern.source, `${recognizer.pattern.flags.replace(/[gy]/g, '')}y`);
      const global = new RegExp(recognizer.pattern.source, `${recognizer.pattern.flags.replace(/[gy]/g, '')}g`);
      for (const text of texts) {
        global.lastIndex = 0;
        for (let match = global.exec(text); match !== null; match = global.exec(text)) {
          sticky.lastIndex = match.index;
          if (sticky.exec(text) === null || match[0].length === 0) {
            if (match[0].length === 0) global.lastIndex++;
            continue;
          }
          const run = digitsAt(text, match.index);
          expect(run >= min && run <= max, `${recognizer.id} at a run of ${run} digits, range [${min}, ${max}]`).toBe(
            true,
          );
        }
      }
    }
  });

  it('reads leading token runs conservatively', () => {
    expect(leadingTokenRun('[a-f0-9]{36}NRAL')).toBe(40);
    expect(leadingTokenRun('(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])')).toBe(20);
    expect(leadingTokenRun('(?<![A-Za-z0-9])ghp_[A-Za-z0-9]{36}')).toBe(40);
    expect(leadingTokenRun('\\d{3} ?\\d{3}')).toBe(3);
    expect(leadingTokenRun('(?:abc|de)f')).toBe(3);
    expect(leadingTokenRun('(abc)+x')).toBe(4);
    expect(leadingTokenRun('a|bcd')).toBe(1);
    expect(leadingTokenRun('(?:a[ ]b)c')).toBe(1);
    expect(leadingTokenRun('.{40}')).toBe(0);
    expect(leadingTokenRun('[^ ]{40}')).toBe(0);
    expect(leadingTokenRun('[\\s\\w]{40}')).toBe(0);
    expect(leadingTokenRun('\\p{L}{40}')).toBe(0);
    expect(leadingTokenRun('[é]{40}')).toBe(0);
  });

  it('never skips a recognizer where it matches (token runs, checked on every match in secrets and pii data)', () => {
    const datasets = join(corpus, '..', 'datasets');
    const rows = (file: string) =>
      readFileSync(join(datasets, file), 'utf8')
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => (JSON.parse(line) as { text?: unknown }).text)
        .filter((text): text is string => typeof text === 'string');
    const samples = [
      ...texts,
      ...rows('gitleaks-rules/rule_examples.jsonl').map((text) => `api_token = "${text}"`),
      ...rows('detect-secrets-cases/plugin_cases.jsonl'),
      ...rows('presidio-recognizer-cases/eval.jsonl'),
    ];
    expect(samples.length).toBeGreaterThan(1500);
    let checked = 0;
    for (const recognizer of ALL_RECOGNIZERS) {
      const min = leadingTokenRun(recognizer.pattern.source);
      if (min === 0) continue;
      const global = new RegExp(recognizer.pattern.source, `${recognizer.pattern.flags.replace(/[gy]/g, '')}g`);
      for (const text of samples) {
        global.lastIndex = 0;
        for (let match = global.exec(text); match !== null; match = global.exec(text)) {
          if (match[0].length === 0) {
            global.lastIndex++;
            continue;
          }
          let run = 0;
          while (/^[A-Za-z0-9_\-.+/=%:#@~]$/.test(text[match.index + run] ?? '')) run++;
          expect(run >= min, `${recognizer.id} at a run of ${run} token characters, needs ${min}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('extracts literal prefixes only where the pattern says so plainly', () => {
    expect(literalPrefixes('(?<![A-Za-z0-9])ghp_[A-Za-z0-9]{36}', false)).toEqual(['ghp_']);
    expect(literalPrefixes('(?:(?<!x)|(?<=y))(?:AKIA|ASIA)[A-Z0-9]{16}', false)).toEqual(['AKIA', 'ASIA']);
    expect(literalPrefixes('sk_(?:live|test)_x', true)).toEqual(['sk_']);
    expect(literalPrefixes('a?bc', false)).toBeUndefined();
    expect(literalPrefixes('abc|def', false)).toBeUndefined();
    expect(literalPrefixes('\\d{3}', false)).toBeUndefined();
  });

  it('removes capture groups without changing what matches', () => {
    expect(withoutCaptures('(a)(?<name>b)(?:c)[(]\\(')).toBe('(?:a)(?:b)(?:c)[(]\\(');
    for (const recognizer of ALL_RECOGNIZERS.slice(0, 120)) {
      const plain = new RegExp(
        withoutCaptures(recognizer.pattern.source),
        recognizer.pattern.flags.replace(/[gy]/g, ''),
      );
      const original = new RegExp(recognizer.pattern.source, recognizer.pattern.flags.replace(/[gy]/g, ''));
      for (const text of texts.slice(0, 60)) expect(plain.exec(text)?.[0]).toBe(original.exec(text)?.[0]);
    }
  });
});

describe('scanText', () => {
  const find = (recognizers: readonly Recognizer[], text: string): EntityMatch[] => {
    const out: EntityMatch[] = [];
    scanText(text, compileRecognizers(recognizers), { maxMatches: 100 }, out);
    return resolveOverlaps(out);
  };
  const recognizer = (patch: Partial<Recognizer>): Recognizer => ({
    id: 'test',
    entity: 'TEST',
    kind: 'pii',
    pattern: /(?<![0-9])\d{4}-\d{4}(?![0-9])/,
    starts: ['digit'],
    score: 0.6,
    ...patch,
  });

  it('with `from`, finds values from anchors and literals at or after it (a token may begin before), long ones anywhere', () => {
    const set = compileRecognizers([
      recognizer({}),
      recognizer({ id: 'lit', entity: 'LIT', pattern: /KEYX[0-9]{4}/, starts: ['upper'], literals: ['KEYX'] }),
      recognizer({
        id: 'long',
        entity: 'LONG',
        pattern: /LONGX[a-z]{4}/,
        starts: ['upper'],
        literals: ['LONGX'],
        longValues: true,
      }),
    ]);
    const text = 'LONGXabcd a 1111-2222 b KEYX9999 c 3333-4444 d';
    const values = (from: number) => {
      const out: EntityMatch[] = [];
      scanText(text, set, { maxMatches: 100 }, out, from);
      return resolveOverlaps(out).map((match) => text.slice(match.start, match.end));
    };
    expect(values(0)).toEqual(['LONGXabcd', '1111-2222', 'KEYX9999', '3333-4444']);
    // From inside the first digits: the digits after `from` still anchor them, read from their start.
    expect(values(text.indexOf('-2222'))).toEqual(['LONGXabcd', '1111-2222', 'KEYX9999', '3333-4444']);
    // Past them: the later values, and the long-valued literal (looked for in the whole text).
    expect(values(text.indexOf(' b'))).toEqual(['LONGXabcd', 'KEYX9999', '3333-4444']);
    expect(values(text.indexOf(' c'))).toEqual(['LONGXabcd', '3333-4444']);
    expect(values(text.length)).toEqual(['LONGXabcd']);
  });

  it('rejects bad arguments with an ArgumentError', () => {
    const set = compileRecognizers([recognizer({})]);
    expect(() => scanText(42 as never, set, { maxMatches: 1 }, [])).toThrow(ArgumentError);
    expect(() => scanText('x', {} as never, { maxMatches: 1 }, [])).toThrow(ArgumentError);
    expect(() => scanText('x', set, { maxMatches: 1 }, [], -1)).toThrow(/from must be/);
    expect(() => scanText('x', set, { maxMatches: 1 }, [], 1.5)).toThrow(ArgumentError);
  });

  it('scores with checksums, context words and test values', () => {
    const [plain] = find([recognizer({})], 'ref 1234-5678');
    expect(plain!.score).toBe(0.6);
    const [context] = find([recognizer({ context: ['ticket'] })], 'ticket 1234-5678');
    expect(context!.score).toBeCloseTo(0.95);
    expect(find([recognizer({ contextRequired: true, context: ['ticket'] })], 'ref 1234-5678')).toEqual([]);
    const [valid] = find([recognizer({ validate: () => true, validScore: 0.9 })], '1234-5678');
    expect(valid!.reasons).toContain('checksum');
    expect(find([recognizer({ validate: () => false })], '1234-5678')).toEqual([]);
    const [test] = find([recognizer({ testValues: ['1234-5678'] })], '1234-5678');
    expect(test!.score).toBeCloseTo(0.3);
  });

  it('finds required context phrases across case, punctuation and short or long neighbour words', () => {
    const required = [recognizer({ contextRequired: true, context: ['case number', 'x-ref', 'ticket'] })];
    expect(find(required, 'Case  Number: 1234-5678')).toHaveLength(1);
    expect(find(required, 'the X-Ref is 1234-5678')).toHaveLength(1);
    expect(find(required, 'a b c d e f ticket 1234-5678')).toHaveLength(1);
    // "case" is a phrase head, but the phrase is broken by a word in between.
    expect(find(required, 'case file number 1234-5678')).toEqual([]);
    // Words far longer or shorter than any context word are skipped, not mistaken for one.
    expect(find(required, `${'q'.repeat(40)} x y 1234-5678`)).toEqual([]);
    // A value that begins with a word before the token (a leading word) has its context word counted from
    // its own start, not from the token's: "born" is 46 characters before "May", 50 before "12".
    const leading = [
      recognizer({
        leadingWord: true,
        contextRequired: true,
        context: ['born'],
        pattern: /(?<![A-Za-z])May \d{2}(?!\d)/,
        starts: ['upper'],
      }),
    ];
    const born = `born${' '.repeat(42)}May 12`;
    expect(find(leading, born).map((match) => born.slice(match.start, match.end))).toEqual(['May 12']);
    // Two windows: the second still sees its own context word after the first was read.
    const text = `ref 1234-5678 ${'and so on '.repeat(8)}ticket 8765-4321`;
    expect(find(required, text).map((match) => text.slice(match.start, match.end))).toEqual(['8765-4321']);
  });

  it('keeps the best of overlapping matches', () => {
    const long = recognizer({ id: 'long', pattern: /\d{4}-\d{4}-\d{4}/, score: 0.7 });
    const short = recognizer({ id: 'short', score: 0.9 });
    const [best] = find([long, short], '1234-5678-9012');
    expect(best!.recognizer).toBe('short');
  });

  it('stops at maxMatches', () => {
    const out: EntityMatch[] = [];
    scanText('1111-2222 '.repeat(500), compileRecognizers([recognizer({})]), { maxMatches: 10 }, out);
    expect(out).toHaveLength(10);
  });

  it('rejects duplicate recognizer ids', () => {
    expect(() => compileRecognizers([recognizer({}), recognizer({})])).toThrow(/defined twice/);
  });
});

describe('literal-anchored recognizers', () => {
  it('finds every occurrence whatever the order of its literals in the text', () => {
    const twoLiterals: Recognizer = {
      id: 'test-literals',
      entity: 'TEST',
      kind: 'pii',
      pattern: /(?:ZETA|ALPHA)-[a-z]{4}/,
      starts: ['upper'],
      literals: ['ALPHA', 'ZETA'],
      score: 0.9,
    };
    const set = compileRecognizers([twoLiterals]);
    const text = 'first ZETA-abcd then ALPHA-efgh and ZETA-ijkl';
    const out: EntityMatch[] = [];
    scanText(text, set, { maxMatches: 100 }, out);
    expect(out.map((match) => text.slice(match.start, match.end)).sort()).toEqual([
      'ALPHA-efgh',
      'ZETA-abcd',
      'ZETA-ijkl',
    ]);
  });
});

describe('resolveOverlaps', () => {
  /** The definition: best first (score, then length, then start), kept unless it overlaps a kept one. */
  const reference = (matches: readonly EntityMatch[]): EntityMatch[] => {
    const ranked = [...matches].sort(
      (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start,
    );
    const kept: EntityMatch[] = [];
    for (const candidate of ranked) {
      if (!kept.some((chosen) => candidate.start < chosen.end && chosen.start < candidate.end)) kept.push(candidate);
    }
    return kept.sort((a, b) => a.start - b.start);
  };

  it('keeps the same spans as the definition, for few and many matches, empty spans included', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let trial = 0; trial < 3000; trial++) {
      // Under and over the count where the choice switches from a sorted array to marked positions.
      const count = 1 + Math.floor(random() * (trial % 2 === 0 ? 40 : 300));
      const width = 10 + Math.floor(random() * 400);
      const matches = Array.from({ length: count }, (_, index): EntityMatch => {
        const start = Math.floor(random() * width);
        const length = random() < 0.1 ? 0 : 1 + Math.floor(random() * 30);
        return {
          entity: 'TEST',
          kind: 'pii',
          recognizer: `r${index}`,
          start,
          end: start + length,
          score: Math.round(random() * 4) / 4,
          reasons: [],
        };
      });
      const ids = (list: readonly EntityMatch[]) => list.map((match) => match.recognizer).join(',');
      expect(ids(resolveOverlaps(matches))).toBe(ids(reference(matches)));
    }
  });

  it('rejects what is not a list of matches with offsets, with an error that says so', () => {
    expect(() => resolveOverlaps('x' as never)).toThrow(ArgumentError);
    const match = { entity: 'A', kind: 'pii', recognizer: 'a', start: 0, end: 4, score: 0.9, reasons: [] } as const;
    expect(() => resolveOverlaps([match, { ...match, start: -1 }])).toThrow(/whole-number offsets/);
    expect(() => resolveOverlaps([{ ...match, end: 1e300 }])).toThrow(ArgumentError);
    expect(() => resolveOverlaps([match, null as never])).toThrow(ArgumentError);
    expect(resolveOverlaps([match])).toEqual([match]);
  });

  it('keeps the best of 80 000 matches, in order of start', () => {
    // 40 000 disjoint spans met in reverse order of start (the worst case for inserting into a sorted array,
    // which this no longer does; the STREET_ADDRESS linearity test times it) plus one overlapping loser each.
    const matches: EntityMatch[] = [];
    for (let index = 0; index < 40_000; index++) {
      const start = (40_000 - index) * 10;
      matches.push({ entity: 'A', kind: 'pii', recognizer: 'a', start, end: start + 5, score: 0.9, reasons: [] });
      matches.push({
        entity: 'B',
        kind: 'pii',
        recognizer: 'b',
        start: start + 2,
        end: start + 8,
        score: 0.5,
        reasons: [],
      });
    }
    const kept = resolveOverlaps(matches);
    expect(kept).toHaveLength(40_000);
    expect(kept.every((match) => match.entity === 'A')).toBe(true);
    expect(kept.map((match) => match.start)).toEqual([...kept.map((match) => match.start)].sort((a, b) => a - b));
  });
});
