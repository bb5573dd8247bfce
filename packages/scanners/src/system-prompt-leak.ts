import {
  CONFUSABLE_MAP,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  normalizeText,
  parseConfig,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';
import { canaryFindings, canaryKeys, canaryListSchema, findCanaries } from './canary.js';

const optionsSchema = z
  .object({
    id: z
      .string({ error: () => 'must be a string' })
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "system-prompt-leak"')
      .default('system-prompt-leak'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default(['output']),
    /** The prompt to protect. Omit it to use `context.systemPrompt` of each check (indexed once per distinct prompt). */
    systemPrompt: z.string({ error: () => 'must be a string (the system prompt to protect)' }).optional(),
    /** Canaries put into the system prompt (from canary(), or their tokens); reported as `canary-leak`. */
    canaries: canaryListSchema.default([]),
    /** Shortest run of consecutive prompt words reported (the shingle length). */
    minOverlapWords: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(4, 'must be at least 4: shorter runs are common phrases, not leaks')
      .max(64, 'must be at most 64')
      .default(8),
    /** A run of this many words scores 1 whatever the prompt's length. */
    fullScoreWords: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(4, 'must be at least 4')
      .max(10_000, 'must be at most 10000')
      .default(24),
    /** Prompts with fewer words than this are not checked for overlap (only for canaries): there is nothing to leak. */
    minPromptWords: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(64, 'must be at most 64')
      .default(3),
    /**
     * Runs that also occur in the user's own words (user messages of `context.history`, and
     * `context.metadata.userInput` when it is a string) are not leaks: the answer is quoting the user.
     */
    ignoreUserText: z.boolean({ error: () => 'must be true or false' }).default(true),
    /** Look for canaries inside base64 / hex / URL-encoded runs too. */
    decode: z.boolean({ error: () => 'must be true or false' }).default(true),
    /** Findings with a span at most; further runs still count towards the covered fraction. */
    maxFindings: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10000')
      .default(16),
    /** Put in place of a leaked run when a `redact` rule applies. */
    replacement: z
      .string({ error: () => 'must be a string' })
      .max(200)
      .default('[system prompt withheld]'),
  })
  .strict();

export type SystemPromptLeakOptions = z.input<typeof optionsSchema>;

// Per BMP code unit: 0 separator, 1 part of a word, 2 a word on its own (CJK ideographs and kana, which are
// written without spaces), 3 an apostrophe (joins letters: "don't" → "dont", so quote styles do not matter),
// 4 a letter of a script written without spaces between words whose words are several letters long (Thai,
// Lao, Myanmar, Khmer): cut into pieces by content (`unspacedCut`), see `wordsOf`.
const CLASS = new Uint8Array(0x10000);
{
  const mark = (from: number, to: number, value: number): void => {
    CLASS.fill(value, from, to + 1);
  };
  mark(0x30, 0x39, 1);
  mark(0x41, 0x5a, 1);
  mark(0x61, 0x7a, 1);
  CLASS[0x27] = 3;
  mark(0xc0, 0xd7ff, 1);
  CLASS[0xd7] = 0;
  CLASS[0xf7] = 0;
  mark(0x2000, 0x2bff, 0); // punctuation, symbols, arrows, box drawing, dingbats
  CLASS[0x2019] = 3;
  CLASS[0x2018] = 0;
  mark(0x3000, 0x303f, 0); // CJK punctuation
  mark(0x3040, 0x30ff, 2); // kana
  mark(0x3400, 0x4dbf, 2);
  mark(0x4e00, 0x9fff, 2);
  mark(0xe000, 0xf8ff, 0); // private use
  mark(0xf900, 0xfaff, 2);
  mark(0xfb00, 0xfdff, 1);
  mark(0xfe70, 0xfefc, 1);
  mark(0xff10, 0xff19, 1);
  mark(0xff21, 0xff3a, 1);
  mark(0xff41, 0xff5a, 1);
  mark(0xff66, 0xffdc, 1);
  mark(0x0e00, 0x0eff, 4); // Thai, Lao
  mark(0x1000, 0x109f, 4); // Myanmar
  mark(0x1780, 0x17ff, 4); // Khmer
  // Their punctuation separates pieces like any other: Thai ๏ ๚ ๛, Myanmar ၊ ။, Khmer ។ ៕ ៖ and ៚.
  for (const code of [0x0e4f, 0x0e5a, 0x0e5b, 0x104a, 0x104b, 0x17d4, 0x17d5, 0x17d6, 0x17da]) CLASS[code] = 0;
  // Surrogates (emoji and other astral characters) and U+FFFD separate words.
}

/**
 * Where a run of Thai, Lao, Myanmar or Khmer letters is cut into pieces that stand in for words. A line of
 * Thai has no spaces between words, so reading it as one "word" made a partial leak of a Thai prompt
 * invisible. A dictionary segmenter (Intl.Segmenter) costs about 1 µs per character here, far too slow
 * for every answer; instead a piece ends before a letter (never before a combining vowel or tone mark)
 * when a hash of that letter and the one before it falls in 2 of 8 buckets, and after 16 characters at
 * most. The cut depends only on the two letters around it, so the same text is cut the same way wherever
 * it starts in the answer, and pieces average about 4 characters, roughly a short Thai word: a shingle of
 * `minOverlapWords` pieces is a clause, not a common phrase (with 3 of 8, "ฝ่ายบริการลูกค้า", "the customer
 * service department", was already a leak).
 */
const UNSPACED_MARK = new Uint8Array(0x10000);
for (let code = 0; code < 0x10000; code++) {
  if (CLASS[code] === 4 && /\p{M}/u.test(String.fromCharCode(code))) UNSPACED_MARK[code] = 1;
}
const UNSPACED_MAX_PIECE = 16;
function unspacedCut(previous: number, code: number): boolean {
  if (UNSPACED_MARK[code] === 1) return false;
  return Math.imul(Math.imul(previous, 0x9e3779b1) ^ code, 0x85ebca6b) >>> 29 < 2;
}

const LOWER = new Uint16Array(0x10000);
for (let code = 0; code < 128; code++) LOWER[code] = code >= 0x41 && code <= 0x5a ? code + 32 : code;

/**
 * Lower case, then look-alike letters to the ASCII letter they imitate. The core folds look-alikes before
 * case and only in some words ("по" becomes "no", "ПО" stays), so the prompt and a re-cased copy of it
 * would differ; folding here, after lower-casing, makes both read the same.
 */
function lower(code: number): number {
  const known = LOWER[code]!;
  if (known !== 0) return known;
  const folded = String.fromCharCode(code).toLowerCase();
  let value = folded.length === 1 ? folded.charCodeAt(0) : code;
  const skeleton = CONFUSABLE_MAP.get(value);
  if (skeleton !== undefined) value = String.fromCharCode(skeleton).toLowerCase().charCodeAt(0);
  LOWER[code] = value;
  return value;
}

/** The words of a text as two 32-bit hashes each, with where each word sits. */
interface Words {
  count: number;
  readonly first: Int32Array;
  readonly second: Int32Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
}

function allocateWords(capacity: number): Words {
  return {
    count: 0,
    first: new Int32Array(capacity),
    second: new Int32Array(capacity),
    start: new Int32Array(capacity),
    end: new Int32Array(capacity),
  };
}

/** Reused for the answer of each call (detect is synchronous), so a window costs no allocation. */
const SCRATCH_LIMIT = 1 << 16;
let scratch = allocateWords(1024);

/**
 * Splits a text into lower-cased words, dropping everything else (punctuation, markdown, quotes, bullets,
 * line breaks), so the same sentence hashes alike however it is laid out. List numbers (digit-only words
 * of one or two characters) are dropped too, so "1." and "-" bullets compare equal. One pass, no regex.
 * With `reuse`, the result lives in a shared buffer until the next reusing call.
 */
function wordsOf(text: string, reuse = false): Words {
  const length = text.length;
  const capacity = length + 1;
  let words: Words;
  if (reuse && capacity <= SCRATCH_LIMIT) {
    if (scratch.first.length < capacity) scratch = allocateWords(Math.min(SCRATCH_LIMIT, capacity * 2));
    words = scratch;
    words.count = 0;
  } else words = allocateWords(capacity);
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    const kind = CLASS[code]!;
    if (kind === 0 || kind === 3) {
      i++;
      continue;
    }
    const start = i;
    let first = 0x811c9dc5 | 0;
    let second = 0x3c6ef372 | 0;
    let digitsOnly = true;
    let letters = 0;
    if (kind === 4) {
      // One piece of a Thai, Lao, Myanmar or Khmer run (see `unspacedCut`); the next starts where it ends.
      first = Math.imul(first ^ code, 0x01000193);
      second = Math.imul(second ^ code, 0x5bd1e995);
      i++;
      while (i < length && i - start < UNSPACED_MAX_PIECE) {
        const next = text.charCodeAt(i);
        if (CLASS[next] !== 4 || unspacedCut(text.charCodeAt(i - 1), next)) break;
        first = Math.imul(first ^ next, 0x01000193);
        second = Math.imul(second ^ next, 0x5bd1e995);
        second ^= second >>> 15;
        i++;
      }
    } else if (kind === 2) {
      const folded = lower(code);
      first = Math.imul(first ^ folded, 0x01000193);
      second = Math.imul(second ^ folded, 0x5bd1e995);
      digitsOnly = false;
      i++;
    } else {
      while (i < length) {
        const next = text.charCodeAt(i);
        const nextKind = CLASS[next]!;
        if (nextKind === 1) {
          const folded = lower(next);
          first = Math.imul(first ^ folded, 0x01000193);
          second = Math.imul(second ^ folded, 0x5bd1e995);
          second ^= second >>> 15;
          if (next < 0x30 || next > 0x39) digitsOnly = false;
          letters++;
          i++;
        } else if (nextKind === 3 && i + 1 < length && CLASS[text.charCodeAt(i + 1)] === 1) {
          i++;
        } else break;
      }
      if (digitsOnly && letters <= 2) continue;
    }
    const index = words.count++;
    words.first[index] = first;
    words.second[index] = second ^ (second >>> 13);
    words.start[index] = start;
    words.end[index] = i;
  }
  return words;
}

// The two 32-bit halves of the last shingle hashed (returned through module state: no allocation per shingle).
let keyA = 0;
let keyB = 0;

/** Hashes the `size` words from `at` into keyA/keyB: two independent 32-bit hashes, so collisions are negligible. */
function hashShingle(words: Words, at: number, size: number): void {
  let a = 0;
  let b = 0x2545f491;
  for (let t = at; t < at + size; t++) {
    a = Math.imul(a ^ words.first[t]!, 0x01000193);
    b = Math.imul(b + words.second[t]!, 0x85ebca6b);
    b ^= b >>> 16;
  }
  keyA = a ^ (a >>> 15);
  keyB = b;
}

/** Open-addressing table from a 64-bit shingle key (two int32 halves) to a dense id; no boxing, no allocation on lookup. */
class ShingleTable {
  private mask: number;
  private halvesA: Int32Array;
  private halvesB: Int32Array;
  private slots: Int32Array;
  size = 0;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.halvesA = new Int32Array(capacity);
    this.halvesB = new Int32Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
  }

  /** The id of (a, b), or -1. */
  get(a: number, b: number): number {
    const { mask, halvesA, halvesB, slots } = this;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (true) {
      const id = slots[slot]!;
      if (id === -1) return -1;
      if (halvesA[slot] === a && halvesB[slot] === b) return id;
      slot = (slot + 1) & mask;
    }
  }

  /** The id of (a, b), adding it with the next id when new. */
  add(a: number, b: number): number {
    const known = this.get(a, b);
    if (known !== -1) return known;
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const { mask, halvesA, halvesB, slots } = this;
    let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (slots[slot] !== -1) slot = (slot + 1) & mask;
    halvesA[slot] = a;
    halvesB[slot] = b;
    slots[slot] = this.size;
    return this.size++;
  }

  private grow(): void {
    const { halvesA, halvesB, slots } = this;
    const capacity = slots.length * 2;
    this.mask = capacity - 1;
    this.halvesA = new Int32Array(capacity);
    this.halvesB = new Int32Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
    for (let old = 0; old < slots.length; old++) {
      const id = slots[old]!;
      if (id === -1) continue;
      let slot = (halvesA[old]! ^ Math.imul(halvesB[old]!, 0x9e3779b1)) & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.halvesA[slot] = halvesA[old]!;
      this.halvesB[slot] = halvesB[old]!;
      this.slots[slot] = id;
    }
  }
}

