import {
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  SEVERITIES,
  type Severity,
  STAGES,
  type Stage,
  streamScanStart,
} from '@parapet/core';
import { z } from 'zod';
import {
  ALLOWED_PAIRS,
  ALLOWED_WORDS,
  DEBUNKING,
  DEHUMANIZING,
  EXTERMINATION,
  GROUPS,
  LEXICON,
  type LexiconLanguage,
  MINOR_WORDS,
  NEGATIONS,
  SELF_HARM_CONTEXT,
  THREAT_OBJECTS,
  THREAT_SUBJECTS,
  THREAT_VERBS,
  THREAT_VERBS_WITH_OBJECT,
  THREAT_YOUR_PEOPLE,
  type ToxicityCategory,
} from './toxicity-lexicon.js';

/**
 * Toxic language in four languages without a model: a lexicon of whole words, stems and phrases looked up
 * word by word (hash lookups, no per-term regex) on the core's leetspeak-folded view, which already undid
 * homoglyphs, zero-width characters and leetspeak. On top of it: letters spelled apart ("f u c k",
 * "f.u.c.k"), stretched letters ("fuuuuck"), masked letters ("f*ck"), and three small rules that need word
 * order: threats (a first-person subject, a violent verb and a person, without negation), hateful
 * generalisations (a group of people + a dehumanising word) and calls to violence against a group.
 * Implicit hate without such words is out of reach of a lexicon (see the README for measured recall).
 */

export const TOXICITY_CATEGORIES: readonly ToxicityCategory[] = [
  'insult',
  'threat',
  'sexual',
  'hate',
  'self-harm',
  'profanity',
];
const LANGUAGES: readonly LexiconLanguage[] = ['en', 'fr', 'de', 'es'];

const SCORES: Record<Severity, number> = { low: 0.55, medium: 0.7, high: 0.85, critical: 0.97 };

const categoryOptions = z
  .object({
    /** Report this category (default true). */
    enabled: z.boolean().optional(),
    /** Findings of this category below this score are dropped (default 0.5; low = 0.55, medium = 0.7, high = 0.85, critical = 0.97). */
    threshold: z.number().min(0).max(1).optional(),
    /** Severity given to every finding of this category, instead of the lexicon's. */
    severity: z.enum(SEVERITIES as [Severity, ...Severity[]]).optional(),
  })
  .strict();

const termList = z.array(z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'));

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "toxicity"')
      .default('toxicity'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]]))
      .min(1, 'must name at least one stage')
      .default(['output']),
    /** Per category: `{ enabled, threshold, severity }`. */
    categories: z
      .object({
        insult: categoryOptions.optional(),
        threat: categoryOptions.optional(),
        sexual: categoryOptions.optional(),
        hate: categoryOptions.optional(),
        'self-harm': categoryOptions.optional(),
        profanity: categoryOptions.optional(),
      })
      .strict()
      .default({}),
    /** Word lists to load (default all four). */
    languages: z
      .array(z.enum(LANGUAGES as [LexiconLanguage, ...LexiconLanguage[]]))
      .min(1, 'must name at least one language: en, fr, de or es')
      .default([...LANGUAGES]),
    /** Extra terms per category, in the lexicon notation (`word`, `stem*`, `~root`, `a_phrase`); severity medium. */
    words: z
      .object({
        insult: termList.optional(),
        threat: termList.optional(),
        sexual: termList.optional(),
        hate: termList.optional(),
        'self-harm': termList.optional(),
        profanity: termList.optional(),
      })
      .strict()
      .default({}),
    /** Extra words that are never reported (whole words, e.g. a place name), or word pairs ("bloody mary"). */
    allow: z.array(z.string().trim().min(1, 'must not be empty').max(200)).default([]),
    /** What a `redact` action puts in place of a finding. */
    replacement: z.string().max(200, 'must be at most 200 characters').default('[censored]'),
    /** Join letters spelled apart ("f u c k", "f.u.c.k"). */
    spacedLetters: z.boolean().default(true),
    /** Read stretched words ("fuuuuck") and masked ones ("f*ck"). */
    evasions: z.boolean().default(true),
    /** Findings reported at most. */
    maxFindings: z.number().int().min(1).max(100_000).default(200),
    /** Characters examined at most (the start of the text). */
    maxChars: z.number().int().min(1).max(100_000_000).default(2_000_000),
    /**
     * Under `guard.scanStream`: how many characters before a window's new text are read again (enough for
     * the longest phrase and the words around a hit that decide it: a negation, a subject, a name).
     */
    streamOverlap: z.number().int().min(0).max(1_000_000).default(128),
  })
  .strict();

export type ToxicityOptions = z.input<typeof optionsSchema>;

// --- compiled lexicon ----------------------------------------------------------------------------------

interface Term {
  readonly category: ToxicityCategory;
  readonly severity: Severity;
  readonly language: LexiconLanguage | 'custom';
  /** Also a proper name ("Dick"): not reported inside a capitalised name. */
  readonly name: boolean;
}

interface PhraseNode {
  readonly next: Map<string, PhraseNode>;
  term?: Term;
}

// Latin letters with diacritics folded to their base letters, by code: one table lookup per character.
const FOLDS: (string | undefined)[] = new Array(0x250);
for (let code = 0xc0; code < 0x250; code++) {
  const char = String.fromCharCode(code);
  const base = char.normalize('NFD').replace(/\p{M}/gu, '');
  if (base !== char && base.length > 0) FOLDS[code] = base;
}
FOLDS[0xdf] = 'ss';

/** Lower-case word without accents ("cabrón" → "cabron", "scheiße" → "scheisse", ’ → '). */
function fold(word: string): string {
  let out: string | undefined;
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i);
    let replacement: string | undefined;
    if (code < 0xc0) replacement = undefined;
    else if (code < 0x250) replacement = FOLDS[code];
    else if (code === 0x2019) replacement = "'";
    else if (code >= 0x300 && code <= 0x36f) replacement = '';
    if (replacement !== undefined) {
      out ??= word.slice(0, i);
      out += replacement;
    } else if (out !== undefined) out += word[i];
  }
  return out ?? word;
}

