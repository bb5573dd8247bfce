/**
 * Hashed text features shared by the training script and the runtime model, so both see exactly the
 * same numbers. The text is cut into words (runs of letters and digits); each word position carries:
 *
 * - the word itself, and the pair (previous word, word);
 * - for ASCII words longer than five letters, the first five letters (a cheap stem: "ignore", "ignored",
 *   "ignoring" share it);
 * - for words outside ASCII, character bigrams (Han, kana, Hangul, Thai: scripts written without spaces,
 *   where a "word" may be a whole clause) or trigrams (other scripts: morphology) inside the word.
 *
 * Every feature is hashed into `2^HASH_BITS` buckets. The scan is one pass with no regular expression and
 * no allocation per word; its cost is linear in the text.
 */

import { Buffer } from 'node:buffer';

export const HASH_BITS = 18;
export const HASH_SIZE = 1 << HASH_BITS;
const MASK = HASH_SIZE - 1;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// 0 separator, 1 ASCII letter or digit, 2 other word character (non-ASCII letters and marks).
const CHAR_CLASS = new Uint8Array(0x10000);
for (let code = 0x30; code <= 0x39; code++) CHAR_CLASS[code] = 1;
for (let code = 0x41; code <= 0x5a; code++) CHAR_CLASS[code] = 1;
for (let code = 0x61; code <= 0x7a; code++) CHAR_CLASS[code] = 1;
for (let code = 0xc0; code < 0x10000; code++) CHAR_CLASS[code] = 2;
const separators: Array<[number, number]> = [
  [0xd7, 0xd7],
  [0xf7, 0xf7],
  [0x2000, 0x206f], // general punctuation, spaces
  [0x20a0, 0x20cf], // currency
  [0x2190, 0x2bff], // arrows, math operators, technical, box drawing, shapes, dingbats
  [0x3000, 0x303f], // CJK punctuation
  [0xd800, 0xdfff], // surrogates: emoji and other astral symbols separate words
  [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff0f],
  [0xff1a, 0xff20],
  [0xfff0, 0xffff],
];
for (const [from, to] of separators) for (let code = from; code <= to; code++) CHAR_CLASS[code] = 0;

/**
 * Lower-case mapping per UTF-16 code unit, built once: the scan lower-cases as it reads, so the caller need
 * not allocate a lower-cased copy. Only one-to-one mappings are applied (İ, which lower-cases to two code
 * units, is kept as is); spans therefore match the scanned text exactly.
 */
const LOWER = new Uint16Array(0x10000);
for (let code = 0; code < 0x10000; code++) LOWER[code] = code;
for (const [from, to] of [
  [0x41, 0x5a],
  [0xc0, 0x58f],
  [0x10a0, 0x10ff],
  [0x13a0, 0x13ff],
  [0x1c80, 0x1cbf],
  [0x1e00, 0x1fff],
  [0x2160, 0x218f],
  [0x24b6, 0x24cf],
  [0x2c00, 0x2d2f],
  [0xa640, 0xa7ff],
  [0xff21, 0xff3a],
] as const) {
  for (let code = from; code <= to; code++) {
    const lower = String.fromCharCode(code).toLowerCase();
    if (lower.length === 1) LOWER[code] = lower.charCodeAt(0);
  }
}

/** Scripts written without spaces between words: character bigrams instead of trigrams. */
function isUnspacedScript(code: number): boolean {
  return (
    (code >= 0x0e00 && code <= 0x0eff) || // Thai, Lao
    (code >= 0x1000 && code <= 0x109f) || // Myanmar
    (code >= 0x1780 && code <= 0x17ff) || // Khmer
    (code >= 0x3040 && code <= 0x30ff) || // kana
    (code >= 0x3400 && code <= 0x9fff) || // Han
    (code >= 0xac00 && code <= 0xd7af) // Hangul
  );
}

