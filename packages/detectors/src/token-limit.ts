import {
  ACTIONS,
  type Action,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

export const TOKEN_ENCODINGS = ['cl100k_base', 'o200k_base'] as const;
export type TokenEncoding = (typeof TOKEN_ENCODINGS)[number];

const TOKEN_LIMIT_STAGES = ['input', 'tool_input', 'tool_output', 'output'] as const satisfies readonly Stage[];
const RULE_ACTIONS = ACTIONS.filter((action) => action !== 'allow' && action !== 'redact') as [Action, ...Action[]];

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "token-limit"')
      .default('token-limit'),
    stages: z
      .array(z.enum(TOKEN_LIMIT_STAGES, { error: () => `must be one of ${TOKEN_LIMIT_STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default([...TOKEN_LIMIT_STAGES]),
    /** Most tokens a text may have. */
    max: z
      .number({ error: () => 'must be a number of tokens, e.g. max: 4000' })
      .int('must be a whole number of tokens')
      .positive('must be at least 1')
      .max(100_000_000, 'must be at most 100000000')
      .optional(),
    encoding: z
      .enum(TOKEN_ENCODINGS, {
        error: () =>
          'must be "o200k_base" (GPT-4o, GPT-4.1, GPT-5, o-series) or "cl100k_base" (GPT-4, GPT-3.5, text-embedding-3)',
      })
      .default('o200k_base'),
    /** A spending cap per text: tokens above maxUsd at this price are over the budget. */
    maxCost: z
      .object({
        usdPerMillionTokens: z
          .number({ error: () => 'must be a number, e.g. 2.5 for $2.50 per million input tokens' })
          .positive('must be more than 0'),
        maxUsd: z.number({ error: () => 'must be a number of US dollars, e.g. 0.05' }).positive('must be more than 0'),
      })
      .strict()
      .optional(),
    /** What the recommended rule does with a text over the limit. */
    action: z.enum(RULE_ACTIONS, { error: () => `must be one of ${RULE_ACTIONS.join(', ')}` }).default('block'),
  })
  .strict()
  .refine((value) => value.max !== undefined || value.maxCost !== undefined, {
    message: 'give max (a number of tokens, e.g. max: 4000) or maxCost ({ usdPerMillionTokens, maxUsd })',
    path: ['max'],
  });

export type TokenLimitOptions = z.input<typeof optionsSchema>;

interface Encoder {
  encode_ordinary(text: string): Uint32Array;
}

// One encoder per encoding for the life of the process: building one parses a vocabulary of 100–200 K
// entries (about a quarter of a second), and freeing it per call would repeat that.
const encoders = new Map<TokenEncoding, Encoder>();
const loading = new Map<TokenEncoding, Promise<Encoder>>();

/**
 * Loads tiktoken (WebAssembly) and builds the encoder, once per process. Nothing is loaded at import:
 * only when a text is long enough that its token count matters, or when called here to warm up.
 */
export function loadTokenizer(encoding: TokenEncoding): Promise<void> {
  return Promise.resolve(encoderFor(encoding)).then(() => undefined);
}

/** Whether the encoder for `encoding` is loaded in this process. */
export function tokenizerLoaded(encoding: TokenEncoding): boolean {
  return encoders.has(encoding);
}

function encoderFor(encoding: TokenEncoding): Encoder | Promise<Encoder> {
  const ready = encoders.get(encoding);
  if (ready !== undefined) return ready;
  let pending = loading.get(encoding);
  if (pending === undefined) {
    pending = import('tiktoken').then(
      (module) => {
        const encoder = module.get_encoding(encoding) as Encoder;
        encoders.set(encoding, encoder);
        loading.delete(encoding);
        return encoder;
      },
      (error: unknown) => {
        // Let a later call try again (the failure goes to the detector's fail mode meanwhile).
        loading.delete(encoding);
        throw error;
      },
    );
    loading.set(encoding, pending);
  }
  return pending;
}

/** Characters per chunk handed to tiktoken at most. */
const CHUNK = 4096;
/**
 * Longest stretch without a clean cut point. tiktoken's BPE is quadratic in the length of one
 * pre-tokenized piece (50 K letters without a space take seconds), so longer stretches are cut hard.
 */
const MAX_PIECE = 256;
/** Chunks tokenized between two yields to the event loop on long texts. */
const CHUNKS_PER_SLICE = 64;

const WS = 0;
const DIGIT = 1;
const LETTER = 2;
const OTHER = 3;

function classOf(code: number): number {
  if (code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x3000) return WS;
  if (code >= 0x30 && code <= 0x39) return DIGIT;
  // The apostrophe counts as a letter: o200k keeps contractions ("it's") in the word's piece.
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code >= 0x80 || code === 0x27) return LETTER;
  return OTHER;
}

/**
 * End of the chunk that starts at `start`. Chunks end where tiktoken's pre-tokenizer starts a new piece
 * anyway: where a run of letters or of digits ends (before a space, a symbol, or the other kind). BPE
 * never merges across pieces, so such cuts give exactly the tokens of the whole text. Only a stretch of
 * MAX_PIECE characters with no such point (one long word, a run of one symbol) is cut inside, never
 * between the halves of a surrogate pair.
 */
export function chunkEnd(text: string, start: number): number {
  const length = text.length;
  if (length - start <= MAX_PIECE) return length;
  const limit = Math.min(length, start + CHUNK);
  let lastCut = start;
  let previous = classOf(text.charCodeAt(start));
  for (let i = start + 1; i < limit; i++) {
    const current = classOf(text.charCodeAt(i));
    if (current !== previous && (previous === LETTER || previous === DIGIT)) lastCut = i;
    else if (i - lastCut >= MAX_PIECE) return hardCut(text, i);
    previous = current;
  }
  if (limit === length) return length;
  return lastCut > start ? lastCut : hardCut(text, limit);
}

function hardCut(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xdc00 && code <= 0xdfff ? at - 1 : at;
}

/** Every chunk boundary of a text (for tests and measurements). */
export function tokenChunks(text: string): number[] {
  const ends: number[] = [];
  for (let start = 0; start < text.length; start = ends[ends.length - 1]!) ends.push(chunkEnd(text, start));
  return ends;
}

export interface TokenCount {
  /** Tokens counted; a lower bound when `exact` is false. */
  readonly count: number;
  /** False when counting stopped early, above `stopAbove`. */
  readonly exact: boolean;
}

function countWith(encoder: Encoder, text: string, stopAbove: number, from = 0, total = 0, budget = Infinity) {
  let start = from;
  let count = total;
  let chunks = 0;
  while (start < text.length && count <= stopAbove && chunks < budget) {
    const end = chunkEnd(text, start);
    count += encoder.encode_ordinary(text.slice(start, end)).length;
    start = end;
    chunks++;
  }
  return { count, next: start };
}

async function countAsync(
  encoder: Encoder | Promise<Encoder>,
  text: string,
  stopAbove: number,
  signal?: AbortSignal,
): Promise<TokenCount> {
  const ready = await encoder;
  let state = { count: 0, next: 0 };
  while (state.next < text.length && state.count <= stopAbove) {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    state = countWith(ready, text, stopAbove, state.next, state.count, CHUNKS_PER_SLICE);
    if (state.next < text.length && state.count <= stopAbove) await new Promise((resolve) => setImmediate(resolve));
  }
  return { count: state.count, exact: state.next >= text.length };
}

/**
 * Counts the tokens of `text` in chunks, stopping once the count exceeds `stopAbove`.
 *
 * Chunked counts can differ from a whole-text count only at cuts inside a piece (a stretch of 256
 * characters with no whitespace and no letter/digit boundary, e.g. one symbol or letter repeated): at
 * most a couple of tokens per such cut. On ordinary text, cuts fall between pieces and the count is
 * exactly that of the whole text (measured in token-limit.test.ts).
 */
export function countTokens(
  text: string,
  options: { encoding?: TokenEncoding; stopAbove?: number; signal?: AbortSignal } = {},
): Promise<TokenCount> {
  const encoding = options.encoding ?? 'o200k_base';
  if (!TOKEN_ENCODINGS.includes(encoding)) {
    return Promise.reject(new TypeError(`countTokens: encoding must be one of ${TOKEN_ENCODINGS.join(', ')}.`));
  }
  return countAsync(encoderFor(encoding), text, options.stopAbove ?? Infinity, options.signal);
}

/**
 * A lower bound on the token count that needs no tokenizer: the runs of characters between spaces and
 * tabs. tiktoken's pre-tokenizer (cl100k_base and o200k_base alike) never puts a space or a tab between
 * two non-blank characters of one piece, and every piece encodes to at least one token, so a text with
 * more such runs than the limit is over it. Counting stops as soon as the limit is passed.
 */
export function blankSeparatedRuns(text: string, stopAbove: number): number {
  let runs = 0;
  let inRun = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x20 || code === 0x09) {
      inRun = false;
    } else if (!inRun) {
      inRun = true;
      if (++runs > stopAbove) return runs;
    }
  }
  return runs;
}

/** Texts up to this many UTF-16 units are counted synchronously once the encoder is loaded. */
const SYNC_LIMIT = 256 * 1024;

/**
 * Blocks texts with more tokens than `max` (or than `maxCost` allows), counted with tiktoken's
 * `o200k_base` or `cl100k_base`. The count is of the text as the caller passed it (invisible characters
 * cost tokens too). Cheap on the common path: a text of at most `max` UTF-8 bytes cannot have more than
 * `max` tokens and is never tokenized; longer texts are counted in chunks, stopping as soon as the limit
 * is passed. tiktoken is loaded on first need, once per process.
 *
 * @example
 * createGuard({ input: [tokenLimit({ max: 8000, encoding: 'o200k_base' })] });
 */
export function tokenLimit(options: TokenLimitOptions): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'tokenLimit() options');
  const costCap =
    config.maxCost === undefined
      ? Infinity
      : Math.floor((config.maxCost.maxUsd * 1_000_000) / config.maxCost.usdPerMillionTokens);
  const limit = Math.min(config.max ?? Infinity, costCap);
  const byCost = costCap < (config.max ?? Infinity);

  const finding = (result: TokenCount, context: DetectContext): readonly FindingInput[] => {
    if (result.count <= limit) return [];
    const amount = result.exact ? `${result.count} tokens` : `more than ${limit} tokens`;
    const data: Record<string, unknown> = {
      count: result.count,
      exact: result.exact,
      max: limit,
      encoding: config.encoding,
    };
    let message = `${context.stage.replace('_', ' ')} has ${amount} (limit ${limit}, ${config.encoding})`;
    if (config.maxCost !== undefined) {
      const usd = (result.count * config.maxCost.usdPerMillionTokens) / 1_000_000;
      data.estimatedUsd = Number(usd.toFixed(6));
      data.maxUsd = config.maxCost.maxUsd;
      if (byCost) {
        message = `${context.stage.replace('_', ' ')} costs ${result.exact ? '' : 'more than '}$${usd.toFixed(4)} at $${config.maxCost.usdPerMillionTokens} per million tokens (budget $${config.maxCost.maxUsd}, ${amount})`;
      }
    }
    return [{ category: byCost ? 'cost-budget' : 'token-limit', score: 1, severity: 'high', message, data }];
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [{ minScore: 0.5, action: config.action }],
    detect(text, context) {
      // A token is at least one UTF-8 byte, and a UTF-16 unit at most three bytes.
      if (text.length * 3 <= limit || Buffer.byteLength(text, 'utf8') <= limit) return [];
      // Many words: over the limit for sure, without tokenizing (tiktoken runs at a few MB/s).
      const runs = blankSeparatedRuns(text, limit);
      if (runs > limit) return finding({ count: runs, exact: false }, context);
      const encoder = encoderFor(config.encoding);
      if (!(encoder instanceof Promise) && text.length <= SYNC_LIMIT) {
        const { count, next } = countWith(encoder, text, limit);
        return finding({ count, exact: next >= text.length }, context);
      }
      return countAsync(encoder, text, limit, context.signal).then((result) => finding(result, context));
    },
  };
}

export const tokenLimitEntry: DetectorFactory = {
  id: 'token-limit',
  stages: ['input', 'tool_input', 'tool_output', 'output'],
  description:
    'Texts over a token limit (tiktoken o200k_base / cl100k_base) or a cost budget; options: max, encoding, maxCost, action',
  requiresOptions: true,
  create: (options) => tokenLimit((options ?? {}) as never),
};
