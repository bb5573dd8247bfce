import {
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

const GIBBERISH_STAGES = ['input'] as const satisfies readonly Stage[];

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "gibberish"')
      .default('gibberish'),
    stages: z
      .array(z.enum(['input', 'output', 'tool_input', 'tool_output'] as const))
      .min(1, 'must name at least one stage')
      .default([...GIBBERISH_STAGES]),
    /** Texts with fewer Latin letters in plain words than this are never judged. */
    minLetters: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(8, 'must be at least 8 (shorter texts cannot be told apart from abbreviations)')
      .max(10_000, 'must be at most 10000')
      .default(16),
    /** Share of the letters that must sit in nonsense words for the text to be reported (0.3–1). */
    threshold: z
      .number({ error: () => 'must be a number between 0.3 and 1' })
      .min(0.3, 'must be at least 0.3 (lower flags ordinary text with a few odd words)')
      .max(1, 'must be at most 1')
      .default(0.5),
  })
  .strict();

export type GibberishOptions = z.input<typeof optionsSchema>;

/** Characters looked at per text: enough to judge it; bounds the work on huge inputs. */
const SAMPLE = 100_000;

const LATIN_WORD = /^[\p{Script=Latin}\p{M}]+$/u;
const ANY_LETTER = /\p{L}/u;
const MARKS = /\p{M}/gu;
const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss',
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  đ: 'd',
  ł: 'l',
  ı: 'i',
  þ: 'th',
  ð: 'd',
  ŋ: 'n',
};

/** Keyboard rows (QWERTY, QWERTZ, AZERTY) whose runs a mash follows. Top rows need five keys: "wert" is German. */
const HOME_AND_BOTTOM_ROWS = ['asdfghjkl', 'qsdfghjklm', 'zxcvbnm', 'yxcvbnm', 'wxcvbn'];
const TOP_ROWS = ['qwertyuiop', 'qwertzuiop', 'azertyuiop'];

function rowRuns(rows: readonly string[], size: number): Set<string> {
  const runs = new Set<string>();
  for (const row of rows) {
    const reversed = [...row].reverse().join('');
    for (const line of [row, reversed]) {
      for (let i = 0; i + size <= line.length; i++) runs.add(line.slice(i, i + size));
    }
  }
  return runs;
}

const KEY_RUNS_4 = rowRuns(HOME_AND_BOTTOM_ROWS, 4);
const KEY_RUNS_5 = rowRuns(TOP_ROWS, 5);

/**
 * Letter pairs that no common Latin-script language writes inside a word ("qx", "jq", …). Kept short on
 * purpose: German, Dutch and Polish compounds make most consonant pairs possible.
 */
const RARE_PAIRS = new Set(
  [
    ...'bcdfghjklmnpqrstvwxyz'.split('').map((next) => `q${next}`),
    'jq',
    'xq',
    'zq',
    'vq',
    'kq',
    'gq',
    'fq',
    'pq',
    'bq',
    'wq',
    'hq',
    'jx',
    'xj',
    'vx',
    'zx',
    'xz',
    'jz',
    'zj',
  ].filter((pair) => pair !== 'qs' && pair !== 'qt'),
);

const VOWELS = new Uint8Array(128);
for (const vowel of 'aeiouy') VOWELS[vowel.charCodeAt(0)] = 1;

function isVowel(code: number): boolean {
  return VOWELS[code] === 1;
}

/** Digraphs and trigraphs written for one consonant sound; counted as one when measuring consonant runs. */
function clusterLength(word: string, at: number): number {
  if (word.startsWith('sch', at) || word.startsWith('tsch', at)) return word.startsWith('tsch', at) ? 4 : 3;
  const pair = word.slice(at, at + 2);
  return pair === 'ch' ||
    pair === 'sh' ||
    pair === 'th' ||
    pair === 'ph' ||
    pair === 'ck' ||
    pair === 'ng' ||
    pair === 'gh' ||
    pair === 'sz' ||
    pair === 'cz' ||
    pair === 'rz' ||
    pair === 'dz'
    ? 2
    : 1;
}

type Reason = 'keyboard-mash' | 'repetition' | 'random-letters';

