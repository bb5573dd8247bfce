import type { Span } from '../types.js';
import { CONFUSABLE_CLASS, CONFUSABLE_MAP } from './confusables.js';
import { type DecodedPayload, decodePayloads } from './decode.js';

/** What normalization removed or folded, by family. */
export interface NormalizationStats {
  /** ASCII/C1 control characters removed (tab, newline and carriage return are kept). */
  readonly controls: number;
  /** Zero-width and other invisible formatting characters removed. */
  readonly invisible: number;
  /** Bidirectional control characters removed. */
  readonly bidi: number;
  /** Unicode tag characters (U+E0000–U+E007F) removed; their ASCII meaning is in `hiddenText`. */
  readonly tags: number;
  /** Characters changed by NFKC (fullwidth, ligatures, mathematical letters, composed accents…). */
  readonly nfkc: number;
  /** Look-alike letters from other scripts folded to ASCII. */
  readonly confusables: number;
  /** Unpaired UTF-16 surrogates replaced by U+FFFD. */
  readonly loneSurrogates: number;
}

/** The normalized view of one text, computed once per check and shared by every detector. */
export interface NormalizedText {
  /** The text exactly as the caller passed it. */
  readonly original: string;
  /**
   * NFKC (per character cluster), with control, zero-width, bidi-control and tag characters removed,
   * lone surrogates replaced by U+FFFD, and look-alike letters folded to ASCII in words that mix scripts.
   * Case is preserved.
   */
  readonly text: string;
  /** False when `text === original` (the common case: nothing to fold). */
  readonly changed: boolean;
  readonly stats: NormalizationStats;
  /** ASCII carried by Unicode tag characters ("ASCII smuggling"), or '' when there were none. */
  readonly hiddenText: string;
  /**
   * `text` with leetspeak folded (0→o, 1→i, 3→e, 4→a, 5→s, 7→t, 9→g, @→a, $→s, |→l, !→i) inside words that
   * contain letters. Same length as `text`, so `toOriginal` maps its spans too. Computed on first access.
   */
  readonly leet: string;
  /** Embedded base64 / hex / URL-encoded / rot13 payloads, decoded for rescanning. Computed on first access. */
  readonly payloads: readonly DecodedPayload[];
  /** Maps a span of `text` (or `leet`) to the span of `original` it came from. */
  toOriginal(start: number, end: number): Span;
}

export type { DecodedPayload };

const ZERO_STATS: NormalizationStats = Object.freeze({
  controls: 0,
  invisible: 0,
  bidi: 0,
  tags: 0,
  nfkc: 0,
  confusables: 0,
  loneSurrogates: 0,
});

// Printable ASCII, tab, LF and CR: the text needs no work at all.
const NOT_PLAIN = /[^\t\n\r\x20-\x7e]/;
// Characters the loop removes or replaces (BMP part); astral ones are checked separately.
const SPECIAL_BMP =
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/;
const SPECIAL_ASTRAL = /\udb40[\udc00-\udc7f\udd00-\uddef]|\ud834[\udd73-\udd7a]|\ud82f[\udca0-\udca3]/;
const COMBINING_MARK = /^\p{M}$/u;
const LETTER = /^\p{L}$/u;

type Kind = 'keep' | 'control' | 'invisible' | 'bidi';

function bmpKind(code: number): Kind {
  if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d ? 'keep' : 'control';
  if (code < 0x7f) return 'keep';
  if (code <= 0x9f) return 'control';
  if (code === 0x061c || code === 0x200e || code === 0x200f) return 'bidi';
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return 'bidi';
  if (
    code === 0x00ad ||
    code === 0x034f ||
    code === 0x115f ||
    code === 0x1160 ||
    code === 0x17b4 ||
    code === 0x17b5 ||
    (code >= 0x180b && code <= 0x180f) ||
    (code >= 0x200b && code <= 0x200d) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0x3164 ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    code === 0xfeff ||
    code === 0xffa0
  ) {
    return 'invisible';
  }
  return 'keep';
}

function identity(text: string): NormalizedText {
  return new NormalizedView(text, text, ZERO_STATS, '', null, null);
}

/**
 * Normalizes a text for detection. Linear in the length of the text; the common case (nothing to fold)
 * costs one native regex scan. Never throws on any string (lone surrogates, controls, huge inputs).
 */