/** The system prompt's shingles, built once per prompt. */
interface PromptIndex {
  /** Words in the prompt. */
  readonly words: number;
  /** Shingle length: `minOverlapWords`, or the whole prompt when it is shorter. 0 when the prompt is too short to check. */
  readonly size: number;
  /** Shingle key → dense id. */
  readonly ids: ShingleTable;
  /** Prompt word positions where each shingle id starts. */
  readonly positions: readonly number[][];
  /**
   * One bit per value of a word's first hash (`WORD_BITS`), set for the prompt's words. A shingle of the
   * answer can be one of the prompt's only if each of its words is a prompt word, so the answer's
   * shingles are hashed only at the end of a run of `size` words whose bits are all set (a shared bit
   * only costs a hash, never a miss).
   */
  readonly wordBits: Uint32Array;
  /**
   * For a prompt with too few words to shingle but enough characters to matter (Thai, Chinese, Japanese:
   * written without spaces): its text, lower-cased with blanks collapsed, to find verbatim in the answer.
   */
  readonly exact?: string;
}

/** Bits of the prompt-word filter: 2^16 bits (8 KB), so a prompt of a few thousand words sets few of them. */
const WORD_BITS = 1 << 16;

function wordBit(hash: number): number {
  return (hash ^ (hash >>> 16)) & (WORD_BITS - 1);
}

