import {
  ConfigError,
  type DetectContext,
  type Detector,
  type FindingInput,
  type NormalizedText,
  patternDetector,
  STAGES,
  type Stage,
  streamScanStart,
} from '@parapet/core';
import { z } from 'zod';
import { joinAddressTails, recognizeAddresses } from './address.js';
import { compileRecognizers, type RecognizerSet, resolveOverlaps, scanText } from './engine.js';
import { loadNer, nerLoaded, recognizeNames } from './ner.js';
import { applyOperator, type Operator, operatorSchema, PlaceholderNumbers } from './operators.js';
import type { EntityKind, EntityMatch, Recognizer } from './recognizer.js';
import {
  ADDRESS_ENTITIES,
  ALL_RECOGNIZERS,
  DEFAULT_PII_ENTITIES,
  NER_ENTITIES,
  SECRET_ENTITIES,
} from './recognizers/index.js';
import { PLACEHOLDER_PATTERN, type Vault } from './vault.js';

const customRecognizerSchema = z
  .object({
    entity: z.string().regex(/^[A-Z][A-Z0-9_]{1,60}$/, 'must be UPPER_SNAKE_CASE, e.g. EMPLOYEE_ID'),
    /** Regular expressions in RE2 syntax (run by re2-wasm, linear time). */
    patterns: z.array(z.string().min(1)).default([]),
    flags: z
      .string()
      .regex(/^[ims]*$/)
      .default(''),
    /** Literal words or phrases (whole words, case-insensitive). */
    keywords: z.array(z.string().min(1)).default([]),
    score: z.number().min(0).max(1).default(0.8),
    /** Return false to drop a match (checksums, lookups). */
    validate: z
      .custom<(value: string) => boolean>((value) => typeof value === 'function', 'must be a function')
      .optional(),
    kind: z.enum(['pii', 'secret']).default('pii'),
  })
  .strict()
  .refine((value) => value.patterns.length + value.keywords.length > 0, {
    message: 'give patterns or keywords',
    path: ['patterns'],
  });

const restoreSchema = z
  .object({
    type: z.literal('restore'),
    vault: z.custom<Vault>(
      (value) => typeof value === 'object' && value !== null && typeof (value as Vault).resolve === 'function',
      'must be a vault from createVault()',
    ),
  })
  .strict();

/** Default `streamOverlap`: longer than any personal-data value and most credentials. */
const STREAM_OVERLAP = 128;

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case')
      .default('pii'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]]))
      .min(1)
      .default([...STAGES]),
    /** Entities to report; default: personal data (or, for secretsDetector, every credential format). */
    entities: z.array(z.string().min(1)).optional(),
    /** Country packs to load (`UK`, `FR`, …); default: all. */
    countries: z.array(z.string().min(2).max(3)).optional(),
    /** Matches scoring below this are not reported. */
    minScore: z.number().min(0).max(1).default(0.5),
    /** Values never reported (exact, case-insensitive). */
    allow: z.array(z.string()).default([]),
    /** Values always reported as `DENY_LIST` (whole words, case-insensitive). */
    deny: z.array(z.string().min(1)).default([]),
    /** Entities of your own, without forking: regexes (RE2), keyword lists, a validator. */
    custom: z.array(customRecognizerSchema).default([]),
    /** Extra context words per entity (raise the score when near a value). */
    context: z.record(z.string(), z.array(z.string().min(1))).default({}),
    /** What replaces each value; `restore` puts a vault's placeholders back (output stage). */
    operator: z.union([operatorSchema, restoreSchema]).default({ type: 'placeholder' }),
    /** Per-entity operators, overriding `operator`. */
    operators: z.record(z.string(), operatorSchema).default({}),
    /** Also look inside base64 / hex / URL-encoded payloads decoded by the core normalizer. */
    scanPayloads: z.boolean().default(true),
    /** Bound on matches per text. */
    maxMatches: z.number().int().positive().max(100_000).default(5_000),
    /**
     * Under `guard.scanStream`: how far before the window's new text the recognizers start (characters).
     * Every value up to this long that reaches new text is found; text further back was scanned by an
     * earlier window. Longer values (a JWT, a PEM key) are still found whole when a digit or `=`/`:`/`@` in
     * them lies within reach, since a value's token is read back to its start.
     */
    streamOverlap: z.number().int().min(0).max(1_000_000).default(STREAM_OVERLAP),
  })
  .strict();

export type PiiDetectorOptions = z.input<typeof optionsSchema>;

interface Plan {
  readonly set: RecognizerSet;
  readonly entities: ReadonlySet<string> | undefined;
  readonly ner: { person: boolean; location: boolean; organization: boolean } | undefined;
  /** STREET_ADDRESS asked for (and the detector finds personal data). */
  readonly addresses: boolean;
  readonly custom: Detector | undefined;
  readonly customMeta: ReadonlyMap<string, { entity: string; kind: EntityKind; validate?: (value: string) => boolean }>;
}

