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
  readonly contextWords: RegExp | undefined;
  readonly testValues: ReadonlySet<string> | undefined;
  readonly index: number;
}

export interface RecognizerSet {
  readonly recognizers: readonly Recognizer[];
  readonly byStart: Readonly<Record<StartClass, readonly Compiled[]>>;
  readonly byLiteral: ReadonlyMap<string, readonly Compiled[]>;
}

const START_CLASSES: readonly StartClass[] = ['digit', 'upper', 'lower', 'plus', 'paren', 'dash', 'quote', 'other'];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Compiles recognizers once: sticky regexes (with group indices when needed) and dispatch tables. */
export function compileRecognizers(recognizers: readonly Recognizer[]): RecognizerSet {
  const byStart = Object.fromEntries(START_CLASSES.map((name) => [name, [] as Compiled[]])) as Record<StartClass, Compiled[]>;
  const byLiteral = new Map<string, Compiled[]>();
  const seen = new Set<string>();
  recognizers.forEach((recognizer, index) => {
    if (seen.has(recognizer.id)) throw new Error(`recognizer id "${recognizer.id}" is defined twice`);
    seen.add(recognizer.id);
    const group = recognizer.group ?? 0;
    let flags = recognizer.pattern.flags.replace(/[gy]/g, '');
    if (group > 0 && !flags.includes('d')) flags += 'd';
    const compiled: Compiled = {
      recognizer,
      sticky: new RegExp(recognizer.pattern.source, `${flags}y`),
      group,
      contextWords:
        recognizer.context === undefined || recognizer.context.length === 0
          ? undefined
          : new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${recognizer.context.map(escape).join('|')})(?=$|[^\\p{L}\\p{N}])`, 'u'),
      testValues: recognizer.testValues === undefined ? undefined : new Set(recognizer.testValues.map(alnumOf)),
      index,
    };
    for (const start of recognizer.starts) byStart[start].push(compiled);
    for (const literal of recognizer.literals ?? []) {
      const list = byLiteral.get(literal) ?? [];
      list.push(compiled);
      byLiteral.set(literal, list);
    }
  });
  return { recognizers, byStart, byLiteral };
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

const MAX_TOKEN = 256;
const MAX_STARTS = 24;
const ANCHOR = /[0-9@:=]/g;
const CONTEXT_BEFORE = 48;
const CONTEXT_AFTER = 16;

export interface ScanLimits {
  /** Entities to report; all when undefined. */
  readonly entities?: ReadonlySet<string>;
  /** Stop after this many matches (bounds work on hostile input). */
  readonly maxMatches: number;
}

/** Finds every recognizer match in `text`, before overlap resolution. */
export function scanText(text: string, set: RecognizerSet, limits: ScanLimits, out: EntityMatch[]): void {
  const length = text.length;
  const starts: number[] = [];
  const matchedUntil = new Map<number, number>();
  const tryAt = (position: number, candidates: readonly Compiled[]): number => {
    let furthest = position;
    for (const compiled of candidates) {
      if (out.length >= limits.maxMatches) return furthest;
      if (limits.entities !== undefined && !limits.entities.has(compiled.recognizer.entity)) continue;
      if ((matchedUntil.get(compiled.index) ?? -1) > position) continue;
      const match = attempt(text, position, compiled);
      if (match === undefined) continue;
      matchedUntil.set(compiled.index, match.end);
      if (match.score > 0) out.push(match);
      if (match.end > furthest) furthest = match.end;
    }
    return furthest;
  };

  let covered = 0;
  ANCHOR.lastIndex = 0;
  for (let anchor = ANCHOR.exec(text); anchor !== null; anchor = ANCHOR.exec(text)) {
    if (out.length >= limits.maxMatches) break;
    const at = anchor.index;
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
    for (let i = left + 1; i < right && starts.length < MAX_STARTS; i++) {
      const previous = text.charCodeAt(i - 1);
      const code = text.charCodeAt(i);
      if (TOKEN[previous] === 2 && code < 128 && TOKEN[code] !== 0) starts.push(i);
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
        if (word > covered && (text.charCodeAt(word - 1) === 34 || text.charCodeAt(word - 1) === 39)) starts.push(word - 1);
        starts.push(word);
      }
    }
    starts.sort((a, b) => a - b);
    let regionEnd = right;
    let previousStart = -1;
    for (const start of starts) {
      if (start === previousStart) continue;
      previousStart = start;
      const code = text.charCodeAt(start);
      const end = tryAt(start, set.byStart[startClass(code)]);
      if (end > regionEnd) regionEnd = end;
    }
    covered = regionEnd;
    ANCHOR.lastIndex = regionEnd;
  }

  for (const [literal, candidates] of set.byLiteral) {
    for (let at = text.indexOf(literal); at >= 0 && out.length < limits.maxMatches; at = text.indexOf(literal, at + 1)) {
      tryAt(at, candidates);
    }
  }
}

function attempt(text: string, position: number, compiled: Compiled): EntityMatch | undefined {
  const sticky = compiled.sticky;
  sticky.lastIndex = position;
  const match = sticky.exec(text);
  if (match === null) return undefined;
  let start = match.index;
  let end = start + match[0].length;
  if (compiled.group > 0) {
    const indices = match.indices?.[compiled.group];
    if (indices === undefined) return undefined;
    [start, end] = indices;
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
  if (compiled.contextWords !== undefined) {
    const before = text.slice(Math.max(0, start - CONTEXT_BEFORE), start).toLowerCase();
    const after = text.slice(end, end + CONTEXT_AFTER).toLowerCase();
    if (compiled.contextWords.test(before) || compiled.contextWords.test(after)) {
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
 * recognizer. Returns the kept matches in text order.
 */
export function resolveOverlaps(matches: readonly EntityMatch[]): EntityMatch[] {
  if (matches.length <= 1) return [...matches];
  const ranked = [...matches].sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: EntityMatch[] = [];
  for (const candidate of ranked) {
    let overlaps = false;
    for (const chosen of kept) {
      if (candidate.start < chosen.end && chosen.start < candidate.end) {
        overlaps = true;
        break;
      }
    }
    if (!overlaps) kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}
