import {
  ConfigError,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  type NormalizedText,
  normalizeText,
  parseConfig,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

/** RFC 4648 base32: letters and 2–7, so no 0/O or 1/I confusion when a model copies it. */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Alphanumeric characters a configured token must keep after folding, so a chance match is impossible. */
const MIN_KEY_LENGTH = 12;

/** Where a canary keeps the folded form it is matched on. Not enumerable, not part of the public type. */
const KEY = Symbol('parapet.canary.key');
const PREFIX = Symbol('parapet.canary.prefix');

/** A random marker to put in a system prompt: if it shows up in an answer, the prompt leaked. */
export interface Canary {
  /** The token to put into the system prompt, e.g. `PRPT-K7Q2M4ZTB3XW6D5RJ2NA`. */
  readonly token: string;
  /** A name for reports (`data.label` of findings); never the token. */
  readonly label?: string;
  /** True when the text contains the token, even reformatted (case, spaces, hyphens, zero-width, line breaks, base64/hex). */
  detect(text: string): boolean;
  /** A ready `canary` detector for this one token (the same as `canaryLeak({ canaries: [this] })`). */
  readonly detector: Detector;
  readonly [KEY]: string;
  readonly [PREFIX]?: string;
}

const prefixSchema = z
  .string({ error: () => 'must be a string' })
  .max(40, 'must be at most 40 characters')
  .regex(/^[A-Za-z0-9_:.-]*$/, 'may hold only letters, digits and _ : . - (the token must survive copy-paste)');

const canaryOptionsSchema = z
  .object({
    /** Put before the random part (default `PRPT-`). Detection does not need it: the random part alone is matched. */
    prefix: prefixSchema.default('PRPT-'),
    /** Random base32 characters (5 bits each; default 20 = 100 bits). */
    length: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(16, 'must be at least 16 (80 bits), or the token could be guessed')
      .max(64, 'must be at most 64')
      .default(20),
    /** Lay the token out yourself; must return a string containing the random part, e.g. (r) => `<!-- ref ${r} -->`. */
    format: z
      .custom<(random: string) => string>(
        (value) => typeof value === 'function',
        'must be a function (random) => string',
      )
      .optional(),
    /** Use this token instead of a random one (e.g. one stored with the prompt); matched as a whole. */
    token: z
      .string({ error: () => 'must be a string' })
      .max(512, 'must be at most 512 characters')
      .optional(),
    /** A name for reports; never the token. */
    label: z
      .string({ error: () => 'must be a string' })
      .max(100, 'must be at most 100 characters')
      .optional(),
  })
  .strict();

export type CanaryOptions = z.input<typeof canaryOptionsSchema>;

// Per ASCII code unit: the folded character, or 0 when the character is skipped (anything not a letter or digit).
const FOLD = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  if (code >= 0x30 && code <= 0x39) FOLD[code] = code;
  else if (code >= 0x61 && code <= 0x7a) FOLD[code] = code;
  else if (code >= 0x41 && code <= 0x5a) FOLD[code] = code + 32;
}

/** The lower-case ASCII letters and digits of a text; what a canary is matched on. */
export function foldKey(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const folded = code < 128 ? FOLD[code]! : 0;
    if (folded !== 0) out += String.fromCharCode(folded);
  }
  return out;
}

/** A canary key compiled for a one-pass Knuth–Morris–Pratt scan over the folded characters of a text. */
interface Matcher {
  readonly codes: Uint8Array;
  readonly failure: Int32Array;
  readonly prefix: Uint8Array;
  /** Ring buffer of where the last folded characters were (reused: scanning is synchronous). */
  readonly positions: Int32Array;
  /**
   * The key's first characters (up to `QUICK_CHARS`) with anything but ASCII letters and digits allowed
   * between them: a native regex scan that rules out nearly every text before the character loop runs.
   * It matches wherever the key does (the key's opening is such a run), so skipping on no match loses
   * nothing. Linear: each character class is disjoint from the separators around it, and an attempt
   * reads at most `QUICK_CHARS` key characters.
   */
  readonly quick: RegExp;
}

const QUICK_CHARS = 6;

function quickPattern(codes: Uint8Array): RegExp {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(QUICK_CHARS, codes.length); i++) {
    const code = codes[i]!;
    const char = String.fromCharCode(code);
    parts.push(code >= 0x61 && code <= 0x7a ? `[${char}${char.toUpperCase()}]` : char);
  }
  return new RegExp(parts.join('[^A-Za-z0-9]*'));
}

