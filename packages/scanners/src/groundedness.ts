import {
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  normalizeText,
  parseConfig,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';
import { type CodeRegion, findCodeRegions, insideRegions } from './unsafe-code.js';

/** Kinds of checkable claims, as option values and in `data.kind`. */
export const CLAIM_KINDS = ['number', 'date', 'entity', 'quote'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

const contextSchema = z.union([z.string(), z.array(z.string()).max(10_000)], {
  error: () => 'must be a string or an array of strings (the documents the answer must stay within)',
});

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "groundedness"')
      .default('groundedness'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default(['output']),
    /**
     * The grounding documents. When omitted, each check reads them from `metadata.groundingContext`
     * (a string or an array of strings); a check without either is not judged.
     */
    context: contextSchema.optional(),
    /** Claim kinds to check. */
    kinds: z
      .array(z.enum(CLAIM_KINDS, { error: () => `must be one of ${CLAIM_KINDS.join(', ')}` }))
      .min(1, 'must name at least one kind (or remove the scanner)')
      .default([...CLAIM_KINDS]),
    /** Claims found in the user's question (last user message of `history`, or `metadata.question`) count as supported. */
    includeQuestion: z.boolean({ error: () => 'must be true or false' }).default(true),
    /** Claims an answer needs before it is judged at all. */
    minClaims: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .default(1),
    /** Claims checked at most per text (the rest is ignored). */
    maxClaims: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(100_000, 'must be at most 100000')
      .default(500),
  })
  .strict();

export type GroundednessOptions = z.input<typeof optionsSchema>;

/** What the context supports, built once per context. */
interface GroundingIndex {
  /** Normalized words of the context, space-separated, with a space at both ends. */
  readonly words: string;
  /** Phrases of 1–6 normalized words. */
  readonly phrases: ReadonlySet<string>;
  /** Canonical numeric values ("1000", "0.5", "5000000"). */
  readonly numbers: ReadonlySet<string>;
  /** Digits of each number as written, without separators ("1000", "12.5"), for prefixes at the end of a stream window. */
  readonly digits: readonly string[];
  /** Canonical dates: "2024-3-5", "2024-3", "3-5". */
  readonly dates: ReadonlySet<string>;
}

interface Claim {
  readonly kind: ClaimKind;
  readonly start: number;
  readonly end: number;
  readonly weight: number;
  readonly supported: boolean;
}

const MAX_PHRASE_WORDS = 6;
/** Bounds the index of a huge context. */
const CONTEXT_LIMIT = 2_000_000;

const WORD = /[\p{L}\p{N}]{1,64}/gu;
const POSSESSIVE = /['’]s\b/g;

function normalizedWords(text: string): string[] {
  const words: string[] = [];
  const source = text.replace(POSSESSIVE, '');
  WORD.lastIndex = 0;
  for (let match = WORD.exec(source); match !== null; match = WORD.exec(source)) words.push(match[0].toLowerCase());
  return words;
}

// Numbers: an optional currency sign, digits with thousands separators and decimals, an optional unit
// that scales or types them. Digits inside words and versions ("A4", "v2.1") are dropped in code, by the
// character before the match (a lookbehind with Unicode classes costs several times more per call).
const NUMBER =
  /([$€£¥]\s{0,2})?(\d[\d,]{0,30}(?:\.\d{1,20})?)(\s{0,2}(?:%|percent\b|per\s{1,3}cent\b|thousand\b|million\b|billion\b|trillion\b|bn\b)|[kK]\b)?/g;
const WORD_CHAR = /[\p{L}\p{N}_.,]/u;

/** True when the character before `index` glues a match to a word, a number or a version. */
function gluedBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  const code = text.charCodeAt(index - 1);
  if (code < 0x80) {
    return (
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x5f ||
      code === 0x2e ||
      code === 0x2c
    );
  }
  return WORD_CHAR.test(text[index - 1]!);
}
const GROUPED = /^\d{1,3}(?:,\d{3}){1,10}(?:\.\d{1,20})?$/;
const SCALE: Record<string, number> = { thousand: 1e3, k: 1e3, million: 1e6, billion: 1e9, bn: 1e9, trillion: 1e12 };

interface NumberMatch {
  readonly start: number;
  readonly end: number;
  /** End of everything the pattern read, separators included ("12," of "12,500" still arriving). */
  readonly rawEnd: number;
  readonly value: string;
  readonly digits: string;
  readonly typed: boolean;
  readonly small: number;
}

function* numbersIn(text: string): Generator<NumberMatch> {
  NUMBER.lastIndex = 0;
  for (let match = NUMBER.exec(text); match !== null; match = NUMBER.exec(text)) {
    if (gluedBefore(text, match.index)) continue;
    let body = match[2]!;
    let unit = match[3];
    // "1,2,3" is a list, not a thousands-grouped number: keep the first item.
    if (body.includes(',') && !GROUPED.test(body)) {
      body = body.slice(0, body.indexOf(','));
      unit = undefined;
    }
    if (body.endsWith('.')) body = body.slice(0, -1);
    const digits = body.replace(/,/g, '');
    const number = Number(digits);
    if (!Number.isFinite(number)) continue;
    const unitWord = unit?.trim().toLowerCase().replace(/\s+/g, ' ') ?? '';
    const scale = SCALE[unitWord] ?? 1;
    const value = String(Number((number * scale).toPrecision(12)));
    const start = match.index + (match[1]?.length ?? 0);
    const end = unit === undefined ? start + body.length : match.index + match[0].length;
    const typed = match[1] !== undefined || unitWord !== '' || digits.includes('.');
    const rawEnd = match.index + match[0].length;
    yield { start, end, rawEnd, value, digits, typed, small: typed ? Number.POSITIVE_INFINITY : number };
  }
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const MONTH = '((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6})\\.?';
// One alternation so the forms never overlap: ISO, slashed, "March 5, 2024", "5 March 2024", "March 2024".
const DATE = new RegExp(
  [
    '\\b(\\d{4})-(\\d{1,2})-(\\d{1,2})\\b',
    '\\b(\\d{1,2})/(\\d{1,2})/(\\d{4}|\\d{2})\\b',
    `\\b${MONTH}\\s{1,3}(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s{1,3}(\\d{4})\\b)?`,
    `\\b(\\d{1,2})(?:st|nd|rd|th)?\\s{1,3}(?:of\\s{1,3})?${MONTH}(?:,?\\s{1,3}(\\d{4})\\b)?`,
    `\\b${MONTH}\\s{1,3}(\\d{4})\\b`,
  ].join('|'),
  'g',
);

interface DateMatch {
  readonly start: number;
  readonly end: number;
  /** Canonical readings (two for an ambiguous 03/04/2024). */
  readonly readings: readonly string[];
}

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function monthOf(name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  const word = name.toLowerCase();
  const month = MONTHS[word.slice(0, 3)];
  // "Mayor", "Marching": the word must be the month's name or a prefix of it.
  return month !== undefined && MONTH_NAMES[month - 1]!.startsWith(word) ? month : undefined;
}

function year(value: string): number {
  const number = Number(value);
  return value.length === 2 ? (number < 50 ? 2000 + number : 1900 + number) : number;
}

function reading(y: number | undefined, m: number, d: number | undefined): string | undefined {
  if (m < 1 || m > 12 || (d !== undefined && (d < 1 || d > 31))) return undefined;
  if (y !== undefined && d !== undefined) return `${y}-${m}-${d}`;
  if (y !== undefined) return `${y}-${m}`;
  return d === undefined ? undefined : `${m}-${d}`;
}

function* datesIn(text: string): Generator<DateMatch> {
  DATE.lastIndex = 0;
  for (let match = DATE.exec(text); match !== null; match = DATE.exec(text)) {
    const readings: string[] = [];
    const push = (value: string | undefined) => {
      if (value !== undefined && !readings.includes(value)) readings.push(value);
    };
    if (match[1] !== undefined) push(reading(Number(match[1]), Number(match[2]), Number(match[3])));
    else if (match[4] !== undefined) {
      const y = year(match[6]!);
      push(reading(y, Number(match[4]), Number(match[5])));
      push(reading(y, Number(match[5]), Number(match[4])));
    } else if (match[7] !== undefined) {
      const month = monthOf(match[7]);
      if (month !== undefined)
        push(reading(match[9] === undefined ? undefined : Number(match[9]), month, Number(match[8])));
    } else if (match[10] !== undefined) {
      const month = monthOf(match[11]);
      if (month !== undefined)
        push(reading(match[12] === undefined ? undefined : Number(match[12]), month, Number(match[10])));
    } else if (match[13] !== undefined) {
      const month = monthOf(match[13]);
      if (month !== undefined) push(reading(Number(match[14]), month, undefined));
    }
    if (readings.length > 0) yield { start: match.index, end: match.index + match[0].length, readings };
  }
}

/** Every reading of a date the context supports: the full date and its month-year and month-day parts. */
function addDate(dates: Set<string>, value: string): void {
  dates.add(value);
  const parts = value.split('-');
  if (parts.length === 3) {
    dates.add(`${parts[0]}-${parts[1]}`);
    dates.add(`${parts[1]}-${parts[2]}`);
  }
}

function buildIndex(documents: readonly string[]): GroundingIndex {
  let joined = documents.join('\n\n');
  if (joined.length > CONTEXT_LIMIT) joined = joined.slice(0, CONTEXT_LIMIT);
  const text = normalizeText(joined).text;
  const words = normalizedWords(text);
  const phrases = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    let phrase = '';
    for (let size = 1; size <= MAX_PHRASE_WORDS && i + size <= words.length; size++) {
      phrase = size === 1 ? words[i]! : `${phrase} ${words[i + size - 1]}`;
      phrases.add(phrase);
    }
  }
  const numbers = new Set<string>();
  const digits = new Set<string>();
  for (const number of numbersIn(text)) {
    numbers.add(number.value);
    numbers.add(String(Number(number.digits)));
    digits.add(number.digits);
  }
  const dates = new Set<string>();
  for (const date of datesIn(text)) for (const value of date.readings) addDate(dates, value);
  return { words: ` ${words.join(' ')} `, phrases, numbers, digits: [...digits], dates };
}

// Capitalized words (any script with case); grouped into names in code, not by a repeated group.
// Latin (with Latin-1 and Extended-A), Greek and Cyrillic capitals; no `u` flag and no lookbehind (both
// cost several times more per call); the character before is checked in code.
const CAPITALIZED = /[A-ZÀ-ÖØ-ÞΑ-ΩА-Я][A-Za-z0-9À-ÖØ-öø-ɏͰ-ϿЀ-ӿ&'’-]{0,40}/g;
const NAME_GLUE = /[\p{L}\p{N}_@/#\\-]/u;

function nameGluedBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  const code = text.charCodeAt(index - 1);
  if (code < 0x80) {
    return (
      (code >= 0x30 && code <= 0x39) ||
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      code === 0x5f ||
      code === 0x40 ||
      code === 0x2f ||
      code === 0x23 ||
      code === 0x5c ||
      code === 0x2d
    );
  }
  return NAME_GLUE.test(text[index - 1]!);
}
const CONNECTORS = new Set([
  'of',
  'de',
  'la',
  'le',
  'van',
  'von',
  'der',
  'den',
  'du',
  'da',
  'del',
  'di',
  'al',
  'bin',
  '&',
  'and',
]);
// Words that start sentences or are capitalized for grammar, not because they name something.
const COMMON = new Set(
  (
    "a an the this that these those it its i i'm i've i'd i'll we you he she they there here then thus so " +
    'in on at for from to of by with without within about after before during since until as if when while ' +
    'where which who whom whose what why how yes no not also and but or nor yet however therefore moreover ' +
    'furthermore additionally finally first second third next last overall according based given note please ' +
    'see read check use try answer question summary conclusion example examples step steps source sources ' +
    'all any some many most more each every both either neither other another such our your their my his her ' +
    'is are was were be been being do does did have has had can could will would shall should may might must ' +
    'ok okay sure thanks thank hello hi dear today yesterday tomorrow monday tuesday wednesday thursday friday ' +
    'saturday sunday january february march april may june july august september october november december ' +
    'mr mrs ms dr prof sir madam important warning tip key total table figure section chapter page'
  ).split(' '),
);
const SKIP_BACK = new Set([0x20, 0x09, 0x2a, 0x5f, 0x23, 0x3e, 0x22, 0x27, 0x201c, 0x2018, 0x28, 0x5b, 0x2d, 0x2022]);
const SENTENCE_END = new Set([0x2e, 0x21, 0x3f, 0x3a, 0x0a, 0x0d]);

/** True when `index` starts a sentence, a line or a list item (capitals there prove nothing). */
function sentenceStart(text: string, index: number): boolean {
  let i = index - 1;
  const limit = Math.max(0, index - 40);
  while (i >= limit && SKIP_BACK.has(text.charCodeAt(i))) i--;
  if (i < 0) return true;
  if (i < limit) return false;
  return SENTENCE_END.has(text.charCodeAt(i));
}

function isHeadingLine(text: string, index: number): boolean {
  let lineStart = index;
  while (lineStart > 0 && index - lineStart < 200 && text.charCodeAt(lineStart - 1) !== 0x0a) lineStart--;
  let i = lineStart;
  while (i < index && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x3e)) i++;
  return text.charCodeAt(i) === 0x23;
}

const QUOTES = [/"([^"\n]{3,400})"/g, /“([^”\n]{3,400})”/g, /«([^»\n]{3,400})»/g];

