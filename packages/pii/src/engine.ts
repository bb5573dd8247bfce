import {
  ArgumentError,
  ConfigError,
  escapeLiteral,
  hasUnspacedLetter,
  isUnspacedLetter,
  wordListSource,
} from '@parapet/core';
import { alnumOf } from './checksums.js';
import type { EntityMatch, Recognizer, StartClass } from './recognizer.js';

/**
 * How the engine finds values without scanning the text once per recognizer:
 *
 * 1. One native regex pass finds anchor characters: digits, '@', ':' and '='. Nearly every structured
 *    value (card, phone, IBAN, id number, e-mail, URL, token, key assignment) contains one; prose rarely does.
 * 2. Around an anchor, the token (letters, digits and the joiners `_-.+/=%:#@~`) is measured, and candidate
 *    start positions are taken: the token's start, a `+` or `(` just before it, each position after a joiner
 *    inside it, and for ':' / '=' the word (and quote) before it.
 * 3. At each start, only the recognizers whose first character fits are tried, as sticky regexes.
 * 4. Checksums, context words and known test values set the score; overlaps keep the best match.
 *
 * Every step is linear: the anchor pass is one regex scan; tokens are bounded (256 characters each way);
 * each position is the start of at most one region; recognizer patterns are linear by construction.
 */

interface Compiled {
  readonly recognizer: Recognizer;
  readonly sticky: RegExp;
  readonly group: number;
  /**
   * The recognizer's context words, their patterns compiled on first use (`compileContext`): most
   * recognizers never see a candidate in a given process, and compiling all of them up front (Unicode
   * property classes) cost about 75 ms of the first detector's construction.
   */
  readonly context: LazyContext | undefined;
  readonly testValues: ReadonlySet<string> | undefined;
  readonly index: number;
}

/**
 * The recognizers of one start class and one set of flags, fused into a single sticky regex: a sequence
 * of optional lookaheads, one per recognizer, each capturing its whole match. One exec at a position
 * tells which recognizers match there (each lookahead fails within a few characters when it does not),
 * instead of one regex call per recognizer.
 */
interface Fused {
  /** Alternation of the members from index i on, each alternative one capture group; built on first use. */
  readonly suffixes: (RegExp | undefined)[];
  readonly flags: string;
  readonly members: readonly {
    readonly compiled: Compiled;
    readonly range: readonly [number, number];
    /**
     * How many token characters every match begins with (see {@link leadingTokenRun}), at most
     * MAX_TOKEN_RUN; 0 below MIN_TOKEN_RUN, where filtering would cost more than it saves.
     */
    readonly minRun: number;
  }[];
  /** Per leading-digit-run length: the members that can match there (built on first use). */
  readonly byDigitRun: (Fused | undefined)[];
  /** The members' distinct `minRun` values above 0, ascending (empty: every member fits anywhere). */
  readonly runThresholds: readonly number[];
  /** Per run threshold (the largest one at or below the position's run, or 0): the members that fit. */
  readonly byTokenRun: (Fused | undefined)[];
  /** Token features (NEED_* bits) every member needs. */
  readonly needs: number;
  /** Members need a context word near the candidate. */
  readonly contextual: boolean;
}

interface LiteralEntry {
  readonly literal: string;
  readonly candidates: readonly Compiled[];
  readonly whole: boolean;
}

interface PrefixEntry {
  readonly exact: readonly Compiled[] | undefined;
  readonly folded: readonly Compiled[] | undefined;
}

export interface RecognizerSet {
  readonly recognizers: readonly Recognizer[];
  readonly byStart: Readonly<Record<StartClass, readonly Fused[]>>;
  /** Recognizers tried at the word before a token (`leadingWord`). */
  readonly leadingWord: readonly Fused[];
  /** Recognizers whose match begins with a literal, by its first two characters (lower-cased when `i`). */
  readonly byPrefix: ReadonlyMap<string, readonly Compiled[]>;
  /**
   * `byPrefix` by the char codes of an ASCII prefix (`first * 128 + second`): the recognizers whose prefix
   * it is, and those with the `i` flag whose prefix is its lower case (when that differs).
   */
  readonly byAsciiPrefix: ReadonlyMap<number, PrefixEntry>;
  /** ASCII first characters of some `byAsciiPrefix` key: other positions skip the lookup. */
  readonly prefixFirst: Uint8Array;
  /** Per literal, the recognizers tried at it, and whether one has `longValues` (searched in the whole text). */
  readonly literalList: readonly LiteralEntry[];
  /** Every context word of the context-required recognizers. */
  readonly requiredContext: ContextWords | undefined;
  /** Internal: reused by every `scanText` call on this set. */
  readonly scratch: ScanScratch;
}

/**
 * `scanText` is synchronous, so one call at a time uses this: per recognizer, the end of its last match
 * (`matchedEnd`), valid only where `matchedScan` holds the current scan's number. Nothing to allocate or
 * clear per call.
 */
interface ScanScratch {
  readonly matchedEnd: Int32Array;
  readonly matchedScan: Int32Array;
  scans: number;
}

const NEED_BITS: Readonly<Record<string, number>> = { '@': 1, ':': 2, '.': 4, '/': 8, '=': 16, '-': 32, _: 64 };

function needsMask(needs: string | undefined): number {
  let mask = 0;
  for (const char of needs ?? '') mask |= NEED_BITS[char] ?? 0;
  return mask;
}

const START_CLASSES: readonly StartClass[] = ['digit', 'upper', 'lower', 'plus', 'paren', 'dash', 'quote', 'other'];

function fuse(members: readonly Compiled[]): Fused[] {
  // One fused regex per (flags, needed token features, context-required): the engine picks only those
  // whose needs the token meets.
  const byKey = new Map<string, Compiled[]>();
  for (const compiled of members) {
    const flags = compiled.recognizer.pattern.flags.replace(/[gyd]/g, '');
    const key = `${flags}|${needsMask(compiled.recognizer.needs)}|${compiled.recognizer.contextRequired === true}`;
    const list = byKey.get(key) ?? [];
    list.push(compiled);
    byKey.set(key, list);
  }
  const fused: Fused[] = [];
  for (const [key, list] of byKey) {
    const [flags = '', needs = '0', contextual = 'false'] = key.split('|');
    const entries = list.map((compiled) => ({
      compiled,
      range: leadingDigitRun(compiled.recognizer.pattern.source),
      minRun: usefulRun(leadingTokenRun(compiled.recognizer.pattern.source)),
    }));
    fused.push({
      suffixes: new Array(entries.length),
      flags,
      members: entries,
      byDigitRun: [],
      runThresholds: runThresholds(entries),
      byTokenRun: [],
      needs: Number(needs),
      contextual: contextual === 'true',
    });
  }
  return fused;
}

/**
 * The sticky alternation of members[from…]: the first alternative that matches at the position wins,
 * and its capture group says which member it was. Most positions match none, and then the single exec
 * fails at once, with no result to allocate.
 */
function suffix(fused: Fused, from: number): RegExp {
  let regex = fused.suffixes[from];
  if (regex === undefined) {
    // Recognizers may share a pattern (a national id and its shape-only variant): the alternation needs it
    // once, as it matches wherever either does (the members are told apart afterwards, one by one).
    const sources = [
      ...new Set(
        fused.members.slice(from).map((member) => `(?:${withoutCaptures(member.compiled.recognizer.pattern.source)})`),
      ),
    ];
    regex = new RegExp(sources.join('|'), `${fused.flags}y`);
    fused.suffixes[from] = regex;
  }
  return regex;
}

/**
 * The same pattern with every capturing group made non-capturing. A regex with hundreds of capture
 * groups pays for them on every attempt, match or not (about half the cost of a fused alternation);
 * which member matched is found afterwards, on the rare success, by trying members one by one.
 */
