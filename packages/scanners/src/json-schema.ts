import {
  ConfigError,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

/** The part of the Standard Schema interface (zod 4, valibot, arktype, …) this scanner uses. */
export interface StandardSchemaLike<Output = unknown> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  };
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

/** One problem with the model's output, as the `reask` hook receives it. */
export interface JsonIssue {
  /** `invalid-json`: not parseable; `schema-mismatch`: parseable but not what the schema wants. */
  readonly kind: 'invalid-json' | 'schema-mismatch';
  /** Where, e.g. `items[2].price`; `(root)` for the whole value. */
  readonly path: string;
  /** The schema library's message (zod's messages do not echo the value; custom ones might). */
  readonly message: string;
}

/** What the `reask` hook gets next to the issues. */
export interface ReaskContext {
  /** The output that failed. */
  readonly output: string;
  /** Aborted when the check stops waiting (the detector's timeout included): pass it to your model call. */
  readonly signal: AbortSignal;
}

export type Reask = (issues: readonly JsonIssue[], context: ReaskContext) => Promise<string> | string;

const optionsSchema = z
  .object({
    id: z
      .string({ error: () => 'must be a string' })
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "json-schema"')
      .default('json-schema'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default(['output']),
    /** Fix common breakage (code fences, prose around the JSON, trailing commas, quotes, comments, truncation) before validating. */
    repair: z.boolean({ error: () => 'must be true or false' }).default(false),
    /** Asked once for a new output when the output is invalid; its latency counts against the detector's timeout. */
    reask: z
      .custom<Reask>(
        (value) => typeof value === 'function',
        'must be a function (issues, context) => string | Promise<string>',
      )
      .optional(),
    /** Deeper nesting is reported as invalid (bounds the work of the schema library, which recurses). */
    maxDepth: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10_000, 'must be at most 10000')
      .default(256),
    /** Issues listed in a finding at most. */
    maxIssues: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .default(20),
  })
  .strict();

export type JsonSchemaOptions = z.input<typeof optionsSchema>;

// ---------------------------------------------------------------------------------------------------------
// Tolerant JSON reading. Iterative (an explicit stack, so deep nesting cannot overflow the call stack), one
// pass over the text, no regular expressions: linear on any input.
// ---------------------------------------------------------------------------------------------------------

/** What the tolerant reader fixed, by name (for `data.repairs`). */
export type Repair =
  | 'code-fence'
  | 'surrounding-text'
  | 'trailing-comma'
  | 'missing-comma'
  | 'single-quotes'
  | 'smart-quotes'
  | 'unquoted-key'
  | 'comment'
  | 'non-finite-number'
  | 'python-literal'
  | 'truncated'
  | 'missing-colon'
  | 'control-character-in-string'
  | 'number-format';

export type ReadResult =
  | { readonly ok: true; readonly value: unknown; readonly repairs: readonly Repair[] }
  | { readonly ok: false; readonly reason: string; readonly at: number };

interface ObjectFrame {
  readonly kind: 0;
  readonly value: Record<string, unknown>;
  /** 0 expect key or `}`, 1 expect `:`, 2 expect value, 3 expect `,` or `}`. */
  state: number;
  key: string;
}

interface ArrayFrame {
  readonly kind: 1;
  readonly value: unknown[];
  /** 2 expect value or `]`, 3 expect `,` or `]`. */
  state: number;
}

type Frame = ObjectFrame | ArrayFrame;

const CLOSING_QUOTE: Record<number, number> = {
  34: 0x22, // "
  39: 0x27, // '
  8220: 0x201d, // “ ”
  8221: 0x201d,
  8216: 0x2019, // ‘ ’
  8217: 0x2019,
};

const ESCAPES: Record<number, string> = {
  34: '"',
  39: "'",
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === 0xa0 || code === 0xfeff;
}

/** Letters, digits, `_`, `$`, `-`, `.` and non-ASCII letters: an unquoted key or a bare word. */
function isWordChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x24 ||
    code === 0x2d ||
    code === 0x2b ||
    code === 0x2e ||
    (code >= 0xc0 && code !== 0x201c && code !== 0x201d && code !== 0x2018 && code !== 0x2019 && code !== 0xfeff)
  );
}