/**
 * Spans already taken by a claim (a number inside a date or a quote): the taken positions of the text,
 * marked one by one. Each check reads the span it asks about and each claim marks its own, so the work is
 * linear in the text; a sorted array of spans would shift on every insert out of order (quadratic with
 * `maxClaims` raised to its 100 000).
 */
class Taken {
  private marks: Uint8Array | undefined;

  constructor(private readonly length: number) {}

  add(start: number, end: number): void {
    this.marks ??= new Uint8Array(this.length);
    this.marks.fill(1, start, end);
  }

  overlaps(start: number, end: number): boolean {
    const marks = this.marks;
    if (marks === undefined) return false;
    for (let index = start; index < end; index++) if (marks[index] === 1) return true;
    return false;
  }
}

function insideCode(regions: readonly CodeRegion[], index: number): boolean {
  return regions.length > 0 && insideRegions(regions, index);
}

function documentsOf(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

/**
 * Claims in an answer that the supplied context does not support: numbers (with units, percentages and
 * money; "1,000" = "1000", "5%" = "5 percent", "2.5 million" = "2,500,000"), dates (ISO, slashed, "March 5,
 * 2024", "5 March 2024", "March 2024"), names (runs of capitalized words; a capital at the start of a
 * sentence proves nothing and is dropped) and quoted passages. Comparison is on normalized words and
 * canonical values. One `hallucination` finding scores the weighted share of unsupported claims, with
 * their spans in `data.unsupported`; each unsupported claim also gets a low-severity `unsupported-claim`
 * finding. A cheap lexical check, not entailment: a supported number in a wrong sentence passes.
 *
 * @example
 * createGuard({ output: [groundedness({ context: retrievedDocuments })] });
 */
export function groundedness(options: GroundednessOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'groundedness() options');
  const kinds = new Set<ClaimKind>(config.kinds);
  const fixed = config.context === undefined ? undefined : buildIndex(documentsOf(config.context) ?? []);
  // Contexts that arrive per call (metadata) are indexed once per distinct text: a stream scans the same
  // context once per window.
  const cache = new Map<string, GroundingIndex>();
  const indexFor = (documents: readonly string[]): GroundingIndex => {
    const key = documents.join('\u0000');
    let index = cache.get(key);
    if (index === undefined) {
      index = buildIndex(documents);
      if (cache.size >= 8) cache.delete(cache.keys().next().value!);
      cache.set(key, index);
    }
    return index;
  };

  const questionOf = (context: DetectContext): GroundingIndex | undefined => {
    if (!config.includeQuestion) return undefined;
    const fromMetadata = context.metadata?.question;
    if (typeof fromMetadata === 'string' && fromMetadata.length > 0) return indexFor([fromMetadata]);
    const history = context.history;
    if (!Array.isArray(history)) return undefined;
    for (let i = history.length - 1; i >= 0; i--) {
      const message = history[i];
      if (message?.role === 'user' && typeof message.content === 'string') return indexFor([message.content]);
    }
    return undefined;
  };

  const detect = (_text: string, context: DetectContext): readonly FindingInput[] => {
    let index = fixed;
    if (index === undefined) {
      const documents = documentsOf(context.metadata?.groundingContext);
      if (documents === undefined) return [];
      index = indexFor(documents);
    }
    const view = context.normalized;
    const text = view.text;
    if (text.length === 0) return [];
    const question = questionOf(context);
    const sources = question === undefined ? [index] : [index, question];
    const code = findCodeRegions(text);
    const taken = new Taken(text.length);
    const claims: Claim[] = [];
    const atEnd = (end: number) => end >= text.length;
    const full = () => claims.length >= config.maxClaims;

    if (kinds.has('quote') && /["“«]/.test(text)) {
      for (const pattern of QUOTES) {
        pattern.lastIndex = 0;
        for (let match = pattern.exec(text); match !== null && !full(); match = pattern.exec(text)) {
          const start = match.index;
          const end = start + match[0].length;
          if (insideCode(code, start)) continue;
          const words = normalizedWords(match[1]!);
          if (words.length === 0) continue;
          const needle = ` ${words.join(' ')} `;
          taken.add(start, end);
          claims.push({
            kind: 'quote',
            start,
            end,
            weight: words.length >= 3 ? 1.5 : 0.5,
            supported: sources.some((source) => source.words.includes(needle)),
          });
        }
      }
    }
    if (kinds.has('date') || kinds.has('number')) {
      for (const date of datesIn(text)) {
        if (full()) break;
        if (taken.overlaps(date.start, date.end) || insideCode(code, date.start)) continue;
        taken.add(date.start, date.end);
        if (!kinds.has('date')) continue;
        const supported = date.readings.some((value) => sources.some((source) => source.dates.has(value)));
        // "March 2" at the end of a stream window may still become "March 25".
        if (!supported && atEnd(date.end)) continue;
        claims.push({ kind: 'date', start: date.start, end: date.end, weight: 1, supported });
      }
    }
    if (kinds.has('number')) {
      for (const number of numbersIn(text)) {
        if (full()) break;
        // Small bare integers count things ("3 steps") more than they claim facts.
        if (number.small <= 10) continue;
        if (taken.overlaps(number.start, number.end) || insideCode(code, number.start)) continue;
        const supported = sources.some((source) => source.numbers.has(number.value));
        if (!supported && atEnd(number.rawEnd)) {
          if (sources.some((source) => source.digits.some((digits) => digits.startsWith(number.digits)))) continue;
        }
        claims.push({
          kind: 'number',
          start: number.start,
          end: number.end,
          weight: number.small < 100 ? 0.5 : 1,
          supported,
        });
      }
    }
    if (kinds.has('entity')) collectEntities(text, sources, code, taken, claims, config.maxClaims);

    if (claims.length < config.minClaims) return [];
    let checked = 0;
    let unsupportedWeight = 0;
    const unsupported: { start: number; end: number }[] = [];
    const byKind: Record<string, number> = {};
    const findings: FindingInput[] = [];
    claims.sort((a, b) => a.start - b.start);
    for (const claim of claims) {
      checked += claim.weight;
      if (claim.supported) continue;
      unsupportedWeight += claim.weight;
      const span = view.toOriginal(claim.start, claim.end);
      unsupported.push(span);
      byKind[claim.kind] = (byKind[claim.kind] ?? 0) + 1;
      findings.push({
        category: 'unsupported-claim',
        score: 0.4,
        severity: 'low',
        message: `${claim.kind} not found in the grounding context`,
        span,
        data: { kind: claim.kind },
      });
    }
    if (unsupported.length === 0) return [];
    const ratio = Math.round((unsupportedWeight / checked) * 1000) / 1000;
    findings.unshift({
      category: 'hallucination',
      score: ratio,
      severity: ratio >= 0.5 ? 'high' : 'medium',
      message: `${unsupported.length} of ${claims.length} checked claims are not found in the grounding context`,
      data: { checked: claims.length, unsupported, unsupportedByKind: byKind, ratio },
    });
    return findings;
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { category: 'hallucination', minScore: 0.5, action: 'flag' },
      // Single claims are evidence for the summary, recorded but not acted on.
      { category: 'unsupported-claim', minScore: 0.5, action: 'flag' },
    ],
    detect,
  };
}

