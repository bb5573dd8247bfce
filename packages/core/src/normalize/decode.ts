import { ArgumentError } from '../errors.js';
import type { Span } from '../types.js';

export type PayloadKind = 'base64' | 'hex' | 'url' | 'rot13' | 'unicode-tags';

/** A piece of the text that was encoded, decoded so detectors can rescan it. */
export interface DecodedPayload {
  readonly kind: PayloadKind;
  /** Where the encoded form sits in the original text. */
  readonly span: Span;
  /** The decoded text. */
  readonly text: string;
  /** 1 for a payload found in the text, 2 for one found inside a decoded payload. */
  readonly depth: number;
}

const MAX_PAYLOADS = 64;
const MAX_DEPTH = 2;
/** Encoded characters decoded per text at most; bounds the work on hostile inputs. */
const MAX_ENCODED_CHARS = 1 << 20;
/** Longest single encoded run decoded. */
const MAX_RUN_DECODED = 1 << 17;

const HEX_ONLY = /^[0-9A-Fa-f]+$/;
const MIN_RUN = 16;
const MIN_HEX_GROUPS = 6;

// ASCII class per code unit: 1 base64 alphabet (standard or URL-safe), 2 also a hex digit.
const ALPHABET = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[0-9A-Fa-f]/.test(char)) ALPHABET[code] = 2;
  else if (/[A-Za-z+/_-]/.test(char)) ALPHABET[code] = 1;
}

interface Run {
  readonly kind: 'base64' | 'hex-spaced';
  readonly start: number;
  readonly end: number;
}

const DIGIT = /[0-9]/g;

function isHexCode(code: number): boolean {
  return code < 128 && ALPHABET[code] === 2;
}

function isSeparator(code: number): boolean {
  return code === 0x20 || code === 0x3a;
}

/**
 * Finds runs of the base64 alphabet at least 16 long (with up to two '=' after them) and sequences of at
 * least six two-digit hex groups separated by a space or a colon. Runs are found from their digits: one
 * native regex scan for digits, then the run around each is measured once. Encoded text almost always
 * holds a digit (base64 of 16+ characters without one is rare, hex without one rarer); this keeps the
 * scan at native speed on long two-byte texts, where a per-character loop would not be.
 */
function findRuns(text: string, limit: number): Run[] {
  const runs: Run[] = [];
  const length = text.length;
  let covered = 0;
  DIGIT.lastIndex = 0;
  // `test` and `lastIndex - 1` (the match is one character): no match array per digit.
  while (runs.length < limit && DIGIT.test(text)) {
    const at = DIGIT.lastIndex - 1;
    let start = at;
    while (start > covered) {
      const code = text.charCodeAt(start - 1);
      if (code >= 128 || ALPHABET[code] === 0) break;
      start--;
    }
    let end = at + 1;
    while (end < length) {
      const code = text.charCodeAt(end);
      if (code >= 128 || ALPHABET[code] === 0) break;
      end++;
    }
    if (end - start === 2 && isHexCode(text.charCodeAt(start)) && isHexCode(text.charCodeAt(start + 1))) {
      // Part of "69 67 6e 6f …"? Walk the groups both ways.
      let first = start;
      while (
        first >= 3 &&
        isSeparator(text.charCodeAt(first - 1)) &&
        isHexCode(text.charCodeAt(first - 2)) &&
        isHexCode(text.charCodeAt(first - 3))
      ) {
        const before = first - 4;
        if (
          before >= 0 &&
          !isSeparator(text.charCodeAt(before)) &&
          text.charCodeAt(before) < 128 &&
          ALPHABET[text.charCodeAt(before)] !== 0
        )
          break;
        first -= 3;
      }
      let last = end;
      while (
        last + 2 < length &&
        isSeparator(text.charCodeAt(last)) &&
        isHexCode(text.charCodeAt(last + 1)) &&
        isHexCode(text.charCodeAt(last + 2))
      ) {
        const after = last + 3;
        if (after < length && text.charCodeAt(after) < 128 && ALPHABET[text.charCodeAt(after)] !== 0) break;
        last += 3;
      }
      if ((last - first + 1) / 3 >= MIN_HEX_GROUPS && first >= covered)
        runs.push({ kind: 'hex-spaced', start: first, end: last });
      end = Math.max(end, last);
    } else if (end - start >= MIN_RUN) {
      let stop = end;
      if (text.charCodeAt(stop) === 0x3d) stop = text.charCodeAt(stop + 1) === 0x3d ? stop + 2 : stop + 1;
      runs.push({ kind: 'base64', start, end: stop });
    }
    covered = end;
    DIGIT.lastIndex = end;
  }
  return runs;
}
const HEX_ESCAPED = /(?:\\x[0-9A-Fa-f]{2}){4,}/g;
// Starts at a '%', so text without percent signs costs nothing beyond the includes() check.
const URL_RUN = /(?:%[0-9A-Fa-f]{2}[^\s%]{0,64}){3,}/g;
const ROT13_HINT =
  /\b(?:gur|naq|lbh|vtaber|vafgehpgvbaf|cerivbhf|flfgrz|cebzcg|nyy|sbetrg|erirny|cnffjbeq|cbyvpl|ehyrf)\b/gi;
const ROT13_NAMED = /\brot[- ]?13\b/i;
/** Any of the commonest rot13'd words in lower case, or "rot" in any case: a cheap first look. */
const ROT13_PREFILTER = /gur|naq|lbh|nyy|vtaber|cebzcg|[Rr][Oo][Tt]/;

const utf8 = new TextDecoder('utf-8');