const STEM_LENGTH = 5;
// Distinct salts keep the feature families apart in the hash space.
const SALT_BIGRAM = 0x9e3779b1;
const SALT_STEM = 0x85ebca6b;
const SALT_GRAM = 0xc2b2ae35;

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ (b >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h ^ b, 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Receives the features of one text: `feature(bucket)` for each feature, then `endWord()` once the
 * features of a word position are complete. Word positions are the unit of windowing.
 */
export interface FeatureSink {
  feature(bucket: number): void;
  /** The word spans `[start, end)` of the scanned text; `hash` is its full 32-bit hash ({@link wordHash}). */
  endWord(start: number, end: number, hash: number): void;
}

/**
 * Emits the hashed features of `text` (lower-cased on the fly) in order of word position.
 * `maxWordLength` bounds the work on a single giant "word" (a base64 blob, a clause of Han text): characters
 * past it still advance the scan but add no n-grams.
 */
export function extractFeatures(text: string, sink: FeatureSink, maxWordLength = 64): void {
  const length = text.length;
  let previous = 0; // hash of the previous word, 0 at the start
  let index = 0;
  while (index < length) {
    let code = LOWER[text.charCodeAt(index)]!;
    let kind = CHAR_CLASS[code]!;
    if (kind === 0) {
      index++;
      continue;
    }
    // A word starts here.
    const start = index;
    let hash = FNV_OFFSET;
    let ascii = true;
    let wordLength = 0;
    let stem = 0;
    // Rolling window of the last three code units for n-grams outside ASCII.
    let c1 = 0x20;
    let c2 = 0x20;
    let grams = 0;
    while (index < length) {
      code = LOWER[text.charCodeAt(index)]!;
      kind = CHAR_CLASS[code]!;
      if (kind === 0) break;
      if (wordLength < maxWordLength) {
        hash = Math.imul(hash ^ code, FNV_PRIME);
        if (kind === 2) {
          ascii = false;
          if (isUnspacedScript(code)) {
            sink.feature(mix(SALT_GRAM, (c1 << 16) ^ code) & MASK);
          } else {
            sink.feature(mix(SALT_GRAM ^ c2, (c1 << 16) ^ code) & MASK);
          }
          grams++;
        }
        c2 = c1;
        c1 = code;
        wordLength++;
        if (wordLength === STEM_LENGTH) stem = hash;
      }
      index++;
    }
    const word = hash >>> 0;
    sink.feature(word & MASK);
    sink.feature(mix(SALT_BIGRAM ^ previous, word) & MASK);
    if (ascii && wordLength > STEM_LENGTH) sink.feature(mix(SALT_STEM, stem >>> 0) & MASK);
    if (!ascii && grams > 0) sink.feature(mix(SALT_GRAM, (c1 << 16) ^ 0x20) & MASK); // word end
    previous = word;
    sink.endWord(start, index, word);
  }
}

/**
 * Per-word output of {@link sumWordWeights}: for word `w`, the summed weights of head `h` at
 * `sums[w × heads + h]`, its number of features, its span and its hash.
 */
export interface WordTable {
  readonly heads: number;
  /** `2^HASH_BITS × heads` signed bytes: the weights of bucket `b` for every head at `b × heads`. */
  readonly weights: Int8Array;
  sums: Float64Array;
  counts: Uint32Array;
  starts: Uint32Array;
  ends: Uint32Array;
  hashes: Int32Array;
  /** Words written so far. */
  words: number;
  /** Doubles the capacity of the arrays (called when `words` reaches it). */
  grow(): void;
}

/**
 * Class and lower-case form of each code unit in one lookup: `CHAR_CLASS[lower] << 16 | lower`, where
 * `lower = LOWER[code]` (0 below 0x10000 is a separator; 0x1xxxx an ASCII letter or digit; 0x2xxxx another
 * word character).
 */
const CHAR_INFO = new Int32Array(0x10000);
for (let code = 0; code < 0x10000; code++) CHAR_INFO[code] = (CHAR_CLASS[LOWER[code]!]! << 16) | LOWER[code]!;
const WORD_ASCII = 0x10000;
const WORD_OTHER = 0x20000;

/** Largest text whose code units are kept in the reused buffer (larger ones get a buffer of their own). */
const KEPT_UNITS = 1 << 18;
let unitBytes = Buffer.alloc(0);
let units = new Uint16Array(0);

/**
 * The UTF-16 code units of `text` in a typed array (one native copy): the scan reads them several times
 * faster than through `charCodeAt`, which re-checks the string's representation on every call. Valid until
 * the next call.
 */
function codeUnits(text: string): Uint16Array {
  if (text.length > units.length) {
    const memory = new ArrayBuffer(Math.max(text.length, 4096) * 2);
    const bytes = Buffer.from(memory);
    const view = new Uint16Array(memory);
    if (text.length > KEPT_UNITS) {
      bytes.write(text, 0, 'utf16le');
      return view;
    }
    unitBytes = bytes;
    units = view;
  }
  unitBytes.write(text, 0, 'utf16le');
  return units;
}

/** Sums the weights of the `count` first `buckets` for every head into word `word` of `sums` (any head count). */
function sumHeads(
  buckets: Int32Array,
  count: number,
  weights: Int8Array,
  heads: number,
  sums: Float64Array,
  word: number,
): void {
  for (let head = 0; head < heads; head++) {
    let sum = 0;
    for (let feature = 0; feature < count; feature++) sum += weights[buckets[feature]! * heads + head]!;
    sums[word * heads + head] = sum;
  }
}

/** Buckets of the word being read (at most `maxWordLength` n-grams plus four word features). */
let pending = new Int32Array(0);

/**
 * {@link extractFeatures} fused with the model's weight lookup: the same features of the same words, but
 * each word's bucket weights are summed per head straight into `table` (no call per feature). The sums are
 * of small integers, so they are exact whatever the order; `extractFeatures` stays the reference (training).
 */
export function sumWordWeights(text: string, table: WordTable, maxWordLength = 64): void {
  if (pending.length < maxWordLength + 4) pending = new Int32Array(maxWordLength + 4);
  const buckets = pending;
  const code16 = codeUnits(text);
  const weights = table.weights;
  const heads = table.heads;
  const length = text.length;
  let previous = 0; // hash of the previous word, 0 at the start
  let index = 0;
  let words = table.words;
  let capacity = table.counts.length;
  let { sums, counts, starts, ends, hashes } = table;
  while (index < length) {
    let info = CHAR_INFO[code16[index]!]!;
    if (info < WORD_ASCII) {
      index++;
      continue;
    }
    // A word starts here.
    const start = index;
    let hash = FNV_OFFSET | 0; // kept a signed 32-bit integer (same bits: every use converts it)
    let ascii = true;
    let wordLength = 0;
    let stem = 0;
    // Rolling window of the last three code units for n-grams outside ASCII.
    let c1 = 0x20;
    let c2 = 0x20;
    let count = 0;
    while (index < length) {
      info = CHAR_INFO[code16[index]!]!;
      if (info < WORD_ASCII) break;
      if (wordLength < maxWordLength) {
        const code = info & 0xffff;
        hash = Math.imul(hash ^ code, FNV_PRIME);
        if (info >= WORD_OTHER) {
          ascii = false;
          buckets[count++] = isUnspacedScript(code)
            ? mix(SALT_GRAM, (c1 << 16) ^ code) & MASK
            : mix(SALT_GRAM ^ c2, (c1 << 16) ^ code) & MASK;
        }
        c2 = c1;
        c1 = code;
        wordLength++;
        if (wordLength === STEM_LENGTH) stem = hash;
      }
      index++;
    }
    const grams = count;
    const word = hash;
    buckets[count++] = word & MASK;
    buckets[count++] = mix(SALT_BIGRAM ^ previous, word) & MASK;
    if (ascii && wordLength > STEM_LENGTH) buckets[count++] = mix(SALT_STEM, stem) & MASK;
    if (!ascii && grams > 0) buckets[count++] = mix(SALT_GRAM, (c1 << 16) ^ 0x20) & MASK; // word end
    previous = word;
    if (words === capacity) {
      table.words = words;
      table.grow();
      capacity = table.counts.length;
      ({ sums, counts, starts, ends, hashes } = table);
    }
    if (heads === 3) {
      // The shipped model's three heads, in one pass over the buckets.
      let sum0 = 0;
      let sum1 = 0;
      let sum2 = 0;
      for (let feature = 0; feature < count; feature++) {
        const base = buckets[feature]! * 3;
        sum0 += weights[base]!;
        sum1 += weights[base + 1]!;
        sum2 += weights[base + 2]!;
      }
      sums[words * 3] = sum0;
      sums[words * 3 + 1] = sum1;
      sums[words * 3 + 2] = sum2;
    } else {
      sumHeads(buckets, count, weights, heads, sums, words);
    }
    counts[words] = count;
    starts[words] = start;
    ends[words] = index;
    hashes[words] = word;
    words++;
  }
  table.words = words;
}

/** The 32-bit hash `extractFeatures` gives a word (lower-case it first; at most `maxWordLength` chars count). */
export function wordHash(word: string, maxWordLength = 64): number {
  let hash = FNV_OFFSET;
  const length = Math.min(word.length, maxWordLength);
  for (let index = 0; index < length; index++) hash = Math.imul(hash ^ LOWER[word.charCodeAt(index)]!, FNV_PRIME);
  return hash >>> 0;
}

/**
 * The hash of a word extended by `text[start, end)`, from the (signed) hash of its first part: the hash of
 * "ig" continued over "nore" is the hash of "ignore". Signed 32-bit, like the model's word hashes.
 */
export function continueWordHash(hash: number, text: string, start: number, end: number): number {
  let next = hash;
  for (let index = start; index < end; index++) next = Math.imul(next ^ LOWER[text.charCodeAt(index)]!, FNV_PRIME);
  return next | 0;
}

/** Splits a phrase into the words `extractFeatures` would see (letters and digits; other characters separate). */
export function splitWords(phrase: string): string[] {
  const words: string[] = [];
  let current = '';
  for (let index = 0; index < phrase.length; index++) {
    const code = phrase.charCodeAt(index);
    if (CHAR_CLASS[code] === 0) {
      if (current.length > 0) words.push(current);
      current = '';
    } else {
      current += phrase[index];
    }
  }
  if (current.length > 0) words.push(current);
  return words;
}

const LEET_DIGITS: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't' };
const SHORT_NUMBER = /(?<![\w.,:/-])[013457]{1,3}(?![\w.,:/-])/g;
/** Characters leetspeak folding must have changed before short numbers are read as letters too. */
const LEET_HEAVY = 6;

