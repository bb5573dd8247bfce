import { entropy } from '../../checksums.js';
import type { Recognizer, StartClass } from '../../recognizer.js';

/**
 * A value may not start inside a longer token: no letter, digit or token joiner just before it. A value right
 * after an escaped newline in a JSON or code string (`"…\nghp_…"`) still counts as a fresh start.
 */
export const BEFORE = String.raw`(?:(?<![A-Za-z0-9_+/-])|(?<=\\[nrt]))`;
/** Same, for formats that start after a dash or dot only when something else ends there (`.ico-…`, `vipul-…`). */
export const BEFORE_STRICT = String.raw`(?:(?<![A-Za-z0-9_+/.-])|(?<=\\[nrt]))`;

/** The value may not end inside a longer token made of `chars` (a regex character-class body). */
export function after(chars = 'A-Za-z0-9_'): string {
  return `(?![${chars}])`;
}

const MASK = /x{4,}|X{4,}|\*{3,}|#{3,}|•{3,}|\.{3,}|…|<[^>]{0,40}>|\$\{|\{\{/;
const MASK_WORDS = /your|here|placeholder|redacted|changeme|insert|replace/i;

/**
 * True when a token body is a mask or a template rather than a secret: runs of x / * / # / dots, `<…>`,
 * `${…}`, "your…here", a single character repeated, or almost no distinct characters.
 */
export function isMasked(body: string, allowRuns = false): boolean {
  if (MASK.test(body) || MASK_WORDS.test(body)) return true;
  if (!allowRuns && /(.)\1{7,}/.test(body)) return true;
  return body.length >= 10 && fewDistinct(body, 3);
}

/**
 * Whether the value holds at most `limit` distinct characters (code points). Stops at the first one over:
 * a random token shows its fourth distinct character within a few places, so no set is built.
 */
function fewDistinct(value: string, limit: number): boolean {
  const seen: string[] = [];
  for (const char of value) {
    if (seen.includes(char)) continue;
    if (seen.length === limit) return false;
    seen.push(char);
  }
  return true;
}

/** True when the value holds an ascending run of `length` letters or digits (`12345`, `abcdef`). */
export function hasSequence(value: string, length = 5): boolean {
  const lower = value.toLowerCase();
  let run = 1;
  for (let i = 1; i < lower.length; i++) {
    const previous = lower.charCodeAt(i - 1);
    const code = lower.charCodeAt(i);
    const alnum = (code >= 48 && code <= 57) || (code >= 97 && code <= 122);
    run = alnum && code === previous + 1 ? run + 1 : 1;
    if (run >= length) return true;
  }
  return false;
}

/** True when some 4-character piece occurs three times or more (`1234-1234-1234`, `abcdabcdabcd`). */
export function hasRepeats(value: string): boolean {
  // A piece of four ASCII characters is keyed by one number (7 bits each); any other piece by its string.
  // Numbers and strings are different keys in a map, so the two never collide.
  const counts = new Map<number | string, number>();
  for (let i = 0; i + 4 <= value.length; i++) {
    const a = value.charCodeAt(i);
    const b = value.charCodeAt(i + 1);
    const c = value.charCodeAt(i + 2);
    const d = value.charCodeAt(i + 3);
    const piece = (a | b | c | d) < 128 ? (a << 21) | (b << 14) | (c << 7) | d : value.slice(i, i + 4);
    const count = (counts.get(piece) ?? 0) + 1;
    if (count >= 3) return true;
    counts.set(piece, count);
  }
  return false;
}

/** How many of lower-case letters, upper-case letters, digits and other symbols the value uses. */
export function charClasses(value: string): number {
  let classes = 0;
  if (/[a-z]/.test(value)) classes++;
  if (/[A-Z]/.test(value)) classes++;
  if (/[0-9]/.test(value)) classes++;
  if (/[^A-Za-z0-9_.\-\s]/.test(value)) classes++;
  return classes;
}

const PLACEHOLDER_WORDS =
  /example|sample|dummy|fake|placeholder|changeme|change_me|changeit|redacted|your|insert|replace|todo|foobar|lorem|password|passwd|secret|token|api_?key|test|xxx|\*\*\*|\.\.\.|…/i;