/** Collapses every run of one letter to a single letter ("fuuuck" → "fuck"). */
function squeeze(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) if (i === 0 || word[i] !== word[i - 1]) out += word[i];
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

function stronger(existing: Term | undefined, candidate: Term): boolean {
  return existing === undefined || SEVERITY_RANK[candidate.severity] > SEVERITY_RANK[existing.severity];
}

/** Masked spellings of a word: each inner letter, each vowel, or all inner letters as "*". */
function masks(word: string): string[] {
  if (word.length < 3 || word.length > 10) return [];
  const out = new Set<string>();
  for (let i = 1; i < word.length - 1; i++) out.add(`${word.slice(0, i)}*${word.slice(i + 1)}`);
  out.add(word.replace(/(?<=.)[aeiou](?=.)/g, '*'));
  out.add(`${word[0]}${'*'.repeat(word.length - 2)}${word[word.length - 1]}`);
  out.delete(word);
  return [...out];
}

class Lexicon {
  readonly exact = new Map<string, Term>();
  /** Stems by their first two letters. */
  readonly stems = new Map<string, { stem: string; term: Term }[]>();
  readonly infixes: { root: string; term: Term }[] = [];
  readonly squeezedExact = new Map<string, Term>();
  readonly squeezedStems = new Map<string, { stem: string; term: Term }[]>();
  readonly masked = new Map<string, Term>();
  readonly phrases: PhraseNode = { next: new Map() };
  maxPhrase = 0;

  add(notation: string, term: Term): void {
    let text = notation.toLowerCase();
    let name = false;
    if (text.startsWith('^')) {
      name = true;
      text = text.slice(1);
    }
    const entry: Term = name ? { ...term, name } : term;
    let strict = false;
    if (text.endsWith('=')) {
      strict = true;
      text = text.slice(0, -1);
    }
    if (text.includes('_')) {
      this.addPhrase(text.split('_'), entry, strict);
      return;
    }
    if (text.startsWith('~')) {
      const root = fold(text.slice(1));
      this.infixes.push({ root, term: entry });
      return;
    }
    if (text.endsWith('*')) {
      const stem = text.slice(0, -1);
      for (const form of new Set([stem, fold(stem)])) {
        this.addStem(this.stems, form, entry);
        const squeezed = squeeze(form);
        if (squeezed.length >= 3) this.addStem(this.squeezedStems, squeezed, entry);
        for (const masked of masks(form)) this.addStem(this.stems, masked, entry);
      }
      return;
    }
    const forms = strict ? [text] : [...new Set([text, fold(text)])];
    for (const form of forms) {
      if (stronger(this.exact.get(form), entry)) this.exact.set(form, entry);
      const squeezed = squeeze(form);
      if (squeezed.length >= 3 && stronger(this.squeezedExact.get(squeezed), entry))
        this.squeezedExact.set(squeezed, entry);
      for (const masked of masks(form)) if (stronger(this.masked.get(masked), entry)) this.masked.set(masked, entry);
    }
  }

  private addStem(map: Map<string, { stem: string; term: Term }[]>, stem: string, term: Term): void {
    const key = stem.slice(0, 2);
    const bucket = map.get(key);
    if (bucket === undefined) map.set(key, [{ stem, term }]);
    else bucket.push({ stem, term });
  }

  private addPhrase(words: string[], term: Term, strict: boolean): void {
    const variants = strict ? [words] : [words, words.map(fold)];
    for (const variant of variants) {
      let node = this.phrases;
      for (const word of variant) {
        let child = node.next.get(word);
        if (child === undefined) {
          child = { next: new Map() };
          node.next.set(word, child);
        }
        node = child;
      }
      if (stronger(node.term, term)) node.term = term;
    }
    this.maxPhrase = Math.max(this.maxPhrase, words.length);
  }
}

type StemBucket = { stem: string; term: Term }[];

/**
 * Stem buckets by their two ASCII first letters, by character codes, each split again by an ASCII third letter
 * (index 128: the whole bucket): the entries, in their order, whose stem is shorter or has that third letter.
 */
interface StemIndex {
  readonly map: Map<string, StemBucket>;
  readonly ascii: (StemBucket[] | undefined)[];
}

function stemIndex(map: Map<string, StemBucket>): StemIndex {
  const ascii: (StemBucket[] | undefined)[] = new Array(128 * 128).fill(undefined);
  for (const [key, bucket] of map) {
    if (key.length !== 2) continue;
    const first = key.charCodeAt(0);
    const second = key.charCodeAt(1);
    if (first >= 128 || second >= 128) continue;
    const short = bucket.filter((entry) => entry.stem.length < 3);
    const thirds: StemBucket[] = new Array(128).fill(short);
    for (const { stem } of bucket) {
      const third = stem.length < 3 ? 128 : stem.charCodeAt(2);
      if (third < 128 && thirds[third] === short)
        thirds[third] = bucket.filter((entry) => entry.stem.length < 3 || entry.stem.charCodeAt(2) === third);
    }
    thirds.push(bucket);
    ascii[(first << 7) | second] = thirds;
  }
  return { map, ascii };
}

function stemLookup(index: StemIndex, word: string): Term | undefined {
  const first = word.charCodeAt(0);
  const second = word.length > 1 ? word.charCodeAt(1) : 128;
  let bucket: StemBucket | undefined;
  if (first < 128 && second < 128) {
    const thirds = index.ascii[(first << 7) | second];
    if (thirds !== undefined) {
      const third = word.length > 2 ? word.charCodeAt(2) : 128;
      bucket = thirds[Math.min(third, 128)];
    }
  } else bucket = index.map.get(word.slice(0, 2));
  if (bucket === undefined) return undefined;
  let best: Term | undefined;
  for (let k = 0; k < bucket.length; k++) {
    const entry = bucket[k]!;
    if (word.startsWith(entry.stem) && stronger(best, entry.term)) best = entry.term;
  }
  return best;
}