export function withoutCaptures(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '\\') {
      out += char + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      continue;
    }
    if (char === '(' && source[i + 1] !== '?') {
      out += '(?:';
      continue;
    }
    if (
      char === '(' &&
      source[i + 1] === '?' &&
      source[i + 2] === '<' &&
      source[i + 3] !== '=' &&
      source[i + 3] !== '!'
    ) {
      // A named group: keep the group, drop the name.
      out += '(?:';
      i = source.indexOf('>', i);
      continue;
    }
    out += char;
  }
  return out;
}

const WORD_SPLIT = /[^\p{L}\p{N}.#]+/u;
// Words for context lookups: letters and digits of the Latin, Greek, Cyrillic, Indic, Thai, CJK and
// Hangul blocks (ranges, no `u` flag: fast on two-byte text).
/** A context-word character: ASCII letters and digits, Latin, Greek…, kana, CJK and Hangul letters. */
function isContextCode(code: number): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
  return (
    (code >= 0xc0 && code <= 0x24f) ||
    (code >= 0x370 && code <= 0x1fff) ||
    (code >= 0x3040 && code <= 0x30ff) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af)
  );
}

/** The words and phrases context-required recognizers look for, ready for lookups. */
interface ContextWords {
  readonly single: ReadonlySet<string>;
  readonly phrases: ReadonlySet<string>;
  readonly heads: ReadonlySet<string>;
  readonly longest: number;
  /** Lengths (UTF-16 units) of the shortest and longest single words: others are never looked up. */
  readonly minSingle: number;
  readonly maxSingle: number;
  /** The same for phrase heads, plus the characters heads begin with. */
  readonly minHead: number;
  readonly maxHead: number;
  readonly headFirst: ReadonlySet<number>;
  /**
   * The ASCII single words and phrase heads as a trie over a–z and 0–9 (upper case folds to lower):
   * a window of ASCII and plain separators is read without lower-casing, slicing or hashing a string per word.
   * `trie[node * TRIE_SYMBOLS + symbol]` is the child (0: none); `trieFlags[node]` has TRIE_SINGLE / TRIE_HEAD.
   */
  readonly trie: Int32Array;
  readonly trieFlags: Uint8Array;
  /** Words with a letter of a script written without spaces (or Hangul), found inside a word read from the text. */
  readonly unspaced: readonly string[];
}

const TRIE_SYMBOLS = 36;
const TRIE_SINGLE = 1;
const TRIE_HEAD = 2;

/** The trie symbol of an ASCII letter or digit (either case), or -1. */
function trieSymbol(code: number): number {
  if (code >= 97 && code <= 122) return code - 97;
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 48 && code <= 57) return code - 48 + 26;
  return -1;
}

function buildTrie(
  single: ReadonlySet<string>,
  heads: ReadonlySet<string>,
): { trie: Int32Array; trieFlags: Uint8Array } {
  const children: number[] = new Array(TRIE_SYMBOLS).fill(0);
  const flags: number[] = [0];
  const add = (word: string, flag: number) => {
    let node = 0;
    for (let i = 0; i < word.length; i++) {
      const code = word.charCodeAt(i);
      // Upper-case letters never occur in a lower-cased word; anything else but a–z and 0–9 cannot be in
      // the words of a window read by the trie either.
      if (code >= 65 && code <= 90) return;
      const symbol = trieSymbol(code);
      if (symbol < 0) return;
      let child = children[node * TRIE_SYMBOLS + symbol]!;
      if (child === 0) {
        child = flags.length;
        flags.push(0);
        for (let k = 0; k < TRIE_SYMBOLS; k++) children.push(0);
        children[node * TRIE_SYMBOLS + symbol] = child;
      }
      node = child;
    }
    flags[node] = flags[node]! | flag;
  };
  for (const word of single) add(word, TRIE_SINGLE);
  for (const head of heads) add(head, TRIE_HEAD);
  return { trie: Int32Array.from(children), trieFlags: Uint8Array.from(flags) };
}