function collectEntities(
  text: string,
  sources: readonly GroundingIndex[],
  code: readonly CodeRegion[],
  taken: Taken,
  claims: Claim[],
  maxClaims: number,
): void {
  let words: { word: string; start: number; end: number }[] = [];
  const flush = () => {
    const group = words;
    words = [];
    if (group.length === 0 || claims.length >= maxClaims) return;
    // Trailing connectors ("Bank of") are not part of the name.
    while (group.length > 0 && CONNECTORS.has(group[group.length - 1]!.word.toLowerCase())) group.pop();
    const first = group[0];
    if (first === undefined) return;
    if (group.length === 1 && (first.word.length < 2 || COMMON.has(first.word.toLowerCase()))) return;
    if (isHeadingLine(text, first.start) || insideCode(code, first.start)) return;
    let start = 0;
    const atSentenceStart = sentenceStart(text, first.start);
    // A lone capital at the start of a sentence proves nothing.
    if (atSentenceStart && group.length === 1) return;
    // Drop grammar words at the start ("The Eiffel Tower", "In Paris").
    while (start < group.length && COMMON.has(group[start]!.word.toLowerCase().replace(/['’]s$/, ''))) start++;
    const name = group.slice(start);
    if (name.length === 0) return;
    if (name.length === 1 && (name[0]!.word.length < 2 || COMMON.has(name[0]!.word.toLowerCase()))) return;
    const span = { start: name[0]!.start, end: name[name.length - 1]!.end };
    if (taken.overlaps(span.start, span.end)) return;
    const phrase = normalizedWords(text.slice(span.start, span.end)).join(' ');
    if (phrase.length === 0) return;
    const supportedBy = (candidate: string) =>
      sources.some((source) =>
        candidate.split(' ').length <= MAX_PHRASE_WORDS
          ? source.phrases.has(candidate)
          : source.words.includes(` ${candidate} `),
      );
    let supported = supportedBy(phrase);
    // At the sentence start the first word may be a capitalized common word we do not know ("Certainly Jane Doe").
    if (!supported && atSentenceStart && start === 0 && name.length >= 2) {
      supported = supportedBy(normalizedWords(text.slice(name[1]!.start, span.end)).join(' '));
    }
    if (!supported && span.end >= text.length) {
      // A name cut off at the end of a stream window: judge it once complete.
      if (sources.some((source) => source.words.includes(` ${phrase}`))) return;
    }
    claims.push({ kind: 'entity', start: span.start, end: span.end, weight: name.length === 1 ? 0.5 : 1, supported });
  };
  CAPITALIZED.lastIndex = 0;
  let previousEnd = -1;
  for (let match = CAPITALIZED.exec(text); match !== null; match = CAPITALIZED.exec(text)) {
    if (claims.length >= maxClaims) return;
    if (nameGluedBefore(text, match.index)) continue;
    let word = match[0];
    // Trailing hyphens and apostrophes belong to the sentence.
    while (word.length > 1 && /['’&-]$/.test(word)) word = word.slice(0, -1);
    const start = match.index;
    const end = start + word.length;
    const gap = previousEnd < 0 ? '' : text.slice(previousEnd, start);
    const joins =
      words.length > 0 &&
      (gap === ' ' ||
        (gap.length <= 5 && CONNECTORS.has(gap.trim().toLowerCase()) && gap.startsWith(' ') && gap.endsWith(' ')));
    if (!joins) flush();
    // Connector words inside a name are lower-case, so they are only in the gap; names stop at 12 words.
    if (words.length < 12) words.push({ word, start, end });
    previousEnd = end;
  }
  flush();
}

export const groundednessEntry: DetectorFactory = {
  id: 'groundedness',
  stages: ['output'],
  requiresOptions: true,
  description:
    'Numbers, dates, names and quotes in an answer that the supplied context does not contain (a lexical hallucination check); options: context (or metadata.groundingContext per call)',
  create: (options) => groundedness((options ?? {}) as never),
};