const MATCHERS = new WeakMap<CanaryKey, Matcher>();

function matcherOf(entry: CanaryKey): Matcher {
  let matcher = MATCHERS.get(entry);
  if (matcher !== undefined) return matcher;
  const codes = Uint8Array.from(entry.key, (char) => char.charCodeAt(0));
  const failure = new Int32Array(codes.length);
  for (let i = 1, k = 0; i < codes.length; i++) {
    while (k > 0 && codes[i] !== codes[k]) k = failure[k - 1]!;
    if (codes[i] === codes[k]) k++;
    failure[i] = k;
  }
  const prefix = Uint8Array.from(entry.prefix ?? '', (char) => char.charCodeAt(0));
  const ring = codes.length + prefix.length;
  matcher = { codes, failure, prefix, positions: new Int32Array(ring), quick: quickPattern(codes) };
  MATCHERS.set(entry, matcher);
  return matcher;
}

/**
 * Finds a key in the lower-cased ASCII letters and digits of a text, skipping every other character:
 * spaces, hyphens, line breaks, markdown, zero-width and anything else a model may put between the
 * characters of a token. One pass, no allocation; `onHit` gets the span in `text` (the prefix included when
 * it precedes the key) and returns false to stop.
 */
function scanKey(text: string, matcher: Matcher, onHit: (start: number, end: number) => boolean): void {
  const { codes, failure, prefix, positions } = matcher;
  const length = codes.length;
  const ring = positions.length;
  const head = codes[0]!;
  let state = 0;
  let seen = 0;
  let slot = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) continue;
    const folded = FOLD[code]!;
    if (folded === 0) continue;
    positions[slot] = i;
    slot = slot + 1 === ring ? 0 : slot + 1;
    seen++;
    if (state === 0) {
      if (folded === head) state = 1;
      if (length > 1 || state === 0) continue;
    } else {
      while (state > 0 && codes[state] !== folded) state = failure[state - 1]!;
      if (codes[state] === folded) state++;
      if (state < length) continue;
    }
    state = 0;
    const first = seen - length;
    let from = first;
    if (prefix.length > 0 && first >= prefix.length) {
      let same = true;
      for (let j = 0; j < prefix.length && same; j++) {
        const at = positions[(first - prefix.length + j) % ring]!;
        same = FOLD[text.charCodeAt(at)] === prefix[j];
      }
      if (same) from = first - prefix.length;
    }
    if (!onHit(positions[from % ring]!, i + 1)) return;
  }
}

/** One canary to look for, in the form it is matched on. */
export interface CanaryKey {
  readonly key: string;
  /** The folded prefix before the random part; included in the span when the text has it. */
  readonly prefix?: string;
  readonly label?: string;
}

/** What a match of a canary looks like before it becomes a finding. */
export interface CanaryHit {
  readonly index: number;
  readonly span: { readonly start: number; readonly end: number };
  /** `base64`, `hex`, `url` when the token was found in a decoded payload. */
  readonly encoding?: string;
}

/**
 * Finds canaries in a normalized view: in the text folded to letters and digits, then (when `decode`) in
 * the base64 / hex / URL payloads the core normalizer decoded. Spans are in the original text.
 */
export function findCanaries(
  view: NormalizedText,
  keys: readonly CanaryKey[],
  decode: boolean,
  maxHits = 64,
): CanaryHit[] {
  const hits: CanaryHit[] = [];
  if (keys.length === 0) return hits;
  const text = view.text;
  for (let index = 0; index < keys.length && hits.length < maxHits; index++) {
    const matcher = matcherOf(keys[index]!);
    if (!matcher.quick.test(text)) continue;
    scanKey(text, matcher, (start, end) => {
      hits.push({ index, span: view.toOriginal(start, end) });
      return hits.length < maxHits;
    });
  }
  // Decoded payloads (base64, hex, URL-encoding): the span is the whole encoded run.
  if (decode && hits.length < maxHits) {
    let shortest = Number.POSITIVE_INFINITY;
    for (const entry of keys) shortest = Math.min(shortest, entry.key.length);
    if (text.length >= shortest) {
      for (const payload of view.encodedPayloads) {
        if (payload.kind === 'unicode-tags' || payload.text.length < shortest) continue;
        for (let index = 0; index < keys.length && hits.length < maxHits; index++) {
          const matcher = matcherOf(keys[index]!);
          if (!matcher.quick.test(payload.text)) continue;
          scanKey(payload.text, matcher, () => {
            hits.push({ index, span: payload.span, encoding: payload.kind });
            return false;
          });
        }
      }
    }
  }
  return hits;
}