function contextWords(words: readonly string[]): ContextWords {
  const single = new Set<string>();
  const phrases = new Set<string>();
  const heads = new Set<string>();
  const unspaced: string[] = [];
  let longest = 1;
  for (const raw of words) {
    // In NFKC, the form of the text (see contextPattern).
    const word = raw.normalize('NFKC');
    if (hasUnspacedLetter(word)) {
      unspaced.push(word.toLowerCase());
      continue;
    }
    const parts = word
      .toLowerCase()
      .split(WORD_SPLIT)
      .flatMap((part) => part.split(/[.#]/))
      .filter((part) => part.length > 0);
    if (parts.length === 0) continue;
    if (parts.length === 1) single.add(parts[0]!);
    else {
      phrases.add(parts.join(' '));
      heads.add(parts[0]!);
      longest = Math.max(longest, Math.min(parts.length, 4));
    }
  }
  const lengths = (set: ReadonlySet<string>): [number, number] => {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const word of set) {
      min = Math.min(min, word.length);
      max = Math.max(max, word.length);
    }
    return [min, max];
  };
  const [minSingle, maxSingle] = lengths(single);
  const [minHead, maxHead] = lengths(heads);
  const headFirst = new Set([...heads].map((head) => head.charCodeAt(0)));
  const { trie, trieFlags } = buildTrie(single, heads);
  return {
    single,
    phrases,
    heads,
    longest,
    minSingle,
    maxSingle,
    minHead,
    maxHead,
    headFirst,
    trie,
    trieFlags,
    unspaced,
  };
}

const RECENT = 4;

/**
 * Per text: where the context words are. Words are read once, left to right, only inside the windows the
 * engine asks about (a gap between windows is skipped), so the cost is at most one pass over the text
 * however many candidates share a window.
 */
class ContextIndex {
  private scanned = 0;
  private readonly hits: number[] = [];
  /** The last words read and where they start (a ring of RECENT). */
  private readonly recentStarts = new Int32Array(RECENT);
  private readonly recentEnds = new Int32Array(RECENT);
  /** Whether each recent word is the first word of some phrase (one set lookup per word, not per size). */
  private readonly recentHeads = new Uint8Array(RECENT);
  private headsSeen = 0;
  private count = 0;
  private cursor = 0;

  constructor(
    private readonly text: string,
    private readonly words: ContextWords,
  ) {}

  /** A recent word, lower-cased (read again from the text: only phrase candidates need it). */
  private wordAt(slot: number): string {
    return this.text.slice(this.recentStarts[slot]!, this.recentEnds[slot]!).toLowerCase();
  }

  /** Whether a context word starts in [from, to). Windows are asked for in increasing order of `from`. */
  near(from: number, to: number): boolean {
    const text = this.text;
    if (this.scanned < from) {
      this.scanned = from;
      this.count = 0;
      this.headsSeen = 0;
    }
    if (this.scanned < to) {
      if (isPlain(text, this.scanned, Math.min(to, text.length), PLAIN_WORDS)) this.readAscii(to);
      else this.readSegment(to);
      this.scanned = to;
    }
    if (this.hits.length > 1 && this.hits[this.hits.length - 1]! < this.hits[this.hits.length - 2]!)
      this.hits.sort((x, y) => x - y);
    while (this.cursor < this.hits.length && this.hits[this.cursor]! < from) this.cursor++;
    return this.cursor < this.hits.length && this.hits[this.cursor]! < to;
  }

  /** Records a word read at [start, end): a hit, and the phrases that end with it. */
  private word(start: number, end: number, isHead: boolean): void {
    const words = this.words;
    const slot = this.count % RECENT;
    this.recentStarts[slot] = start;
    this.recentEnds[slot] = end;
    this.recentHeads[slot] = isHead ? 1 : 0;
    this.count++;
    if (isHead) this.headsSeen = this.count;
    // No head among the last `longest` words: no phrase can end here.
    if (this.headsSeen === 0 || this.count - this.headsSeen >= words.longest) return;
    for (let span = 2; span <= words.longest && span <= this.count; span++) {
      const firstSlot = (this.count - span) % RECENT;
      if (this.recentHeads[firstSlot] === 0) continue;
      let phrase = this.wordAt(firstSlot);
      for (let k = span - 1; k >= 1; k--) phrase += ` ${this.wordAt((this.count - k) % RECENT)}`;
      if (words.phrases.has(phrase)) this.hits.push(this.recentStarts[firstSlot]!);
    }
  }

  /**
   * A window of ASCII and plain separators: lower-casing changes no length or position there, so words
   * are walked in the trie straight from the text (the same words, hits and phrases as `readSegment`).
   */
  private readAscii(to: number): void {
    const { text } = this;
    const { trie, trieFlags } = this.words;
    const size = Math.min(to, text.length);
    let i = this.scanned;
    while (i < size) {
      let symbol = trieSymbol(text.charCodeAt(i));
      while (symbol < 0) {
        i++;
        if (i >= size) return;
        symbol = trieSymbol(text.charCodeAt(i));
      }
      const wordStart = i;
      let node = trie[symbol]!;
      i++;
      while (i < size) {
        symbol = trieSymbol(text.charCodeAt(i));
        if (symbol < 0) break;
        if (node !== 0) node = trie[node * TRIE_SYMBOLS + symbol]!;
        i++;
      }
      const flags = node === 0 ? 0 : trieFlags[node]!;
      if ((flags & TRIE_SINGLE) !== 0) this.hits.push(wordStart);
      this.word(wordStart, i, (flags & TRIE_HEAD) !== 0);
    }
  }

  /** Any window: lower-cased as a whole, positions read in the lower-cased slice. */
  private readSegment(to: number): void {
    const words = this.words;
    // A bounded slice: a regex search on the whole text would run to its end when no word follows.
    const offset = this.scanned;
    const segment = this.text.slice(offset, to).toLowerCase();
    const size = segment.length;
    // Only recognizers with Thai, CJK or Korean context words need the run's script looked at.
    const findUnspaced = words.unspaced.length > 0;
    let i = 0;
    while (i < size) {
      while (i < size && !isContextCode(segment.charCodeAt(i))) i++;
      if (i >= size) break;
      const wordStart = i;
      let unspacedScript = false;
      while (i < size && isContextCode(segment.charCodeAt(i))) {
        if (findUnspaced && !unspacedScript && isUnspacedLetter(segment.charCodeAt(i))) unspacedScript = true;
        i++;
      }
      const length = i - wordStart;
      const at = offset + wordStart;
      if (unspacedScript) {
        // Thai, Chinese, Japanese, Korean: the context word may be part of a longer run ("운전면허번호는").
        const run = segment.slice(wordStart, i);
        for (const candidate of words.unspaced) {
          const found = run.indexOf(candidate);
          if (found >= 0) this.hits.push(at + found);
        }
      }
      // Only words shaped like some context word are looked up (a run of "x@y." reads no set at all).
      const single = length >= words.minSingle && length <= words.maxSingle;
      const head =
        length >= words.minHead && length <= words.maxHead && words.headFirst.has(segment.charCodeAt(wordStart));
      const word = single || head ? segment.slice(wordStart, i) : undefined;
      if (single && words.single.has(word!)) this.hits.push(at);
      // Phrases ending at this word ("social security"): only when their first word is a phrase head.
      this.word(at, offset + i, head && words.heads.has(word!));
    }
  }
}

/**
 * Per UTF-16 unit above ASCII, filled on first sight: PLAIN_KNOWN, and PLAIN_WORDS when lower-casing leaves
 * it alone and it is no context-word character (a separator in both ways of reading words: dashes, quotes,
 * symbols, emoji), PLAIN_PATTERN when it is also no letter or number and no surrogate (both forms of a
 * context pattern treat it alike).
 */
const PLAIN = new Uint8Array(65536);
const PLAIN_KNOWN = 1;
const PLAIN_WORDS = 2;
const PLAIN_PATTERN = 4;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

function plainness(code: number): number {
  let flags = PLAIN[code]!;
  if (flags === 0) {
    flags = PLAIN_KNOWN;
    const char = String.fromCharCode(code);
    if (code >= 0xd800 && code <= 0xdfff) {
      // Low surrogates, and high ones of U+1F000–U+1FBFF (emoji, symbols: no case), change under no lower-casing.
      if (code >= 0xdc00 || (code >= 0xd83c && code <= 0xd83e)) flags |= PLAIN_WORDS;
    } else if (char.toLowerCase() === char && !isContextCode(code)) {
      flags |= PLAIN_WORDS;
      if (!LETTER_OR_NUMBER.test(char)) flags |= PLAIN_PATTERN;
    }
    PLAIN[code] = flags;
  }
  return flags;
}

/** Whether text[from, to) is ASCII or characters with the given plainness. */
function isPlain(text: string, from: number, to: number, flag: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 && (plainness(code) & flag) === 0) return false;
  }
  return true;
}

/** A context word as a pattern: literal, except that a space between words stands for 1–3 separators. */
function contextLiteral(word: string): string {
  return escapeLiteral(word).replace(/ +/g, '[^\\p{L}\\p{N}]{1,3}');
}

interface LazyContext {
  readonly words: readonly string[];
  /** Tested on a lower-cased window before or after a value. */
  unicode?: RegExp;
  /**
   * The same words for a window of ASCII and PLAIN_PATTERN characters: ASCII letter and digit classes and
   * no `u` flag, which finds the same matches there several times faster (`null`: none could be built).
   */
  ascii?: RegExp | null;
}

/** Compiles a recognizer's context patterns the first time a candidate needs them (no allocation after). */
function compileContext(context: LazyContext): RegExp {
  if (context.unicode === undefined) {
    context.unicode = contextPattern(context.words);
    context.ascii = contextPatternAscii(context.words) ?? null;
  }
  return context.unicode;
}

/**
 * The pattern of a recognizer's context words (tested on a lower-cased window before or after a value).
 * The words are put in NFKC, the form of the text they are tested on: NFKC splits Thai SARA AM ("ำ") in
 * two, so "เลขประจำตัวประชาชน" as written could never match. Whole words, except in Thai, Chinese, Japanese
 * and Korean (see wordListSource).
 */
function contextPattern(words: readonly string[]): RegExp {
  const normalized = words.map((word) => word.normalize('NFKC').toLowerCase());
  return new RegExp(
    wordListSource(normalized, {
      before: '(?:^|[^\\p{L}\\p{N}])',
      after: '(?=$|[^\\p{L}\\p{N}])',
      literal: contextLiteral,
    }),
    'u',
  );
}

/**
 * The same pattern for windows of ASCII and PLAIN_PATTERN characters only: there a letter or number is
 * [A-Za-z0-9], and a word with other letters can match in neither form.
 */
function contextPatternAscii(words: readonly string[]): RegExp | undefined {
  const literal = (word: string) => escapeLiteral(word).replace(/ +/g, '[^A-Za-z0-9]{1,3}');
  try {
    return new RegExp(`(?:^|[^A-Za-z0-9])(?:${words.map(literal).join('|')})(?=$|[^A-Za-z0-9])`);
  } catch {
    return undefined;
  }
}

/** Index just past the group that opens at `start` (a '('), or -1. Classes and escapes are skipped. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      i++;
      continue;
    }
    if (char === '[') {
      i++;
      while (i < source.length && source[i] !== ']') {
        if (source[i] === '\\') i++;
        i++;
      }
      continue;
    }
    if (char === '(') depth++;
    else if (char === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Leading literal text of a regex fragment (letters, digits, '_', '-', escaped punctuation). */