export function normalizeText(original: string): NormalizedText {
  if (!NOT_PLAIN.test(original)) return identity(original);
  const wellFormed = original.isWellFormed();
  const nfkcNeeded = original.normalize('NFKC') !== original;
  if (wellFormed && !nfkcNeeded && !SPECIAL_BMP.test(original) && !SPECIAL_ASTRAL.test(original)) {
    if (!CONFUSABLE_CLASS.test(original)) return identity(original);
    // Only look-alikes to fold: one character for one, so offsets stay the identity.
    const folded = foldConfusables(original);
    return new NormalizedView(original, folded.text, { ...ZERO_STATS, confusables: folded.count }, '', null, null);
  }
  return foldSlow(original, nfkcNeeded);
}

function foldSlow(original: string, nfkcNeeded: boolean): NormalizedText {
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let controls = 0;
  let invisible = 0;
  let bidi = 0;
  let tags = 0;
  let nfkc = 0;
  let loneSurrogates = 0;
  let hidden = '';
  const length = original.length;
  let i = 0;
  while (i < length) {
    const code = original.charCodeAt(i);
    // Surrogates: astral characters, tags, or lone halves.
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < length ? original.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const codePoint = ((code - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
        if (codePoint >= 0xe0000 && codePoint <= 0xe007f) {
          tags++;
          if (codePoint >= 0xe0020 && codePoint <= 0xe007e) hidden += String.fromCharCode(codePoint - 0xe0000);
          i += 2;
          continue;
        }
        if (
          (codePoint >= 0xe0100 && codePoint <= 0xe01ef) ||
          (codePoint >= 0x1d173 && codePoint <= 0x1d17a) ||
          (codePoint >= 0x1bca0 && codePoint <= 0x1bca3)
        ) {
          invisible++;
          i += 2;
          continue;
        }
        const pair = original.slice(i, i + 2);
        const folded = nfkcNeeded ? pair.normalize('NFKC') : pair;
        if (folded !== pair) nfkc++;
        for (let k = 0; k < folded.length; k++) {
          starts.push(i);
          ends.push(i + 2);
        }
        parts.push(folded);
        i += 2;
        continue;
      }
      loneSurrogates++;
      parts.push('\ufffd');
      starts.push(i);
      ends.push(i + 1);
      i++;
      continue;
    }
    const kind = bmpKind(code);
    if (kind !== 'keep') {
      if (kind === 'control') controls++;
      else if (kind === 'bidi') bidi++;
      else invisible++;
      i++;
      continue;
    }
    // A cluster: this character and the combining marks after it (NFKC may compose them).
    let end = i + 1;
    if (nfkcNeeded) {
      while (end < length) {
        const following = original.charCodeAt(end);
        if (following < 0x300 || following >= 0xd800 || !COMBINING_MARK.test(original[end]!)) break;
        end++;
      }
    }
    if (code < 0x80 && end === i + 1) {
      parts.push(original[i]!);
      starts.push(i);
      ends.push(i + 1);
      i++;
      continue;
    }
    const cluster = original.slice(i, end);
    const folded = nfkcNeeded ? cluster.normalize('NFKC') : cluster;
    if (folded !== cluster) nfkc++;
    if (folded.length === cluster.length) {
      for (let k = 0; k < folded.length; k++) {
        starts.push(i + k);
        ends.push(i + k + 1);
      }
    } else {
      for (let k = 0; k < folded.length; k++) {
        starts.push(i);
        ends.push(end);
      }
    }
    parts.push(folded);
    i = end;
  }
  let text = parts.join('');
  const folded = foldConfusables(text);
  text = folded.text;
  const stats: NormalizationStats = {
    controls,
    invisible,
    bidi,
    tags,
    nfkc,
    confusables: folded.count,
    loneSurrogates,
  };
  if (text === original) return new NormalizedView(original, text, stats, hidden, null, null);
  return new NormalizedView(original, text, stats, hidden, Int32Array.from(starts), Int32Array.from(ends));
}

function isLetterAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return true;
  if (code < 0xc0) return false;
  if (CONFUSABLE_MAP.has(code)) return true;
  return LETTER.test(text[index]!);
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/**
 * Folds look-alike letters to ASCII inside words that either contain an ASCII letter ("ignоre" with a
 * Cyrillic о) or consist only of look-alikes ("рау"). Ordinary words of other scripts are left alone.
 * One character in, one character out, so offsets do not move.
 */