// --- tokens --------------------------------------------------------------------------------------------

const ELISIONS = new Set(['j', 't', 'l', 'm', 's', 'd', 'n', 'c', 'qu']);
const SPACED_SEPARATORS = new Set([' ', '.', '-', '_', '*', '·']);
const DIGIT_LETTERS: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '9': 'g' };
const MAX_WORD = 48;

// Per ASCII code: 1 part of a word (letters, digits), 2 an apostrophe or star (inside a word only), 3 a sentence end.
const ASCII_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a))
    ASCII_CLASS[code] = 1;
}
ASCII_CLASS[0x27] = 2;
ASCII_CLASS[0x2a] = 2;
for (const char of '.!?;\n') ASCII_CLASS[char.charCodeAt(0)] = 3;

interface Tokens {
  /** Lower-case words, accents kept. */
  readonly words: string[];
  /** Lower-case words without accents (the same strings as `words` for ASCII text). */
  readonly folded: string[];
  /**
   * Each word's place, sentence number, whether it starts with a capital letter, and whether the folded word
   * is the slice of `lower` at its place (1) or not (0). Typed arrays shared by every call (the detector is
   * synchronous) and longer than the text's words: read the first `words.length` entries only.
   */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly sentences: Int32Array;
  readonly capitals: Uint8Array;
  readonly plain: Uint8Array;
  /** The whole text lower-cased, each character at its place; undefined when lower-casing moved them. */
  lower: string | undefined;
}

/** The shared per-word arrays, grown to the longest text seen up to SHARED_WORDS words. */
let shared = wordArrays(1024);
const SHARED_WORDS = 1 << 18;

function wordArrays(size: number) {
  return {
    starts: new Int32Array(size),
    ends: new Int32Array(size),
    sentences: new Int32Array(size),
    capitals: new Uint8Array(size),
    plain: new Uint8Array(size),
  };
}

/** Tokens for a text of `length` characters (it has at most `length` words, elisions split included). */
function emptyTokens(length: number): Tokens {
  const size = length + 1;
  let arrays = shared;
  if (size > arrays.starts.length) {
    // Past SHARED_WORDS, arrays of the call's own: one long text does not pin megabytes for good.
    arrays = wordArrays(size > SHARED_WORDS ? size : Math.min(SHARED_WORDS, Math.max(size, arrays.starts.length * 2)));
    if (size <= SHARED_WORDS) shared = arrays;
  }
  return { words: [], folded: [], ...arrays, lower: undefined };
}

function pushAscii(tokens: Tokens, text: string, lower: string, start: number, end: number, sentence: number): void {
  const word = lower.slice(start, end);
  const n = tokens.words.push(word) - 1;
  tokens.folded.push(word);
  tokens.starts[n] = start;
  tokens.ends[n] = end;
  tokens.sentences[n] = sentence;
  const code = text.charCodeAt(start);
  tokens.capitals[n] = code >= 0x41 && code <= 0x5a ? 1 : 0;
  tokens.plain[n] = 1;
}

/** One ASCII word from `start` to `end`: stars and apostrophes trimmed at its edges, French elision split. */
function closeAscii(
  tokens: Tokens,
  text: string,
  lower: string,
  start: number,
  end: number,
  apostrophe: number,
  sentence: number,
): void {
  let from = start;
  let to = end;
  while (from < to && ASCII_CLASS[text.charCodeAt(from)] === 2) from++;
  while (to > from && ASCII_CLASS[text.charCodeAt(to - 1)] === 2) to--;
  if (from === to) return;
  const cut = apostrophe - from;
  if (cut > 0 && cut <= 2 && apostrophe < to - 1 && ELISIONS.has(lower.slice(from, apostrophe))) {
    pushAscii(tokens, text, lower, from, apostrophe, sentence);
    pushAscii(tokens, text, lower, apostrophe + 1, to, sentence);
  } else pushAscii(tokens, text, lower, from, to, sentence);
}

/** ASCII text: one pass over character codes, no regex; undefined as soon as a non-ASCII character shows up. */
function tokenizeAscii(text: string): Tokens | undefined {
  const tokens = emptyTokens(text.length);
  const lower = text.toLowerCase();
  tokens.lower = lower;
  const length = text.length;
  let sentence = 0;
  let start = -1;
  let apostrophe = -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return undefined;
    const kind = ASCII_CLASS[code]!;
    if (kind === 1 || kind === 2) {
      if (start < 0) {
        start = i;
        apostrophe = -1;
      }
      if (code === 0x27 && apostrophe < 0) apostrophe = i;
      continue;
    }
    if (start >= 0) {
      closeAscii(tokens, text, lower, start, i, apostrophe, sentence);
      start = -1;
    }
    if (kind === 3) sentence++;
  }
  if (start >= 0) closeAscii(tokens, text, lower, start, length, apostrophe, sentence);
  return tokens;
}

// Per BMP code unit beyond ASCII, filled on first sight: 1 a letter, mark or digit, 4 anything else.
const WIDE_CLASS = new Uint8Array(0x10000);
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;

function wideClass(code: number): number {
  let kind = WIDE_CLASS[code]!;
  if (kind === 0) {
    kind =
      code >= 0xd800 && code <= 0xdfff ? 4 : code === 0x2019 ? 2 : WORD_CHAR.test(String.fromCharCode(code)) ? 1 : 4;
    if (code === 0x3002) kind = 3;
    WIDE_CLASS[code] = kind;
  }
  return kind;
}

/**
 * One word of a text with non-ASCII characters. `lowerText` is the whole text lower-cased once, when that kept
 * every character at its place (no character lower-cases to a shorter string, so an equal length proves it):
 * an ASCII word is then its slice, the same string as its own lower-casing, without a per-word call. Words with
 * other characters are lower-cased alone (Greek final sigma depends on the neighbours).
 */