const WORDS: Record<string, { value: unknown; repair?: Repair }> = {
  true: { value: true },
  false: { value: false },
  null: { value: null },
  True: { value: true, repair: 'python-literal' },
  False: { value: false, repair: 'python-literal' },
  None: { value: null, repair: 'python-literal' },
  undefined: { value: null, repair: 'non-finite-number' },
  NaN: { value: null, repair: 'non-finite-number' },
  Infinity: { value: null, repair: 'non-finite-number' },
  '+Infinity': { value: null, repair: 'non-finite-number' },
  '-Infinity': { value: null, repair: 'non-finite-number' },
  '-NaN': { value: null, repair: 'non-finite-number' },
};

const STRICT_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

class Reader {
  readonly repairs = new Set<Repair>();
  i: number;
  constructor(
    readonly text: string,
    start: number,
    readonly end: number,
    readonly maxDepth: number,
  ) {
    this.i = start;
  }

  /** Skips white space and comments. */
  skip(): void {
    const { text, end } = this;
    while (this.i < end) {
      const code = text.charCodeAt(this.i);
      if (isSpace(code)) {
        this.i++;
        continue;
      }
      if (code === 0x2f && this.i + 1 < end) {
        const next = text.charCodeAt(this.i + 1);
        if (next === 0x2f) {
          this.repairs.add('comment');
          const line = text.indexOf('\n', this.i + 2);
          this.i = line < 0 || line >= end ? end : line + 1;
          continue;
        }
        if (next === 0x2a) {
          this.repairs.add('comment');
          const close = text.indexOf('*/', this.i + 2);
          this.i = close < 0 || close >= end ? end : close + 2;
          continue;
        }
      }
      if (code === 0x23) {
        // `# comment` (YAML/Python habit)
        this.repairs.add('comment');
        const line = text.indexOf('\n', this.i + 1);
        this.i = line < 0 || line >= end ? end : line + 1;
        continue;
      }
      return;
    }
  }

  /** A quoted string starting at `this.i`; closes it at the end of the text when it is cut off. */
  string(): string {
    const { text, end } = this;
    const open = text.charCodeAt(this.i);
    const close = CLOSING_QUOTE[open]!;
    if (open === 0x27) this.repairs.add('single-quotes');
    else if (open !== 0x22) this.repairs.add('smart-quotes');
    this.i++;
    const parts: string[] = [];
    let from = this.i;
    while (this.i < end) {
      const code = text.charCodeAt(this.i);
      if (code === close || (open === 0x201c && code === 0x201c)) {
        parts.push(text.slice(from, this.i));
        this.i++;
        return parts.length === 1 ? parts[0]! : parts.join('');
      }
      if (code === 0x5c) {
        parts.push(text.slice(from, this.i));
        const next = text.charCodeAt(this.i + 1);
        if (next === 0x75 && this.i + 5 < end) {
          const hex = text.slice(this.i + 2, this.i + 6);
          const value = hex.length === 4 && /^[0-9a-fA-F]{4}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
          if (!Number.isNaN(value)) {
            parts.push(String.fromCharCode(value));
            this.i += 6;
            from = this.i;
            continue;
          }
        }
        if (this.i + 1 >= end) {
          this.i = end;
          from = end;
          break;
        }
        const escaped = ESCAPES[next];
        parts.push(escaped ?? String.fromCharCode(next));
        this.i += 2;
        from = this.i;
        continue;
      }
      if (code < 0x20) this.repairs.add('control-character-in-string');
      this.i++;
    }
    parts.push(text.slice(from, end));
    this.repairs.add('truncated');
    return parts.join('');
  }

  /** A bare run of word characters (number, literal, unquoted key). */
  word(): string {
    const start = this.i;
    while (this.i < this.end && isWordChar(this.text.charCodeAt(this.i))) this.i++;
    return this.text.slice(start, this.i);
  }