/** Why a folded lower-case ASCII word is nonsense, or undefined when it could be a word. */
function nonsense(word: string): Reason | undefined {
  const length = word.length;
  if (length < 4) return undefined;
  for (let i = 0; i + 4 <= length; i++) {
    if (KEY_RUNS_4.has(word.slice(i, i + 4))) return 'keyboard-mash';
    if (i + 5 <= length && KEY_RUNS_5.has(word.slice(i, i + 5))) return 'keyboard-mash';
  }
  // One short unit repeated ("sdfsdfsdf", "hahahaha", "xxxxxx").
  if (length >= 6) {
    for (let unit = 1; unit <= 4 && unit * 3 <= length; unit++) {
      let periodic = true;
      for (let i = unit; i < length && periodic; i++) periodic = word.charCodeAt(i) === word.charCodeAt(i - unit);
      if (periodic) return 'repetition';
    }
  }
  let vowels = 0;
  let nucleus = false;
  let run = 0;
  let longestRun = 0;
  let i = 0;
  while (i < length) {
    const code = word.charCodeAt(i);
    if (isVowel(code)) {
      vowels++;
      nucleus = true;
      run = 0;
      i++;
      continue;
    }
    // Syllabic r and l between consonants (Czech "prst", "vlk") make a syllable without a vowel.
    if (
      (code === 0x72 || code === 0x6c) &&
      i > 0 &&
      i + 1 < length &&
      !isVowel(word.charCodeAt(i - 1)) &&
      !isVowel(word.charCodeAt(i + 1))
    ) {
      nucleus = true;
    }
    const size = clusterLength(word, i);
    run++;
    if (run > longestRun) longestRun = run;
    i += size;
  }
  for (let k = 0; k + 2 <= length; k++) if (RARE_PAIRS.has(word.slice(k, k + 2))) return 'random-letters';
  if (!nucleus && length >= 5) return 'random-letters';
  const ratio = vowels / length;
  if (longestRun >= 6) return 'random-letters';
  if (longestRun >= 5 && ratio < 0.3) return 'random-letters';
  if (length >= 6 && ratio < 0.15) return 'random-letters';
  return undefined;
}

function fold(word: string): string {
  let lower = word.toLowerCase();
  let ascii = true;
  for (let i = 0; i < lower.length && ascii; i++) ascii = lower.charCodeAt(i) < 0x80;
  if (ascii) return lower;
  lower = lower.normalize('NFD').replace(MARKS, '');
  let out = '';
  for (const char of lower) out += SPECIAL_FOLDS[char] ?? (char.charCodeAt(0) < 0x80 ? char : '');
  return out;
}

/** Characters that make a token code, a URL, a number, an address or an identifier: never judged. */
function technical(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // digits
    code === 0x2f || // /
    code === 0x5c || // \
    code === 0x3a || // :
    code === 0x40 || // @
    code === 0x5f || // _
    code === 0x3d || // =
    code === 0x3c || // <
    code === 0x3e || // >
    code === 0x7b || // {
    code === 0x7d || // }
    code === 0x5b || // [
    code === 0x5d || // ]
    code === 0x7c || // |
    code === 0x23 || // #
    code === 0x24 || // $
    code === 0x25 || // %
    code === 0x26 || // &
    code === 0x2a || // *
    code === 0x2b || // +
    code === 0x7e || // ~
    code === 0x5e || // ^
    code === 0x60 // `
  );
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x3000;
}

interface Tally {
  latin: number;
  other: number;
  tokens: number;
  technicalTokens: number;
  nonsenseLetters: number;
  nonsenseWords: number;
  reasons: Record<Reason, number>;
  words: Map<string, number>;
  wordCount: number;
}