/** Characters a prompt of few "words" needs to be checked verbatim (a clause of Thai or Chinese). */
const MIN_EXACT_CHARS = 12;

/** Lower-cased, with every run of characters that are not letters, marks or digits made one space. */
function collapse(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();
}

function indexPrompt(prompt: string, minOverlapWords: number, minPromptWords: number): PromptIndex {
  // The answer is read through the core's normalized view (look-alike letters folded, invisible
  // characters removed), so the prompt is indexed through the same view or the words would not meet.
  const normalized = normalizeText(prompt).text;
  const words = wordsOf(normalized);
  const size = words.count < minPromptWords ? 0 : Math.min(minOverlapWords, words.count);
  const exact = size === 0 && normalized.trim().length >= MIN_EXACT_CHARS ? collapse(normalized) : undefined;
  const ids = new ShingleTable(size === 0 ? 0 : words.count - size + 1);
  const positions: number[][] = [];
  const wordBits = new Uint32Array(WORD_BITS / 32);
  for (let w = 0; w < words.count; w++) {
    const bit = wordBit(words.first[w]!);
    wordBits[bit >>> 5]! |= 1 << (bit & 31);
  }
  if (size > 0) {
    for (let at = 0; at + size <= words.count; at++) {
      hashShingle(words, at, size);
      const id = ids.add(keyA, keyB);
      if (id === positions.length) positions.push([]);
      positions[id]!.push(at);
    }
  }
  return { words: words.count, size, ids, positions, wordBits, ...(exact === undefined ? {} : { exact }) };
}