/** Turns canary hits into findings. Messages and data never hold the token. */
export function canaryFindings(hits: readonly CanaryHit[], keys: readonly CanaryKey[]): FindingInput[] {
  return hits.map((hit) => {
    const label = keys[hit.index]?.label;
    const how = hit.encoding === undefined ? '' : ` (${hit.encoding}-encoded)`;
    return {
      category: 'canary-leak',
      score: 1,
      severity: 'critical',
      message: `canary token${label === undefined ? '' : ` "${label}"`} from the system prompt appears in the text${how}: the system prompt leaked`,
      span: hit.span,
      replacement: '[canary]',
      data: {
        canary: hit.index,
        ...(label === undefined ? {} : { label }),
        ...(hit.encoding === undefined ? {} : { encoding: hit.encoding }),
      },
    };
  });
}

function isCanary(value: unknown): value is Canary {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Canary).token === 'string' &&
    typeof (value as Canary)[KEY] === 'string'
  );
}

/** Folded key of a token given as a string: the whole token, which must keep enough letters and digits. */
function keyOfString(token: string): string | undefined {
  const key = foldKey(token);
  return key.length >= MIN_KEY_LENGTH ? key : undefined;
}

export const canaryListSchema = z
  .array(
    z.union([
      z.custom<Canary>(isCanary, 'must be a canary from canary() or a token string'),
      z.string().refine((value) => keyOfString(value) !== undefined, {
        message: `must be a token with at least ${MIN_KEY_LENGTH} letters or digits (use canary() to make one)`,
      }),
    ]),
    { error: () => 'must be an array of canaries from canary() or token strings' },
  )
  .max(10_000, 'must hold at most 10000 canaries');

/** The matching form of each configured canary. */
export function canaryKeys(canaries: readonly (Canary | string)[]): CanaryKey[] {
  return canaries.map((entry) =>
    typeof entry === 'string'
      ? { key: keyOfString(entry)! }
      : {
          key: entry[KEY],
          ...(entry[PREFIX] ? { prefix: entry[PREFIX] } : {}),
          ...(entry.label === undefined ? {} : { label: entry.label }),
        },
  );
}

const leakOptionsSchema = z
  .object({
    id: z
      .string({ error: () => 'must be a string' })
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "canary"')
      .default('canary'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default(['output']),
    /** Canaries from canary(), or their tokens as strings (e.g. from a JSON policy). */
    canaries: canaryListSchema.default([]),
    /** Also look inside base64 / hex / URL-encoded runs (decoded once per check by the core normalizer). */
    decode: z.boolean({ error: () => 'must be true or false' }).default(true),
    /**
     * Also read per-call canaries from `context.metadata[metadataKey]` (a token string or an array of them),
     * for a canary made per conversation. Set to false to turn off.
     */
    metadataKey: z.union([z.string().min(1), z.literal(false)]).default('canaries'),
  })
  .strict();

export type CanaryLeakOptions = z.input<typeof leakOptionsSchema>;

function metadataKeys(context: DetectContext, name: string | false): CanaryKey[] {
  if (name === false) return [];
  const value = context.metadata?.[name];
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  const keys: CanaryKey[] = [];
  for (const entry of list) {
    if (isCanary(entry)) keys.push(...canaryKeys([entry]));
    else if (typeof entry === 'string') {
      const key = keyOfString(entry);
      if (key !== undefined) keys.push({ key });
    }
  }
  return keys;
}

/**
 * Reports canary tokens in the text: a model that repeats its system prompt repeats the canary in it. The
 * match is on the token's letters and digits only, lower-cased, so it survives case changes, spaces,
 * hyphens, zero-width characters, markdown and line breaks between its characters, and (with `decode`)
 * base64, hex or URL encoding. Category `canary-leak`, score 1, severity critical; recommended action block.
 *
 * @example
 * const c = canary();
 * const systemPrompt = `You are the support bot. ${c.token}`;
 * createGuard({ output: [canaryLeak({ canaries: [c] })] });
 */
export function canaryLeak(options: CanaryLeakOptions): Detector {
  const config = parseConfig(leakOptionsSchema, options ?? {}, 'canaryLeak() options');
  const keys = canaryKeys(config.canaries);
  if (keys.length === 0 && config.metadataKey === false) {
    throw new ConfigError({
      message:
        'Invalid canaryLeak() options:\n  - canaries: give at least one canary (canaryLeak({ canaries: [canary()] })) or keep metadataKey to read them per call',
      issues: [{ path: 'canaries', message: 'give at least one canary' }],
    });
  }
  return {
    id: config.id,
    stages: config.stages,
    rules: [{ category: 'canary-leak', minScore: 0.5, action: 'block' }],
    detect(_text, context) {
      const extra = metadataKeys(context, config.metadataKey);
      const all = extra.length === 0 ? keys : [...keys, ...extra];
      if (all.length === 0) return [];
      return canaryFindings(findCanaries(context.normalized, all, config.decode), all);
    },
  };
}

function randomBase32(length: number): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  // 256 is a multiple of 32, so the low five bits of a random byte are uniform.
  for (const byte of bytes) out += BASE32[byte & 31];
  return out;
}

