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

// Runs of the base64 alphabet (standard or URL-safe), starting where a run starts so a long run is tried once.
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_ONLY = /^[0-9A-Fa-f]+$/;
const HEX_ESCAPED = /(?:\\x[0-9A-Fa-f]{2}){4,}/g;
const HEX_SPACED = /(?<![0-9A-Fa-f])[0-9A-Fa-f]{2}(?:[ :][0-9A-Fa-f]{2}){5,}(?![0-9A-Fa-f])/g;
// Starts at a '%', so text without percent signs costs nothing beyond the includes() check.
const URL_RUN = /(?:%[0-9A-Fa-f]{2}[^\s%]{0,64}){3,}/g;
const ROT13_HINT =
  /\b(?:gur|naq|lbh|vtaber|vafgehpgvbaf|cerivbhf|flfgrz|cebzcg|nyy|sbetrg|erirny|cnffjbeq|cbyvpl|ehyrf)\b/gi;
const ROT13_NAMED = /\brot[- ]?13\b/i;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decoded bytes are kept only when they read as text: valid UTF-8, mostly printable, with letters. */
function asText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 6) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  let printable = 0;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return undefined;
    if ((code >= 0x20 && code !== 0x7f) || code === 0x09 || code === 0x0a || code === 0x0d) printable++;
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code >= 0xc0) letters++;
  }
  if (printable / text.length < 0.9 || letters < 3) return undefined;
  return text;
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
    return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
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
  for (const match of text.matchAll(BASE64_RUN)) {
    const run = match[0];
    if (!spend(run.length)) break;
    const hex = HEX_ONLY.test(run);
    found.push([hex ? 'hex' : 'base64', match.index, match.index + run.length, () => (hex ? decodeHex(run) : decodeBase64(run))]);
  }
  if (text.includes('\\x')) {
    for (const match of text.matchAll(HEX_ESCAPED)) {
      if (!spend(match[0].length)) break;
      found.push(['hex', match.index, match.index + match[0].length, () => decodeHex(match[0].replace(/\\x/g, ''))]);
    }
  }
  for (const match of text.matchAll(HEX_SPACED)) {
    if (!spend(match[0].length)) break;
    found.push(['hex', match.index, match.index + match[0].length, () => decodeHex(match[0].replace(/[ :]/g, ''))]);
  }
  if (text.includes('%')) {
    for (const match of text.matchAll(URL_RUN)) {
      if (!spend(match[0].length)) break;
      found.push(['url', match.index, match.index + match[0].length, () => decodeUrl(match[0])]);
    }
  }
  if (depth === 1) {
    const hints = text.match(ROT13_HINT);
    if (((hints !== null && hints.length >= 2) || ROT13_NAMED.test(text)) && spend(text.length)) {
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
