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

/** The 32-bit hash `extractFeatures` gives a word (lower-case it first; at most `maxWordLength` chars count). */
export function wordHash(word: string, maxWordLength = 64): number {
  let hash = FNV_OFFSET;
  const length = Math.min(word.length, maxWordLength);
  for (let index = 0; index < length; index++) hash = Math.imul(hash ^ LOWER[word.charCodeAt(index)]!, FNV_PRIME);
  return hash >>> 0;
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
  let changed = 0;
  for (let index = 0; index < leet.length && changed < LEET_HEAVY; index++) {
    if (leet.charCodeAt(index) !== normalized.text.charCodeAt(index)) changed++;
  }
  const folded =
    changed < LEET_HEAVY
      ? leet
      : leet.replace(SHORT_NUMBER, (digits) => digits.replace(/[013457]/g, (digit) => LEET_DIGITS[digit]!));
  return folded;
}