function pushUnicode(
  tokens: Tokens,
  text: string,
  lowerText: string | undefined,
  start: number,
  end: number,
  wide: boolean,
  sentence: number,
): void {
  let lower: string;
  let capital: boolean;
  if (!wide && lowerText !== undefined) {
    lower = lowerText.slice(start, end);
    const code = text.charCodeAt(start);
    capital = code >= 0x41 && code <= 0x5a;
  } else {
    const raw = text.slice(start, end);
    lower = raw.toLowerCase();
    capital = raw[0] !== lower[0];
  }
  const n = tokens.words.push(lower) - 1;
  tokens.folded.push(wide ? fold(lower) : lower);
  tokens.starts[n] = start;
  tokens.ends[n] = end;
  tokens.sentences[n] = sentence;
  tokens.capitals[n] = capital ? 1 : 0;
  tokens.plain[n] = !wide && lowerText !== undefined ? 1 : 0;
}

function isEdgeCode(code: number): boolean {
  return code === 0x2a || code === 0x27 || code === 0x2019;
}

/** Text with non-ASCII characters: the same one pass, with a per-character class table for the rest of the BMP. */
function tokenizeUnicode(text: string): Tokens {
  const tokens = emptyTokens(text.length);
  const length = text.length;
  let sentence = 0;
  let start = -1;
  let wide = false;
  const lowered = text.toLowerCase();
  const lowerText = lowered.length === length ? lowered : undefined;
  tokens.lower = lowerText;
  const close = (end: number): void => {
    let from = start;
    let to = end;
    while (from < to && isEdgeCode(text.charCodeAt(from))) from++;
    while (to > from && isEdgeCode(text.charCodeAt(to - 1))) to--;
    if (from === to) return;
    // French elision: "t'égorger" is two words.
    let apostrophe = -1;
    for (let k = from + 1; k <= from + 2 && k < to - 1; k++) {
      const code = text.charCodeAt(k);
      if (code === 0x27 || code === 0x2019) {
        apostrophe = k;
        break;
      }
    }
    if (apostrophe > 0 && ELISIONS.has(text.slice(from, apostrophe).toLowerCase())) {
      pushUnicode(tokens, text, lowerText, from, apostrophe, wide, sentence);
      pushUnicode(tokens, text, lowerText, apostrophe + 1, to, wide, sentence);
    } else pushUnicode(tokens, text, lowerText, from, to, wide, sentence);
  };
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const kind = code < 128 ? ASCII_CLASS[code]! : wideClass(code);
    if (kind === 1 || kind === 2) {
      if (start < 0) {
        start = i;
        wide = false;
      }
      if (code >= 128) wide = true;
      continue;
    }
    if (start >= 0) {
      close(i);
      start = -1;
    }
    if (kind === 3) sentence++;
  }
  if (start >= 0) close(length);
  return tokens;
}

const NON_ASCII = /[^\x00-\x7f]/;

function tokenize(text: string): Tokens {
  // The ASCII tokenizer gives up at the first non-ASCII character: a scan first spares that wasted pass.
  return (NON_ASCII.test(text) ? undefined : tokenizeAscii(text)) ?? tokenizeUnicode(text);
}

// --- detector ------------------------------------------------------------------------------------------

interface Hit {
  readonly category: ToxicityCategory;
  readonly severity: Severity;
  readonly first: number;
  readonly last: number;
  readonly kind: 'word' | 'phrase' | 'threat' | 'generalization' | 'violence';
  readonly language?: string;
  readonly evasion?: 'spacing' | 'stretching' | 'masking';
  minors?: boolean;
}

/** Whether a negation or a debunking word sits between `from` and `to` (inclusive). */
function cancelled(flags: readonly number[], folded: readonly string[], from: number, to: number): boolean {
  for (let k = Math.max(0, from); k <= to; k++) {
    if ((flags[k]! & (NEGATION | DEBUNKING_WORD)) !== 0 || folded[k]!.endsWith("n't")) return true;
  }
  return false;
}

// What a word is, for the rules: one hash lookup per word gives all of it.
const EXACT = 1;
const PHRASE = 1 << 1;
const VERB = 1 << 2;
const SUBJECT = 1 << 3;
const OBJECT_BEFORE = 1 << 4;
const OBJECT_AFTER = 1 << 5;
const YOUR_PEOPLE = 1 << 6;
const NEGATION = 1 << 7;
const SELF_HARM_CONTEXT_WORD = 1 << 8;
const GROUP = 1 << 9;
const GROUP_NOUN = 1 << 10;
const DEHUMANIZING_WORD = 1 << 11;
const EXTERMINATION_WORD = 1 << 12;
const DEBUNKING_WORD = 1 << 13;
const LINK = 1 << 14;
const MODAL = 1 << 15;
const MINOR = 1 << 16;
const ALLOWED = 1 << 17;
const YOUR = 1 << 18;
const VERB_WITH_OBJECT = 1 << 19;

const VOCABULARY_BITS = 1 << 20;

/** A 20-bit hash of a word's length and its first, second and last character codes. */
function vocabularyHash(word: string): number {
  const length = word.length;
  if (length === 0) return 0;
  const second = length > 1 ? word.charCodeAt(1) : 0;
  const hash =
    Math.imul(length, 0x9e3779b1) ^
    Math.imul(word.charCodeAt(0) + 1, 0x85ebca77) ^
    Math.imul(second + 1, 0xc2b2ae3d) ^
    Math.imul(word.charCodeAt(length - 1) + 1, 0x27d4eb2f);
  return (hash ^ (hash >>> 15)) >>> 12;
}

const LINKS = `are is r were be being sind sont son ist es est all like as just nothing but basically simply mere merely
  only nur wie comme como solo todos alle tous`;