function literalRun(fragment: string): string {
  let out = '';
  let i = 0;
  while (i < fragment.length) {
    const char = fragment[i]!;
    if (/[A-Za-z0-9_]/.test(char) || (char === '-' && i > 0)) {
      out += char;
      i++;
    } else if (char === '\\' && /[-._/:]/.test(fragment[i + 1] ?? '')) {
      out += fragment[i + 1];
      i += 2;
    } else break;
  }
  // A quantifier right after the run applies to its last character, which is then optional.
  if (/^[?*{]/.test(fragment[i] ?? '')) out = out.slice(0, -1);
  return out;
}

/**
 * The literal strings a pattern's match must begin with, if the pattern says so plainly: leading
 * lookarounds (alone or in a group of alternatives) are skipped, then a literal run, or a group of
 * literal alternatives, of at least two characters. Undefined when there is no such prefix.
 */
export function literalPrefixes(source: string, ignoreCase: boolean): string[] | undefined {
  let rest = source;
  for (;;) {
    if (rest.startsWith('\\b')) {
      rest = rest.slice(2);
      continue;
    }
    if (/^\(\?<?[=!]/.test(rest)) {
      const end = groupEnd(rest, 0);
      if (end < 0) return undefined;
      rest = rest.slice(end);
      continue;
    }
    if (rest.startsWith('(?:')) {
      const end = groupEnd(rest, 0);
      if (end < 0) return undefined;
      // A group holding only lookarounds, such as (?:(?<!x)|(?<=y)), matches nothing itself.
      const body = rest.slice(3, end - 1);
      const stripped = body.replace(/\(\?<?[=!](?:[^()\\]|\\.)*\)/g, '').replace(/\|/g, '');
      if (stripped.length === 0 && !/[?*+{]/.test(rest[end] ?? '')) {
        rest = rest.slice(end);
        continue;
      }
    }
    break;
  }
  if (rest.startsWith('(')) {
    const open = rest.startsWith('(?:') ? 3 : rest.startsWith('(?<') ? -1 : 1;
    const end = groupEnd(rest, 0);
    if (open < 0 || end < 0 || /[?*{]/.test(rest[end] ?? '')) return undefined;
    const body = rest.slice(open, end - 1);
    if (body.includes('(')) return undefined;
    const runs = body
      .split('|')
      .map((alternative) =>
        literalRun(alternative) === alternative || literalRun(alternative).length >= 2 ? literalRun(alternative) : '',
      );
    if (runs.some((run) => run.length < 2)) return undefined;
    return runs.map((run) => (ignoreCase ? run.toLowerCase() : run));
  }
  if (rest.includes('|') && !rest.startsWith('(')) {
    // A top-level alternation: each side would need its own prefix.
    let depth = 0;
    for (let i = 0; i < rest.length; i++) {
      const char = rest[i];
      if (char === '\\') i++;
      else if (char === '(') depth++;
      else if (char === ')') depth--;
      else if (char === '|' && depth === 0) return undefined;
    }
  }
  const run = literalRun(rest);
  return run.length >= 2 ? [ignoreCase ? run.toLowerCase() : run] : undefined;
}

const UNBOUNDED = 1_000_000;

/** Token characters (the engine's TOKEN table, ASCII): letters, digits and the joiners `_-.+/=%:#@~`. */
const TOKEN_CHARS = /^[A-Za-z0-9_\-.+/=%:#@~]$/;

/** Whether a character class body (between `[` and `]`) holds token characters only. Unsure: false. */
function classOfTokens(body: string): boolean {
  if (body.startsWith('^')) return false;
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    let char = body[i]!;
    if (char === '\\') {
      const escaped = body[i + 1];
      i++;
      if (escaped === 'd' || escaped === 'w') continue;
      if (escaped === undefined || /[A-Za-z0-9]/.test(escaped)) return false; // \s, \p{…}, \u…: not sure
      char = escaped;
    }
    if (body[i + 1] === '-' && i + 2 < body.length && body[i + 2] !== '\\') {
      const last = body[i + 2]!;
      for (let code = char.charCodeAt(0); code <= last.charCodeAt(0); code++) chars.push(String.fromCharCode(code));
      i += 2;
      continue;
    }
    chars.push(char);
  }
  return chars.every((char) => TOKEN_CHARS.test(char));
}

/**
 * How many characters every match of `source` begins with that are all token characters, and whether the
 * whole of it is made of token-character atoms (so that what follows it extends the run). Atoms:
 * classes, escapes and literal characters of token characters only, and groups of them (alternatives
 * give their least); lookarounds and anchors match nothing and are passed. Anything else, or anything
 * unsure, ends the run: a lower bound.
 */
function tokenPrefix(source: string, depth = 0): { min: number; complete: boolean } {
  const branches = splitAlternatives(source);
  if (branches.length > 1) {
    let min = Number.POSITIVE_INFINITY;
    let complete = true;
    for (const branch of branches) {
      const result = tokenPrefix(branch, depth + 1);
      min = Math.min(min, result.min);
      complete &&= result.complete;
    }
    return { min, complete };
  }
  let min = 0;
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    let next: number;
    let atom = 1;
    let atomComplete = true;
    if (char === '^' || char === '$') {
      i++;
      continue;
    }
    if (char === '(') {
      const end = groupEnd(source, i);
      if (end < 0 || depth > 8) return { min, complete: false };
      const head = /^\((?:\?<?[=!]|\?:|\?<[A-Za-z_][A-Za-z0-9_]*>)?/.exec(source.slice(i))![0];
      if (/^\(\?<?[=!]/.test(head)) {
        // A lookaround: matches nothing here (a quantifier after it is not valid either).
        i = end;
        continue;
      }
      const inner = tokenPrefix(source.slice(i + head.length, end - 1), depth + 1);
      atom = inner.min;
      atomComplete = inner.complete;
      next = end;
    } else if (char === '[') {
      let end = i + 1;
      while (end < source.length && source[end] !== ']') end += source[end] === '\\' ? 2 : 1;
      if (end >= source.length || !classOfTokens(source.slice(i + 1, end))) return { min, complete: false };
      next = end + 1;
    } else if (char === '\\') {
      const escaped = source[i + 1];
      if (escaped === 'b') {
        i += 2;
        continue;
      }
      const token =
        escaped === 'd' ||
        escaped === 'w' ||
        (escaped !== undefined && !/[A-Za-z0-9]/.test(escaped) && TOKEN_CHARS.test(escaped));
      if (!token) return { min, complete: false };
      next = i + 2;
    } else if (char !== '.' && TOKEN_CHARS.test(char)) {
      next = i + 1;
    } else return { min, complete: false };
    let count = 1;
    const quantifier = source[next];
    if (quantifier === '?' || quantifier === '*') {
      count = 0;
      next++;
    } else if (quantifier === '+') next++;
    else if (quantifier === '{') {
      const bounds = /^\{(\d+)(?:,\d*)?\}/.exec(source.slice(next));
      if (bounds === null) return { min, complete: false };
      count = Number(bounds[1]);
      next += bounds[0].length;
    }
    if (source[next] === '?') next++;
    if (!atomComplete) {
      // The atom's run may end inside it: only its first repetition's prefix counts.
      return { min: min + (count > 0 ? atom : 0), complete: false };
    }
    min += count * atom;
    i = next;
  }
  return { min, complete: true };
}

/**
 * How many characters every match of a pattern begins with that are all token characters (letters,
 * digits, `_-.+/=%:#@~`), read from its source ({@link tokenPrefix}): a lower bound, 0 when unsure. A
 * match can start only where that many token characters follow, so the engine tries a recognizer only at
 * positions with a run that long (a bare "2024" in prose is no place for a 40-character key).
 */
export function leadingTokenRun(source: string): number {
  return tokenPrefix(source).min;
}

/**
 * How many digits in a row a match of `source` can begin with, as [min, max] — conservatively: any
 * construct the reader does not follow gives max = unbounded (never excludes a match). Lets the engine
 * skip, at a run of L digits, every recognizer that needs fewer or more of them ("503-47-2247" starts with 3).
 */
export function leadingDigitRun(source: string, depth = 0, inner = false): [number, number] {
  let rest = source;
  // Leading lookarounds, alone or in a group of alternatives, match nothing.
  for (;;) {
    if (inner) break;
    if (/^\(\?<?[=!]/.test(rest)) {
      const end = groupEnd(rest, 0);
      if (end < 0) return [0, UNBOUNDED];
      rest = rest.slice(end);
      continue;
    }
    if (rest.startsWith('(?:')) {
      const end = groupEnd(rest, 0);
      if (end < 0) return [0, UNBOUNDED];
      const body = rest.slice(3, end - 1);
      const stripped = body.replace(/\(\?<?[=!](?:[^()\\]|\\.)*\)/g, '').replace(/\|/g, '');
      if (stripped.length === 0 && !/[?*+{]/.test(rest[end] ?? '')) {
        rest = rest.slice(end);
        continue;
      }
    }
    break;
  }
  let min = 0;
  let max = 0;
  let i = 0;
  while (i < rest.length) {
    const char = rest[i]!;
    let digitsOnly: boolean;
    let anyDigit: boolean;
    let next: number;
    if (char === '\\') {
      const escaped = rest[i + 1] ?? '';
      if (escaped === 'd') {
        digitsOnly = true;
        anyDigit = true;
      } else if (/[wWsSDbB]/.test(escaped)) {
        return [min, UNBOUNDED];
      } else {
        digitsOnly = false;
        anyDigit = /[0-9]/.test(escaped);
      }
      next = i + 2;
    } else if (char === '[') {
      let end = i + 1;
      while (end < rest.length && rest[end] !== ']') end += rest[end] === '\\' ? 2 : 1;
      const body = rest.slice(i + 1, end);
      if (body.startsWith('^') || body.includes('\\')) return [min, UNBOUNDED];
      const onlyDigitRanges = /^(?:[0-9](?:-[0-9])?)+$/.test(body);
      digitsOnly = onlyDigitRanges;
      anyDigit = onlyDigitRanges || /[0-9]/.test(body);
      next = end + 1;
    } else if (char === '(') {
      const end = groupEnd(rest, i);
      if (end < 0) return [min, UNBOUNDED];
      const group = rest.slice(i, end);
      // A negative lookahead on digits ends the run.
      if (/^\(\?!(?:\\d|\[[^\]]*0-9[^\]]*\])/.test(group)) return [min, max];
      // A plain group without a quantifier: each alternative, followed by the rest, read in turn.
      if (depth < 4 && (group.startsWith('(?:') || !group.startsWith('(?')) && !/^[?*+{]/.test(rest.slice(end))) {
        const body = group.slice(group.startsWith('(?:') ? 3 : 1, -1);
        const after = rest.slice(end);
        let low = UNBOUNDED;
        let high = 0;
        for (const alternative of splitAlternatives(body)) {
          const [altLow, altHigh] = leadingDigitRun(alternative + after, depth + 1, true);
          low = Math.min(low, altLow);
          high = Math.max(high, altHigh);
        }
        return [min + low, Math.min(UNBOUNDED, max + high)];
      }
      return [min, UNBOUNDED];
    } else if ('|)^$.'.includes(char)) {
      return [min, UNBOUNDED];
    } else {
      digitsOnly = /[0-9]/.test(char);
      anyDigit = digitsOnly;
      next = i + 1;
    }
    // Quantifier.
    let low = 1;
    let high = 1;
    const quantifier = /^(?:\{(\d+)(?:(,)(\d*))?\}|([?*+]))/.exec(rest.slice(next));
    if (quantifier !== null) {
      if (quantifier[4] !== undefined) {
        low = quantifier[4] === '+' ? 1 : 0;
        high = quantifier[4] === '?' ? 1 : UNBOUNDED;
      } else {
        low = Number(quantifier[1]);
        high = quantifier[2] === undefined ? low : quantifier[3] === '' ? UNBOUNDED : Number(quantifier[3]);
      }
      next += quantifier[0].length;
      if (rest[next] === '?') next++;
    }
    if (digitsOnly) {
      min += low;
      max = Math.min(UNBOUNDED, max + high);
      i = next;
      continue;
    }
    if (!anyDigit && low >= 1) return [min, max];
    return [min, UNBOUNDED];
  }
  return [min, UNBOUNDED];
}

/** Splits a group body at its top-level '|'. */
function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === '\\') i++;
    else if (char === '[') {
      i++;
      while (i < body.length && body[i] !== ']') {
        if (body[i] === '\\') i++;
        i++;
      }
    } else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === '|' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

/** The members of `fused` that can match at a run of `run` digits (cached per run length). */
function forDigitRun(fused: Fused, run: number): Fused {
  let subset = fused.byDigitRun[run];
  if (subset === undefined) {
    // A run at the measuring cap may be longer still: only the upper bound can exclude there.
    const members = fused.members.filter((member) =>
      run >= MAX_DIGIT_RUN ? member.range[1] >= run : member.range[0] <= run && run <= member.range[1],
    );
    subset = withMembers(fused, members);
    fused.byDigitRun[run] = subset;
  }
  return subset;
}

/** `fused` narrowed to some of its members (its own caches and regexes, built on first use). */
function withMembers(fused: Fused, members: Fused['members']): Fused {
  return {
    ...fused,
    suffixes: new Array(members.length),
    members,
    byDigitRun: [],
    runThresholds: runThresholds(members),
    byTokenRun: [],
  };
}

/**
 * Members whose matches begin with fewer token characters than this are not filtered on: short runs are
 * common, and the narrower regexes then cost more than the tests they skip (at 12, the pii detector was
 * 10 % slower on the medium corpus; at 24, secrets are 20 % faster and pii unchanged).
 */
const MIN_TOKEN_RUN = 24;

function usefulRun(run: number): number {
  return run < MIN_TOKEN_RUN ? 0 : Math.min(run, MAX_TOKEN_RUN);
}

function runThresholds(members: Fused['members']): number[] {
  return [...new Set(members.map((member) => member.minRun).filter((run) => run > 0))].sort((a, b) => a - b);
}

/**
 * The members of `fused` whose matches fit in `run` token characters (`run` at MAX_TOKEN_RUN: maybe more).
 * Runs between two thresholds keep the same members, so the subsets are cached per threshold.
 */
function forTokenRun(fused: Fused, run: number): Fused {
  const thresholds = fused.runThresholds;
  let key = 0;
  for (const threshold of thresholds) {
    if (threshold > run) break;
    key = threshold;
  }
  let subset = fused.byTokenRun[key];
  if (subset === undefined) {
    const members = fused.members.filter((member) => member.minRun <= key);
    subset = members.length === fused.members.length ? fused : withMembers(fused, members);
    fused.byTokenRun[key] = subset;
  }
  return subset;
}

/** Compiles recognizers once: sticky regexes, fused per start class, and dispatch tables. */
export function compileRecognizers(recognizers: readonly Recognizer[]): RecognizerSet {
  const lists = Object.fromEntries(START_CLASSES.map((name) => [name, [] as Compiled[]])) as Record<
    StartClass,
    Compiled[]
  >;
  const byLiteral = new Map<string, Compiled[]>();
  const byPrefix = new Map<string, Compiled[]>();
  const leading: Compiled[] = [];
  const seen = new Set<string>();
  recognizers.forEach((recognizer, index) => {
    if (seen.has(recognizer.id)) {
      throw new ConfigError({
        message: `compileRecognizers: recognizer id "${recognizer.id}" is defined twice. Give each recognizer a distinct id.`,
      });
    }
    if (!(recognizer.pattern instanceof RegExp) || recognizer.starts.length === 0) {
      throw new ConfigError({
        message: `compileRecognizers: recognizer "${recognizer.id}" needs a RegExp pattern and at least one start class.`,
      });
    }
    seen.add(recognizer.id);
    const group = recognizer.group ?? 0;
    let flags = recognizer.pattern.flags.replace(/[gyd]/g, '');
    if (group > 0) flags += 'd';
    const compiled: Compiled = {
      recognizer,
      sticky: new RegExp(recognizer.pattern.source, `${flags}y`),
      group,
      context:
        recognizer.context === undefined || recognizer.context.length === 0 ? undefined : { words: recognizer.context },
      testValues: recognizer.testValues === undefined ? undefined : new Set(recognizer.testValues.map(alnumOf)),
      index,
    };
    if (recognizer.leadingWord) leading.push(compiled);
    const prefixes = literalPrefixes(recognizer.pattern.source, recognizer.pattern.flags.includes('i'));
    if (prefixes !== undefined) {
      // Tried only where the text begins with the prefix: a map lookup instead of a regex attempt.
      for (const prefix of prefixes) {
        const key = prefix.slice(0, 2);
        const list = byPrefix.get(key) ?? [];
        if (!list.includes(compiled)) list.push(compiled);
        byPrefix.set(key, list);
      }
    } else {
      for (const start of recognizer.starts) lists[start].push(compiled);
    }
    for (const literal of recognizer.literals ?? []) {
      const list = byLiteral.get(literal) ?? [];
      list.push(compiled);
      byLiteral.set(literal, list);
    }
  });
  const byStart = Object.fromEntries(START_CLASSES.map((name) => [name, fuse(lists[name])])) as Record<
    StartClass,
    Fused[]
  >;
  // Every two-character ASCII text whose exact or lower-cased form is a prefix key: the keys themselves and
  // their spellings with upper-case letters (ASCII lower-casing maps only A–Z).
  const byAsciiPrefix = new Map<number, PrefixEntry>();
  const prefixFirst = new Uint8Array(128);
  const spellings = (char: string) => (char >= 'a' && char <= 'z' ? [char, char.toUpperCase()] : [char]);
  for (const key of byPrefix.keys()) {
    if (key.length !== 2 || key.charCodeAt(0) >= 128 || key.charCodeAt(1) >= 128) continue;
    for (const first of spellings(key[0]!)) {
      for (const second of spellings(key[1]!)) {
        const two = first + second;
        const code = two.charCodeAt(0) * 128 + two.charCodeAt(1);
        if (byAsciiPrefix.has(code)) continue;
        const exact = byPrefix.get(two);
        const lower = two.toLowerCase();
        const folded =
          lower === two
            ? undefined
            : byPrefix.get(lower)?.filter((compiled) => compiled.recognizer.pattern.flags.includes('i'));
        if (exact === undefined && folded === undefined) continue;
        byAsciiPrefix.set(code, { exact, folded });
        prefixFirst[two.charCodeAt(0)] = 1;
      }
    }
  }
  const requiredWords = [
    ...new Set(
      recognizers.filter((recognizer) => recognizer.contextRequired).flatMap((recognizer) => recognizer.context ?? []),
    ),
  ];
  return {
    recognizers,
    byStart,
    leadingWord: fuse(leading),
    byPrefix,
    byAsciiPrefix,
    prefixFirst,
    literalList: [...byLiteral].map(([literal, candidates]) => ({
      literal,
      candidates,
      whole: candidates.some((compiled) => compiled.recognizer.longValues === true),
    })),
    requiredContext: requiredWords.length === 0 ? undefined : contextWords(requiredWords),
    scratch: {
      matchedEnd: new Int32Array(recognizers.length),
      matchedScan: new Int32Array(recognizers.length),
      scans: 0,
    },
  };
}

// Character classes for ASCII: 1 letter or digit, 2 joiner inside a token.
const TOKEN = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Za-z0-9]/.test(char)) TOKEN[code] = 1;
  else if ('_-.+/=%:#@~'.includes(char)) TOKEN[code] = 2;
}

function startClass(code: number): StartClass {
  if (code >= 48 && code <= 57) return 'digit';
  if (code >= 65 && code <= 90) return 'upper';
  if (code >= 97 && code <= 122) return 'lower';
  if (code === 43) return 'plus';
  if (code === 40) return 'paren';
  if (code === 45) return 'dash';
  if (code === 34 || code === 39 || code === 96) return 'quote';
  return 'other';
}

const NEED_CODES: (number | undefined)[] = [];
for (const [char, bit] of Object.entries(NEED_BITS)) NEED_CODES[char.charCodeAt(0)] = bit;

const MAX_TOKEN = 256;
// Digit runs are measured up to this length; longer ones are bucketed with it (ranges up to it stay exact).
const MAX_DIGIT_RUN = 40;
/** Token runs are measured up to this many characters (past it, every member is tried). */
const MAX_TOKEN_RUN = 48;
const LONG_NUMERIC_RUN = 256;

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordCode(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    code >= 128
  );
}

/** Digits and the separators numbers are written with. */
function isNumeric(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    code === 32 ||
    code === 45 ||
    code === 46 ||
    code === 47 ||
    code === 40 ||
    code === 41 ||
    code === 43
  );
}

/** Length of the numeric run starting at `at`, counted up to `limit`; the run must hold digits throughout. */
function numericRunLength(text: string, at: number, limit: number): number {
  let end = at;
  let gap = 0;
  while (end < text.length && end - at < limit) {
    const code = text.charCodeAt(end);
    if (!isNumeric(code)) break;
    // Long stretches of separators alone (many spaces) end a numeric run.
    gap = code >= 48 && code <= 57 ? 0 : gap + 1;
    if (gap > 2) break;
    end++;
  }
  return end - at;
}
// A token with more joiners than this is no value a recognizer has ("a:a:a:…"); its first starts suffice.
const MAX_STARTS = 8;
const ANCHOR = /[0-9@:=]/g;
const CONTEXT_BEFORE = 48;
const CLAIM_SCORE = 0.5;
const CONTEXT_AFTER = 16;

export interface ScanLimits {
  /** Entities to report; all when undefined. */
  readonly entities?: ReadonlySet<string>;
  /** Stop after this many matches (bounds work on hostile input). */
  readonly maxMatches: number;
}

/**
 * Finds every recognizer match in `text`, before overlap resolution. With `from` > 0 (a stream window
 * whose start was scanned before), only the matches found from anchors (digits, `@`, `:`, `=`) at or
 * after `from`: a value's token may still begin before `from`, and context words are read from the whole
 * text. Literal-led values are looked for from `from` on too, except those of recognizers with
 * `longValues` ("-----BEGIN", "www."): a private key is long, and its header may lie far back in the
 * window by the time enough of its body has come.
 */
export function scanText(text: string, set: RecognizerSet, limits: ScanLimits, out: EntityMatch[], from = 0): void {
  if (typeof text !== 'string' || !Array.isArray(out) || set?.scratch === undefined) {
    throw new ArgumentError({
      message:
        'scanText(text, set, limits, out, from?): text must be a string, set the result of compileRecognizers() and out an array to fill.',
    });
  }
  if (!Number.isInteger(from) || from < 0) {
    throw new ArgumentError({
      message: `scanText: from must be a whole number of characters >= 0 (got ${String(from)}).`,
    });
  }
  const length = text.length;
  const starts: number[] = [];
  // Per recognizer, the end of its last match in this scan (none when its scan number is another).
  const scratch = set.scratch;
  if (scratch.scans >= 0x7fffffff) {
    scratch.scans = 0;
    scratch.matchedScan.fill(0);
  }
  const scan = ++scratch.scans;
  const { matchedEnd, matchedScan } = scratch;
  const accept = (compiled: Compiled, position: number, knownEnd: number): number => {
    if (limits.entities !== undefined && !limits.entities.has(compiled.recognizer.entity)) return position;
    if (matchedScan[compiled.index] === scan && matchedEnd[compiled.index]! > position) return position;
    const match = attempt(text, position, compiled, knownEnd);
    if (match === undefined) return position;
    matchedScan[compiled.index] = scan;
    matchedEnd[compiled.index] = match.end;
    if (match.score > 0) out.push(match);
    // Only a value worth reporting claims its span; a weak guess leaves the inside open to others.
    return match.score >= CLAIM_SCORE ? match.end : position;
  };
  let tokenNeeds = 0;
  let contextIndex: ContextIndex | undefined;
  let contextKnown = false;
  let contextNear = false;
  let windowStart = 0;
  let windowEnd = 0;
  let firstStart = 0;
  const tryFused = (position: number, fused: readonly Fused[]): number => {
    let furthest = position;
    // At a digit: how many digits in a row, so recognizers that need another count are not tried.
    let run = 0;
    while (run < MAX_DIGIT_RUN && position + run < length) {
      const code = text.charCodeAt(position + run);
      if (code < 48 || code > 57) break;
      run++;
    }
    // How many token characters follow (letters, digits, joiners), measured on first need: members whose
    // matches begin with a longer run are skipped.
    // Read only as far as the longest run a group asks for (`runEnded`: a non-token character was met).
    let tokenRun = 0;
    let runEnded = false;
    for (const whole of fused) {
      let group = run === 0 ? whole : forDigitRun(whole, run);
      const thresholds = group.runThresholds;
      if (thresholds.length > 0) {
        const longest = thresholds[thresholds.length - 1]!;
        while (!runEnded && tokenRun < longest) {
          const code = position + tokenRun < length ? text.charCodeAt(position + tokenRun) : 128;
          if (code >= 128 || TOKEN[code] === 0) runEnded = true;
          else tokenRun++;
        }
        if (tokenRun < longest) group = forTokenRun(group, tokenRun);
      }
      if (group.members.length === 0) continue;
      if ((group.needs & tokenNeeds) !== group.needs) continue;
      if (group.contextual) {
        if (!contextKnown) {
          contextKnown = true;
          // Around the token's start: context words sit before a value, or just after a short one.
          contextIndex ??= set.requiredContext === undefined ? undefined : new ContextIndex(text, set.requiredContext);
          // From the earliest place a value may start here (a key word or a leading word can sit before the
          // token): each match is then checked against its own context, so the gate must not be narrower.
          contextNear =
            contextIndex?.near(
              Math.max(0, Math.min(windowStart, firstStart) - CONTEXT_BEFORE),
              Math.min(windowEnd, windowStart + 64) + CONTEXT_AFTER,
            ) === true;
        }
        if (!contextNear) continue;
      }
      let from = 0;
      while (from < group.members.length && out.length < limits.maxMatches) {
        const regex = suffix(group, from);
        regex.lastIndex = position;
        if (!regex.test(text)) break;
        // Some member from `from` on matches here: the first that does is the one the alternation took.
        let index = from;
        let end = -1;
        for (; index < group.members.length; index++) {
          const sticky = group.members[index]!.compiled.sticky;
          sticky.lastIndex = position;
          if (sticky.test(text)) {
            // A sticky match starts at `position`; lastIndex is where it ends.
            end = accept(group.members[index]!.compiled, position, sticky.lastIndex);
            break;
          }
        }
        if (index >= group.members.length) break;
        if (end > furthest) furthest = end;
        from = index + 1;
      }
    }
    return furthest;
  };
  const tryAt = (position: number, candidates: readonly Compiled[]): number => {
    let furthest = position;
    for (const compiled of candidates) {
      if (out.length >= limits.maxMatches) return furthest;
      const end = accept(compiled, position, -1);
      if (end > furthest) furthest = end;
    }
    return furthest;
  };

  let covered = 0;
  let longRunEnd = -1;
  ANCHOR.lastIndex = from;
  // `test` rather than `exec`: the match is one character, so `lastIndex - 1` is its place, and no match
  // array is built per anchor (half the cost of the loop on text dense with digits).
  while (ANCHOR.test(text)) {
    if (out.length >= limits.maxMatches) break;
    const at = ANCHOR.lastIndex - 1;
    // In a very long run of digits and separators ("1 1 1 1 …", a dump of numbers), single digits start
    // no value worth the work of trying every group: only groups of two or more digits are tried there.
    if (at >= longRunEnd) {
      longRunEnd = -1;
      if (isNumeric(text.charCodeAt(at)) && numericRunLength(text, at, LONG_NUMERIC_RUN + 1) > LONG_NUMERIC_RUN) {
        let end = at;
        while (end < length && isNumeric(text.charCodeAt(end))) end++;
        longRunEnd = end;
      }
    }
    if (at < longRunEnd && !(isDigitCode(text.charCodeAt(at)) && isDigitCode(text.charCodeAt(at + 1)))) {
      ANCHOR.lastIndex = at + 1;
      continue;
    }
    let left = at;
    while (left > covered && at - left < MAX_TOKEN) {
      const code = text.charCodeAt(left - 1);
      if (code >= 128 || TOKEN[code] === 0) break;
      left--;
    }
    let right = at + 1;
    while (right < length && right - at < MAX_TOKEN) {
      const code = text.charCodeAt(right);
      if (code >= 128 || TOKEN[code] === 0) break;
      right++;
    }
    starts.length = 0;
    if (left > covered) {
      const before = text.charCodeAt(left - 1);
      if (before === 43 || before === 40) starts.push(left - 1);
    }
    starts.push(left);
    // "May 1st", "HRB 12345": a short word of letters just before, apart by one space, may begin the value
    // (tried only with the recognizers that say so).
    let leadingWord = -1;
    if (left >= 3 && left - 1 > covered && text.charCodeAt(left - 1) === 32) {
      let word = left - 1;
      while (word > covered && left - 1 - word < 12) {
        const code = text.charCodeAt(word - 1);
        if (!((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) break;
        word--;
      }
      const size = left - 1 - word;
      if (size >= 2 && size <= 12 && (word === 0 || !isWordCode(text.charCodeAt(word - 1)))) leadingWord = word;
    }
    for (let i = left + 1; i < right && starts.length < MAX_STARTS; i++) {
      const previous = text.charCodeAt(i - 1);
      const code = text.charCodeAt(i);
      // After a joiner, at a letter or digit (or at "::", where a compressed IPv6 address begins).
      if (
        TOKEN[previous] === 2 &&
        code < 128 &&
        (TOKEN[code] === 1 || (code === 58 && text.charCodeAt(i + 1) === 58 && previous !== 58))
      ) {
        starts.push(i);
      }
    }
    const anchorChar = text.charCodeAt(at);
    if ((anchorChar === 58 || anchorChar === 61) && left === at) {
      // "password": "…" and key = value: the key word (and its quote) sit before the anchor, apart.
      let word = at;
      while (word > covered && at - word < 8) {
        const code = text.charCodeAt(word - 1);
        if (code !== 32 && code !== 9 && code !== 34 && code !== 39) break;
        word--;
      }
      const quoteEnd = word;
      while (word > covered && quoteEnd - word < 64) {
        const code = text.charCodeAt(word - 1);
        if (code >= 128 || TOKEN[code] !== 1) {
          if (code !== 95 && code !== 45 && code !== 46) break;
        }
        word--;
      }
      if (word < quoteEnd) {
        if (word > covered && (text.charCodeAt(word - 1) === 34 || text.charCodeAt(word - 1) === 39))
          starts.push(word - 1);
        starts.push(word);
      }
    }
    // Insertion sort: a handful of numbers, mostly in order already.
    for (let i = 1; i < starts.length; i++) {
      const value = starts[i]!;
      let j = i - 1;
      while (j >= 0 && starts[j]! > value) {
        starts[j + 1] = starts[j]!;
        j--;
      }
      starts[j + 1] = value;
    }
    tokenNeeds = 0;
    for (let i = Math.max(0, left - 1); i < right; i++) {
      const bit = NEED_CODES[text.charCodeAt(i)];
      if (bit !== undefined) tokenNeeds |= bit;
    }
    contextKnown = false;
    windowStart = left;
    windowEnd = right;
    firstStart = Math.min(starts[0] ?? left, leadingWord >= 0 ? leadingWord : left);
    let regionEnd = right;
    let previousStart = -1;
    let claimedUntil = -1;
    for (const start of starts) {
      if (start === previousStart) continue;
      previousStart = start;
      // Inside a value already found here ("195" in "10.195.25.47"): nothing better starts there.
      if (start < claimedUntil) continue;
      const code = text.charCodeAt(start);
      let end = tryFused(start, set.byStart[startClass(code)]);
      if (set.byPrefix.size > 0) {
        const second = start + 1 < length ? text.charCodeAt(start + 1) : 128;
        if (code < 128 && second < 128) {
          // Both ASCII: a table lookup instead of a slice, a lower-casing and a filter per start.
          if (set.prefixFirst[code] === 1) {
            const entry = set.byAsciiPrefix.get(code * 128 + second);
            if (entry !== undefined) {
              if (entry.exact !== undefined) end = Math.max(end, tryAt(start, entry.exact));
              if (entry.folded !== undefined) end = Math.max(end, tryAt(start, entry.folded));
            }
          }
        } else {
          const two = text.slice(start, start + 2);
          const exact = set.byPrefix.get(two);
          if (exact !== undefined) end = Math.max(end, tryAt(start, exact));
          const lower = two.toLowerCase();
          if (lower !== two) {
            const folded = set.byPrefix.get(lower);
            if (folded !== undefined)
              end = Math.max(
                end,
                tryAt(
                  start,
                  folded.filter((compiled) => compiled.recognizer.pattern.flags.includes('i')),
                ),
              );
          }
        }
      }
      if (end > claimedUntil) claimedUntil = end;
      if (end > regionEnd) regionEnd = end;
    }
    if (leadingWord >= 0 && set.leadingWord.length > 0) {
      const end = tryFused(leadingWord, set.leadingWord);
      if (end > regionEnd) regionEnd = end;
    }
    covered = regionEnd;
    ANCHOR.lastIndex = regionEnd;
  }

  // In text order across all literals: `accept` skips a recognizer at a position before its last match's
  // end, which holds only if positions come in order ("ASIA…" before "AKIA…", "in May … since March").
  const literals = set.literalList;
  if (literals.length === 0) return;
  // Most texts hold none of the literals: nothing is allocated until one is found.
  let found: { at: number; candidates: readonly Compiled[] }[] | undefined;
  for (let index = 0; index < literals.length; index++) {
    const { literal, candidates, whole } = literals[index]!;
    for (let at = text.indexOf(literal, whole ? 0 : from); at >= 0; at = text.indexOf(literal, at + 1)) {
      found ??= [];
      if (found.length >= limits.maxMatches) break;
      found.push({ at, candidates });
    }
  }
  if (found === undefined) return;
  found.sort((a, b) => a.at - b.at);
  for (const { at, candidates } of found) {
    if (out.length >= limits.maxMatches) break;
    tryAt(at, candidates);
  }
}

/**
 * Scores one recognizer's match at `position`. `knownEnd` is where its sticky regex, just run at
 * `position`, ended (-1: not run); a capture group (`group`) needs the regex's indices either way.
 */
function attempt(text: string, position: number, compiled: Compiled, knownEnd: number): EntityMatch | undefined {
  let start = position;
  let end: number;
  if (knownEnd >= 0 && compiled.group === 0) {
    end = knownEnd;
  } else {
    const sticky = compiled.sticky;
    sticky.lastIndex = position;
    const match = sticky.exec(text);
    if (match === null) return undefined;
    start = match.index;
    end = start + match[0].length;
    if (compiled.group > 0) {
      const indices = match.indices?.[compiled.group];
      if (indices === undefined) return undefined;
      [start, end] = indices;
    }
  }
  if (end <= start) return undefined;
  const recognizer = compiled.recognizer;
  let value = text.slice(start, end);
  if (recognizer.refine !== undefined) {
    const keep = recognizer.refine(value);
    if (keep === undefined || keep <= 0 || keep > value.length) return undefined;
    end = start + keep;
    value = value.slice(0, keep);
  }
  let score = recognizer.score;
  const reasons: string[] = [];
  if (recognizer.validate !== undefined) {
    if (!recognizer.validate(value)) return undefined;
    if (recognizer.validScore !== undefined) {
      score = Math.max(score, recognizer.validScore);
      reasons.push('checksum');
    }
  }
  if (compiled.context !== undefined) {
    const beforeFrom = Math.max(0, start - CONTEXT_BEFORE);
    const afterTo = Math.min(text.length, end + CONTEXT_AFTER);
    const unicode = compileContext(compiled.context);
    const ascii = compiled.context.ascii;
    const beforePattern = ascii && isPlain(text, beforeFrom, start, PLAIN_PATTERN) ? ascii : unicode;
    const afterPattern = ascii && isPlain(text, end, afterTo, PLAIN_PATTERN) ? ascii : unicode;
    if (
      beforePattern.test(text.slice(beforeFrom, start).toLowerCase()) ||
      afterPattern.test(text.slice(end, afterTo).toLowerCase())
    ) {
      score = Math.min(1, score + 0.35);
      reasons.push('context');
    } else if (recognizer.contextRequired) {
      return undefined;
    }
  }
  if (compiled.testValues?.has(alnumOf(value))) {
    score = Math.max(0.01, score - 0.3);
    reasons.push('test-value');
  }
  return { entity: recognizer.entity, kind: recognizer.kind, recognizer: recognizer.id, start, end, score, reasons };
}

/**
 * Keeps the best of overlapping matches: higher score first, then the longer span, then the earlier
 * recognizer. Returns the kept matches in text order. Linear in the text the matches cover (a span that
 * ends before its start counts as an empty span at its start).
 */
export function resolveOverlaps(matches: readonly EntityMatch[]): EntityMatch[] {
  if (!Array.isArray(matches)) {
    throw new ArgumentError({
      message: 'resolveOverlaps(matches): matches must be an array of matches, as scanText() fills.',
    });
  }
  let empty = false;
  for (const match of matches) {
    // Checked here because the choice marks positions: a bad offset must not size an array.
    if (
      !Number.isSafeInteger(match?.start) ||
      !Number.isSafeInteger(match.end) ||
      match.start < 0 ||
      match.end < 0 ||
      typeof match.score !== 'number'
    ) {
      throw new ArgumentError({
        message:
          'resolveOverlaps(matches): each match needs whole-number offsets start and end >= 0 and a numeric score, as scanText() gives.',
      });
    }
    if (match.end <= match.start) empty = true;
  }
  if (matches.length <= 1) return [...matches];
  const ranked = [...matches].sort(
    (a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  if (!empty && matches.length <= FEW_MATCHES) {
    // Kept spans are disjoint and non-empty, so in order of start their ends rise too: a candidate overlaps
    // some kept span exactly when it overlaps the last one starting before its end (a binary search).
    const kept: EntityMatch[] = [];
    for (const candidate of ranked) {
      let low = 0;
      let high = kept.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (kept[middle]!.start < candidate.end) low = middle + 1;
        else high = middle;
      }
      if (low > 0 && candidate.start < kept[low - 1]!.end) continue;
      kept.splice(low, 0, candidate);
    }
    return kept;
  }
  return keepByPosition(matches, ranked);
}

/**
 * Past this many matches, inserting each kept span into a sorted array (a shift of the array per insert)
 * would make the choice quadratic: 1 M characters of addresses give tens of thousands of matches.
 */
const FEW_MATCHES = 64;

/**
 * The same choice in time linear in the text the matches cover, for many matches or empty spans: which kept
 * span holds each position. Kept spans are disjoint, so a candidate overlaps one exactly when a position
 * inside it is held, or an empty kept span sits strictly inside it; an empty candidate overlaps one when the
 * positions on both sides of it are held by the same span. Every position is marked once (kept spans are
 * disjoint), and a candidate's check stops at its first held position.
 */
function keepByPosition(matches: readonly EntityMatch[], ranked: readonly EntityMatch[]): EntityMatch[] {
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const match of matches) {
    low = Math.min(low, match.start);
    high = Math.max(high, match.end, match.start);
  }
  const size = high - low + 1;
  const owner = new Int32Array(size);
  const point = new Uint8Array(size);
  const kept: EntityMatch[] = [];
  for (const candidate of ranked) {
    const from = candidate.start - low;
    const to = candidate.end - low;
    if (to <= from) {
      if (from > 0 && owner[from - 1] !== 0 && owner[from - 1] === owner[from]) continue;
      point[from] = 1;
      kept.push(candidate);
      continue;
    }
    let free = true;
    for (let at = from; at < to; at++) {
      if (owner[at] !== 0 || (at > from && point[at] === 1)) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    kept.push(candidate);
    owner.fill(kept.length, from, to);
  }
  return kept.sort((a, b) => a.start - b.start);
}