/** Shingles of the user's own words in this check, or undefined when there are none. */
function userShingles(context: DetectContext, size: number): ShingleTable | undefined {
  const texts: string[] = [];
  for (const message of context.history ?? []) {
    if (message.role === 'user' && typeof message.content === 'string') texts.push(message.content);
  }
  const input = context.metadata?.userInput;
  if (typeof input === 'string') texts.push(input);
  if (texts.length === 0) return undefined;
  const table = new ShingleTable(64);
  for (const text of texts) {
    const words = wordsOf(normalizeText(text).text);
    for (let at = 0; at + size <= words.count; at++) {
      hashShingle(words, at, size);
      table.add(keyA, keyB);
    }
  }
  return table.size === 0 ? undefined : table;
}

interface Run {
  /** First and last answer word covered. */
  firstWord: number;
  lastWord: number;
  /** Answer words covered by shingles of the prompt (gaps of a changed word or two are not counted). */
  words: number;
}

/** Words a changed, inserted or dropped word may leave between two pieces of one leaked run. */
const MAX_GAP_WORDS = 2;
const CACHE_SIZE = 16;

/**
 * Reports answers that repeat the system prompt. Both texts are reduced to lower-case word sequences
 * (punctuation, markdown, bullets, numbering, quotes and line breaks dropped); the prompt's runs of
 * `minOverlapWords` words are hashed once; the answer is slid over word by word. Each leaked run is a
 * finding with its span in the answer, the run's length, and the fraction of the prompt the answer covers
 * in total. A run of `minOverlapWords` scores 0.5, rising to 1 at `fullScoreWords`; the covered fraction
 * raises it (a verbatim copy of the whole prompt scores 1). Canaries given are checked too (`canary-leak`).
 *
 * @example
 * const c = canary();
 * const systemPrompt = `You are Acme's support assistant. ... ${c.token}`;
 * createGuard({ output: [systemPromptLeak({ systemPrompt, canaries: [c] })] });
 */