const MODALS = `should must need needs ought deserve deserves sollten sollte müssen muss gehören devraient doivent méritent
  deberían deben merecen`;

/** The lexicon and word tables of one configuration: built once, shared by every toxicity() built alike. */
interface ToxicityTables {
  readonly lexicon: Lexicon;
  readonly vocabulary: Map<string, number>;
  readonly vocabularyBits: Uint32Array;
  readonly allowedPairs: Set<string>;
  readonly verbSeverity: Map<string, Severity>;
  readonly stems: ReturnType<typeof stemIndex>;
  readonly squeezedStems: ReturnType<typeof stemIndex>;
  readonly infixRoots: string[];
  readonly infixTerms: Term[];
  readonly stemStarts: Set<string>;
  readonly stemTable: Uint8Array;
}

/** What the tables depend on: nothing else in the options changes them. */
type TableConfig = Pick<z.output<typeof optionsSchema>, 'languages' | 'words' | 'allow'>;

/**
 * Tables by configuration (languages, custom words, allowed words): building them takes 6–8 ms, and an
 * application may build a guard per tenant or per conversation. Read-only once built. Bounded.
 */
const tableCache = new Map<string, ToxicityTables>();
const TABLE_CACHE_MAX = 16;

function tablesFor(config: TableConfig): ToxicityTables {
  const key = JSON.stringify([config.languages, config.words, config.allow]);
  const cached = tableCache.get(key);
  if (cached !== undefined) return cached;
  const tables = buildTables(config);
  tableCache.set(key, tables);
  if (tableCache.size > TABLE_CACHE_MAX) tableCache.delete(tableCache.keys().next().value as string);
  return tables;
}

function buildTables(config: TableConfig): ToxicityTables {
  const languages = new Set(config.languages);
  const lexicon = new Lexicon();
  for (const list of LEXICON) {
    if (!languages.has(list.language)) continue;
    for (const notation of list.terms.split(/\s+/)) {
      if (notation.length === 0) continue;
      lexicon.add(notation, { category: list.category, severity: list.severity, language: list.language, name: false });
    }
  }
  for (const category of TOXICITY_CATEGORIES) {
    for (const notation of config.words[category] ?? []) {
      lexicon.add(notation.toLowerCase().replace(/\s+/g, '_'), {
        category,
        severity: 'medium',
        language: 'custom',
        name: false,
      });
    }
  }

  const vocabulary = new Map<string, number>();
  const mark = (words: Iterable<string>, flag: number): void => {
    for (const raw of words) {
      const word = raw.toLowerCase();
      if (word.length === 0) continue;
      for (const form of new Set([word, fold(word)])) vocabulary.set(form, (vocabulary.get(form) ?? 0) | flag);
    }
  };
  const split = (text: string): string[] => text.split(/\s+/).filter((word) => word.length > 0);
  for (const word of lexicon.exact.keys()) vocabulary.set(word, (vocabulary.get(word) ?? 0) | EXACT);
  for (const word of lexicon.phrases.next.keys()) vocabulary.set(word, (vocabulary.get(word) ?? 0) | PHRASE);
  mark(ALLOWED_WORDS, ALLOWED);
  const allowedPairs = new Set(ALLOWED_PAIRS.map(fold));
  for (const entry of config.allow) {
    const words = fold(entry.toLowerCase()).split(/\s+/);
    if (words.length === 1) mark(words, ALLOWED);
    else allowedPairs.add(words.join(' '));
  }
  const verbSeverity = new Map<string, Severity>();
  for (const severity of ['medium', 'high'] as const) {
    for (const verb of split(THREAT_VERBS[severity])) {
      verbSeverity.set(verb, severity);
      verbSeverity.set(fold(verb), severity);
      mark([verb], VERB);
    }
  }
  mark(THREAT_VERBS_WITH_OBJECT, VERB_WITH_OBJECT);
  mark(THREAT_SUBJECTS, SUBJECT);
  mark(THREAT_OBJECTS, OBJECT_AFTER);
  mark(['te', 't', 'vous', 'dich', 'euch', 'ihn', 'os'], OBJECT_BEFORE);
  mark(THREAT_YOUR_PEOPLE, YOUR_PEOPLE);
  mark(['your', 'ur'], YOUR);
  mark(NEGATIONS, NEGATION);
  mark(SELF_HARM_CONTEXT, SELF_HARM_CONTEXT_WORD);
  mark(GROUPS, GROUP);
  // Calls to violence name a group by a plural noun ("kill all the X"), not by an adjective.
  mark(
    GROUPS.filter((word) => word.endsWith('s') || /(?:en|ge|de|ue)$/.test(word)),
    GROUP_NOUN,
  );
  mark(DEHUMANIZING, DEHUMANIZING_WORD);
  mark(EXTERMINATION, EXTERMINATION_WORD);
  mark(DEBUNKING, DEBUNKING_WORD);
  mark(split(LINKS), LINK);
  mark(split(MODALS), MODAL);
  mark(MINOR_WORDS, MINOR);

  // A bit per hash of (length, first, second and last character) of every vocabulary word: most words of a text
  // are ruled out without a map lookup (no word is missed; a collision only costs the lookup).
  const vocabularyBits = new Uint32Array(VOCABULARY_BITS >>> 5);
  for (const word of vocabulary.keys()) {
    const bit = vocabularyHash(word);
    vocabularyBits[bit >>> 5]! |= 1 << (bit & 31);
  }
  const stems = stemIndex(lexicon.stems);
  const squeezedStems = stemIndex(lexicon.squeezedStems);
  const infixRoots = lexicon.infixes.map((infix) => infix.root);
  const infixTerms = lexicon.infixes.map((infix) => infix.term);

  // Two-letter beginnings of stems, by character codes: most words are ruled out without a lookup.
  const stemStarts = new Set<string>([...lexicon.stems.keys()]);
  const stemTable = new Uint8Array(128 * 128);
  for (const start of stemStarts) {
    const first = start.charCodeAt(0);
    const second = start.charCodeAt(1);
    if (first < 128 && second < 128) stemTable[(first << 7) | second] = 1;
  }
  return {
    lexicon,
    vocabulary,
    vocabularyBits,
    allowedPairs,
    verbSeverity,
    stems,
    squeezedStems,
    infixRoots,
    infixTerms,
    stemStarts,
    stemTable,
  };
}