/**
 * The text the model and the rules read: the normalized view with leetspeak folded (the scan lower-cases). The
 * normalizer folds only tokens that mix letters and digits ("1gn0r3"); when a text is leet-heavy, short
 * all-digit tokens are read as letters too ("15" → "is", "4" → "a"), since in such a text they rarely are
 * numbers. Same length as the normalized text, so spans map back unchanged.
 */
export function modelInput(normalized: { readonly text: string; readonly leet: string }): string {
  const leet = normalized.leet;
  if (leet === normalized.text) return leet;
  return differences(leet, normalized.text, LEET_HEAVY) < LEET_HEAVY
    ? leet
    : leet.replace(SHORT_NUMBER, (digits) => FOLDED_NUMBERS.get(digits)!);
}

/**
 * Positions `index < a.length` where `a` and `b` differ, counting stops at `limit`. Equal blocks are skipped by
 * one native string comparison each (leetspeak folding changes few characters), the rest read per character.
 */
function differences(a: string, b: string, limit: number): number {
  let changed = 0;
  const length = a.length;
  for (let from = 0; from < length && changed < limit; from += 64) {
    const to = Math.min(from + 64, length);
    if (a.slice(from, to) === b.slice(from, to)) continue;
    for (let index = from; index < to && changed < limit; index++) {
      if (a.charCodeAt(index) !== b.charCodeAt(index)) changed++;
    }
  }
  return changed;
}

/** Every string `SHORT_NUMBER` matches (one to three leet digits), read as letters. */
const FOLDED_NUMBERS = new Map<string, string>();
{
  let level = [''];
  for (let size = 1; size <= 3; size++) {
    level = level.flatMap((prefix) => Object.keys(LEET_DIGITS).map((digit) => prefix + digit));
    for (const digits of level) {
      FOLDED_NUMBERS.set(
        digits,
        digits.replace(/[013457]/g, (digit) => LEET_DIGITS[digit]!),
      );
    }
  }
}