/**
 * True when a value written after a key is a template, a reference or an obvious stand-in rather than a
 * secret: `${VAR}`, `{{ var }}`, `<your-token>`, `%s`, `$(cmd)`, `process.env.X`, `changeme`, `xxxx`,
 * a value naming itself (`password`, `token`), ascending or repeated runs (`12345678`, `1234-1234-1234`).
 */
export function isPlaceholder(value: string): boolean {
  if (/^[$%<{[@#(]|^\\?[`]|\$\{|\{\{|\}\}|<%|%>|\$\(/.test(value)) return true;
  if (PLACEHOLDER_WORDS.test(value)) return true;
  if (isMasked(value)) return true;
  return hasSequence(value) || hasRepeats(value);
}

/** A version-1 (time-based) UUID: an identifier with a clock and a MAC address in it, not a random secret. */
export function isTimeUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * True when the value is made of words: camelCase or PascalCase pieces, numbers and separators, with at
 * least two words of three lower-case letters or more (`OAuth2Client`, `grant-type:jwt-bearer`,
 * `SharedIniFileCredentials`), as in type annotations and URNs. Random keys leave single letters between
 * digits and capitals. Human passwords are often words, so this applies to keys and tokens only.
 */
export function isWordLike(value: string): boolean {
  const pieces = value.match(/[A-Z]?[a-z]{2,}|[A-Z]+(?![a-z])|[0-9]+|[-_.:/+~]/g) ?? [];
  if (pieces.join('').length !== value.length) return false;
  return pieces.filter((piece) => /[a-z]{3}/.test(piece)).length >= 2;
}

/**
 * Whether a value written after a key (`token = …`, `"password": "…"`) reads like a secret: long enough,
 * not a placeholder, not an identifier, path, URL, version or number, several kinds of characters and
 * enough Shannon entropy for its length.
 */
export function looksLikeSecret(
  value: string,
  minLength: number,
  maxEntropyNeeded: number,
  machineMade = false,
): boolean {
  if (value.length < minLength || value.length > 512) return false;
  if (isPlaceholder(value)) return false;
  // Letters and joiners only: an identifier, a word or a constant name (`insert_key_here`, `K8S_CRED` aside).
  if (/^[A-Za-z_.-]+$/.test(value)) return false;
  // Numbers, dates, times, phone numbers, ports.
  if (/^[\d\s.,:_/+-]+$/.test(value)) return false;
  // Dotted identifiers and member accesses (`XSalsa20.key_length`, `process.env.TOKEN`, `options?.auth`).
  if (/^[!~-]*[A-Za-z_$#][\w$]*(?:(?:\?\.|!\.|\.)[A-Za-z_$#][\w$]*)+$/.test(value)) return false;
  if (machineMade && isWordLike(value)) return false;
  // Versions, paths, URLs, file names.
  if (/\d+\.\d+\.\d+/.test(value) || /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value) || /:\/\//.test(value)) return false;
  if (/\.(?:pem|key|crt|cer|p12|pfx|jks|json|ya?ml|txt|env|keytab|keystore)$/i.test(value)) return false;
  if (isTimeUuid(value)) return false;
  if (charClasses(value) < 2) return false;
  return entropy(value) >= Math.min(maxEntropyNeeded, 0.7 * Math.log2(value.length));
}

export interface TokenSpec {
  readonly id: string;
  readonly provider: string;
  /** Regex source of the whole value; boundaries are added unless `before` / `after` say otherwise. */
  readonly source: string;
  readonly starts: readonly StartClass[];
  readonly score: number;
  readonly flags?: string;
  readonly before?: string;
  /** Character-class body of what may not follow the value (default letters, digits, `_`). */
  readonly afterChars?: string;
  /** A whole lookahead for the end of the value, instead of `afterChars`. */
  readonly afterSource?: string;
  /** Characters of the value to skip (the fixed prefix) before the mask and entropy checks. */
  readonly skip?: number;
  /** Minimum Shannon entropy (bits per character) of the value after `skip`. */
  readonly minEntropy?: number;
  /** Allow long runs of one character (formats with fixed padding such as Dropbox's `AAAAAAAAAA`). */
  readonly allowRuns?: boolean;
  /** Skip the mask check altogether (formats whose prefix alone is unambiguous). */
  readonly noMaskCheck?: boolean;
  /** Further structural check of the whole value. */
  readonly check?: (value: string) => boolean;
  readonly group?: number;
  /** Token characters the value always holds; default: those of its literal prefix. */
  readonly needs?: string;
  readonly context?: readonly string[];
  readonly contextRequired?: boolean;
  readonly literals?: readonly string[];
  readonly testValues?: readonly string[];
}

const NEEDABLE = '@:./=-_';

/**
 * The token characters (`@:./=-_`) of the literal text a pattern starts with (`ghp_`, `xoxb-`, `dp\\.pt\\.`):
 * the engine tries the recognizer only in tokens that hold them.
 */
export function literalNeeds(source: string): string {
  let needs = '';
  for (let i = 0; i < source.length; i++) {
    let char = source[i]!;
    if (char === '\\') {
      char = source[i + 1] ?? '';
      if (!/[.\-/:@=_]/.test(char)) break;
      i++;
    } else if (!/[A-Za-z0-9_:/@=~-]/.test(char)) {
      break;
    }
    const next = source[i + 1];
    if (next === '?' || next === '*' || (next === '{' && source[i + 2] === '0')) break;
    if (NEEDABLE.includes(char) && !needs.includes(char)) needs += char;
  }
  return needs;
}

/** Builds a recognizer for a token with a recognizable shape: boundaries, mask and entropy checks. */
export function token(spec: TokenSpec): Recognizer {
  const before = spec.before ?? BEFORE;
  const source = `${before}${spec.source}${spec.afterSource ?? after(spec.afterChars)}`;
  const skip = spec.skip ?? 0;
  const minEntropy = spec.minEntropy ?? 0;
  const validate = (value: string): boolean => {
    const body = value.slice(skip);
    if (spec.noMaskCheck !== true && isMasked(body, spec.allowRuns)) return false;
    if (minEntropy > 0 && entropy(body) < minEntropy) return false;
    return spec.check === undefined || spec.check(value);
  };
  const needs = spec.needs ?? literalNeeds(spec.source);
  return {
    id: spec.id,
    entity: 'SECRET',
    kind: 'secret',
    provider: spec.provider,
    pattern: new RegExp(source, spec.flags ?? ''),
    ...(needs === '' ? {} : { needs }),
    starts: spec.starts,
    score: spec.score,
    validate,
    ...(spec.group === undefined ? {} : { group: spec.group }),
    ...(spec.context === undefined ? {} : { context: spec.context }),
    ...(spec.contextRequired === undefined ? {} : { contextRequired: spec.contextRequired }),
    ...(spec.literals === undefined ? {} : { literals: spec.literals }),
    ...(spec.testValues === undefined ? {} : { testValues: spec.testValues }),
  };
}

/**
 * A value whose format alone says little (32 hex characters, a UUID, 40 letters and digits): reported only
 * when a provider word is near, as its own token.
 */
export function contextual(
  spec: Omit<TokenSpec, 'contextRequired'> & { readonly context: readonly string[] },
): Recognizer {
  return token({ ...spec, contextRequired: true });
}

export const HEX = 'a-fA-F0-9';
export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
export const LETTERS: readonly StartClass[] = ['upper', 'lower'];
export const ALNUM: readonly StartClass[] = ['upper', 'lower', 'digit'];
export const LOWER: readonly StartClass[] = ['lower'];
export const UPPER: readonly StartClass[] = ['upper'];
export const DIGIT: readonly StartClass[] = ['digit'];
/** Any character a bare token can begin with: for context-only formats with no fixed prefix. */
export const ANY_TOKEN: readonly StartClass[] = ['upper', 'lower', 'digit', 'other', 'dash'];

/** The usual check of a prefix-less key: letters of both cases and digits (or symbols) mixed. */
export function mixedClasses(value: string): boolean {
  return charClasses(value) >= 3;
}

/** Decodes base64 or base64url text to bytes, or undefined when it is not. */
export function decodeBase64(text: string): Buffer | undefined {
  const clean = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(clean) || clean.length % 4 === 1) return undefined;
  return Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Parses a base64url JSON object, or undefined. */
export function decodeJsonObject(text: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64(text);
  if (bytes === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