/**
 * Reports insults, threats, sexual content, hate, self-harm encouragement and profanity in English, French,
 * German and Spanish, each finding with its category, severity, span and a `replacement` so a `redact`
 * rule can mask it. Messages never repeat the word.
 *
 * @example
 * createGuard({ output: [toxicity({ categories: { profanity: { threshold: 0.6 } } })] });
 */
export function toxicity(options: ToxicityOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'toxicity() options');
  const {
    lexicon,
    vocabulary,
    vocabularyBits,
    allowedPairs,
    verbSeverity,
    stems,
    squeezedStems,
    infixRoots,
    infixTerms,
    stemStarts,
    stemTable,
  } = tablesFor(config);
  const vocabularyFlags = (word: string): number => {
    const bit = vocabularyHash(word);
    return (vocabularyBits[bit >>> 5]! & (1 << (bit & 31))) === 0 ? 0 : (vocabulary.get(word) ?? 0);
  };

  const settings = new Map<ToxicityCategory, { enabled: boolean; threshold: number; severity?: Severity }>();
  for (const category of TOXICITY_CATEGORIES) {
    const own = config.categories[category];
    settings.set(category, {
      enabled: own?.enabled ?? true,
      // Low-severity sexual words are clinical ("orgasm"): reported only when asked for.
      threshold: own?.threshold ?? (category === 'sexual' ? 0.6 : 0.5),
      ...(own?.severity !== undefined ? { severity: own.severity } : {}),
    });
  }
  const enabled = (category: ToxicityCategory): boolean => settings.get(category)!.enabled;
  const threatsOn = enabled('threat');
  const hateOn = enabled('hate');

  /** The lexicon entry for one word, or undefined. */
  const lookup = (
    word: string,
    folded: string,
    flags: number,
    infixes: boolean,
    stars: boolean,
  ): { term: Term; evasion?: Hit['evasion'] } | undefined => {
    if ((flags & ALLOWED) !== 0 || word.length > MAX_WORD) return undefined;
    if ((flags & EXACT) !== 0) {
      const exact = lexicon.exact.get(word) ?? lexicon.exact.get(folded);
      if (exact !== undefined) return { term: exact };
    }
    const length = folded.length;
    if (length < 3) return undefined;
    const first = folded.charCodeAt(0);
    const second = folded.charCodeAt(1);
    if (first < 128 && second < 128 ? stemTable[(first << 7) | second] === 1 : stemStarts.has(folded.slice(0, 2))) {
      const stem = stemLookup(stems, folded);
      if (stem !== undefined) return { term: stem, ...(folded.includes('*') ? { evasion: 'masking' as const } : {}) };
    }
    if (length > 4 && infixes)
      for (let k = 0; k < infixRoots.length; k++) if (folded.includes(infixRoots[k]!)) return { term: infixTerms[k]! };
    if (!config.evasions) return undefined;
    // A masking star (only in a text that has one), or a character other than a star written three times or
    // more: any such run holds an equal pair starting at an odd index, so every other index is enough.
    const star = stars && folded.includes('*');
    let stretch = false;
    if (length > 3) {
      for (let i = 1; i + 1 < length; i += 2) {
        const code = folded.charCodeAt(i);
        if (
          code === folded.charCodeAt(i + 1) &&
          code !== 0x2a &&
          (code === folded.charCodeAt(i - 1) || (i + 2 < length && code === folded.charCodeAt(i + 2)))
        ) {
          stretch = true;
          break;
        }
      }
    }
    if (star) {
      const masked = lexicon.masked.get(folded);
      if (masked !== undefined) return { term: masked, evasion: 'masking' };
    }
    if (stretch && length > 3) {
      const squeezed = squeeze(folded);
      if (((vocabulary.get(squeezed) ?? 0) & ALLOWED) !== 0) return undefined;
      const term =
        lexicon.squeezedExact.get(squeezed) ??
        stemLookup(squeezedStems, squeezed) ??
        lexicon.infixes.find((infix) => squeezed.includes(infix.root))?.term;
      if (term !== undefined) return { term, evasion: 'stretching' };
    }
    return undefined;
  };

  const detect = (_text: string, context: DetectContext): readonly FindingInput[] => {
    const view = context.normalized;
    const leet = view.leet;
    // In a stream window, from a word start `streamOverlap` characters before the new text.
    let from = streamScanStart(context, config.streamOverlap);
    for (let limit = Math.max(0, from - MAX_WORD); from > limit && leet.charCodeAt(from - 1) > 32; ) from--;
    const stop = Math.min(leet.length, config.maxChars);
    if (from >= stop) return [];
    const text = from === 0 && stop === leet.length ? leet : leet.slice(from, stop);
    const tokens = tokenize(text);
    const { words, folded, sentences, capitals } = tokens;
    const count = words.length;
    const flags: number[] = new Array(count);
    const phraseStarts: number[] = [];
    const verbs: number[] = [];
    const hateWords: number[] = [];
    for (let i = 0; i < count; i++) {
      const word = words[i]!;
      let flag = vocabularyFlags(word);
      if (folded[i] !== word) flag |= vocabularyFlags(folded[i]!);
      flags[i] = flag;
      if ((flag & PHRASE) !== 0) phraseStarts.push(i);
      if ((flag & VERB) !== 0) verbs.push(i);
      if ((flag & (DEHUMANIZING_WORD | EXTERMINATION_WORD)) !== 0) hateWords.push(i);
    }
    const plain = tokens.plain;
    const lowerText = tokens.lower;
    const hasStar = text.includes('*');
    const infixInText = lowerText === undefined || infixRoots.some((root) => lowerText.includes(root));
    const hits: Hit[] = [];
    const covered = new Uint8Array(count);
    const budget = config.maxFindings * 2;

    // Phrases first (longest match), so their words are not reported twice.
    let after = -1;
    for (const i of phraseStarts) {
      if (hits.length >= budget) break;
      if (i <= after) continue;
      let node: PhraseNode | undefined = lexicon.phrases;
      let found: { term: Term; last: number } | undefined;
      for (let j = i; j < count && j < i + lexicon.maxPhrase; j++) {
        node = node.next.get(words[j]!) ?? node.next.get(folded[j]!);
        if (node === undefined) break;
        if (node.term !== undefined) found = { term: node.term, last: j };
      }
      if (found === undefined || !enabled(found.term.category)) continue;
      const term = found.term;
      if (term.category === 'self-harm' || term.category === 'threat') {
        // "if you ever want to kill yourself, call …" is support, not encouragement.
        const cancel = term.category === 'self-harm' ? SELF_HARM_CONTEXT_WORD : NEGATION;
        let skip = false;
        for (let k = Math.max(0, i - 4); k < i; k++)
          if (sentences[k] === sentences[i] && (flags[k]! & cancel) !== 0) skip = true;
        if (skip) continue;
      }
      hits.push({
        category: term.category,
        severity: term.severity,
        first: i,
        last: found.last,
        kind: 'phrase',
        language: term.language,
        minors: term.category === 'sexual' && term.severity === 'critical',
      });
      for (let k = i; k <= found.last; k++) covered[k] = 1;
      after = found.last;
    }

    // Words, and letters spelled apart.
    for (let i = 0; i < count && hits.length < budget; i++) {
      if (covered[i] === 1) continue;
      const word = words[i]!;
      if (word.length === 1) {
        if (!config.spacedLetters) continue;
        let last = i;
        let joined = DIGIT_LETTERS[word] ?? word;
        while (
          last + 1 < count &&
          words[last + 1]!.length === 1 &&
          tokens.starts[last + 1]! - tokens.ends[last]! === 1 &&
          SPACED_SEPARATORS.has(text[tokens.ends[last]!]!) &&
          joined.length < MAX_WORD
        ) {
          last++;
          joined += DIGIT_LETTERS[words[last]!] ?? words[last]!;
        }
        if (last - i >= 2) {
          const key = fold(joined);
          const found = lookup(joined, key, vocabulary.get(key) ?? 0, true, hasStar);
          if (found !== undefined && enabled(found.term.category)) {
            hits.push({
              category: found.term.category,
              severity: found.term.severity,
              first: i,
              last,
              kind: 'word',
              language: found.term.language,
              evasion: 'spacing',
            });
          }
          i = last;
        }
        continue;
      }
      // A word read as it stands in the lower-cased text holds an infix only if the text does.
      const found = lookup(word, folded[i]!, flags[i]!, infixInText || !plain[i], hasStar);
      if (found === undefined || !enabled(found.term.category)) continue;
      const term = found.term;
      const key = folded[i]!;
      if (
        (i > 0 && allowedPairs.has(`${folded[i - 1]} ${key}`)) ||
        (i + 1 < count && allowedPairs.has(`${key} ${folded[i + 1]}`))
      )
        continue;
      if (term.name && capitals[i]) {
        // "Dick Cheney", "Moby Dick", "Philip K. Dick": part of a capitalised name.
        const nextCapital = i + 1 < count && capitals[i + 1] && sentences[i] === sentences[i + 1];
        const previousCapital =
          i > 0 && capitals[i - 1] && folded[i - 1] !== 'i' && i - 1 > 0 && sentences[i - 2] === sentences[i - 1];
        if (nextCapital || previousCapital) continue;
      }
      hits.push({
        category: term.category,
        severity: term.severity,
        first: i,
        last: i,
        kind: 'word',
        language: term.language,
        ...(found.evasion !== undefined ? { evasion: found.evasion } : {}),
        minors: term.category === 'sexual' && term.severity === 'critical',
      });
    }

    // Threats: a first-person subject, a violent verb and a person, in one sentence, without negation.
    if (threatsOn) {
      for (const i of verbs) {
        if (hits.length >= budget) break;
        let subject = -1;
        for (let k = i - 1; k >= 0 && k >= i - 6 && sentences[k] === sentences[i]; k--) {
          if ((flags[k]! & NEGATION) !== 0 || folded[k]!.endsWith("n't")) break;
          if ((flags[k]! & SUBJECT) !== 0) {
            subject = k;
            break;
          }
        }
        if (subject < 0) continue;
        let target = (flags[i]! & VERB_WITH_OBJECT) !== 0 ? i : -1;
        for (let k = subject + 1; k < i && target < 0; k++) if ((flags[k]! & OBJECT_BEFORE) !== 0) target = i;
        for (let k = i + 1; k < count && k <= i + 2 && target < 0 && sentences[k] === sentences[i]; k++) {
          if ((flags[k]! & OBJECT_AFTER) !== 0) target = k;
          else if (
            (flags[k]! & YOUR) !== 0 &&
            k + 1 < count &&
            (flags[k + 1]! & YOUR_PEOPLE) !== 0 &&
            sentences[k + 1] === sentences[i]
          )
            target = k + 1;
        }
        if (target < 0) continue;
        const severity = verbSeverity.get(folded[i]!) ?? verbSeverity.get(words[i]!) ?? 'high';
        hits.push({ category: 'threat', severity, first: subject, last: target, kind: 'threat' });
      }
    }

    // Hate: "<group> are <dehumanising word>" and calls to violence against a group.
    if (hateOn) {
      for (const i of hateWords) {
        if (hits.length >= budget) break;
        if ((flags[i]! & DEHUMANIZING_WORD) !== 0) {
          for (let g = i - 2; g >= 0 && g >= i - 5 && sentences[g] === sentences[i]; g--) {
            if ((flags[g]! & GROUP) === 0) continue;
            let linked = false;
            for (let k = g + 1; k < i; k++) if ((flags[k]! & LINK) !== 0) linked = true;
            if (linked && !cancelled(flags, folded, g - 3, i)) {
              hits.push({ category: 'hate', severity: 'high', first: g, last: i, kind: 'generalization' });
            }
            break;
          }
          continue;
        }
        // "<group> should be gassed"
        let done = false;
        for (let g = i - 2; g >= 0 && g >= i - 5 && sentences[g] === sentences[i]; g--) {
          if ((flags[g]! & GROUP) === 0) continue;
          let modal = false;
          for (let k = g + 1; k < i; k++) if ((flags[k]! & MODAL) !== 0) modal = true;
          if (modal && !cancelled(flags, folded, g - 3, i)) {
            hits.push({ category: 'hate', severity: 'critical', first: g, last: i, kind: 'violence' });
            done = true;
          }
          break;
        }
        if (done) continue;
        // "kill all the <group>"
        for (let g = i + 1; g < count && g <= i + 3 && sentences[g] === sentences[i]; g++) {
          if ((flags[g]! & GROUP_NOUN) === 0) continue;
          if (!cancelled(flags, folded, i - 3, i))
            hits.push({ category: 'hate', severity: 'critical', first: i, last: g, kind: 'violence' });
          break;
        }
      }
    }

    if (hits.length === 0) return [];

    // Sexual content next to words naming children is critical.
    for (const hit of hits) {
      if (hit.category !== 'sexual' || hit.minors === true || hit.severity === 'low') continue;
      for (let k = Math.max(0, hit.first - 8); k < count && k <= hit.last + 8; k++) {
        if ((flags[k]! & MINOR) !== 0) {
          hit.minors = true;
          break;
        }
      }
    }

    hits.sort((a, b) => tokens.starts[a.first]! - tokens.starts[b.first]! || b.last - a.last);
    const findings: FindingInput[] = [];
    // Sorted by first word then last word (a stable sort), hits over the same words are neighbours: a
    // category already reported over those words is skipped by looking back over that run only.
    let runFirst = -1;
    let runLast = -1;
    let runFrom = 0;
    for (const hit of hits) {
      if (findings.length >= config.maxFindings) break;
      const setting = settings.get(hit.category)!;
      const severity: Severity = hit.minors === true ? 'critical' : (setting.severity ?? hit.severity);
      const score = hit.minors === true ? 1 : SCORES[severity];
      if (score < setting.threshold) continue;
      if (hit.first !== runFirst || hit.last !== runLast) {
        runFirst = hit.first;
        runLast = hit.last;
        runFrom = findings.length;
      } else if (reported(findings, runFrom, hit.category)) continue;
      const start = tokens.starts[hit.first]!;
      const end = tokens.ends[hit.last]!;
      const data: Record<string, unknown> = { kind: hit.kind };
      if (hit.language !== undefined) data.language = hit.language;
      if (hit.evasion !== undefined) data.evasion = hit.evasion;
      if (hit.minors === true) data.minors = true;
      findings.push({
        category: hit.category,
        score,
        severity,
        message: message(hit.minors === true, hit.category, severity, hit.evasion),
        span: view.toOriginal(from + start, from + end),
        replacement: config.replacement,
        data,
      });
    }
    return findings;
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'hate', minScore: 0.5, action: 'block' },
      { category: 'threat', minScore: 0.8, action: 'block' },
      { category: 'threat', minScore: 0.5, action: 'flag' },
      { category: 'self-harm', minScore: 0.5, action: 'block' },
      // Only sexual content involving minors (score 1) is blocked; the rest is masked.
      { category: 'sexual', minScore: 0.99, action: 'block' },
      { category: 'sexual', minScore: 0.5, action: 'redact' },
      { category: 'insult', minScore: 0.5, action: 'redact' },
      { category: 'profanity', minScore: 0.5, action: 'redact' },
    ],
    detect,
  };
}

