import { type NormalizedText, normalizeText, type Span } from '@parapet/core';
import { continueWordHash, modelInput, wordHash } from './features.js';
import { HARMFUL_RULES, LOOKALIKE_CONTEXT } from './harmful-rules.js';
import type { HeadName, HeadScore, InjectionModel, WordView } from './model.js';
import { compilePhrases, type PhraseMatcher } from './phrases.js';
import { recordImperative } from './record-imperative.js';
import {
  FORGED_TURN_PATTERNS,
  INDIRECT_RULES,
  INJECTION_RULES,
  JAILBREAK_RULES,
  UNSPACED_OVERRIDE,
  UNSPACED_PRIOR,
  UNSPACED_SCRIPTS,
} from './rules.js';

/** One rule hit, with its span in the caller's original text. */
export interface RuleHit {
  readonly family: RuleFamily;
  readonly id: string;
  readonly category: string;
  readonly score: number;
  readonly span: Span;
  /** Set when the hit was found inside a decoded payload (base64, hex, rot13, tag characters…). */
  readonly encoding?: string;
}

export type RuleFamily = 'injection' | 'jailbreak' | 'indirect' | 'harmful';

/** What one text looks like to the injection detectors: model heads and rule hits, computed once per check. */
export interface Analysis {
  readonly heads: Readonly<Record<HeadName, HeadScore & { readonly span: Span }>>;
  readonly hits: readonly RuleHit[];
  /** Number of words the model read (0 for empty text). */
  readonly words: number;
  /** The text is about a game, a film, fiction or history (harmful-request findings are damped). */
  readonly lookalike: boolean;
  /** Largest head probability found inside decoded payloads, by head (0 when none). */
  readonly payloadHeads: Readonly<Record<HeadName, number>>;
}

// One matcher for every family: one map lookup per word, whatever the number of detectors.
const MATCHER: PhraseMatcher = compilePhrases([
  ...INJECTION_RULES.map((rule) => ({ ...rule, family: 'injection' })),
  ...JAILBREAK_RULES.map((rule) => ({ ...rule, family: 'jailbreak' })),
  ...INDIRECT_RULES.map((rule) => ({ ...rule, family: 'indirect' })),
  ...HARMFUL_RULES.map((rule) => ({ ...rule, family: 'harmful' })),
]);

