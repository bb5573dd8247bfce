import { hash } from 'node:crypto';

/**
 * Values an attacker would plant in a tool's output to steer a later call: e-mail addresses, URLs and
 * host names, long digit runs (account, card, phone numbers), IBAN-like tokens. Each regex is a run of
 * one character class or a fixed sequence of such runs, so matching is linear in the text.
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;
const URL_LIKE = /\bhttps?:\/\/[^\s"'<>()[\]{}]{1,2000}/gi;
const DIGITS = /\d[\d -]{4,40}\d/g;
const IBAN_LIKE = /\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b/g;

// Opaque tokens (passwords, API keys, ids): a run of token characters, anchored at the start of the run.
const OPAQUE = /(?<![\w\-+/=.])[\w\-+/=.]{12,200}(?![\w\-+/=.])/g;
const HAS_DIGIT = /\d/;
const JOINED = /[-_]/;
const BARE_HOST = /(?<![a-z0-9-])[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}(?![a-z0-9-])/g;

/** Most values recorded per tool output, so a huge page cannot flood the store. */
export const MAX_TRACKED_VALUES = 200;

function canonicalDigits(value: string): string | undefined {
  const digits = value.replace(/[ -]/g, '');
  return digits.length >= 6 ? digits : undefined;
}

function canonicalUrl(value: string): string[] {
  const trimmed = value.replace(/[.,;:!?]+$/, '');
  try {
    const url = new URL(trimmed);
    const host = url.hostname.toLowerCase();
    const path = url.pathname.replace(/\/+$/, '');
    return [`url:${host}${path}`, `host:${host}`];
  } catch {
    return [];
  }
}

/** The traceable values in a text, canonicalized (lower-case addresses, digits without separators). */
export function traceableValues(text: string, limit = MAX_TRACKED_VALUES): string[] {
  const out = new Set<string>();
  const add = (value: string | undefined): void => {
    if (value !== undefined && out.size < limit) out.add(value);
  };
  // Each pattern runs only when its cheap marker is present (most outputs carry no address or URL).
  if (text.includes('@')) for (const match of text.matchAll(EMAIL)) add(`email:${match[0].toLowerCase()}`);
  for (const match of text.matchAll(URL_LIKE)) for (const value of canonicalUrl(match[0])) add(value);
  for (const match of text.matchAll(IBAN_LIKE)) add(`code:${match[0]}`);
  for (const match of text.matchAll(DIGITS)) {
    const digits = canonicalDigits(match[0]);
    if (digits !== undefined) add(`num:${digits}`);
  }
  // A secret is rarely a word: 12+ characters with a digit, or 20+ joined by - or _ ("correct-horse-…").
  for (const match of text.matchAll(OPAQUE)) {
    const token = match[0].replace(/[.=]+$/, '');
    if ((token.length >= 12 && HAS_DIGIT.test(token)) || (token.length >= 20 && JOINED.test(token)))
      add(`tok:${token}`);
  }
  return [...out];
}

/** What an argument value could carry from an earlier output: the value itself and the values inside it. */
export function argumentValues(value: string): string[] {
  const values = traceableValues(value, 50);
  const digits = canonicalDigits(value.trim());
  if (digits !== undefined && /^[\d -]+$/.test(value.trim())) values.push(`num:${digits}`);
  // Bare host names in free text ("see evil.example"): only ever compared with hosts of tainting URLs.
  for (const match of value.toLowerCase().matchAll(BARE_HOST)) {
    if (match.index > 0 && value[match.index - 1] === '@') continue;
    values.push(`host:${match[0]}`);
  }
  return values;
}

/** A short, non-reversible key for a tracked value (the store never holds the value itself). */
export function valueDigest(value: string): string {
  return hash('sha256', value, 'base64url').slice(0, 22);
}

/** String leaves of a JSON-like value, with their dotted paths; bounded in count and depth. */
export function stringLeaves(value: unknown, limit = 1_000): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  const walk = (node: unknown, path: string, depth: number): void => {
    if (out.length >= limit || depth > 32) return;
    if (typeof node === 'string') out.push({ path, value: node });
    else if (typeof node === 'number' || typeof node === 'bigint') out.push({ path, value: String(node) });
    else if (Array.isArray(node))
      for (let index = 0; index < node.length; index++) {
        walk(node[index], path === '' ? String(index) : `${path}.${index}`, depth + 1);
      }
    else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) walk(item, path === '' ? key : `${path}.${key}`, depth + 1);
    }
  };
  walk(value, '', 0);
  return out;
}