/** Whether `findings` from `from` on already holds one of `category` (the run over the same words). */
function reported(findings: readonly FindingInput[], from: number, category: ToxicityCategory): boolean {
  for (let k = from; k < findings.length; k++) if (findings[k]!.category === category) return true;
  return false;
}

/** Finding messages, built once per combination rather than once per finding (no key string either). */
const messages = new Map<string, Map<Severity, Map<Hit['evasion'], string>>>();

function message(minors: boolean, category: ToxicityCategory, severity: Severity, evasion: Hit['evasion']): string {
  const subject = minors ? 'sexual content involving minors' : MESSAGES[category];
  let bySeverity = messages.get(subject);
  if (bySeverity === undefined) {
    bySeverity = new Map();
    messages.set(subject, bySeverity);
  }
  let byEvasion = bySeverity.get(severity);
  if (byEvasion === undefined) {
    byEvasion = new Map();
    bySeverity.set(severity, byEvasion);
  }
  let text = byEvasion.get(evasion);
  if (text === undefined) {
    text = `${subject} (${severity})${evasion === undefined ? '' : `, written to evade filters (${evasion})`}`;
    byEvasion.set(evasion, text);
  }
  return text;
}

const MESSAGES: Record<ToxicityCategory, string> = {
  insult: 'insulting language',
  threat: 'threat of violence',
  sexual: 'sexual language',
  hate: 'hateful language',
  'self-harm': 'encouragement of self-harm',
  profanity: 'profanity',
};

export const toxicityEntry: DetectorFactory = {
  id: 'toxicity',
  stages: ['input', 'output', 'tool_input', 'tool_output'],
  description:
    'Toxic language (insult, threat, sexual, hate, self-harm, profanity) in en/fr/de/es, robust to leetspeak, spacing and stretching; options: categories, languages, words, allow, replacement',
  create: (options) => toxicity((options ?? {}) as ToxicityOptions),
};