  /** The value of a bare word in value position, or undefined when it is not a number or a known literal. */
  scalar(word: string): { value: unknown } | undefined {
    const known = WORDS[word];
    if (known !== undefined) {
      if (known.repair !== undefined) this.repairs.add(known.repair);
      return { value: known.value };
    }
    if (word.length === 0 || word.length > 400) return undefined;
    if (STRICT_NUMBER.test(word)) return { value: Number(word) };
    // Lenient numbers: +1, .5, 5., 0x1F, 1_000.
    const cleaned = word.startsWith('+') ? word.slice(1) : word;
    const value = Number(cleaned.replaceAll('_', ''));
    if (cleaned.length > 0 && Number.isFinite(value) && /^[-.\d]/.test(cleaned)) {
      this.repairs.add('number-format');
      return { value };
    }
    return undefined;
  }

  read(): ReadResult {
    const { text, end } = this;
    const stack: Frame[] = [];
    let root: { value: unknown } | undefined;
    const deliver = (value: unknown): void => {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        root = { value };
        return;
      }
      if (top.kind === 1) top.value.push(value);
      else if (top.key === '__proto__')
        Object.defineProperty(top.value, top.key, { value, enumerable: true, writable: true, configurable: true });
      else top.value[top.key] = value;
      top.state = 3;
    };
    const fail = (reason: string): ReadResult => ({ ok: false, reason, at: this.i });

