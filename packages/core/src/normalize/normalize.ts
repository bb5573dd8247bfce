import { ArgumentError } from '../errors.js';
import type { Span } from '../types.js';
import { CONFUSABLE_CLASS, CONFUSABLE_MAP } from './confusables.js';
import { type DecodedPayload, decodePayloads, rot13Payload } from './decode.js';

/** What normalization removed or folded, by family. */
export interface NormalizationStats {
  /** ASCII/C1 control characters removed (tab, newline and carriage return are kept). */
  readonly controls: number;
  /** Zero-width and other invisible formatting characters removed, and overlay or enclosing marks. */
  readonly invisible: number;
  /** Bidirectional control characters removed. */
  readonly bidi: number;
  /** Unicode tag characters (U+E0000–U+E007F) removed; their ASCII meaning is in `hiddenText`. */
  readonly tags: number;
  /**
   * Characters changed by NFKC (fullwidth, ligatures, mathematical letters, composed accents…), and negative
   * circled or squared capitals, which NFKC leaves and the fold maps to ASCII.
   */
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
  /** The same without the rot13 reading (cheaper: no look for rot13'd words), for detectors of encoded values. */
  readonly encodedPayloads: readonly DecodedPayload[];
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
const COMBINING_MARK = /^\p{M}$/u;
const NEXT_NOT_PLAIN = /[^\t\n\r\x20-\x7e]/g;
const LETTER = /^\p{L}$/u;

/**
 * Combining marks that no orthography spells with: overlays (strokes and slashes through a letter, as in
 * "i̶g̶n̶o̶r̶e̶") and enclosing circles, squares, diamonds and keycaps. The fold removes them, so struck-through
 * or enclosed letters read as the letters.
 */
const DECORATIONS: readonly (readonly [number, number])[] = [
  [0x0334, 0x0338],
  [0x20d2, 0x20d3],
  [0x20d8, 0x20da],
  [0x20dd, 0x20e0],
  [0x20e2, 0x20e6],
  [0x20ea, 0x20eb],
];

// Per BMP code unit: 0 nothing to do, 1 removed or replaced by the fold loop, 2 a look-alike letter,
// 3 a high surrogate, 4 a low surrogate. One table lookup per character keeps the scan of two-byte text
// (emoji, CJK, accents) near memory speed, where a regex character class is several times slower.
const CLASS = new Uint8Array(0x10000);
{
  const mark = (from: number, to: number, value: number): void => {
    for (let code = from; code <= to; code++) CLASS[code] = value;
  };
  mark(0x00, 0x08, 1);
  mark(0x0b, 0x0c, 1);
  mark(0x0e, 0x1f, 1);
  mark(0x7f, 0x9f, 1);
  for (const code of [0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xfeff, 0xffa0]) CLASS[code] = 1;
  mark(0x180b, 0x180f, 1);
  mark(0x200b, 0x200f, 1);
  mark(0x202a, 0x202e, 1);
  mark(0x2060, 0x206f, 1);
  mark(0xfe00, 0xfe0f, 1);
  // Unassigned but default-ignorable: a renderer shows nothing for them.
  mark(0xfff0, 0xfff8, 1);
  for (const [from, to] of DECORATIONS) mark(from, to, 1);
  for (const code of CONFUSABLE_MAP.keys()) CLASS[code] = 2;
  mark(0xd800, 0xdbff, 3);
  mark(0xdc00, 0xdfff, 4);
}

/**
 * Negative circled and negative squared Latin capitals (🅸🅶🅽🅾🆁🅴, "fancy text" generators' favourites): NFKC
 * leaves them, so the fold maps them to the ASCII capital. The ASCII code, or 0 for any other code point.
 */
function astralLetter(codePoint: number): number {
  if (codePoint >= 0x1f150 && codePoint <= 0x1f169) return codePoint - 0x1f150 + 0x41;
  if (codePoint >= 0x1f170 && codePoint <= 0x1f189) return codePoint - 0x1f170 + 0x41;
  return 0;
}

/**
 * Astral code points the fold loop removes: plane 14 (tags, the variation selectors supplement and the
 * unassigned default-ignorable rest of it), invisible musical and shorthand formatting.
 */
function astralSpecial(codePoint: number): boolean {
  return (
    (codePoint >= 0xe0000 && codePoint <= 0xe0fff) ||
    (codePoint >= 0x1d173 && codePoint <= 0x1d17a) ||
    (codePoint >= 0x1bca0 && codePoint <= 0x1bca3)
  );
}

const NEEDS_LOOP = 2;
const HAS_CONFUSABLE = 1;
const NEEDS_NFKC = 4;
/** A character that NFKC changes on its own ("…", "ﬁ", a no-break space): NFKC surely changes the text. */
const NFKC_CERTAIN = 8;
// Runs of characters outside printable ASCII: found natively (fast on two-byte strings, where a
// per-character JavaScript loop is not), then only their characters are looked at one by one.
const NON_PLAIN_RUNS = /[^\t\n\r\x20-\x7e]+/g;
/** Per astral code point: 0 NFKC leaves it, NEEDS_NFKC it may change with a neighbour, or both flags. */
const ASTRAL_NFKC = new Map<number, number>();

/**
 * Characters that are not combining marks yet compose with the character before them under NFKC: Hangul
 * vowel and final jamo, and one astral letter (U+16D67, Kirat Rai). Every other second character of a
 * canonical decomposition is a mark (`normalize.test.ts` checks this on every code point of the running ICU).
 */
export function composesAfter(codePoint: number): boolean {
  return (
    (codePoint >= 0x1161 && codePoint <= 0x1175) ||
    (codePoint >= 0x11a8 && codePoint <= 0x11c2) ||
    codePoint === 0x16d67
  );
}

/**
 * What the text needs: NEEDS_LOOP (something to remove or replace), HAS_CONFUSABLE, NEEDS_NFKC, NFKC_CERTAIN.
 * NEEDS_NFKC is set when some character may change under NFKC: one that changes alone (NFKC_CERTAIN too), a
 * combining mark, or one that composes with the character before it; without one, NFKC leaves the text as it
 * is, so it is not run.
 */
function scanForWork(text: string): number {
  let flags = 0;
  NON_PLAIN_RUNS.lastIndex = 0;
  for (let run = NON_PLAIN_RUNS.exec(text); run !== null; run = NON_PLAIN_RUNS.exec(text)) {
    const end = run.index + run[0].length;
    for (let i = run.index; i < end; i++) {
      const code = text.charCodeAt(i);
      const kind = CLASS[code]!;
      if (kind === 0) {
        if ((flags & NFKC_CERTAIN) === 0) {
          if (nfkcChanges(code)) flags |= NEEDS_NFKC | NFKC_CERTAIN;
          else if (isMark(code) || composesAfter(code)) flags |= NEEDS_NFKC;
        }
        continue;
      }
      if (kind === 2) {
        flags |= HAS_CONFUSABLE;
        continue;
      }
      if (kind === 3 && i + 1 < end) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          const codePoint = ((code - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
          if (astralSpecial(codePoint) || astralLetter(codePoint) !== 0) flags |= NEEDS_LOOP;
          else if ((flags & NFKC_CERTAIN) === 0) {
            let changes = ASTRAL_NFKC.get(codePoint);
            if (changes === undefined) {
              const pair = text.slice(i, i + 2);
              changes =
                pair.normalize('NFKC') !== pair
                  ? NEEDS_NFKC | NFKC_CERTAIN
                  : COMBINING_MARK.test(pair) || composesAfter(codePoint)
                    ? NEEDS_NFKC
                    : 0;
              if (ASTRAL_NFKC.size < 4096) ASTRAL_NFKC.set(codePoint, changes);
            }
            flags |= changes;
          }
          i++;
          continue;
        }
      }
      // Something to remove or replace: keep reading, so that NFKC runs only when a character needs it.
      flags |= NEEDS_LOOP;
    }
  }
  return flags;
}

type Kind = 'keep' | 'control' | 'invisible' | 'bidi';

/** What the fold does with a BMP code unit outside printable ASCII; `CLASS` marks (1) every one it removes. */
function bmpKind(code: number): Kind {
  if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d ? 'keep' : 'control';
  if (code < 0x7f) return 'keep';
  if (code <= 0x9f) return 'control';
  if (CLASS[code] !== 1) return 'keep';
  if (code === 0x061c || code === 0x200e || code === 0x200f) return 'bidi';
  if ((code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return 'bidi';
  return 'invisible';
}

function identity(text: string): NormalizedText {
  return new NormalizedView(text, text, ZERO_STATS, '', null);
}

/**
 * Normalizes a text for detection. Linear in the length of the text; the common case (nothing to fold)
 * costs one native regex scan. Never throws on any string (lone surrogates, controls, huge inputs).
 */
export function normalizeText(original: string): NormalizedText {
  if (typeof original !== 'string') {
    throw new ArgumentError({
      message: `normalizeText(text): text must be a string (got ${original === null ? 'null' : typeof original}).`,
    });
  }
  if (!NOT_PLAIN.test(original)) return identity(original);
  const work = scanForWork(original);
  // A character NFKC changes alone settles it; one it may change with a neighbour (a mark) is confirmed
  // on the whole text, which costs about a quarter of normalizing a long text.
  const nfkcNeeded =
    (work & NFKC_CERTAIN) !== 0 || ((work & NEEDS_NFKC) !== 0 && original.normalize('NFKC') !== original);
  if ((work & NEEDS_LOOP) !== 0) return foldSlow(original, nfkcNeeded, true);
  if (nfkcNeeded) return foldSlow(original, true, (work & HAS_CONFUSABLE) !== 0);
  if ((work & HAS_CONFUSABLE) === 0) return identity(original);
  // Only look-alikes to fold: one character for one, so offsets stay the identity.
  const folded = foldConfusables(original);
  return new NormalizedView(original, folded.text, { ...ZERO_STATS, confusables: folded.count }, '', null);
}

/**
 * Maps offsets of the normalized text back to the original, as segments: each segment is either a run
 * copied one-to-one, or a cluster the fold replaced (every character of it maps to the whole cluster).
 * Removed characters belong to no segment. Lookups are a binary search.
 */
class OffsetMap {
  private readonly normStarts: number[] = [];
  private readonly origStarts: number[] = [];
  private readonly origEnds: number[] = [];
  private readonly exact: boolean[] = [];
  length = 0;

  add(origStart: number, origEnd: number, normLength: number, exact: boolean): void {
    if (normLength === 0) return;
    this.normStarts.push(this.length);
    this.origStarts.push(origStart);
    this.origEnds.push(origEnd);
    this.exact.push(exact);
    this.length += normLength;
  }

  private find(index: number): number {
    let low = 0;
    let high = this.normStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.normStarts[middle]! <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Original offset where normalized character `index` starts. */
  startOf(index: number): number {
    const segment = this.find(index);
    return this.exact[segment]!
      ? this.origStarts[segment]! + (index - this.normStarts[segment]!)
      : this.origStarts[segment]!;
  }

  /** Original offset just past normalized character `index`. */
  endOf(index: number): number {
    const segment = this.find(index);
    return this.exact[segment]!
      ? this.origStarts[segment]! + (index - this.normStarts[segment]!) + 1
      : this.origEnds[segment]!;
  }
}

// Memo per BMP code unit, filled on first sight: 1 NFKC leaves it alone, 2 NFKC changes it.
const NFKC_MEMO = new Uint8Array(0x10000);
// Memo per BMP code unit: 1 a combining mark, 2 not one.
const MARK_MEMO = new Uint8Array(0x10000);

function isMark(code: number): boolean {
  if (code < 0x300) return false;
  let known = MARK_MEMO[code]!;
  if (known === 0) {
    known = COMBINING_MARK.test(String.fromCharCode(code)) ? 1 : 2;
    MARK_MEMO[code] = known;
  }
  return known === 1;
}

function nfkcChanges(code: number): boolean {
  let known = NFKC_MEMO[code]!;
  if (known === 0) {
    const char = String.fromCharCode(code);
    known = char.normalize('NFKC') === char ? 1 : 2;
    NFKC_MEMO[code] = known;
  }
  return known === 2;
}

/** Decodes the hidden ASCII of tag characters (plain ASCII bytes decode the same in UTF-8). */
const ASCII = new TextDecoder();

function foldSlow(original: string, nfkcNeeded: boolean, mayHaveConfusables: boolean): NormalizedText {
  const parts: string[] = [];
  const map = new OffsetMap();
  let controls = 0;
  let invisible = 0;
  let bidi = 0;
  let tags = 0;
  let nfkc = 0;
  let loneSurrogates = 0;
  // The ASCII the tag characters carry, as bytes decoded once at the end: appending each to a string built a
  // rope of one node per character, which a long run of tags (half a million in 1 MB) made costly to collect.
  let hiddenBytes: Uint8Array | undefined;
  let hiddenLength = 0;
  let tagStart = -1;
  let tagEnd = -1;
  const length = original.length;
  let runStart = 0;
  const flush = (to: number): void => {
    if (to > runStart) {
      parts.push(original.slice(runStart, to));
      map.add(runStart, to, to - runStart, true);
    }
  };
  const replace = (from: number, to: number, text: string): void => {
    flush(from);
    if (text.length > 0) {
      parts.push(text);
      map.add(from, to, text.length, text.length === to - from);
    }
    runStart = to;
  };
  /**
   * NFKC over the cluster [from, to): a character and the marks (and Hangul jamo) after it. Invisible marks
   * in it (variation selectors, the grapheme joiner, Mongolian selectors) are removed first, as they are
   * everywhere else: kept, "ig\ufe0fnore" would stay apart from "ignore" in any text NFKC had to run on.
   */
  const foldCluster = (from: number, to: number): void => {
    let dropped = 0;
    for (let k = from + 1; k < to; k++) if (CLASS[original.charCodeAt(k)] === 1) dropped++;
    if (dropped > 0) {
      let kept = '';
      for (let k = from; k < to; k++) if (k === from || CLASS[original.charCodeAt(k)] !== 1) kept += original[k];
      invisible += dropped;
      const folded = kept.normalize('NFKC');
      if (folded !== kept) nfkc++;
      replace(from, to, folded);
      return;
    }
    const cluster = original.slice(from, to);
    const folded = cluster.normalize('NFKC');
    if (folded !== cluster) {
      nfkc++;
      replace(from, to, folded);
    }
  };
  let i = 0;
  while (i < length) {
    const code = original.charCodeAt(i);
    if (code < 0x7f && (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d)) {
      // Plain ASCII stays, unless a combining mark follows and NFKC composes the two.
      if (nfkcNeeded && i + 1 < length && isMark(original.charCodeAt(i + 1))) {
        let end = i + 2;
        while (end < length && isMark(original.charCodeAt(end))) end++;
        foldCluster(i, end);
        i = end;
        continue;
      }
      // Jump over the rest of the plain ASCII stretch natively, stopping one short of a combining mark.
      NEXT_NOT_PLAIN.lastIndex = i + 1;
      const next = NEXT_NOT_PLAIN.exec(original);
      if (next === null) break;
      i = nfkcNeeded && next.index - 1 > i && isMark(original.charCodeAt(next.index)) ? next.index - 1 : next.index;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < length ? original.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const codePoint = ((code - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
        if (codePoint >= 0xe0000 && codePoint <= 0xe007f) {
          tags++;
          if (codePoint >= 0xe0020 && codePoint <= 0xe007e) {
            if (hiddenBytes === undefined || hiddenLength === hiddenBytes.length) {
              const bigger = new Uint8Array(Math.max(64, hiddenLength * 2));
              if (hiddenBytes !== undefined) bigger.set(hiddenBytes);
              hiddenBytes = bigger;
            }
            hiddenBytes[hiddenLength++] = codePoint - 0xe0000;
          }
          if (tagStart < 0) tagStart = i;
          tagEnd = i + 2;
          replace(i, i + 2, '');
        } else if (astralSpecial(codePoint)) {
          invisible++;
          replace(i, i + 2, '');
        } else if (astralLetter(codePoint) !== 0) {
          nfkc++;
          replace(i, i + 2, String.fromCharCode(astralLetter(codePoint)));
        } else if (nfkcNeeded) {
          const pair = original.slice(i, i + 2);
          const folded = pair.normalize('NFKC');
          if (folded !== pair) {
            nfkc++;
            replace(i, i + 2, folded);
          }
        }
        i += 2;
        continue;
      }
      loneSurrogates++;
      replace(i, i + 1, '\ufffd');
      i++;
      continue;
    }
    const kind = bmpKind(code);
    if (kind !== 'keep') {
      if (kind === 'control') controls++;
      else if (kind === 'bidi') bidi++;
      else invisible++;
      replace(i, i + 1, '');
      i++;
      continue;
    }
    if (!nfkcNeeded) {
      i++;
      continue;
    }
    if (code >= 0x249c && code <= 0x24b5) {
      // Parenthesized small letters: NFKC spells "⒤⒢⒩" as "(i)(g)(n)"; the letter alone reads as meant.
      nfkc++;
      replace(i, i + 1, String.fromCharCode(code - 0x249c + 0x61));
      i++;
      continue;
    }
    // The cluster: the character, then the marks (and Hangul vowel and final jamo) that compose with it.
    let end = i + 1;
    while (end < length && (isMark(original.charCodeAt(end)) || composesAfter(original.charCodeAt(end)))) end++;
    if (end === i + 1 && !nfkcChanges(code)) {
      i++;
      continue;
    }
    foldCluster(i, end);
    i = end;
  }
  flush(length);
  runStart = length;
  const joined = parts.join('');
  const folded = mayHaveConfusables ? foldConfusables(joined) : { text: joined, count: 0 };
  const stats: NormalizationStats = {
    controls,
    invisible,
    bidi,
    tags,
    nfkc,
    confusables: folded.count,
    loneSurrogates,
  };
  const hidden = hiddenBytes === undefined ? '' : ASCII.decode(hiddenBytes.subarray(0, hiddenLength));
  const hiddenSpan = tagStart < 0 ? undefined : { start: tagStart, end: tagEnd };
  if (folded.text === original) return new NormalizedView(original, folded.text, stats, hidden, null, hiddenSpan);
  return new NormalizedView(original, folded.text, stats, hidden, map, hiddenSpan);
}

/** String.fromCharCode over an array of any length (spreading a huge array would overflow the stack). */
function fromCodes(codes: readonly number[]): string {
  if (codes.length <= 4096) return String.fromCharCode(...codes);
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += 4096) parts.push(String.fromCharCode(...codes.slice(i, i + 4096)));
  return parts.join('');
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
      out.push(text.slice(flushedTo, wordStart), fromCodes(codes));
      flushedTo = i;
      changed = true;
    }
  }
  if (!changed) return { text, count: 0 };
  out.push(text.slice(flushedTo));
  return { text: out.join(''), count };
}

// Leetspeak substitutes per ASCII code (0 = none), and which codes may sit inside a leet token.
const LEET_TO = new Uint8Array(128);
const TOKEN = new Uint8Array(128);
/** Leetspeak look-alikes and the letters they stand for. */
const LEET_MAP: Readonly<Record<string, string>> = {
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
for (const [from, to] of Object.entries(LEET_MAP)) {
  LEET_TO[from.charCodeAt(0)] = to.charCodeAt(0);
}
for (let code = 0; code < 128; code++) {
  if (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    LEET_TO[code] !== 0
  ) {
    TOKEN[code] = 1;
  }
}

/** A character that can stand for a letter (a key of LEET_MAP). Only tokens holding one can change. */
const LEET_CHAR = new RegExp(
  `[${Object.keys(LEET_MAP)
    .map((char) => char.replace(/[\\\]^-]/g, '\\$&'))
    .join('')}]`,
  'g',
);

/**
 * Folds leetspeak inside tokens (runs of letters, digits and @$|!) that mix letters with look-alike
 * digits or symbols; a trailing "!" stays punctuation. Length-preserving. A native regex scan finds the
 * look-alike characters (rare in prose) and only the tokens around them are read, each once.
 */
export function foldLeetspeak(text: string): string {
  if (typeof text !== 'string') throw new ArgumentError({ message: 'foldLeetspeak(text): text must be a string.' });
  const length = text.length;
  // The characters to change, in increasing order, each as place × 128 + the letter's code (one number a
  // change: pushing pairs was a third of the time on text dense with look-alikes).
  let edits: number[] | undefined;
  LEET_CHAR.lastIndex = 0;
  while (LEET_CHAR.test(text)) {
    // The token around the look-alike (one character: `lastIndex - 1`, no match array): to its first and
    // past its last token character.
    const at = LEET_CHAR.lastIndex - 1;
    let start = at;
    while (start > 0 && isTokenCode(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < length && isTokenCode(text.charCodeAt(end))) end++;
    LEET_CHAR.lastIndex = end;
    let letters = 0;
    for (let k = start; k < end; k++) {
      const code = text.charCodeAt(k);
      if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) letters++;
    }
    if (letters === 0) continue;
    let last = end;
    while (last > start && text.charCodeAt(last - 1) === 0x21) last--;
    for (let k = start; k < last; k++) {
      const mapped = LEET_TO[text.charCodeAt(k)]!;
      if (mapped !== 0) {
        edits ??= [];
        edits.push(k * 128 + mapped);
      }
    }
  }
  return edits === undefined ? text : applyEdits(text, edits);
}

/** Single-character strings for the ASCII codes, so a replaced character allocates nothing. */
const ASCII_CHARS: readonly string[] = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
const BLOCK = 4096;

/**
 * `text` with the character at each edit's place replaced (same length; an edit is place × 128 + the new
 * ASCII code, in increasing order of place). Few edits: the slices between
 * them, joined. Many (a text dense with look-alikes, such as 'x@y.' repeated): the code units copied in
 * blocks and turned back into a string a block at a time, instead of half a million pieces to join.
 */
function applyEdits(text: string, edits: readonly number[]): string {
  const length = text.length;
  if (edits.length * 32 < length) {
    const parts: string[] = [];
    let flushed = 0;
    for (const edit of edits) {
      const at = Math.floor(edit / 128);
      parts.push(text.slice(flushed, at), ASCII_CHARS[edit % 128]!);
      flushed = at + 1;
    }
    parts.push(text.slice(flushed));
    return parts.join('');
  }
  const parts: string[] = [];
  const block = new Uint16Array(Math.min(BLOCK, length));
  let next = 0;
  for (let from = 0; from < length; from += BLOCK) {
    const to = Math.min(length, from + BLOCK);
    for (let k = from; k < to; k++) block[k - from] = text.charCodeAt(k);
    for (; next < edits.length && edits[next]! < to * 128; next++) {
      const edit = edits[next]!;
      block[Math.floor(edit / 128) - from] = edit % 128;
    }
    const view = to - from === block.length ? block : block.subarray(0, to - from);
    parts.push(String.fromCharCode.apply(null, view as unknown as number[]));
  }
  return parts.join('');
}

function isTokenCode(code: number): boolean {
  return code < 128 && TOKEN[code] === 1;
}

class NormalizedView implements NormalizedText {
  readonly original: string;
  readonly text: string;
  readonly stats: NormalizationStats;
  readonly hiddenText: string;
  private readonly map: OffsetMap | null;
  private leetCache: string | undefined;
  private payloadCache: readonly DecodedPayload[] | undefined;
  private encodedCache: readonly DecodedPayload[] | undefined;

  private readonly hiddenSpan: Span | undefined;

  constructor(
    original: string,
    text: string,
    stats: NormalizationStats,
    hiddenText: string,
    map: OffsetMap | null,
    hiddenSpan?: Span,
  ) {
    this.hiddenSpan = hiddenSpan;
    this.original = original;
    this.text = text;
    this.stats = stats;
    this.hiddenText = hiddenText;
    this.map = map;
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
      const rot = rot13Payload(this.text, (start, end) => this.toOriginal(start, end));
      this.payloadCache = rot === undefined ? this.encodedPayloads : [...this.encodedPayloads, rot];
    }
    return this.payloadCache;
  }

  get encodedPayloads(): readonly DecodedPayload[] {
    if (this.encodedCache === undefined) {
      const found = decodePayloads(this.text, (start, end) => this.toOriginal(start, end));
      if (this.hiddenText.length > 0) {
        found.unshift({
          kind: 'unicode-tags',
          // From the first to the last tag character in the original.
          span: this.hiddenSpan ?? { start: 0, end: this.original.length },
          text: this.hiddenText,
          depth: 1,
        });
      }
      this.encodedCache = found;
    }
    return this.encodedCache;
  }

  toOriginal(start: number, end: number): Span {
    const map = this.map;
    if (map === null) {
      const length = this.original.length;
      const s = Math.max(0, Math.min(start, length));
      return { start: s, end: Math.max(s, Math.min(end, length)) };
    }
    const size = map.length;
    if (size === 0) return { start: 0, end: 0 };
    if (end <= start) {
      const at = start >= size ? this.original.length : map.startOf(Math.max(0, start));
      return { start: at, end: at };
    }
    const s = Math.max(0, Math.min(start, size - 1));
    const e = Math.max(s + 1, Math.min(end, size));
    return { start: map.startOf(s), end: map.endOf(e - 1) };
  }
}