export function systemPromptLeak(options: SystemPromptLeakOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'systemPromptLeak() options');
  const keys = canaryKeys(config.canaries);
  const fixed =
    config.systemPrompt === undefined
      ? undefined
      : indexPrompt(config.systemPrompt, config.minOverlapWords, config.minPromptWords);
  const cache = new Map<string, PromptIndex>();

  const indexFor = (context: DetectContext): PromptIndex | undefined => {
    if (fixed !== undefined) return fixed;
    const prompt = context.systemPrompt;
    if (typeof prompt !== 'string' || prompt.length === 0) return undefined;
    let index = cache.get(prompt);
    if (index === undefined) {
      index = indexPrompt(prompt, config.minOverlapWords, config.minPromptWords);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(prompt, index);
    }
    return index;
  };

  const scoreOf = (runWords: number, coverage: number, size: number): number => {
    const full = Math.max(config.fullScoreWords, size + 1);
    const byLength = 0.5 + 0.5 * Math.min(1, Math.max(0, runWords - size) / (full - size));
    const byLengthCapped = size < config.minOverlapWords ? coverage : Math.min(1, byLength);
    return Math.round(Math.max(byLengthCapped, coverage) * 1000) / 1000;
  };

  const overlap = (context: DetectContext, index: PromptIndex): FindingInput[] => {
    const size = index.size;
    if (size === 0) {
      if (index.exact === undefined || !collapse(context.normalized.text).includes(index.exact)) return [];
      return [
        {
          category: 'system-prompt-leak',
          score: 1,
          severity: 'critical',
          message: 'the output repeats the whole system prompt',
          data: { coverage: 1, verbatim: true },
        },
      ];
    }
    const view = context.normalized;
    const answer = wordsOf(view.text, true);
    if (answer.count < size) return [];
    // First pass: shingles of the answer found in the prompt. Most answers stop here with no hit.
    let hitStarts: number[] | undefined;
    let hitIds: number[] | undefined;
    const { wordBits } = index;
    // Prompt words in a row ending at the current word (see `wordBits`).
    let inPrompt = 0;
    for (let word = 0; word < answer.count; word++) {
      const bit = wordBit(answer.first[word]!);
      if ((wordBits[bit >>> 5]! & (1 << (bit & 31))) === 0) {
        inPrompt = 0;
        continue;
      }
      if (++inPrompt < size) continue;
      const at = word - size + 1;
      hashShingle(answer, at, size);
      const id = index.ids.get(keyA, keyB);
      if (id === -1) continue;
      hitStarts ??= [];
      hitIds ??= [];
      hitStarts.push(at);
      hitIds.push(id);
    }
    if (hitStarts === undefined || hitIds === undefined) return [];
    const user = config.ignoreUserText ? userShingles(context, size) : undefined;
    // Answer words inside a run the user wrote too: a prompt run made mostly of them is the answer quoting
    // the user (whose words the prompt may hold, e.g. a templated question), not a leak.
    let quoted: Uint8Array | undefined;
    if (user !== undefined) {
      quoted = new Uint8Array(answer.count);
      for (let at = 0; at + size <= answer.count; at++) {
        hashShingle(answer, at, size);
        if (user.get(keyA, keyB) !== -1) quoted.fill(1, at, at + size);
      }
    }
    const ownWords = Math.ceil(size / 2);
    const covered = new Uint8Array(index.words);
    const idSeen = new Uint8Array(index.positions.length);
    let coveredWords = 0;
    const runs: Run[] = [];
    let run: Run | undefined;
    for (let h = 0; h < hitStarts.length; h++) {
      const at = hitStarts[h]!;
      if (quoted !== undefined) {
        let own = 0;
        for (let w = at; w < at + size; w++) own += 1 - quoted[w]!;
        if (own < ownWords) continue;
      }
      const id = hitIds[h]!;
      if (idSeen[id] === 0) {
        idSeen[id] = 1;
        for (const position of index.positions[id]!) {
          for (let w = position; w < position + size; w++) {
            if (covered[w] === 0) {
              covered[w] = 1;
              coveredWords++;
            }
          }
        }
      }
      const last = at + size - 1;
      if (run !== undefined && at <= run.lastWord + 1 + MAX_GAP_WORDS) {
        run.words += Math.min(size, last - run.lastWord);
        run.lastWord = Math.max(run.lastWord, last);
      } else {
        run = { firstWord: at, lastWord: last, words: size };
        runs.push(run);
      }
    }
    if (runs.length === 0) return [];
    const coverage = coveredWords / index.words;
    const percent = Math.round(coverage * 100);
    const findings: FindingInput[] = [];
    for (const item of runs) {
      if (findings.length >= config.maxFindings) break;
      const score = scoreOf(item.words, coverage, size);
      findings.push({
        category: 'system-prompt-leak',
        score,
        severity: score >= 0.75 ? 'critical' : 'high',
        message: `the text repeats ${item.words} consecutive words of the system prompt (${percent}% of the prompt appears in the text)`,
        span: view.toOriginal(answer.start[item.firstWord]!, answer.end[item.lastWord]!),
        replacement: config.replacement,
        data: {
          leakedWords: item.words,
          coveredFraction: Math.round(coverage * 1000) / 1000,
          coveredWords,
          promptWords: index.words,
          runs: runs.length,
        },
      });
    }
    return findings;
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'system-prompt-leak', minScore: 0.5, action: 'flag' },
      { category: 'system-prompt-leak', minScore: 0.75, action: 'block' },
      { category: 'canary-leak', minScore: 0.5, action: 'block' },
    ],
    detect(_text, context) {
      const index = indexFor(context);
      const findings = index === undefined ? [] : overlap(context, index);
      if (keys.length > 0) {
        const hits = findCanaries(context.normalized, keys, config.decode);
        if (hits.length > 0) findings.push(...canaryFindings(hits, keys));
      }
      return findings;
    },
  };
}

export const systemPromptLeakEntry: DetectorFactory = {
  id: 'system-prompt-leak',
  stages: ['output', 'tool_output'],
  description:
    'Output repeating the system prompt (long word-run overlap, robust to reformatting) and its canaries; options: systemPrompt (else context.systemPrompt), minOverlapWords, canaries',
  create: (options) => systemPromptLeak((options ?? {}) as never),
};