    while (root === undefined) {
      this.skip();
      if (this.i >= end) break;
      const code = text.charCodeAt(this.i);
      const top = stack[stack.length - 1];
      if (top !== undefined && top.kind === 0 && top.state !== 2) {
        if (top.state === 0 || top.state === 3) {
          if (code === 0x7d || code === 0x5d) {
            // `]` closing an object: a model's slip; the object ends either way.
            if (top.state === 0 && Object.keys(top.value).length > 0) this.repairs.add('trailing-comma');
            this.i++;
            stack.pop();
            deliver(top.value);
            continue;
          }
          if (code === 0x2c) {
            if (top.state === 0) this.repairs.add('trailing-comma');
            top.state = 0;
            this.i++;
            continue;
          }
          if (top.state === 3) this.repairs.add('missing-comma');
          if (CLOSING_QUOTE[code] !== undefined) top.key = this.string();
          else {
            const key = this.word();
            if (key.length === 0) return fail('expected a property name');
            this.repairs.add('unquoted-key');
            top.key = key;
          }
          top.state = 1;
          continue;
        }
        // state 1: the colon
        if (code === 0x3a || code === 0x3d) {
          if (code === 0x3d) this.repairs.add('missing-colon');
          this.i++;
        } else this.repairs.add('missing-colon');
        top.state = 2;
        continue;
      }
      if (top !== undefined && top.kind === 1 && code === 0x5d) {
        if (top.state === 2 && top.value.length > 0) this.repairs.add('trailing-comma');
        this.i++;
        stack.pop();
        deliver(top.value);
        continue;
      }
      if (top !== undefined && top.kind === 1 && code === 0x2c) {
        if (top.state === 2) this.repairs.add('trailing-comma');
        top.state = 2;
        this.i++;
        continue;
      }
      if (top !== undefined && top.state === 3 && top.kind === 1) this.repairs.add('missing-comma');
      if (top !== undefined && top.kind === 0 && code === 0x7d) {
        // `{"a": }`: the value is missing; take null rather than give up.
        this.repairs.add('truncated');
        deliver(null);
        continue;
      }
      // A value.
      if (code === 0x7b || code === 0x5b) {
        if (stack.length >= this.maxDepth) return fail(`nesting deeper than ${this.maxDepth} levels`);
        stack.push(code === 0x7b ? { kind: 0, value: {}, state: 0, key: '' } : { kind: 1, value: [], state: 2 });
        this.i++;
        continue;
      }
      if (CLOSING_QUOTE[code] !== undefined) {
        deliver(this.string());
        continue;
      }
      const at = this.i;
      const word = this.word();
      const scalar = this.scalar(word);
      if (scalar === undefined) {
        this.i = at;
        return fail(word.length === 0 ? 'unexpected character' : 'unexpected bare word');
      }
      deliver(scalar.value);
    }
    if (root === undefined) {
      if (stack.length === 0) return fail('no JSON value');
      // Cut off: close what is open, innermost first; a key without its value is dropped.
      this.repairs.add('truncated');
      while (stack.length > 0) {
        const frame = stack.pop()!;
        const parent = stack[stack.length - 1];
        if (parent === undefined) root = { value: frame.value };
        else if (parent.kind === 1) parent.value.push(frame.value);
        else if (parent.state === 2) {
          if (parent.key === '__proto__')
            Object.defineProperty(parent.value, parent.key, {
              value: frame.value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else parent.value[parent.key] = frame.value;
          parent.state = 3;
        }
      }
    }
    return { ok: true, value: root!.value, repairs: [...this.repairs] };
  }
}

/** Deepest bracket nesting outside strings; stops counting once past `limit`. */
function depthOf(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return deepest;
}

/** Start and end of the content of the first ``` fence, or undefined when there is none. */
function fenced(text: string): { start: number; end: number } | undefined {
  const open = text.indexOf('```');
  if (open < 0) return undefined;
  const line = text.indexOf('\n', open + 3);
  // ```json {"a":1}``` on one line: the content starts after the language word.
  let start = line < 0 ? open + 3 : line + 1;
  if (line >= 0) {
    const close = text.indexOf('```', open + 3);
    if (close >= 0 && close < line) start = open + 3;
  }
  if (start === open + 3) {
    while (start < text.length && isWordChar(text.charCodeAt(start)) && text.charCodeAt(start) !== 0x2d) start++;
  }
  const close = text.indexOf('```', start);
  return { start, end: close < 0 ? text.length : close };
}

/**
 * Reads JSON as models write it: inside code fences, between prose, with trailing or missing commas,
 * single or curly quotes, unquoted keys, comments, NaN/Infinity/undefined (read as null), Python literals
 * and a cut-off end (open strings, arrays and objects are closed). Linear time, no recursion. Strict JSON
 * is read by `JSON.parse` and reports no repairs.
 */
export function readJson(text: string, maxDepth = 256): ReadResult {
  const depth = depthOf(text, maxDepth);
  if (depth <= maxDepth) {
    try {
      return { ok: true, value: JSON.parse(text), repairs: [] };
    } catch {
      // Fall through to the tolerant reader.
    }
  }
  let start = 0;
  let end = text.length;
  const repairs: Repair[] = [];
  const fence = fenced(text);
  if (fence !== undefined) {
    start = fence.start;
    end = fence.end;
    repairs.push('code-fence');
  }
  // Prose before the JSON: start at the first `{` or `[`, and if that fails, at the first of the other kind.
  const candidates: number[] = [];
  const brace = text.indexOf('{', start);
  const bracket = text.indexOf('[', start);
  for (const at of [brace, bracket].filter((at) => at >= 0 && at < end).sort((a, b) => a - b)) candidates.push(at);
  const firstNonSpace = (() => {
    let i = start;
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    return i;
  })();
  if (candidates.length === 0 || candidates[0] !== firstNonSpace) candidates.unshift(firstNonSpace);
  let failure: ReadResult | undefined;
  for (const at of candidates.slice(0, 3)) {
    if (at >= end) continue;
    const reader = new Reader(text, at, end, maxDepth);
    const result = reader.read();
    if (!result.ok) {
      failure ??= result;
      continue;
    }
    reader.skip();
    const extra: Repair[] = [...repairs];
    if (at !== firstNonSpace || reader.i < end) extra.push('surrounding-text');
    return { ok: true, value: result.value, repairs: [...new Set([...extra, ...result.repairs])] };
  }
  return failure ?? { ok: false, reason: 'no JSON value', at: 0 };
}

// ---------------------------------------------------------------------------------------------------------

function isStandardSchema(value: unknown): value is StandardSchemaLike {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const standard = (value as { '~standard'?: { validate?: unknown } })['~standard'];
  return typeof standard === 'object' && standard !== null && typeof standard.validate === 'function';
}

function formatPath(path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string {
  if (path === undefined || path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      out += /^[A-Za-z_$][\w$]*$/.test(name) ? (out.length === 0 ? name : `.${name}`) : `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

interface Outcome {
  readonly issues: readonly JsonIssue[];
  readonly repairs: readonly Repair[];
  /** The parsed value, when the text parsed. */
  readonly parsed?: { readonly value: unknown };
  readonly reason?: string;
}

/**
 * Validates structured output: the text must be JSON (optionally repaired) that the schema (zod or any
 * Standard Schema) accepts. Findings: `invalid-json` and `schema-mismatch` (issue paths only, never the
 * values; recommended block); when `repair` fixed the text and it is valid, `json-repaired` spans the
 * whole text with the canonical JSON as replacement (recommended redact, so the verdict's text becomes
 * clean JSON). When `reask` is given and the output is invalid, it is called once with the issues; a valid
 * new output replaces the text (`json-reasked`, recommended redact). Run it on complete outputs
 * (`guard.check('output', text)`): under `guard.scanStream` each window would be judged as a whole output.
 *
 * @example
 * const Answer = z.object({ city: z.string(), population: z.number().int() });
 * createGuard({ output: [jsonSchema(Answer, { repair: true })] });
 */
export function jsonSchema(schema: StandardSchemaLike, options: JsonSchemaOptions = {}): Detector {
  if (!isStandardSchema(schema)) {
    throw new ConfigError({
      message:
        'Invalid jsonSchema(schema): schema must be a zod schema or another Standard Schema (an object with ["~standard"].validate), e.g. jsonSchema(z.object({ name: z.string() })).',
      issues: [{ path: 'schema', message: 'must be a zod schema or a Standard Schema' }],
    });
  }
  const config = parseConfig(optionsSchema, options ?? {}, 'jsonSchema() options');
  const validate = schema['~standard'].validate.bind(schema['~standard']);

  const judge = (value: unknown): JsonIssue[] | Promise<JsonIssue[]> => {
    const toIssues = (result: StandardResult<unknown>): JsonIssue[] =>
      result.issues === undefined
        ? []
        : result.issues.map((issue) => ({
            kind: 'schema-mismatch' as const,
            path: formatPath(issue.path),
            message: String(issue.message),
          }));
    let result: StandardResult<unknown> | Promise<StandardResult<unknown>>;
    try {
      result = validate(value);
    } catch (error) {
      if (error instanceof RangeError)
        return [{ kind: 'schema-mismatch', path: '(root)', message: 'too deeply nested to validate' }];
      throw error;
    }
    return result instanceof Promise ? result.then(toIssues) : toIssues(result);
  };

  const evaluate = async (text: string): Promise<Outcome> => {
    let read = readJson(text, config.maxDepth);
    if (read.ok && read.repairs.length > 0 && !config.repair) {
      read = { ok: false, reason: `not valid JSON (repair: true would fix: ${read.repairs.join(', ')})`, at: 0 };
    }
    if (!read.ok) {
      return {
        issues: [{ kind: 'invalid-json', path: '(root)', message: read.reason }],
        repairs: [],
        reason: read.reason,
      };
    }
    const issues = await judge(read.value);
    return { issues, repairs: read.repairs, parsed: { value: read.value } };
  };

  const report = (outcome: Outcome, extra: Record<string, unknown>): FindingInput[] => {
    if (outcome.parsed === undefined) {
      return [
        {
          category: 'invalid-json',
          score: 1,
          severity: 'high',
          message: `output is not valid JSON: ${outcome.reason ?? 'unreadable'}`,
          data: { reason: outcome.reason, ...extra },
        },
      ];
    }
    const shown = outcome.issues.slice(0, config.maxIssues);
    const paths = [...new Set(shown.map((issue) => issue.path))];
    return [
      {
        category: 'schema-mismatch',
        score: 1,
        severity: 'high',
        message: `output does not match the schema: ${outcome.issues.length} issue${outcome.issues.length === 1 ? '' : 's'} at ${paths.join(', ')}`,
        data: {
          issues: shown.map((issue) => ({ path: issue.path })),
          issueCount: outcome.issues.length,
          ...(outcome.repairs.length > 0 ? { repairs: outcome.repairs } : {}),
          ...extra,
        },
      },
    ];
  };

  const canonical = (value: unknown): string | undefined => {
    try {
      return JSON.stringify(value);
    } catch {
      return undefined;
    }
  };

  const detect = async (text: string, context: DetectContext): Promise<readonly FindingInput[]> => {
    // On a stream, JSON can only be judged once it has ended, and only when the last window holds all of
    // it (a window starting at offset 0). A longer stream cannot be checked here: say so instead of passing
    // it silently, and validate the full text with guard.check('output', text) after the stream.
    if (context.stream !== undefined) {
      if (!context.stream.final) return [];
      if (context.stream.offset > 0) {
        return [
          {
            category: 'json-unchecked',
            score: 0.4,
            severity: 'medium',
            message:
              'streamed output longer than the scan window: not validated here; check the full text with guard.check("output", text)',
            data: { offset: context.stream.offset },
          },
        ];
      }
    }
    const outcome = await evaluate(text);
    if (outcome.issues.length === 0) {
      if (outcome.repairs.length === 0) return [];
      const replacement = canonical(outcome.parsed!.value);
      if (replacement === undefined)
        return report({ ...outcome, issues: [], parsed: undefined, reason: 'unserializable' }, {});
      return [
        {
          category: 'json-repaired',
          score: 1,
          severity: 'low',
          message: `output repaired to valid JSON (${outcome.repairs.join(', ')})`,
          span: { start: 0, end: text.length },
          replacement,
          data: { repairs: outcome.repairs },
        },
      ];
    }
    if (config.reask === undefined) return report(outcome, {});
    const answer = await config.reask(outcome.issues, { output: text, signal: context.signal });
    if (typeof answer !== 'string') {
      return report(outcome, { reasked: true, reaskFailed: 'reask must return a string' });
    }
    const second = await evaluate(answer);
    if (second.issues.length > 0) return report(second, { reasked: true });
    const replacement = second.repairs.length === 0 ? answer : canonical(second.parsed!.value);
    if (replacement === undefined) return report(outcome, { reasked: true });
    return [
      {
        category: 'json-reasked',
        score: 1,
        severity: 'low',
        message: `output was invalid (${outcome.issues.length} issue${outcome.issues.length === 1 ? '' : 's'}); replaced by the model's second answer`,
        span: { start: 0, end: text.length },
        replacement,
        data: {
          firstIssues: outcome.issues
            .slice(0, config.maxIssues)
            .map((issue) => ({ kind: issue.kind, path: issue.path })),
        },
      },
    ];
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'invalid-json', minScore: 0.5, action: 'block' },
      { category: 'schema-mismatch', minScore: 0.5, action: 'block' },
      { category: 'json-repaired', minScore: 0.5, action: 'redact' },
      { category: 'json-reasked', minScore: 0.5, action: 'redact' },
      { category: 'json-unchecked', minScore: 0.3, action: 'flag' },
    ],
    detect,
  };
}