function foldConfusables(text: string): { text: string; count: number } {
  if (!CONFUSABLE_CLASS.test(text)) return { text, count: 0 };
  const codes: number[] = [];
  let count = 0;
  let changed = false;
  const length = text.length;
  let i = 0;
  let flushedTo = 0;
  const out: string[] = [];
  while (i < length) {
    if (!isLetterAt(text, i)) {
      i++;
      continue;
    }
    const wordStart = i;
    let hasAscii = false;
    let hasConfusable = false;
    let allFoldable = true;
    while (i < length && isLetterAt(text, i)) {
      const code = text.charCodeAt(i);
      if (isAsciiLetter(code)) hasAscii = true;
      else if (CONFUSABLE_MAP.has(code)) hasConfusable = true;
      else allFoldable = false;
      i++;
    }
    if (hasConfusable && (hasAscii || allFoldable)) {
      codes.length = 0;
      for (let k = wordStart; k < i; k++) {
        const code = text.charCodeAt(k);
        const mapped = CONFUSABLE_MAP.get(code);
        if (mapped !== undefined) {
          codes.push(mapped);
          count++;
        } else codes.push(code);
      }
      out.push(text.slice(flushedTo, wordStart), String.fromCharCode(...codes));
      flushedTo = i;
      changed = true;
    }
  }
  if (!changed) return { text, count: 0 };
  out.push(text.slice(flushedTo));
  return { text: out.join(''), count };
}

const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '9': 'g',
  '@': 'a',
  $: 's',
  '|': 'l',
  '!': 'i',
};
const LEET_TOKEN = /[A-Za-z0-9@$|!]+/g;
const HAS_LETTER = /[A-Za-z]/;
const HAS_LEET = /[0134579@$|!]/;
const LEET_CHAR = /[0134579@$|!]/g;

/** Folds leetspeak inside tokens that mix letters and look-alike digits or symbols. Length-preserving. */
export function foldLeetspeak(text: string): string {
  if (!HAS_LEET.test(text)) return text;
  return text.replace(LEET_TOKEN, (token) => {
    if (!HAS_LETTER.test(token) || !HAS_LEET.test(token)) return token;
    // Trailing "!" is punctuation, not a letter.
    let end = token.length;
    while (end > 0 && token[end - 1] === '!') end--;
    return token.slice(0, end).replace(LEET_CHAR, (char) => LEET[char] ?? char) + token.slice(end);
  });
}

class NormalizedView implements NormalizedText {
  readonly original: string;
  readonly text: string;
  readonly stats: NormalizationStats;
  readonly hiddenText: string;
  private readonly starts: Int32Array | null;
  private readonly ends: Int32Array | null;
  private leetCache: string | undefined;
  private payloadCache: readonly DecodedPayload[] | undefined;

  constructor(
    original: string,
    text: string,
    stats: NormalizationStats,
    hiddenText: string,
    starts: Int32Array | null,
    ends: Int32Array | null,
  ) {
    this.original = original;
    this.text = text;
    this.stats = stats;
    this.hiddenText = hiddenText;
    this.starts = starts;
    this.ends = ends;
  }

  get changed(): boolean {
    return this.text !== this.original;
  }

  get leet(): string {
    if (this.leetCache === undefined) this.leetCache = foldLeetspeak(this.text);
    return this.leetCache;
  }

  get payloads(): readonly DecodedPayload[] {
    if (this.payloadCache === undefined) {
      const found = decodePayloads(this.text, (start, end) => this.toOriginal(start, end));
      if (this.hiddenText.length > 0) {
        found.unshift({ kind: 'unicode-tags', span: { start: 0, end: this.original.length }, text: this.hiddenText, depth: 1 });
      }
      this.payloadCache = found;
    }
    return this.payloadCache;
  }

  toOriginal(start: number, end: number): Span {
    const starts = this.starts;
    const ends = this.ends;
    if (starts === null || ends === null) {
      const length = this.original.length;
      const s = Math.max(0, Math.min(start, length));
      return { start: s, end: Math.max(s, Math.min(end, length)) };
    }
    const size = starts.length;
    if (size === 0) return { start: 0, end: 0 };
    const s = Math.max(0, Math.min(start, size - 1));
    const e = Math.max(s + 1, Math.min(end, size));
    if (end <= start) {
      const at = start >= size ? this.original.length : starts[s]!;
      return { start: at, end: at };
    }
    return { start: starts[s]!, end: ends[e - 1]! };
  }
}
