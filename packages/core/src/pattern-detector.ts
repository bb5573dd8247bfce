import { createRequire } from 'node:module';
import type { RE2 as RE2Type } from 're2-wasm';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { type Detector, type FindingInput, type Severity, type Span, STAGES, type Stage } from './types.js';
import { parseConfig } from './validate.js';
import { wordListSource } from './words.js';

const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
const stageSchema = z.enum(STAGES as [Stage, ...Stage[]]);

const patternSchema = z
  .object({
    /** Names the pattern in findings (`data.pattern`); never the matched text. */
    id: z.string().min(1).max(100).optional(),
    /** RE2 syntax (no backreferences or lookaround); linear time on any input. */
    pattern: z.string().min(1, 'must be a non-empty regular expression').max(10_000),
    /** Any of `i` (ignore case), `m` (multi-line), `s` (dot matches newline). */
    flags: z
      .string()
      .regex(/^[ims]*$/, 'may contain only the letters i, m and s')
      .default(''),
    category: z.string().min(1).optional(),
    score: z.number().min(0).max(1).optional(),
    severity: severitySchema.optional(),
    message: z.string().max(500).optional(),
    replacement: z.string().optional(),
  })
  .strict();

const keywordSchema = z.union([
  z.string().min(1, 'keywords must be non-empty'),
  z
    .object({
      keyword: z.string().min(1),
      category: z.string().min(1).optional(),
      score: z.number().min(0).max(1).optional(),
      severity: severitySchema.optional(),
      message: z.string().max(500).optional(),
      replacement: z.string().optional(),
    })
    .strict(),
]);

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case')
      .default('pattern'),
    stages: z
      .array(stageSchema)
      .min(1)
      .default([...STAGES]),
    patterns: z.array(z.union([z.string().min(1), patternSchema])).default([]),
    keywords: z.array(keywordSchema).default([]),
    /** Keywords match only as whole words (default true). */
    wholeWords: z.boolean().default(true),
    /** Keywords ignore case (default true). */
    ignoreCase: z.boolean().default(true),
    category: z.string().min(1).default('pattern'),
    score: z.number().min(0).max(1).default(1),
    severity: severitySchema.default('high'),
    message: z.string().max(500).optional(),
    /** When set, findings carry this replacement (so a `redact` rule can apply it). */
    replacement: z.string().optional(),
    /** Also scan decoded base64/hex/URL/rot13 payloads and Unicode-tag text (default true). */
    scanPayloads: z.boolean().default(true),
    /** Stop after this many matches per text; bounds the work on hostile input. */
    maxMatches: z.number().int().positive().max(100_000).default(1_000),
    /** Longest match expected, in characters; long texts are scanned in overlapping windows this wide. */
    maxMatchLength: z.number().int().positive().max(1_000_000).default(512),
  })
  .strict()
  .refine((value) => value.patterns.length + value.keywords.length > 0, {
    message: 'give at least one entry in patterns or keywords',
    path: ['patterns'],
  });

export type PatternDetectorOptions = z.input<typeof optionsSchema>;

// re2-wasm compiles its WebAssembly module when loaded (~40 ms): load it on the first pattern detector,
// not when the package is imported.
let RE2: typeof RE2Type | undefined;
function re2(): typeof RE2Type {
  RE2 ??= (createRequire(import.meta.url)('re2-wasm') as { RE2: typeof RE2Type }).RE2;
  return RE2;
}

interface Rule {
  readonly label: string;
  readonly category: string;
  readonly score: number;
  readonly severity: Severity;
  readonly message: string;
  readonly replacement?: string;
}

/** Converts a code-point index (what re2-wasm reports) to a UTF-16 index, walking forward only. */
class CodePointIndex {
  private codePoint = 0;
  private unit = 0;
  constructor(private readonly text: string) {}
  toUnit(target: number): number {
    if (target < this.codePoint) {
      this.codePoint = 0;
      this.unit = 0;
    }
    const text = this.text;
    while (this.codePoint < target && this.unit < text.length) {
      const code = text.charCodeAt(this.unit);
      this.unit += code >= 0xd800 && code <= 0xdbff && this.unit + 1 < text.length ? 2 : 1;
      this.codePoint++;
    }
    return this.unit;
  }
}

const HAS_SURROGATE = /[\ud800-\udfff]/;