function parseOptions(options: unknown, where: string) {
  const result = optionsSchema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.join('.') || '(root)',
    message: issue.message,
  }));
  throw new ConfigError({
    message: `Invalid ${where} options:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
    issues,
    cause: result.error,
  });
}

function selectRecognizers(
  countries: readonly string[] | undefined,
  entities: ReadonlySet<string> | undefined,
  context: Record<string, string[]>,
): Recognizer[] {
  const wanted = countries === undefined ? undefined : new Set(countries.map((country) => country.toUpperCase()));
  return ALL_RECOGNIZERS.filter(
    (recognizer) => recognizer.country === undefined || wanted === undefined || wanted.has(recognizer.country),
  )
    .filter((recognizer) => entities === undefined || entities.has(recognizer.entity) || overlapsMatter(recognizer))
    .map((recognizer) => {
      const extra = context[recognizer.entity];
      return extra === undefined
        ? recognizer
        : { ...recognizer, context: [...(recognizer.context ?? []), ...extra.map((word) => word.toLowerCase())] };
    });
}

/** Recognizers that keep running even when their entity is not reported: their matches stop weaker, wrong ones (a date is not a phone number). */
function overlapsMatter(recognizer: Recognizer): boolean {
  return (
    recognizer.entity === 'DATE_TIME' ||
    recognizer.entity === 'IP_ADDRESS' ||
    recognizer.entity === 'CREDIT_CARD' ||
    recognizer.entity === 'IBAN_CODE'
  );
}

function buildPlan(
  config: ReturnType<typeof parseOptions>,
  defaults: readonly string[],
  kinds: readonly EntityKind[],
): Plan {
  const entityList = config.entities ?? defaults;
  const entities = new Set(entityList);
  for (const entry of config.custom) entities.add(entry.entity);
  if (config.deny.length > 0) entities.add('DENY_LIST');
  const recognizers = selectRecognizers(config.countries, entities, config.context).filter((recognizer) =>
    kinds.includes(recognizer.kind),
  );
  const known = new Set(ALL_RECOGNIZERS.map((recognizer) => recognizer.entity));
  for (const entity of NER_ENTITIES) known.add(entity);
  for (const entity of ADDRESS_ENTITIES) known.add(entity);
  for (const entry of config.custom) known.add(entry.entity);
  known.add('DENY_LIST');
  for (const entity of SECRET_ENTITIES) known.add(entity);
  const unknown = entityList.filter((entity) => !known.has(entity));
  if (unknown.length > 0) {
    throw new ConfigError({
      message: `Unknown entit${unknown.length === 1 ? 'y' : 'ies'} ${unknown.map((entity) => `"${entity}"`).join(', ')}. Use listEntities() for the supported names, or add a custom recognizer.`,
      issues: [{ path: 'entities', message: 'unknown entity' }],
    });
  }
  const ner =
    entities.has('PERSON') || entities.has('LOCATION') || entities.has('ORGANIZATION')
      ? {
          person: entities.has('PERSON'),
          location: entities.has('LOCATION'),
          organization: entities.has('ORGANIZATION'),
        }
      : undefined;
  const customMeta = new Map<string, { entity: string; kind: EntityKind; validate?: (value: string) => boolean }>();
  const patterns: { id: string; pattern: string; flags: string; category: string; score: number }[] = [];
  const keywords: { keyword: string; category: string; score: number }[] = [];
  config.custom.forEach((entry, index) => {
    const category = `custom-${index}`;
    customMeta.set(category, {
      entity: entry.entity,
      kind: entry.kind,
      ...(entry.validate ? { validate: entry.validate } : {}),
    });
    for (const [patternIndex, pattern] of entry.patterns.entries()) {
      patterns.push({ id: `${category}-${patternIndex}`, pattern, flags: entry.flags, category, score: entry.score });
    }
    for (const keyword of entry.keywords) keywords.push({ keyword, category, score: entry.score });
  });
  for (const word of config.deny) {
    keywords.push({ keyword: word, category: 'deny', score: 1 });
  }
  customMeta.set('deny', { entity: 'DENY_LIST', kind: 'pii' });
  let custom: Detector | undefined;
  if (patterns.length + keywords.length > 0) {
    try {
      custom = patternDetector({
        id: 'pii-custom',
        patterns,
        keywords,
        scanPayloads: false,
        maxMatches: config.maxMatches,
      });
    } catch (error) {
      if (error instanceof ConfigError) {
        throw new ConfigError({
          message: `Invalid custom recognizer: ${error.message}`,
          issues: error.issues,
          cause: error,
        });
      }
      throw error;
    }
  }
  return {
    set: compiledSet(recognizers, compiledKey(config, [...entities], kinds)),
    entities,
    ner,
    addresses: entities.has('STREET_ADDRESS') && kinds.includes('pii'),
    custom,
    customMeta,
  };
}

/**
 * Compiled recognizer sets, shared by every detector built with the same selection (entities, countries,
 * extra context words, kinds). Compiling took 10–20 ms (about 100 ms the first time in a process), and
 * the usage the package documents builds a detector per conversation (a vault each): without this every
 * new conversation paid it on the event loop. A set is immutable once built except for scratch buffers
 * that `scanText` fills and reads within one synchronous call, so sharing it is safe. Bounded: a
 * selection that varies per request cannot grow it without limit.
 */
const compiledSets = new Map<string, RecognizerSet>();
const COMPILED_SETS_MAX = 32;

/** How many compiled sets are cached (for tests). */
export function compiledSetCount(): number {
  return compiledSets.size;
}

function compiledKey(
  config: ReturnType<typeof parseOptions>,
  entities: readonly string[],
  kinds: readonly EntityKind[],
): string {
  return JSON.stringify([kinds, config.countries ?? null, [...entities].sort(), config.context]);
}

function compiledSet(recognizers: readonly Recognizer[], key: string): RecognizerSet {
  const cached = compiledSets.get(key);
  if (cached !== undefined) {
    // Most recently used last, so the oldest entry is the one evicted.
    compiledSets.delete(key);
    compiledSets.set(key, cached);
    return cached;
  }
  const set = compileRecognizers(recognizers);
  compiledSets.set(key, set);
  if (compiledSets.size > COMPILED_SETS_MAX) compiledSets.delete(compiledSets.keys().next().value as string);
  return set;
}

/** Finds every reportable match in a normalized text (and its decoded payloads). */
function collect(
  view: NormalizedText,
  plan: Plan,
  config: ReturnType<typeof parseOptions>,
  context: DetectContext,
): EntityMatch[] {
  const raw: EntityMatch[] = [];
  const limits = { maxMatches: config.maxMatches };
  const from = streamScanStart(context, config.streamOverlap);
  scanText(view.text, plan.set, limits, raw, from);
  if (plan.ner !== undefined) recognizeNames(view.text, plan.ner, raw);
  if (plan.addresses) {
    recognizeAddresses(view.text, raw, raw.length + config.maxMatches);
    if (plan.ner?.location === true) joinAddressTails(view.text, raw);
  }
  if (plan.custom !== undefined) {
    const findings = plan.custom.detect(view.original, context) as readonly FindingInput[];
    for (const finding of findings) {
      if (finding.span === undefined) continue;
      const meta = plan.customMeta.get(finding.category);
      if (meta === undefined) continue;
      const value = view.original.slice(finding.span.start, finding.span.end);
      if (meta.validate !== undefined && !meta.validate(value)) continue;
      // Custom matches come in original coordinates; mark them so they are not mapped twice.
      raw.push({
        entity: meta.entity,
        kind: meta.kind,
        recognizer: 'custom',
        start: -1 - finding.span.start,
        end: -1 - finding.span.end,
        score: finding.score,
        reasons: ['custom'],
      });
    }
  }
  const mapped: EntityMatch[] = [];
  for (const match of raw) {
    if (match.start < 0) {
      mapped.push(withSpan(match, -1 - match.start, -1 - match.end));
      continue;
    }
    const span = view.toOriginal(match.start, match.end);
    mapped.push(span.start === match.start && span.end === match.end ? match : withSpan(match, span.start, span.end));
  }
  if (config.scanPayloads) {
    const payloads = view.encodedPayloads;
    // In a stream window, payloads wholly in text an earlier window scanned were reported then.
    const seenBefore = (context.stream?.fresh ?? 0) - config.streamOverlap;
    for (const payload of payloads) {
      if (payload.span.end <= seenBefore) continue;
      const inner: EntityMatch[] = [];
      scanText(payload.text, plan.set, limits, inner);
      for (const match of resolveOverlaps(inner)) {
        mapped.push({
          ...match,
          start: payload.span.start,
          end: payload.span.end,
          reasons: [...match.reasons, `decoded:${payload.kind}`],
        });
      }
    }
  }
  return mapped;
}

function withSpan(match: EntityMatch, start: number, end: number): EntityMatch {
  return {
    entity: match.entity,
    kind: match.kind,
    recognizer: match.recognizer,
    start,
    end,
    score: match.score,
    reasons: match.reasons,
  };
}

function describe(match: EntityMatch): string {
  const how = match.reasons.length > 0 ? ` (${match.reasons.join(', ')})` : '';
  return `${match.kind === 'secret' ? 'credential' : 'personal data'}: ${match.entity}${how}`;
}

function createDetector(
  options: unknown,
  where: string,
  defaults: readonly string[],
  kinds: readonly EntityKind[],
  defaultId: string,
): Detector {
  const config = parseOptions({ id: defaultId, ...(options as object) }, where);
  const operator = config.operator;
  if (operator.type === 'restore') return restoreDetector(config.id, config.stages, operator.vault);
  const plan = buildPlan(config, defaults, kinds);
  const allow = new Set(config.allow.map((value) => value.toLowerCase()));
  const operatorFor = (entity: string): Operator => config.operators[entity] ?? (operator as Operator);

  const finish = (text: string, context: DetectContext): readonly FindingInput[] | Promise<readonly FindingInput[]> => {
    const view = context.normalized;
    const matches = resolveOverlaps(collect(view, plan, config, context)).filter(
      (match) =>
        match.score >= config.minScore &&
        (plan.entities === undefined || plan.entities.has(match.entity)) &&
        !(allow.size > 0 && allow.has(text.slice(match.start, match.end).toLowerCase())),
    );
    if (matches.length === 0) return [];
    const numbers = new PlaceholderNumbers();
    const findings: FindingInput[] = [];
    const pending: Promise<void>[] = [];
    for (const match of matches) {
      const value = text.slice(match.start, match.end);
      const replacement = applyOperator(operatorFor(match.entity), value, match.entity, numbers);
      const severity = match.kind === 'secret' ? 'critical' : match.score >= 0.9 ? 'high' : 'medium';
      // Built field by field: spreading an object into a new literal is slow on the hot path.
      const make = (replacementText: string | undefined): FindingInput => ({
        category: match.entity,
        score: match.score,
        severity,
        message: describe(match),
        span: { start: match.start, end: match.end },
        ...(replacementText === undefined ? {} : { replacement: replacementText }),
        data: { entity: match.entity, kind: match.kind, recognizer: match.recognizer, reasons: match.reasons },
      });
      if (replacement instanceof Promise) {
        const index = findings.length;
        findings.push(make(undefined));
        pending.push(
          replacement.then((value) => {
            findings[index] = make(value);
          }),
        );
      } else findings.push(make(replacement));
    }
    return pending.length === 0 ? findings : Promise.all(pending).then(() => findings);
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [{ minScore: config.minScore, action: 'redact' }],
    detect(text, context) {
      if (plan.ner !== undefined && !nerLoaded()) return loadNer().then(() => finish(text, context));
      return finish(text, context);
    },
  };
}

/** Puts a vault's placeholders back (`<EMAIL_1>` → the real value), e.g. in the model's answer. */
function restoreDetector(id: string, stages: readonly Stage[], vault: Vault): Detector {
  return {
    id,
    stages,
    rules: [{ minScore: 0, action: 'redact' }],
    detect(text) {
      if (!text.includes('<')) return [];
      const findings: FindingInput[] = [];
      const pending: Promise<void>[] = [];
      PLACEHOLDER_PATTERN.lastIndex = 0;
      for (let match = PLACEHOLDER_PATTERN.exec(text); match !== null; match = PLACEHOLDER_PATTERN.exec(text)) {
        const placeholder = match[0];
        const span = { start: match.index, end: match.index + placeholder.length };
        const push = (value: string | undefined) => {
          if (value !== undefined) {
            findings.push({
              category: 'placeholder-restored',
              score: 1,
              severity: 'low',
              message: `restored ${match![1]} placeholder`,
              span,
              replacement: value,
            });
          }
        };
        const value = vault.resolve(placeholder);
        if (value instanceof Promise) pending.push(value.then(push));
        else push(value);
      }
      return pending.length === 0 ? findings : Promise.all(pending).then(() => findings);
    },
  };
}

/**
 * Personal data: e-mail, phone, payment cards, IBAN, national ids of many countries, IP/MAC, crypto
 * wallets, dates of birth and, when asked, names, places and organizations. Findings carry the operator's
 * replacement, so the policy's `redact` applies it.
 *
 * @example
 * const vault = createVault();
 * createGuard({ input: [piiDetector({ operator: { type: 'pseudonymize', vault } })], output: [piiDetector({ operator: { type: 'restore', vault } })] });
 */
export function piiDetector(options: PiiDetectorOptions = {}): Detector {
  return createDetector(options, 'piiDetector()', DEFAULT_PII_ENTITIES, ['pii', 'secret'], 'pii');
}

/** Credentials: API keys and tokens of 90+ providers, JWTs, private keys, connection strings, password assignments. */
export function secretsDetector(options: PiiDetectorOptions = {}): Detector {
  return createDetector(
    { operator: { type: 'redact', with: '[SECRET]' }, ...options },
    'secretsDetector()',
    SECRET_ENTITIES,
    ['secret'],
    'secrets',
  );
}