/** Judges one whitespace-separated token (a word with its punctuation). */
function judgeToken(token: string, tally: Tally): void {
  tally.tokens++;
  let inner = false;
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (technical(code)) {
      tally.technicalTokens++;
      return;
    }
    // A dot between letters: a domain, a file name, a member access.
    if (code === 0x2e && inner && i + 1 < token.length && isAsciiLetter(token.charCodeAt(i + 1))) {
      tally.technicalTokens++;
      return;
    }
    if (isAsciiLetter(code)) inner = true;
  }
  for (const part of token.split(/[-'’.,;!?()"“”«»„‚‘…]+/)) {
    if (part.length === 0) continue;
    if (!LATIN_WORD.test(part)) {
      if (ANY_LETTER.test(part)) tally.other += part.length;
      continue;
    }
    // Identifiers in camelCase, and short all-capital acronyms, are not words to judge.
    let upper = 0;
    let camel = false;
    for (let i = 0; i < part.length; i++) {
      const code = part.charCodeAt(i);
      if (code >= 0x41 && code <= 0x5a) {
        upper++;
        if (i > 0 && part.charCodeAt(i - 1) >= 0x61 && part.charCodeAt(i - 1) <= 0x7a) camel = true;
      }
    }
    if (camel || (upper === part.length && part.length < 7)) continue;
    const word = fold(part);
    if (word.length === 0) continue;
    tally.latin += word.length;
    tally.wordCount++;
    if (tally.words.size < 10_000) tally.words.set(word, (tally.words.get(word) ?? 0) + 1);
    const reason = nonsense(word);
    if (reason !== undefined) {
      tally.nonsenseLetters += word.length;
      tally.nonsenseWords++;
      tally.reasons[reason] += word.length;
    }
  }
}

/**
 * Keyboard mash ("asdfkjh qwpoeiru"), random letter strings and repetition ("sdfsdfsdf", one word over
 * and over) in Latin-script text. Each word is judged on its own (keyboard-row runs, a unit repeated,
 * letter pairs no language writes, no vowel, long consonant runs), then the text is reported when most
 * of its letters sit in nonsense words. Never judged: non-Latin scripts, tokens with digits or code
 * punctuation (URLs, numbers, identifiers, paths, code), camelCase, acronyms, and texts with fewer than
 * `minLetters` letters in plain words. Measured false-positive rate: see the package README.
 *
 * @example
 * createGuard({ input: [gibberish()] });
 */
export function gibberish(options: GibberishOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'gibberish() options');

  const detect = (_text: string, context: DetectContext): readonly FindingInput[] => {
    const source = context.normalized.text;
    if (source.length < config.minLetters) return [];
    const text = source.length > SAMPLE ? source.slice(0, SAMPLE) : source;
    const tally: Tally = {
      latin: 0,
      other: 0,
      tokens: 0,
      technicalTokens: 0,
      nonsenseLetters: 0,
      nonsenseWords: 0,
      reasons: { 'keyboard-mash': 0, repetition: 0, 'random-letters': 0 },
      words: new Map(),
      wordCount: 0,
    };
    let start = -1;
    for (let i = 0; i <= text.length; i++) {
      const space = i === text.length || isWhitespace(text.charCodeAt(i));
      if (!space) {
        if (start < 0) start = i;
        continue;
      }
      if (start >= 0) {
        // Very long tokens are data (base64, minified code), not words.
        if (i - start <= 64) judgeToken(text.slice(start, i), tally);
        else {
          tally.tokens++;
          tally.technicalTokens++;
        }
        start = -1;
      }
    }
    if (tally.latin < config.minLetters) return [];
    // Another script, or mostly code / links / numbers: not ours to judge.
    if (tally.other > 0.2 * (tally.latin + tally.other)) return [];
    if (tally.technicalTokens > 0.5 * tally.tokens) return [];

    const ratio = tally.nonsenseLetters / tally.latin;
    if (ratio >= config.threshold && (tally.nonsenseWords >= 2 || tally.wordCount === 1)) {
      let reason: Reason = 'random-letters';
      if (tally.reasons['keyboard-mash'] >= tally.reasons[reason]) reason = 'keyboard-mash';
      if (tally.reasons.repetition > tally.reasons[reason]) reason = 'repetition';
      const score = Math.min(1, 0.6 + (0.4 * (ratio - config.threshold)) / Math.max(0.01, 1 - config.threshold));
      return [
        {
          category: 'gibberish',
          score: Number(score.toFixed(3)),
          message: `text reads as ${reason === 'keyboard-mash' ? 'keyboard mash' : reason === 'repetition' ? 'repeated nonsense' : 'random letters'} (${Math.round(ratio * 100)}% of ${tally.latin} letters in nonsense words)`,
          data: { reason, ratio: Number(ratio.toFixed(3)), letters: tally.latin, nonsenseWords: tally.nonsenseWords },
        },
      ];
    }
    // The same word or two over and over ("buy now buy now …").
    if (tally.wordCount >= 10) {
      let top = 0;
      for (const count of tally.words.values()) if (count > top) top = count;
      if (tally.words.size <= tally.wordCount * 0.2 && top >= tally.wordCount * 0.4) {
        return [
          {
            category: 'gibberish',
            score: 0.6,
            message: `text repeats ${tally.words.size} distinct word${tally.words.size === 1 ? '' : 's'} ${tally.wordCount} times`,
            data: { reason: 'repeated-words', distinctWords: tally.words.size, words: tally.wordCount },
          },
        ];
      }
    }
    return [];
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [{ minScore: 0.5, action: 'flag' }],
    detect,
  };
}

export const gibberishEntry: DetectorFactory = {
  id: 'gibberish',
  stages: ['input'],
  description:
    'Keyboard mash, random letter strings and repetition in Latin-script text (never other scripts, code, URLs, numbers or short inputs); options: minLetters, threshold',
  create: (options) => gibberish((options ?? {}) as never),
};