const entryOptionsSchema = z
  .object({
    /** A JSON Schema (draft 2020-12, draft 7 or 4, OpenAPI 3.0), converted with zod's fromJSONSchema. */
    schema: z.union([z.record(z.string(), z.unknown()), z.boolean()], {
      error: () => 'must be a JSON Schema object, e.g. { "type": "object", "required": ["answer"] }',
    }),
    repair: z.boolean({ error: () => 'must be true or false' }).optional(),
    maxDepth: z.number().int().min(1).max(10_000).optional(),
    maxIssues: z.number().int().min(1).max(1000).optional(),
    id: z.string().optional(),
    stages: z.array(z.string()).optional(),
  })
  .strict();

export const jsonSchemaEntry: DetectorFactory = {
  id: 'json-schema',
  stages: ['output', 'tool_output'],
  description:
    'Structured output: JSON (optionally repaired) valid against a schema; options: schema (a JSON Schema), repair. In code, pass a zod schema to jsonSchema()',
  requiresOptions: true,
  create: (options) => {
    const { schema, ...rest } = parseConfig(entryOptionsSchema, options ?? {}, 'json-schema detector options');
    let converted: StandardSchemaLike;
    try {
      converted = z.fromJSONSchema(schema as never) as unknown as StandardSchemaLike;
    } catch (error) {
      throw new ConfigError({
        message:
          'Invalid json-schema detector options:\n  - schema: could not be read as a JSON Schema; use type, properties, required, items, enum…, or configure jsonSchema(zodSchema) in code',
        issues: [{ path: 'schema', message: 'not a usable JSON Schema' }],
        cause: error,
      });
    }
    return jsonSchema(converted, rest as JsonSchemaOptions);
  },
};