/** Many "User:"/"Assistant:" exchanges in one prompt: a many-shot attack's shape. */
const SHOT_LINE = /(?:^|\n)[ \t]{0,4}(?:user|human|q|question|assistant|ai|a|answer|bot)[ \t]{0,2}:/gi;
const MANY_SHOTS = 16;
/** Payload splitting: several short string variables, then an instruction to join them. */
const ASSIGNMENT = /(?:^|[^\w.])[a-z][0-9]?[ \t]{0,3}=[ \t]{0,3}["'`]/gi;
const JOIN_WORDS =
  /\b(?:concatenat\w{0,5}|combine|join|append|merge|a[ \t]{0,3}\+[ \t]{0,3}b|x[ \t]{0,3}\+[ \t]{0,3}y)\b/i;

/**
 * A task planted at the edge of a document: the first or last line of a multi-line tool output is a short
 * request to the reader ("Recommend a good book for the weekend.", "What is the capital of Brazil?").
 */
const EDGE_TASK =
  /^[ \t"'*>-]{0,4}(?:please[ \t]+)?(?:write|recommend|suggest|tell|give|provide|create|generate|list|explain|describe|summari[sz]e|translate|analy[sz]e|determine|calculate|compose|draft|find|search|send|forward|email|e-mail|post|share|delete|remove|transfer|book|schedule|invite|ignore|print|output|show|say|make|answer|respond|reply|evaluate|classify|identify|compare|assess|predict|propose|outline|design|plan|develop|build|implement|encode|encrypt|decode|reverse|rewrite|convert|can you|could you|would you|will you|what is|what are|what's|how do|how does|how can|how to|who is|who was|why is|why do|where is|when did|is this|are there|do you|should i|help me|shift|integrate|incorporate|include|add|append|insert|mention|express|render|encode|reply)\b[^\n]{3,240}$|^[ \t"'*>-]{0,4}(?:what|how|which|who|where|when|why)\b[^\n]{3,240}\?$/i;
const MIN_EDGE_DOCUMENT = 160;

/** Whether `text` contains one of `needles` (literal strings). */
function containsAny(text: string, needles: readonly string[]): boolean {
  for (const needle of needles) if (text.includes(needle)) return true;
  return false;
}

/** Occurrences of `needle` in `text`, counting stops at `limit`. */
function countUpTo(text: string, needle: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0 && count < limit; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

/**
 * Signs `=` followed by up to three spaces or tabs and a quote, counting stops at 2: each `ASSIGNMENT` match
 * holds one of its own (matches do not overlap), so fewer than 2 means fewer than 2 matches.
 */
function quotedAssignments(text: string): number {
  let count = 0;
  for (let at = text.indexOf('='); at >= 0 && count < 2; at = text.indexOf('=', at + 1)) {
    for (let next = at + 1; next <= at + 4 && next < text.length; next++) {
      const code = text.charCodeAt(next);
      if (code === 0x22 || code === 0x27 || code === 0x60) {
        count++;
        break;
      }
      if (code !== 0x20 && code !== 0x09) break;
    }
  }
  return count;
}

function edgeTask(text: string): { start: number; end: number } | undefined {
  if (text.length < MIN_EDGE_DOCUMENT || !text.includes('\n')) return undefined;
  const first = text.indexOf('\n');
  const last = text.lastIndexOf('\n');
  const head = text.slice(0, first).trim();
  const tail = text.slice(last + 1).trim();
  if (head.length > 0 && head.length <= 250 && EDGE_TASK.test(head)) return { start: 0, end: first };
  if (tail.length > 0 && tail.length <= 250 && EDGE_TASK.test(tail)) return { start: last + 1, end: text.length };
  return undefined;
}

/**
 * Whether a decoded payload reads as words (letters and spaces), not as binary or an identifier: only those
 * can carry an instruction, and skipping the rest keeps ids and hashes from costing a second analysis.
 */
function readsAsText(text: string): boolean {
  const sample = text.length > 512 ? text.slice(0, 512) : text;
  let letters = 0;
  let spaces = 0;
  let printable = 0;
  for (let index = 0; index < sample.length; index++) {
    const code = sample.charCodeAt(index);
    if (code === 0x20 || code === 0x0a || code === 0x09) spaces++;
    else if (((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || (code >= 0xc0 && code < 0xd800)) letters++;
    else if (code > 0x20 && code < 0x7f) printable++;
  }
  const length = sample.length;
  return spaces >= 1 && letters >= length * 0.4 && letters + spaces + printable >= length * 0.9;
}

/** Shortest decoded payload worth rescanning. */
const MIN_PAYLOAD = 12;

// Per BMP code unit, filled on first sight: 1 not a Latin letter, 2 a Latin letter as it is, 3 a Latin letter
// carrying marks (precomposed, "ġ", or as a combining mark after it), 4 a combining mark.
const LATIN_KIND = new Uint8Array(0x10000);
const MARK = /^\p{M}$/u;
const LATIN_BASE = /^[A-Za-z]$/;

function latinKind(code: number): number {
  let kind = LATIN_KIND[code]!;
  if (kind === 0) {
    const char = String.fromCharCode(code);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) kind = 2;
    else if (MARK.test(char)) kind = 4;
    else {
      const parts = char.normalize('NFD');
      kind = parts.length > 1 && LATIN_BASE.test(parts[0]!) && MARK.test(parts.slice(1, 2)) ? 3 : 1;
    }
    LATIN_KIND[code] = kind;
  }
  return kind;
}

// A precomposed accented Latin letter or a combining mark: where a decorated word can be. Each code unit of
// the class is meant on its own (a mark is looked for by itself, not as part of a letter).
// biome-ignore lint/suspicious/noMisleadingCharacterClass: combining marks are matched one code unit at a time, on purpose
const DECORATION = /[\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff]/g;

// Four or more single letters, each followed by one separator (dot, hyphen, underscore, star, space), the
// same one throughout: "i.g.n.o.r.e". LETTERS_APART is the same with two characters or more, to join; digits,
// apostrophes and punctuation spelled apart with them ("y.o.u.'.v.e", "k.e.y.?") join too.
const SPACED_RUN = /(?<![\p{L}\p{N}])\p{L}([.\-_* ])(?:\p{L}\1){2,}\p{L}(?![\p{L}\p{N}])/gu;
const LETTERS_APART =
  /(?<![\p{L}\p{N}'’?!,:;])[\p{L}\p{N}'’?!,:;]([.\-_* ])(?:[\p{L}\p{N}'’?!,:;]\1)*[\p{L}\p{N}'’?!,:;](?![\p{L}\p{N}'’?!,:;])/gu;
// What is left between two spelled words: ". .", "-  -", "   ".
const WORD_GAP = /[.\-_*]? +[.\-_*]?/g;

/**
 * Whether the model's words hold two runs of four or more one-letter words, each one separator apart: the
 * words are there already (the model's own scan), so this costs a pass over them, not over the text. The
 * exact check (the same separator throughout) is a Unicode regex with look-arounds that costs about 140 µs
 * on 4 KB of prose, so it runs only after this one.
 */
function maySpellApart(input: string, words: WordView): boolean {
  let runs = 0;
  let run = 0;
  let previousEnd = -2;
  for (let index = 0; index < words.count; index++) {
    const start = words.starts[index]!;
    const end = words.ends[index]!;
    const code = input.charCodeAt(start);
    const single = end - start === 1 && ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a));
    run = !single ? 0 : run > 0 && start === previousEnd + 1 ? run + 1 : 1;
    if (run === 4 && ++runs === 2) return true;
    previousEnd = end;
  }
  return false;
}

/**
 * The text with letters spelled apart joined again ("i.g.n.o.r.e. .a.l.l" → "ignore all"), when it has at
 * least two runs of four letters or more: one run alone is an acronym or a list ("U.S.A.", "a b c d").
 * Undefined otherwise. Call it only when {@link maySpellApart} says so.
 */
function spelledApart(text: string): string | undefined {
  SPACED_RUN.lastIndex = 0;
  let runs = 0;
  while (runs < 2 && SPACED_RUN.test(text)) runs++;
  if (runs < 2) return undefined;
  const joined = text.replace(LETTERS_APART, (run: string, separator: string) => run.split(separator).join(''));
  return joined.replace(WORD_GAP, ' ');
}

/** Combining marks, to take off a decorated word. */
const MARKS = /\p{M}/gu;

/**
 * The text without the marks on its Latin letters, when at least two words of three or more letters carry a
 * mark on every letter ("i̇ġṅȯṙė ȧl̇l̇"): a decoration no orthography writes, which models read through. Real
 * words with many accents ("üçüncü", "người") have bare letters too. Undefined otherwise. Only the words
 * around an accented letter or a mark are read (a native scan finds them), each once.
 */
function undecorated(text: string): string | undefined {
  const length = text.length;
  let decoratedWords = 0;
  DECORATION.lastIndex = 0;
  while (decoratedWords < 2 && DECORATION.test(text)) {
    const at = DECORATION.lastIndex - 1;
    let start = at;
    while (start > 0 && latinKind(text.charCodeAt(start - 1)) >= 2) start--;
    let end = at + 1;
    while (end < length && latinKind(text.charCodeAt(end)) >= 2) end++;
    let letters = 0;
    let marked = 0;
    for (let i = start; i < end; i++) {
      const kind = latinKind(text.charCodeAt(i));
      if (kind === 2 || kind === 3) {
        letters++;
        if (kind === 3) marked++;
      } else if (kind === 4 && i > start && latinKind(text.charCodeAt(i - 1)) === 2) {
        // A mark decorates the bare letter before it, once.
        marked++;
      }
    }
    if (letters >= 3 && marked === letters) {
      decoratedWords++;
      // One attack word decorated so ("ȋĝṅȏȓȇ" in plain text) is enough.
      if (ATTACK_WORD_SET.has(text.slice(start, end).normalize('NFD').replace(MARKS, '').toLowerCase()))
        decoratedWords++;
    }
    DECORATION.lastIndex = end;
  }
  if (decoratedWords < 2) return undefined;
  return text.normalize('NFD').replace(MARKS, '');
}

// Regional-indicator symbols (U+1F1E6–U+1F1FF) are the letters A–Z drawn in boxes; a pair makes a flag.
// Three or more in a row, twice in a text, is letters written that way ("🇮🇬🇳🇴🇷🇪 🇦🇱🇱"), or a row of
// flags, which reads as harmless letters.
const REGIONAL_RUN = /(?:\ud83c[\udde6-\uddff]){3,}/g;
const REGIONAL_LETTER = /\ud83c([\udde6-\uddff])/g;

/** The text with regional-indicator symbols read as lower-case letters, when it has two runs of three. */
function regionalLetters(text: string): string | undefined {
  if (!text.includes('\ud83c')) return undefined;
  REGIONAL_RUN.lastIndex = 0;
  let runs = 0;
  while (runs < 2 && REGIONAL_RUN.test(text)) runs++;
  if (runs < 2) return undefined;
  return text.replace(REGIONAL_LETTER, (_pair: string, low: string) =>
    String.fromCharCode(low.charCodeAt(0) - 0xdde6 + 0x61),
  );
}

// Common words and the words of attacks (English first, then the other languages the rules read), forwards
// and written backwards. A text with two or more backward ones, and more of them than forward ones, is read
// again reversed ("snoitcurtsni suoiverp lla erongi"). Prose has far more forward ones. Words whose backward
// form is a word too are left out ("no", "was", "is" against Spanish "si", "are" against "era", "not"
// against French "ton", "los" against "sol", "die" against "Eid", "een" against "nee").
const COMMON_WORDS = [
  // English
  'the and you your all this that with what which where when who how there their would should could tell',
  'give have from about any only must please can will my of to for be were her his its get make like just',
  'know also into ignore previous prior instructions directives prompt system disregard forget reveal show',
  'rules password secret key write print above instead text say answer user output access data code',
  'assistant mode developer follow following task respond reply language translate question name number',
  'current location birth year email address phone override display configuration administrator console',
  // Spanish and Portuguese
  'que para una uma por con com como usted você todas tus suas sua contraseña senha instrucciones instruções',
  'anteriores usuario usuário olvida ignora cuál cómo está pero más muy también esto não também',
  // Italian
  'che della sono più per istruzioni precedenti tutte qual anche questo quando',
  // German
  'und ich nicht ihr ihre ihnen mein wenn bin ist geben passwort anweisungen vorherigen vergessen ignorieren',
  'auch eine einen haben sind',
  // French
  'est vous pour une dans passe précédentes ignorez oubliez votre avec sont cette',
  // Dutch
  'het van wachtwoord instructies vorige negeer jouw',
  // Russian and Greek
  'что это вы пароль инструкции предыдущие игнорировать пользователь τις και το οδηγίες προηγούμενες χρήστης',
]
  .join(' ')
  .split(' ');
const reverseString = (text: string): string => Array.from(text).reverse().join('');
// The words attacks hinge on. Written in pieces ("ig nore", "ins.truc.tions", "p r o m p t"), backwards
// ("erongi") or with a mark on every letter ("i̇ġṅȯṙė"), one of them alone can carry an attack past the
// rules while the rest of the text stays plain; such a text is read again with the word repaired.
const ATTACK_WORDS = [
  'ignore disregard forget override bypass instructions instruction directives previous prompt system password',
  'reveal secret confidential jailbreak unrestricted pretend developer guidelines rules restrictions uncensored',
  'unfiltered',
]
  .join(' ')
  .split(' ');
const ATTACK_WORD_SET = new Set(ATTACK_WORDS);

// What a word's hash says, as bits: a common word forward, backward or in rot13, an attack word, a proper
// prefix of one (where a word in pieces may begin), or one written backwards.
const FORWARD = 1;
const BACKWARD = 2;
const ATTACK = 4;
const PREFIX = 8;
const REVERSED_ATTACK = 16;
const ROT13 = 32;
/**
 * Word hashes to small numbers (1–255), open addressing with linear probing: 0 marks an empty slot, so a
 * hash that is not there costs one array read or two. `add` ORs the value into a hash already there.
 */
class HashTable {
  private readonly hashes: Int32Array;
  private readonly values: Uint8Array;
  private readonly mask: number;

  constructor(slots: number) {
    this.hashes = new Int32Array(slots);
    this.values = new Uint8Array(slots);
    this.mask = slots - 1;
  }

  add(word: string, value: number): void {
    const hash = wordHash(word) | 0;
    let slot = hash & this.mask;
    while (this.values[slot] !== 0 && this.hashes[slot] !== hash) slot = (slot + 1) & this.mask;
    this.hashes[slot] = hash;
    this.values[slot]! |= value;
  }

  get(hash: number): number {
    const { hashes, values, mask } = this;
    let slot = hash & mask;
    for (let value = values[slot]!; value !== 0; value = values[slot]!) {
      if (hashes[slot] === hash) return value;
      slot = (slot + 1) & mask;
    }
    return 0;
  }
}

/** About a thousand hashes, each with its kinds (bits above). */
const SIGNALS = new HashTable(8192);

// Common English words in the other simple ciphers of published cipher jailbreaks: every Caesar shift but
// 13 (rot13 has its own kind above) and Atbash. About three thousand forms, in a table of their own that
// only texts with almost no forward common words consult (prose never pays for it). Each holds the shift
// (1–25) or ATBASH; a form two ciphers share is left out.
const CIPHERS = new HashTable(8192);
const ATBASH = 26;

/** A word with its ASCII letters enciphered: shifted `cipher` places (1–25), or mirrored (ATBASH). */
function encipher(word: string, cipher: number): string {
  return word.replace(ASCII_LOWER, (letter) => {
    const place = letter.charCodeAt(0) - 97;
    return String.fromCharCode(97 + (cipher === ATBASH ? 25 - place : (place + cipher) % 26));
  });
}
const ASCII_LOWER = /[a-z]/g;

for (const word of COMMON_WORDS) SIGNALS.add(word, FORWARD);
for (const word of COMMON_WORDS) {
  const backward = reverseString(word);
  if (!COMMON_WORDS.includes(backward)) SIGNALS.add(backward, BACKWARD);
  // English words only (rot13 of a word with letters outside a-z is not a rot13 reading of it).
  const rotated = encipher(word, 13);
  if (/^[a-z]+$/.test(word) && !COMMON_WORDS.includes(rotated)) SIGNALS.add(rotated, ROT13);
}
for (const word of ATTACK_WORDS) {
  SIGNALS.add(word, ATTACK);
  SIGNALS.add(reverseString(word), REVERSED_ATTACK);
  for (let size = 1; size < word.length; size++) SIGNALS.add(word.slice(0, size), PREFIX);
}
const cipherForms = new Map<string, number>();
for (const cipher of [...Array.from({ length: 25 }, (_, index) => index + 1).filter((shift) => shift !== 13), ATBASH]) {
  for (const word of COMMON_WORDS) {
    if (!/^[a-z]+$/.test(word)) continue;
    const enciphered = encipher(word, cipher);
    if (COMMON_WORDS.includes(enciphered)) continue;
    const other = cipherForms.get(enciphered);
    cipherForms.set(enciphered, other === undefined || other === cipher ? cipher : 0);
  }
}
for (const [form, cipher] of cipherForms) if (cipher !== 0) CIPHERS.add(form, cipher);

/** At most this many pieces make one word, with at most MAX_PIECE_GAP characters between two of them. */
const MAX_PIECES = 16;
const MAX_PIECE_GAP = 3;

/** The index of the last piece when the words from `index` on join into an attack word, or -1. */
function joinedAttackWord(input: string, words: WordView, index: number): number {
  const { hashes, starts, ends, count } = words;
  let joined = hashes[index]!;
  for (let next = index + 1; next < count && next - index < MAX_PIECES; next++) {
    if (starts[next]! - ends[next - 1]! > MAX_PIECE_GAP) return -1;
    joined = continueWordHash(joined, input, starts[next]!, ends[next]!);
    const kind = SIGNALS.get(joined);
    if ((kind & ATTACK) !== 0) return next;
    if ((kind & PREFIX) === 0) return -1;
  }
  return -1;
}

/** {@link wordSignals}: two or more common words written backwards. */
const BACKWARD_WORDS = 1;
/** {@link wordSignals}: an attack word in pieces or written backwards. */
const BROKEN_ATTACK_WORD = 2;
/** {@link wordSignals}: two or more common words in rot13. */
const ROT13_WORDS = 4;
/** {@link wordSignals}: bit `CIPHER_BIT << cipher` when two or more common words are in that cipher. */
const CIPHER_BIT = 8;
/** Per cipher, how many of its words {@link wordSignals} has met in the text (reset per call). */
const CIPHER_COUNTS = new Uint8Array(ATBASH + 1);

/**
 * One pass over the word hashes the model's scan made: whether the text holds two common words written
 * backwards or in rot13 (then {@link mayBeRewritten} looks closer) and whether it holds an attack word in pieces or
 * backwards (then {@link repairedWords} mends it). Only words that begin an attack word cost more than a
 * table read.
 */
function wordSignals(input: string, words: WordView): number {
  const hashes = words.hashes;
  let backward = 0;
  let rotated = 0;
  let forward = 0;
  let signals = 0;
  for (let index = 0; index < words.count; index++) {
    const kind = SIGNALS.get(hashes[index]!);
    if (kind === 0) continue;
    if ((kind & FORWARD) !== 0) forward++;
    if ((kind & BACKWARD) !== 0 && ++backward === 2) signals |= BACKWARD_WORDS;
    if ((kind & ROT13) !== 0 && ++rotated === 2) signals |= ROT13_WORDS;
    if ((signals & BROKEN_ATTACK_WORD) === 0) {
      if ((kind & REVERSED_ATTACK) !== 0) signals |= BROKEN_ATTACK_WORD;
      else if ((kind & PREFIX) !== 0 && joinedAttackWord(input, words, index) >= 0) signals |= BROKEN_ATTACK_WORD;
    }
  }
  // Almost no forward common words among four or more: maybe a cipher. Count each cipher's words.
  if (words.count >= 4 && forward * 10 < words.count) {
    CIPHER_COUNTS.fill(0);
    for (let index = 0; index < words.count; index++) {
      const cipher = CIPHERS.get(hashes[index]!);
      if (cipher !== 0 && ++CIPHER_COUNTS[cipher]! === 2) signals |= CIPHER_BIT << cipher;
    }
  }
  return signals;
}

/** How many words a stretch of backward or enciphered text is judged over (a reversed sentence inside prose). */
const REVERSED_SPAN = 32;
/** The kinds of the last REVERSED_SPAN words, by word index modulo the span (each written before it is read). */
const RECENT_KINDS = new Uint8Array(REVERSED_SPAN);

/**
 * Whether the model's words hold rewritten text (backwards, rot13 or another cipher: `rewritten` says which
 * word hashes are common words so written): some stretch of REVERSED_SPAN words with two or more of them
 * and more of them than forward common words. Call it when {@link wordSignals} found two such words in the
 * whole text (it is not on the path of ordinary text).
 */
function mayBeRewritten(words: WordView, rewritten: (hash: number) => boolean): boolean {
  const hashes = words.hashes;
  const kinds = RECENT_KINDS;
  let forward = 0;
  let written = 0;
  for (let index = 0; index < words.count; index++) {
    const hash = hashes[index]!;
    const kind = rewritten(hash) ? 2 : (SIGNALS.get(hash) & FORWARD) !== 0 ? 1 : 0;
    const place = index & (REVERSED_SPAN - 1);
    if (index >= REVERSED_SPAN) {
      const leaving = kinds[place];
      if (leaving === 1) forward--;
      else if (leaving === 2) written--;
    }
    kinds[place] = kind;
    if (kind === 1) forward++;
    else if (kind === 2 && ++written >= 2 && written > forward) return true;
  }
  return false;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The two readings of a reversed text: every character reversed, and each word reversed in place. */
function unreversed(text: string): string[] {
  return [reverseString(text), text.replace(WORD, reverseString)];
}

const ASCII_LETTER = /[A-Za-z]/g;

/** The text deciphered: ASCII letters shifted back `cipher` places (1–25; 13 is rot13), or mirrored back (ATBASH). */
function decipherText(text: string, cipher: number): string {
  return text.replace(ASCII_LETTER, (letter) => {
    const base = letter.charCodeAt(0) < 97 ? 65 : 97;
    const place = letter.charCodeAt(0) - base;
    return String.fromCharCode(base + (cipher === ATBASH ? 25 - place : (place + 26 - cipher) % 26));
  });
}

// Letters of other alphabets that spell ASCII: small capitals (most from IPA and the phonetic extensions),
// Braille (grade 1: one cell per letter), and upside-down letters, which also swap b/q, d/p and n/u. These
// are the alphabets "fancy text" generators offer. ALPHABET lists them per kind, each to its ASCII letter.
const SMALL_CAPITAL = 1;
const BRAILLE = 2;
const UPSIDE_DOWN = 3;
const ALPHABET = new Map<number, { kind: number; letter: string }>();
for (const [kind, letters, ascii] of [
  [SMALL_CAPITAL, 'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ', 'abcdefghijklmnopqrstuvwyz'],
  [UPSIDE_DOWN, 'ɐɔǝɟƃɥᴉɾʞɯɹʇʌʍʎ', 'acefghijkmrtvwy'],
  [BRAILLE, '⠁⠃⠉⠙⠑⠋⠛⠓⠊⠚⠅⠇⠍⠝⠕⠏⠟⠗⠎⠞⠥⠧⠺⠭⠽⠵', 'abcdefghijklmnopqrstuvwxyz'],
] as const) {
  for (let index = 0; index < letters.length; index++) {
    ALPHABET.set(letters.charCodeAt(index), { kind, letter: ascii[index]! });
  }
}
// Any character of those alphabets (Braille's blank cell included): a native scan, before any counting.
const ALPHABET_HINT = /[\u0183\u01dd\u01eb\u0250-\u02af\u1d00-\u1d22\u2800-\u28ff\ua730\ua731]/;
const UPSIDE_SWAP: Record<string, string> = { b: 'q', q: 'b', d: 'p', p: 'd', n: 'u', u: 'n' };
/** At least this many letters of one alphabet before a text is read again in ASCII. */
const MIN_ALPHABET_LETTERS = 6;

// Morse code: letters as dots and dashes apart by a space, words by " / ", "|" or more spaces.
const MORSE: Record<string, string> = {};
for (const pair of [
  'a.- b-... c-.-. d-.. e. f..-. g--. h.... i.. j.--- k-.- l.-.. m-- n-. o--- p.--. q--.- r.-. s... t- u..- v...-',
  'w.-- x-..- y-.-- z--.. 0----- 1.---- 2..--- 3...-- 4....- 5..... 6-.... 7--... 8---.. 9----. ..-.-.- ,--..--',
  '?..--.. \'.----. !-.-.-- :---... ".-..-. (-.--. )-.--.-',
]
  .join(' ')
  .split(' ')) {
  // Each pair is a character and its code: the first character is the one spelled, the rest the code.
  MORSE[pair.slice(1)] = pair[0]!;
}
// Eight letters in a row: a sentence, not a divider line or a range of dashes.
const MORSE_RUN = /(?:[.-]{1,6}[ /|]{1,3}){7}[.-]{1,6}/;
const MORSE_TEXT = /[.-]{1,6}(?:[ /|]{1,3}[.-]{1,6})*/g;
const MORSE_WORD_GAP = /\s*[/|]\s*|\s{2,}/;

function morseText(run: string): string {
  return run
    .split(MORSE_WORD_GAP)
    .map((word) =>
      word
        .split(' ')
        .map((code) => MORSE[code] ?? '')
        .join(''),
    )
    .join(' ');
}

/**
 * Other readings of a text written in another alphabet: small capitals and Braille read as ASCII letters,
 * upside-down text read flipped (both in the order written and reversed, as generators reverse it), and
 * Morse code read as letters. Only when the text has MIN_ALPHABET_LETTERS letters of one alphabet, or
 * eight Morse letters in a row in a text with few words (Morse has none: `wordCount` is the model's count).
 * Pushes them onto `readings`; allocates nothing for a text that has none.
 */
function otherAlphabets(
  view: NormalizedText,
  input: string,
  wordCount: number,
  readings: { text: string; span: Span; kind: string }[],
): void {
  const text = view.text;
  if (ALPHABET_HINT.test(text)) {
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < text.length; index++) {
      const entry = ALPHABET.get(text.charCodeAt(index));
      if (entry !== undefined) counts[entry.kind]!++;
    }
    if (counts[SMALL_CAPITAL]! >= MIN_ALPHABET_LETTERS || counts[BRAILLE]! >= MIN_ALPHABET_LETTERS) {
      let mapped = '';
      for (const char of text) {
        const entry = ALPHABET.get(char.charCodeAt(0));
        mapped += entry !== undefined && entry.kind !== UPSIDE_DOWN ? entry.letter : char === '\u2800' ? ' ' : char;
      }
      readings.push({ text: mapped, span: { start: 0, end: view.original.length }, kind: 'other-alphabet' });
    }
    if (counts[UPSIDE_DOWN]! >= MIN_ALPHABET_LETTERS) {
      let flipped = '';
      for (const char of text) {
        const entry = ALPHABET.get(char.charCodeAt(0));
        flipped += entry?.kind === UPSIDE_DOWN ? entry.letter : (UPSIDE_SWAP[char] ?? char);
      }
      readings.push(
        { text: flipped, span: { start: 0, end: view.original.length }, kind: 'upside-down' },
        { text: reverseString(flipped), span: { start: 0, end: view.original.length }, kind: 'upside-down' },
      );
    }
  }
  if (wordCount * 16 < input.length && MORSE_RUN.test(input)) {
    const letters: string[] = [];
    MORSE_TEXT.lastIndex = 0;
    for (let match = MORSE_TEXT.exec(input); match !== null; match = MORSE_TEXT.exec(input)) {
      letters.push(morseText(match[0]));
    }
    readings.push({ text: letters.join(' '), span: { start: 0, end: view.original.length }, kind: 'morse' });
  }
}

/**
 * The model input with its attack words that were written in pieces or backwards put back together. Call
 * it when {@link wordSignals} found one.
 */
function repairedWords(input: string, words: WordView): string {
  const { hashes, starts, ends, count } = words;
  const parts: string[] = [];
  let copied = 0;
  for (let index = 0; index < count; index++) {
    const kind = SIGNALS.get(hashes[index]!);
    if ((kind & REVERSED_ATTACK) !== 0) {
      parts.push(input.slice(copied, starts[index]!), reverseString(input.slice(starts[index]!, ends[index]!)));
      copied = ends[index]!;
    } else if ((kind & PREFIX) !== 0) {
      const last = joinedAttackWord(input, words, index);
      if (last < 0) continue;
      parts.push(input.slice(copied, starts[index]!));
      for (let piece = index; piece <= last; piece++) parts.push(input.slice(starts[piece]!, ends[piece]!));
      copied = ends[last]!;
      index = last;
    }
  }
  parts.push(input.slice(copied));
  return parts.join('');
}

/** A head's score; the span of its window in the original text is mapped on first use (most go unread). */
class HeadView implements HeadScore {
  readonly probability: number;
  readonly logit: number;
  readonly start: number;
  readonly end: number;
  private readonly toSpan: (start: number, end: number) => Span;
  private mapped: Span | undefined;

  constructor(score: HeadScore, toSpan: (start: number, end: number) => Span) {
    this.probability = score.probability;
    this.logit = score.logit;
    this.start = score.start;
    this.end = score.end;
    this.toSpan = toSpan;
  }

  get span(): Span {
    if (this.mapped === undefined) this.mapped = this.toSpan(this.start, this.end);
    return this.mapped;
  }
}

function headRecord(
  model: InjectionModel,
  scores: readonly HeadScore[],
  toSpan: (start: number, end: number) => Span,
): Analysis['heads'] {
  const out: Record<string, HeadView> = {};
  const heads = model.header.heads;
  for (let index = 0; index < heads.length; index++) out[heads[index]!.name] = new HeadView(scores[index]!, toSpan);
  return out as unknown as Analysis['heads'];
}

function ruleHits(
  words: WordView,
  text: string,
  toSpan: (start: number, end: number) => Span,
  encoding?: string,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const match of MATCHER.match(words, text, 128)) {
    hits.push({
      family: match.rule.family as RuleFamily,
      id: match.rule.id,
      category: match.rule.category,
      score: match.rule.score,
      span: toSpan(words.starts[match.from]!, words.ends[match.to - 1]!),
      ...(encoding === undefined ? {} : { encoding }),
    });
  }
  return hits;
}

function structuralHits(text: string, toSpan: (start: number, end: number) => Span, encoding?: string): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const { id, pattern, score, needs } of FORGED_TURN_PATTERNS) {
    if (!containsAny(text, needs)) continue;
    const match = pattern.exec(text);
    if (match !== null) {
      hits.push({
        family: 'injection',
        id,
        category: 'forged-turn',
        score,
        span: toSpan(match.index, match.index + match[0].length),
        ...(encoding === undefined ? {} : { encoding }),
      });
    }
  }
  // Every shot holds a colon of its own: fewer colons than shots, no many-shot match.
  if (countUpTo(text, ':', MANY_SHOTS) >= MANY_SHOTS) {
    SHOT_LINE.lastIndex = 0;
    let shots = 0;
    let first = -1;
    while (SHOT_LINE.exec(text) !== null) {
      if (first < 0) first = SHOT_LINE.lastIndex;
      if (++shots >= MANY_SHOTS) break;
    }
    if (shots >= MANY_SHOTS) {
      hits.push({
        family: 'jailbreak',
        id: 'many-shot',
        category: 'many-shot',
        score: 0.8,
        span: toSpan(0, text.length),
      });
    }
  }
  if (UNSPACED_SCRIPTS.test(text)) {
    const head = text.length > 8192 ? text.slice(0, 8192) : text;
    const prior = UNSPACED_PRIOR.some((word) => head.includes(word));
    for (const { ignore, orders } of UNSPACED_OVERRIDE) {
      const at = ignore.reduce((found, word) => (found >= 0 ? found : head.indexOf(word)), -1);
      if (at >= 0 && prior && orders.some((word) => head.includes(word))) {
        hits.push({
          family: 'injection',
          id: 'override-unspaced',
          category: 'instruction-override',
          score: 0.9,
          span: toSpan(at, at + 1),
          ...(encoding === undefined ? {} : { encoding }),
        });
        break;
      }
    }
  }
  const edge = edgeTask(text);
  if (edge !== undefined) {
    hits.push({
      family: 'indirect',
      id: 'edge-task',
      category: 'hidden-instruction',
      score: 0.8,
      span: toSpan(edge.start, edge.end),
    });
  }
  const order = recordImperative(text);
  if (order !== undefined) {
    hits.push({
      family: 'indirect',
      id: 'record-imperative',
      category: 'hidden-instruction',
      score: 0.8,
      span: toSpan(order.start, order.end),
    });
  }
  if (quotedAssignments(text) >= 2) {
    ASSIGNMENT.lastIndex = 0;
    let assignments = 0;
    while (ASSIGNMENT.exec(text) !== null) if (++assignments >= 2) break;
    if (assignments >= 2 && JOIN_WORDS.test(text)) {
      hits.push({
        family: 'injection',
        id: 'payload-splitting',
        category: 'payload-splitting',
        score: 0.8,
        span: toSpan(0, text.length),
        ...(encoding === undefined ? {} : { encoding }),
      });
    }
  }
  return hits;
}

function bounded(view: NormalizedText): (start: number, end: number) => Span {
  const length = view.text.length;
  return (start, end) => view.toOriginal(Math.min(start, length), Math.min(Math.max(end, start), length));
}

function analyzeOnce(model: InjectionModel, view: NormalizedText, nested: boolean): Analysis {
  const input = modelInput(view);
  const scores = model.score(input);
  const words = model.lastWords();
  const toSpan = bounded(view);
  const heads = headRecord(model, scores, toSpan);
  const hits = ruleHits(words, input, toSpan);
  hits.push(...structuralHits(view.text, toSpan));
  const payloadHeads: Record<string, number> = {};
  for (const head of model.header.heads) payloadHeads[head.name] = 0;

  if (!nested) {
    // Encoded payloads and tag-character text are decoded by the normalizer; rescan what they say.
    const decoded: { text: string; span: Span; kind: string }[] = [];
    if (view.hiddenText.length >= MIN_PAYLOAD) {
      decoded.push({ text: view.hiddenText, span: { start: 0, end: view.original.length }, kind: 'tag-characters' });
    }
    for (const payload of view.payloads) {
      if (payload.text.length >= MIN_PAYLOAD && readsAsText(payload.text)) {
        decoded.push({ text: payload.text, span: payload.span, kind: payload.kind });
      }
    }
    // Letters decorated with marks throughout: read again without them, like a decoded payload.
    const bare = undecorated(view.text);
    if (bare !== undefined)
      decoded.push({ text: bare, span: { start: 0, end: view.original.length }, kind: 'diacritics' });
    // Letters spelled apart ("i.g.n.o.r.e", "i g n o r e"): read again with the letters joined.
    const joined = maySpellApart(input, words) ? spelledApart(view.text) : undefined;
    if (joined !== undefined)
      decoded.push({ text: joined, span: { start: 0, end: view.original.length }, kind: 'spaced-letters' });
    // Letters as regional-indicator symbols: read again as the letters.
    const regional = regionalLetters(view.text);
    if (regional !== undefined)
      decoded.push({ text: regional, span: { start: 0, end: view.original.length }, kind: 'regional-indicators' });
    // Attack words in pieces or written backwards inside plain text: read again with them repaired. Text
    // written backwards, whole or word by word: read again both ways round.
    const signals = wordSignals(input, words);
    if ((signals & BROKEN_ATTACK_WORD) !== 0) {
      decoded.push({
        text: repairedWords(input, words),
        span: { start: 0, end: view.original.length },
        kind: 'repaired-words',
      });
    }
    if ((signals & BACKWARD_WORDS) !== 0 && mayBeRewritten(words, (hash) => (SIGNALS.get(hash) & BACKWARD) !== 0)) {
      for (const text of unreversed(view.text))
        decoded.push({ text, span: { start: 0, end: view.original.length }, kind: 'reversed' });
    }
    if ((signals & ROT13_WORDS) !== 0 && mayBeRewritten(words, (hash) => (SIGNALS.get(hash) & ROT13) !== 0)) {
      decoded.push({ text: decipherText(view.text, 13), span: { start: 0, end: view.original.length }, kind: 'rot13' });
    }
    // Other Caesar shifts and Atbash (the ciphers of published cipher jailbreaks): read deciphered.
    for (let cipher = 1; cipher <= ATBASH && signals >= CIPHER_BIT << 1; cipher++) {
      if ((signals & (CIPHER_BIT << cipher)) === 0 || !mayBeRewritten(words, (hash) => CIPHERS.get(hash) === cipher))
        continue;
      decoded.push({
        text: decipherText(view.text, cipher),
        span: { start: 0, end: view.original.length },
        kind: cipher === ATBASH ? 'atbash' : 'caesar',
      });
    }
    // Letters of other alphabets (small capitals, upside-down letters, Braille) and Morse code.
    otherAlphabets(view, input, words.count, decoded);
    for (const payload of decoded) {
      const inner = analyzeOnce(model, normalizeText(payload.text), true);
      for (const hit of inner.hits) {
        hits.push({ ...hit, span: payload.span, encoding: payload.kind });
      }
      for (const head of model.header.heads) {
        payloadHeads[head.name] = Math.max(payloadHeads[head.name]!, inner.heads[head.name].probability);
      }
    }
  }
  let lookalike: boolean | undefined;
  return {
    heads,
    hits,
    words: words.count,
    // Only the harmful-request detector asks; computed on first use.
    get lookalike() {
      if (lookalike === undefined) {
        lookalike = LOOKALIKE_CONTEXT.test(view.text.length > 4096 ? view.text.slice(0, 4096) : view.text);
      }
      return lookalike;
    },
    payloadHeads: payloadHeads as Analysis['payloadHeads'],
  };
}

const caches = new WeakMap<InjectionModel, WeakMap<NormalizedText, Analysis>>();

/**
 * The analysis of a check's normalized text, computed on first use and shared by every injection-family
 * detector of the same check (promptInjection, jailbreak, indirectInjection, harmfulRequest).
 */
export function analyze(model: InjectionModel, view: NormalizedText): Analysis {
  let cache = caches.get(model);
  if (cache === undefined) {
    cache = new WeakMap();
    caches.set(model, cache);
  }
  let analysis = cache.get(view);
  if (analysis === undefined) {
    analysis = analyzeOnce(model, view, false);
    cache.set(view, analysis);
  }
  return analysis;
}