/**
 * Decoded bytes are kept only when they read as text: almost no control bytes, valid UTF-8, mostly
 * printable, with letters. Random binary (keys, hashes, images) fails the control-byte count without
 * ever being decoded.
 */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 6) return undefined;
  let control = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f) control++;
  }
  if (control > bytes.length * 0.02) return undefined;
  const text = utf8.decode(bytes);
  if (text.includes('\ufffd')) return undefined;
  let letters = 0;
  for (let i = 0; i < text.length && letters < 3; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code >= 0xc0) letters++;
  }
  return letters < 3 ? undefined : text;
}

function decodeBase64(run: string): string | undefined {
  const body = run.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  const standard = body.replace(/-/g, '+').replace(/_/g, '/');
  return asText(Buffer.from(standard, 'base64'));
}

function decodeHex(digits: string): string | undefined {
  if (digits.length % 2 !== 0) return undefined;
  return asText(Buffer.from(digits, 'hex'));
}

function decodeUrl(run: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(run);
  } catch {
    // Malformed sequences: decode byte by byte and keep what is valid UTF-8.
    const bytes: number[] = [];
    for (let i = 0; i < run.length; i++) {
      if (run[i] === '%' && i + 2 < run.length && /^[0-9A-Fa-f]{2}$/.test(run.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(run.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.push(run.charCodeAt(i) & 0xff);
      }
    }
    return utf8.decode(Uint8Array.from(bytes));
  }
  return decoded === run ? undefined : decoded;
}

/** Whether `text` reads like rot13'd English: two common rot13'd words, or the word "rot13". */
function rot13Hinted(text: string): boolean {
  // The hint regex is slow on two-byte text; run it only when one of the commonest rot13'd words is there
  // (one native scan for all of them: seven separate searches cost about half as much again).
  if (!ROT13_PREFILTER.test(text)) return false;
  // Two hint words are enough: stop counting there.
  ROT13_HINT.lastIndex = 0;
  return (ROT13_HINT.exec(text) !== null && ROT13_HINT.exec(text) !== null) || ROT13_NAMED.test(text);
}

/** Rotates ASCII letters by 13; everything else is kept. */
export function rot13(text: string): string {
  if (typeof text !== 'string') throw new ArgumentError({ message: 'rot13(text): text must be a string.' });
  return text.replace(/[A-Za-z]/g, (char) => {
    const code = char.charCodeAt(0);
    const base = code >= 0x61 ? 0x61 : 0x41;
    return String.fromCharCode(((code - base + 13) % 26) + base);
  });
}

interface Budget {
  encoded: number;
  count: number;
}

function collect(
  text: string,
  map: (start: number, end: number) => Span,
  depth: number,
  budget: Budget,
  out: DecodedPayload[],
): void {
  // Candidates are gathered first and decoded after, so the recursion never shares a regex's lastIndex.
  const found: [PayloadKind, number, number, () => string | undefined][] = [];
  const spend = (length: number): boolean => {
    budget.encoded += length;
    return budget.encoded <= MAX_ENCODED_CHARS;
  };
  for (const run of findRuns(text, MAX_PAYLOADS * 4)) {
    // A run this long is a file (an image, an archive), not a message: not decoded.
    if (run.end - run.start > MAX_RUN_DECODED) continue;
    const encoded = text.slice(run.start, run.end);
    if (!spend(encoded.length)) break;
    if (run.kind === 'hex-spaced') {
      found.push(['hex', run.start, run.end, () => decodeHex(encoded.replace(/[ :]/g, ''))]);
      continue;
    }
    const hex = HEX_ONLY.test(encoded);
    found.push([hex ? 'hex' : 'base64', run.start, run.end, () => (hex ? decodeHex(encoded) : decodeBase64(encoded))]);
  }
  if (text.includes('\\x')) {
    for (const match of text.matchAll(HEX_ESCAPED)) {
      if (!spend(match[0].length)) break;
      found.push(['hex', match.index, match.index + match[0].length, () => decodeHex(match[0].replace(/\\x/g, ''))]);
    }
  }
  if (text.includes('%')) {
    for (const match of text.matchAll(URL_RUN)) {
      if (!spend(match[0].length)) break;
      found.push(['url', match.index, match.index + match[0].length, () => decodeUrl(match[0])]);
    }
  }
  for (const [kind, start, end, decode] of found) {
    if (budget.count >= MAX_PAYLOADS) return;
    const decoded = decode();
    if (decoded === undefined) continue;
    budget.count++;
    const span = map(start, end);
    out.push({ kind, span, text: decoded, depth });
    if (depth < MAX_DEPTH) collect(decoded, () => span, depth + 1, budget, out);
  }
}

/**
 * Finds byte-encoded payloads (base64, hex, URL-encoding) in `text` and decodes them. `map` turns a span
 * of `text` into a span of the original text. Bounded: at most 64 payloads, 1 Mi encoded characters,
 * nesting depth 2. Rot13 is separate (`rot13Payload`): it reads words, not bytes.
 */
export function decodePayloads(text: string, map: (start: number, end: number) => Span): DecodedPayload[] {
  const out: DecodedPayload[] = [];
  collect(text, map, 1, { encoded: 0, count: 0 }, out);
  return out;
}

/**
 * The rot13 reading of the whole of `text`, when common rot13'd words (or the word "rot13") suggest it is
 * one; texts over the 1 Mi-character decoding budget are not read.
 */
export function rot13Payload(text: string, map: (start: number, end: number) => Span): DecodedPayload | undefined {
  if (text.length > MAX_ENCODED_CHARS || !rot13Hinted(text)) return undefined;
  return { kind: 'rot13', span: map(0, text.length), text: rot13(text), depth: 1 };
}