/**
 * A detector from user-supplied rules: regular expressions (run by RE2, so no pattern can backtrack
 * catastrophically) and keyword lists (compiled to one linear literal alternation).
 *
 * RE2 in WebAssembly copies the whole text into its memory on every call, so the call pattern is: one
 * `test` of all patterns over the whole text (the common no-match case costs one call); only when it
 * matches, an exec loop over bounded windows of the text, capped at `maxMatches`.
 *
 * @example
 * const rules = patternDetector({ id: 'internal-rules', patterns: [{ pattern: 'project\\s+falcon', flags: 'i' }], keywords: ['codename'] });
 */
export function patternDetector(options: PatternDetectorOptions): Detector {
  const config = parseConfig(optionsSchema, options, 'patternDetector() options');
  const rules: Rule[] = [];
  const sources: string[] = [];
  config.patterns.forEach((entry, index) => {
    const pattern = typeof entry === 'string' ? { pattern: entry, flags: '' } : entry;
    const label = (typeof entry === 'object' ? entry.id : undefined) ?? `pattern-${index}`;
    try {
      // Validate each pattern alone, so the error names the one that is wrong.
      new (re2())(pattern.pattern, `u${pattern.flags ?? ''}`);
    } catch (error) {
      throw new ConfigError({
        message: `patternDetector() options.patterns[${index}]: not a valid RE2 expression (${(error as Error).message.replace(/\/.*\/u?/, '/…/')}). RE2 has no backreferences or lookaround; rewrite the pattern without them.`,
        issues: [{ path: `patterns[${index}].pattern`, message: 'invalid RE2 expression' }],
        cause: error,
      });
    }
    const flags = pattern.flags ?? '';
    sources.push(flags.length > 0 ? `(?${flags}:${pattern.pattern})` : `(?:${pattern.pattern})`);
    const spec = typeof entry === 'object' ? entry : undefined;
    rules.push({
      label,
      category: spec?.category ?? config.category,
      score: spec?.score ?? config.score,
      severity: spec?.severity ?? config.severity,
      message: spec?.message ?? config.message ?? `matched rule "${label}"`,
      ...((spec?.replacement ?? config.replacement) !== undefined
        ? { replacement: spec?.replacement ?? config.replacement }
        : {}),
    });
  });
  // One combined RE2 with a capturing group per pattern: the group that took part names the rule.
  const combined =
    sources.length === 0 ? undefined : new (re2())(sources.map((source) => `(${source})`).join('|'), 'gu');
  const combinedTest = sources.length === 0 ? undefined : new (re2())(sources.join('|'), 'u');

  const keywordRules: Rule[] = [];
  const keywordIndex = new Map<string, number>();
  let keywordRegex: RegExp | undefined;
  if (config.keywords.length > 0) {
    const forms: string[] = [];
    config.keywords.forEach((entry, index) => {
      const spec = typeof entry === 'string' ? { keyword: entry } : entry;
      // Matched in the normalized view (NFKC), so the keyword is put in NFKC too ("ＡＢＣ" finds "ABC").
      const form = spec.keyword.normalize('NFKC');
      const key = config.ignoreCase ? form.toLowerCase() : form;
      if (keywordIndex.has(key)) return;
      keywordIndex.set(key, keywordRules.length);
      keywordRules.push({
        label: `keyword-${index}`,
        category: ('category' in spec ? spec.category : undefined) ?? config.category,
        score: ('score' in spec ? spec.score : undefined) ?? config.score,
        severity: ('severity' in spec ? spec.severity : undefined) ?? config.severity,
        message: ('message' in spec ? spec.message : undefined) ?? config.message ?? `matched keyword #${index}`,
        ...((('replacement' in spec ? spec.replacement : undefined) ?? config.replacement) !== undefined
          ? { replacement: ('replacement' in spec ? spec.replacement : undefined) ?? config.replacement }
          : {}),
      });
      forms.push(form);
    });
    // Longest first, so "credit card number" wins over "credit card" at the same position. Keywords in Thai,
    // Chinese, Japanese or Korean match inside a run of letters (see wordListSource).
    const source = wordListSource(
      forms,
      config.wholeWords ? { before: '(?<![\\p{L}\\p{N}_])', after: '(?![\\p{L}\\p{N}_])' } : { before: '', after: '' },
    );
    keywordRegex = new RegExp(source, `gu${config.ignoreCase ? 'i' : ''}`);
  }

  const window = Math.max(2048, config.maxMatchLength * 4);
  const overlap = config.maxMatchLength;

  /** All regex matches in `text` as [rule, start, end] in UTF-16 units, at most `limit`. */
  const regexMatches = (text: string, limit: number, out: [number, number, number][]): void => {
    if (combined === undefined || combinedTest === undefined || limit <= 0) return;
    const safe = HAS_SURROGATE.test(text) ? text.toWellFormed() : text;
    if (!combinedTest.test(safe)) return;
    /**
     * Collects matches in `segment` that start in [acceptFrom, acceptTo) (UTF-16 units of the segment).
     * The segment carries one character before `acceptFrom`, and RE2 starts searching after it, so `^`,
     * `$` and `\b` see the real neighbours instead of a window edge.
     */
    const collect = (segment: string, offset: number, acceptFrom: number, acceptTo: number): void => {
      const index = new CodePointIndex(segment);
      combined.lastIndex = acceptFrom === 0 ? 0 : 1;
      let previous = -1;
      while (out.length < limit) {
        const match = combined.exec(segment);
        if (match === null) break;
        const start = index.toUnit(match.index);
        const value = match[0] ?? '';
        if (value.length === 0) {
          // An empty match says nothing; step past it.
          combined.lastIndex = match.index + 1;
          if (match.index <= previous) break;
          previous = match.index;
          continue;
        }
        previous = match.index;
        if (start >= acceptTo) break;
        if (start < acceptFrom) continue;
        let rule = 0;
        for (let group = 1; group < match.length; group++) {
          if (match[group] !== undefined) {
            rule = group - 1;
            break;
          }
        }
        out.push([rule, offset + start, offset + start + value.length]);
      }
    };
    if (safe.length <= window + overlap) {
      collect(safe, 0, 0, Number.POSITIVE_INFINITY);
      return;
    }
    // Window borders never split a surrogate pair.
    const border = (at: number): number => {
      if (at <= 0) return 0;
      if (at >= safe.length) return safe.length;
      const code = safe.charCodeAt(at);
      return code >= 0xdc00 && code <= 0xdfff ? at + 1 : at;
    };
    for (let from = 0; from < safe.length && out.length < limit; ) {
      const to = border(from + window);
      // One character of context before the window: two units when it is a surrogate pair.
      const context =
        from === 0 ? 0 : safe.charCodeAt(from - 1) >= 0xdc00 && safe.charCodeAt(from - 1) <= 0xdfff ? 2 : 1;
      const segmentStart = from - context;
      const segment = safe.slice(segmentStart, border(to + overlap));
      if (combinedTest.test(segment)) collect(segment, segmentStart, context, context + (to - from));
      from = to;
    }
  };

  const keywordMatches = (text: string, limit: number, out: [number, number, number][]): void => {
    if (keywordRegex === undefined) return;
    keywordRegex.lastIndex = 0;
    for (let match = keywordRegex.exec(text); match !== null && out.length < limit; match = keywordRegex.exec(text)) {
      const key = config.ignoreCase ? match[0].toLowerCase() : match[0];
      out.push([rules.length + (keywordIndex.get(key) ?? 0), match.index, match.index + match[0].length]);
    }
  };

  const allRules = (index: number): Rule =>
    index < rules.length ? rules[index]! : keywordRules[index - rules.length]!;

  return {
    id: config.id,
    stages: config.stages,
    detect(_text, context) {
      // Matching runs on the normalized view (zero-width, homoglyph and NFKC evasions undone); spans map back.
      const normalized = context.normalized;
      const matches: [number, number, number][] = [];
      regexMatches(normalized.text, config.maxMatches, matches);
      keywordMatches(normalized.text, config.maxMatches, matches);
      const findings: FindingInput[] = [];
      const seen = new Set<string>();
      const add = (ruleIndex: number, span: Span, via: string | undefined): void => {
        const key = `${ruleIndex}:${span.start}:${span.end}`;
        if (seen.has(key)) return;
        seen.add(key);
        const rule = allRules(ruleIndex);
        findings.push({
          category: rule.category,
          score: rule.score,
          severity: rule.severity,
          message: via === undefined ? rule.message : `${rule.message} (inside ${via} text)`,
          span,
          ...(rule.replacement !== undefined ? { replacement: rule.replacement } : {}),
          data: { rule: rule.label, ...(via !== undefined ? { decodedFrom: via } : {}) },
        });
      };
      for (const [ruleIndex, start, end] of matches) add(ruleIndex, normalized.toOriginal(start, end), undefined);
      if (config.scanPayloads && findings.length < config.maxMatches) {
        for (const payload of normalized.payloads) {
          const inner: [number, number, number][] = [];
          regexMatches(payload.text, config.maxMatches - findings.length, inner);
          keywordMatches(payload.text, config.maxMatches - findings.length, inner);
          for (const [ruleIndex] of inner) add(ruleIndex, payload.span, payload.kind);
        }
      }
      return findings;
    },
  };
}