/**
 * Makes a canary: a random, unguessable token (crypto random, 100 bits by default) to put into the system
 * prompt. Give it to `systemPromptLeak({ canaries: [c] })` or `canaryLeak({ canaries: [c] })`, or use
 * `c.detector` / `c.detect(text)` directly.
 *
 * @example
 * const c = canary();
 * systemPrompt += `\n${c.token}`;
 * createGuard({ output: [systemPromptLeak({ systemPrompt, canaries: [c] })] });
 */
export function canary(options: CanaryOptions = {}): Canary {
  const config = parseConfig(canaryOptionsSchema, options ?? {}, 'canary() options');
  let token: string;
  let key: string;
  let prefix = '';
  if (config.token !== undefined) {
    if (config.format !== undefined) {
      throw new ConfigError({
        message: 'Invalid canary() options:\n  - format: give either token or format, not both',
        issues: [{ path: 'format', message: 'give either token or format, not both' }],
      });
    }
    const folded = keyOfString(config.token);
    if (folded === undefined) {
      throw new ConfigError({
        message: `Invalid canary() options:\n  - token: must hold at least ${MIN_KEY_LENGTH} letters or digits, or omit it to get a random one`,
        issues: [{ path: 'token', message: `must hold at least ${MIN_KEY_LENGTH} letters or digits` }],
      });
    }
    token = config.token;
    key = folded;
  } else {
    const random = randomBase32(config.length);
    key = random.toLowerCase();
    if (config.format !== undefined) {
      const formatted = config.format(random);
      if (typeof formatted !== 'string' || !foldKey(formatted).includes(key)) {
        throw new ConfigError({
          message:
            'Invalid canary() options:\n  - format: must return a string that contains the random part it was given',
          issues: [{ path: 'format', message: 'must return a string containing the random part' }],
        });
      }
      token = formatted;
    } else {
      token = `${config.prefix}${random}`;
      prefix = foldKey(config.prefix);
    }
  }
  const keys: CanaryKey[] = [
    { key, ...(prefix === '' ? {} : { prefix }), ...(config.label === undefined ? {} : { label: config.label }) },
  ];
  let detector: Detector | undefined;
  const result = {
    token,
    ...(config.label === undefined ? {} : { label: config.label }),
    detect(text: string): boolean {
      if (typeof text !== 'string' || text.length === 0) return false;
      return findCanaries(normalizeText(text), keys, true, 1).length > 0;
    },
    get detector(): Detector {
      detector ??= canaryLeak({ canaries: [result as Canary], metadataKey: false });
      return detector;
    },
    toString(): string {
      return token;
    },
  };
  Object.defineProperty(result, KEY, { value: key, enumerable: false });
  if (prefix !== '') Object.defineProperty(result, PREFIX, { value: prefix, enumerable: false });
  return result as unknown as Canary;
}

export const canaryEntry: DetectorFactory = {
  id: 'canary',
  stages: ['output', 'tool_output'],
  description:
    'Canary tokens from the system prompt showing up in the output (survives case, spacing, zero-width, base64/hex); options: canaries (token strings)',
  requiresOptions: true,
  create: (options) => canaryLeak((options ?? {}) as never),
};
