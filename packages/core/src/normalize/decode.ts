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

/**
 * One pass over the text, finding runs of the base64 alphabet at least 16 long (with up to two '='
 * after them) and sequences of at least six two-digit hex groups separated by a space or a colon.
 * A table lookup per character: linear, and fast on two-byte strings where regexes are not.
 */
function findRuns(text: string, limit: number): Run[] {
  const runs: Run[] = [];
  const length = text.length;
  let runStart = -1;
  let hexRun = true;
  let groupStart = -1;
  let groupEnd = -1;
  let groups = 0;
  const closeGroups = (): void => {
    if (groups >= MIN_HEX_GROUPS) runs.push({ kind: 'hex-spaced', start: groupStart, end: groupEnd });
    groups = 0;
  };
  for (let i = 0; i <= length && runs.length < limit; i++) {
    const code = i < length ? text.charCodeAt(i) : 0;
    const kind = code < 128 ? ALPHABET[code]! : 0;
    if (kind !== 0) {
      if (runStart < 0) {
        runStart = i;
        hexRun = true;
      }
      if (kind !== 2) hexRun = false;
      continue;
    }
    if (runStart < 0) continue;
    const runLength = i - runStart;
    if (runLength === 2 && hexRun) {
      // A two-digit hex group: does it continue a spaced sequence?
      const separated = groups > 0 && runStart === groupEnd + 1;
      if (!separated) {
        closeGroups();
        groupStart = runStart;
      }
      groups++;
      groupEnd = i;
      if (code !== 0x20 && code !== 0x3a) closeGroups();
    } else {
      closeGroups();
      if (runLength >= MIN_RUN) {
        let end = i;
        if (code === 0x3d) end = i + 1 < length && text.charCodeAt(i + 1) === 0x3d ? i + 2 : i + 1;
        runs.push({ kind: 'base64', start: runStart, end });
      }
    }
    runStart = -1;
  }
  closeGroups();
  return runs;
}
const HEX_ESCAPED = /(?:\\x[0-9A-Fa-f]{2}){4,}/g;
// Starts at a '%', so text without percent signs costs nothing beyond the includes() check.
const URL_RUN = /(?:%[0-9A-Fa-f]{2}[^\s%]{0,64}){3,}/g;
const ROT13_HINT =
  /\b(?:gur|naq|lbh|vtaber|vafgehpgvbaf|cerivbhf|flfgrz|cebzcg|nyy|sbetrg|erirny|cnffjbeq|cbyvpl|ehyrf)\b/gi;
const ROT13_NAMED = /\brot[- ]?13\b/i;

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

/** Rotates ASCII letters by 13; everything else is kept. */
export function rot13(text: string): string {
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
  // The hint regex is slow on two-byte text; run it only when one of the commonest rot13'd words is there.
  if (
    depth === 1 &&
    (text.includes('gur') ||
      text.includes('naq') ||
      text.includes('lbh') ||
      text.includes('nyy') ||
      text.includes('vtaber') ||
      text.includes('cebzcg') ||
      /rot/i.test(text))
  ) {
    // Two hint words are enough: stop counting there.
    ROT13_HINT.lastIndex = 0;
    const hinted = ROT13_HINT.exec(text) !== null && ROT13_HINT.exec(text) !== null;
    if ((hinted || ROT13_NAMED.test(text)) && spend(text.length)) {
      found.push(['rot13', 0, text.length, () => rot13(text)]);
    }
  }
  for (const [kind, start, end, decode] of found) {
    if (budget.count >= MAX_PAYLOADS) return;
    const decoded = decode();
    if (decoded === undefined) continue;
    budget.count++;
    const span = map(start, end);
    out.push({ kind, span, text: decoded, depth });
    if (depth < MAX_DEPTH && kind !== 'rot13') collect(decoded, () => span, depth + 1, budget, out);
  }
}

/**
 * Finds encoded payloads in `text` and decodes them. `map` turns a span of `text` into a span of the
 * original text. Bounded: at most 64 payloads, 1 Mi encoded characters, nesting depth 2.
 */
export function decodePayloads(text: string, map: (start: number, end: number) => Span): DecodedPayload[] {
  const out: DecodedPayload[] = [];
  collect(text, map, 1, { encoded: 0, count: 0 }, out);
  return out;
}
