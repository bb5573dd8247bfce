import {
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  parseConfig,
  type Severity,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

/** The families of invisible characters this detector knows, as option values. */
export const INVISIBLE_FAMILIES = ['tags', 'zero-width', 'bidi', 'variation-selectors', 'format'] as const;
export type InvisibleFamily = (typeof INVISIBLE_FAMILIES)[number];

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "invisible-text"')
      .default('invisible-text'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default([...STAGES]),
    /** Families to report; the others are left alone. */
    families: z
      .array(z.enum(INVISIBLE_FAMILIES, { error: () => `must be one of ${INVISIBLE_FAMILIES.join(', ')}` }))
      .min(1, 'must name at least one family (or remove the detector)')
      .default([...INVISIBLE_FAMILIES]),
    /** Zero-width joiners inside emoji sequences (👨‍👩‍👧) are not reported. */
    allowJoinersInEmoji: z.boolean().default(true),
    /** ZWJ/ZWNJ between letters of scripts that need them (Arabic, Persian, Indic, Mongolian…) are not reported. */
    allowJoinersInScripts: z.boolean().default(true),
    /** Tag characters spelling a subdivision flag after 🏴 (🏴󠁧󠁢󠁳󠁣󠁴󠁿) are not reported. */
    allowEmojiTagSequences: z.boolean().default(true),
    /** A byte-order mark as the very first character is not reported. */
    allowLeadingBom: z.boolean().default(true),
    /** LRM / RLM / ALM are not reported when the text contains right-to-left letters. */
    allowDirectionMarksInRtl: z.boolean().default(true),
    /** Findings with a span at most; the rest is summed up in one `invisible-overflow` finding. */
    maxFindings: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(100_000, 'must be at most 100000')
      .default(64),
    /** Put the ASCII carried by tag characters into `data.hiddenText` (off: it may be an attack payload or personal data). */
    includeHiddenText: z.boolean().default(false),
  })
  .strict();

export type InvisibleTextOptions = z.input<typeof optionsSchema>;

const TAGS = 1;
const ZERO_WIDTH = 2;
const BIDI = 3;
const SELECTORS = 4;
const FORMAT = 5;

const FAMILY_NAMES: Record<number, InvisibleFamily> = {
  [TAGS]: 'tags',
  [ZERO_WIDTH]: 'zero-width',
  [BIDI]: 'bidi',
  [SELECTORS]: 'variation-selectors',
  [FORMAT]: 'format',
};

const CATEGORIES: Record<number, string> = {
  [TAGS]: 'tag-characters',
  [ZERO_WIDTH]: 'zero-width',
  [BIDI]: 'bidi-control',
  [SELECTORS]: 'variation-selectors',
  [FORMAT]: 'invisible-format',
};

// The same characters the core normalizer removes (and counts in stats.invisible / bidi / tags), so the
// fast path on the stats never misses one. No `u` flag: astral characters are matched as surrogate pairs.
// Built from a string: a literal class holding combining characters (U+034F, U+17B4…) trips the linter's
// "misleading class" check, and here each listed code unit is matched on its own, on purpose.
const CANDIDATE = new RegExp(
  [
    '[\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u206f\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufff8]',
    // Plane 14 up to U+E0FFF: tags, variation selectors and the unassigned default-ignorable rest.
    '\\udb40[\\udc00-\\udfff]',
    '[\\udb41-\\udb43][\\udc00-\\udfff]',
    '\\ud834[\\udd73-\\udd7a]',
    '\\ud82f[\\udca0-\\udca3]',
  ].join('|'),
  'g',
);

const EXTENDED_PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const COMBINING_MARK = /^\p{M}$/u;
// Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms.
const RTL_LETTER = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;

/** Family of the code point, before looking at its neighbours; 0 when it is not one of ours. */
function familyOf(codePoint: number): number {
  if (codePoint >= 0xe0000) {
    if (codePoint <= 0xe007f) return TAGS;
    if (codePoint >= 0xe0100 && codePoint <= 0xe01ef) return SELECTORS;
    // Unassigned, default-ignorable: nothing is shown for them.
    if (codePoint <= 0xe0fff) return FORMAT;
    return 0;
  }
  if (codePoint >= 0x10000) {
    if ((codePoint >= 0x1d173 && codePoint <= 0x1d17a) || (codePoint >= 0x1bca0 && codePoint <= 0x1bca3)) return FORMAT;
    return 0;
  }
  if (codePoint === 0x00ad || (codePoint >= 0x200b && codePoint <= 0x200d)) return ZERO_WIDTH;
  if (codePoint === 0x2060 || codePoint === 0xfeff || codePoint === 0x180e) return ZERO_WIDTH;
  if (codePoint === 0x061c || codePoint === 0x200e || codePoint === 0x200f) return BIDI;
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069)) return BIDI;
  if (codePoint >= 0xfe00 && codePoint <= 0xfe0f) return SELECTORS;
  if (
    codePoint === 0x034f ||
    codePoint === 0x115f ||
    codePoint === 0x1160 ||
    codePoint === 0x17b4 ||
    codePoint === 0x17b5 ||
    (codePoint >= 0x180b && codePoint <= 0x180f) ||
    (codePoint >= 0x2061 && codePoint <= 0x206f) ||
    codePoint === 0x3164 ||
    codePoint === 0xffa0 ||
    (codePoint >= 0xfff0 && codePoint <= 0xfff8)
  ) {
    return FORMAT;
  }
  return 0;
}

function codePointAt(text: string, index: number): number {
  return text.codePointAt(index) ?? 0;
}

/** Code point ending just before `index` (a whole surrogate pair when there is one), or -1. */
function codePointBefore(text: string, index: number): number {
  if (index <= 0) return -1;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return ((high - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
  }
  return low;
}

function widthOf(codePoint: number): number {
  return codePoint >= 0x10000 ? 2 : 1;
}

function isVariationSelector(codePoint: number): boolean {
  return (codePoint >= 0xfe00 && codePoint <= 0xfe0f) || (codePoint >= 0xe0100 && codePoint <= 0xe01ef);
}

function isEmojiModifier(codePoint: number): boolean {
  return codePoint >= 0x1f3fb && codePoint <= 0x1f3ff;
}

function isPictographic(codePoint: number): boolean {
  if (codePoint < 0xa9) return false;
  return EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(codePoint));
}

/** Scripts whose spelling uses ZWJ / ZWNJ between letters (cursive joining, conjuncts). */
function isJoiningScript(codePoint: number): boolean {
  return (
    (codePoint >= 0x0600 && codePoint <= 0x08ff) || // Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic
    (codePoint >= 0x0900 && codePoint <= 0x0dff) || // Devanagari … Sinhala
    (codePoint >= 0x0f00 && codePoint <= 0x109f) || // Tibetan, Myanmar
    (codePoint >= 0x1780 && codePoint <= 0x18af) || // Khmer, Mongolian
    (codePoint >= 0xa8e0 && codePoint <= 0xa8ff) || // Devanagari extended
    (codePoint >= 0xa9e0 && codePoint <= 0xa9ff) || // Myanmar extended
    (codePoint >= 0xfb50 && codePoint <= 0xfdff) || // Arabic presentation forms A
    (codePoint >= 0xfe70 && codePoint <= 0xfefc) // Arabic presentation forms B
  );
}

function isMongolian(codePoint: number): boolean {
  return codePoint >= 0x1800 && codePoint <= 0x18af;
}

function isConjoiningJamo(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x11ff) ||
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xd7b0 && codePoint <= 0xd7ff)
  );
}

function isIdeograph(codePoint: number): boolean {
  return (
    (codePoint >= 0x3400 && codePoint <= 0x9fff) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3134f)
  );
}

function isAsciiLetter(codePoint: number): boolean {
  return (codePoint >= 0x41 && codePoint <= 0x5a) || (codePoint >= 0x61 && codePoint <= 0x7a);
}

type Config = z.output<typeof optionsSchema>;

/** What one call learns lazily about the whole text. */
interface Scan {
  readonly text: string;
  rtl: boolean | undefined;
}

/** An emoji (after skipping its presentation selector and skin tone) ends just before `index`. */
function emojiBefore(text: string, index: number): boolean {
  let at = index;
  for (let steps = 0; steps < 3; steps++) {
    const previous = codePointBefore(text, at);
    if (previous < 0) return false;
    if (previous === 0xfe0f || isEmojiModifier(previous)) {
      at -= widthOf(previous);
      continue;
    }
    return isPictographic(previous);
  }
  return false;
}

/**
 * Whether the invisible character at `index` is a legitimate part of the text around it (not reported).
 * Only ever looks at a few neighbours, so the whole scan stays linear.
 */
function allowedInContext(config: Config, scan: Scan, index: number, codePoint: number, width: number): boolean {
  const text = scan.text;
  if (codePoint === 0xfeff) return index === 0 && config.allowLeadingBom;
  if (codePoint === 0x200d || codePoint === 0x200c) {
    const next = codePointAt(text, index + width);
    if (codePoint === 0x200d && config.allowJoinersInEmoji && isPictographic(next) && emojiBefore(text, index))
      return true;
    if (config.allowJoinersInScripts) {
      const previous = codePointBefore(text, index);
      return isJoiningScript(previous) && isJoiningScript(next);
    }
    return false;
  }
  if (codePoint === 0x200e || codePoint === 0x200f || codePoint === 0x061c) {
    if (!config.allowDirectionMarksInRtl) return false;
    scan.rtl ??= RTL_LETTER.test(text);
    return scan.rtl;
  }
  if (codePoint >= 0x180b && codePoint <= 0x180f) {
    // Mongolian free variation selectors and vowel separator belong to Mongolian spelling.
    return config.allowJoinersInScripts && isMongolian(codePointBefore(text, index));
  }
  if (codePoint === 0x115f || codePoint === 0x1160) {
    return isConjoiningJamo(codePointBefore(text, index)) || isConjoiningJamo(codePointAt(text, index + width));
  }
  if (codePoint === 0x034f) return COMBINING_MARK.test(String.fromCodePoint(codePointAt(text, index + 1)));
  return false;
}

/** A single variation selector is fine after a base it can vary (an emoji, a symbol, an ideograph…). */
function selectorAllowed(text: string, index: number, codePoint: number): boolean {
  const base = codePointBefore(text, index);
  if (base < 0) return false;
  if (codePoint >= 0xe0100) return isIdeograph(base);
  if (codePoint >= 0xfe0e) return !isAsciiLetter(base) && base !== 0x20 && base !== 0x0a;
  return base >= 0x80 || (base >= 0x30 && base <= 0x39);
}

interface Run {
  family: number;
  start: number;
  end: number;
  /** Characters (code points) in the run. */
  count: number;
  /** ASCII carried by the tag characters of the run. */
  hidden: string;
  /** Direction overrides, embeddings or isolates in the run (not only LRM / RLM marks). */
  strongBidi: boolean;
  /** Only soft hyphens in the run. */
  softHyphensOnly: boolean;
}

function describeRun(run: Run, config: Config): FindingInput {
  const span = { start: run.start, end: run.end };
  const chars = run.count === 1 ? '1 character' : `${run.count} characters`;
  let score: number;
  let severity: Severity;
  let message: string;
  const data: Record<string, unknown> = { family: FAMILY_NAMES[run.family], count: run.count };
  switch (run.family) {
    case TAGS:
      score = 1;
      severity = 'critical';
      message = `hidden text in Unicode tag characters (ASCII smuggling): ${run.hidden.length} hidden character${run.hidden.length === 1 ? '' : 's'}`;
      data.hiddenLength = run.hidden.length;
      if (config.includeHiddenText) data.hiddenText = run.hidden;
      break;
    case ZERO_WIDTH:
      score = run.softHyphensOnly ? 0.6 : 0.8;
      severity = run.softHyphensOnly ? 'low' : 'medium';
      message = run.softHyphensOnly ? `soft hyphens (${chars})` : `zero-width characters (${chars})`;
      break;
    case BIDI:
      score = run.strongBidi ? 0.9 : 0.6;
      severity = run.strongBidi ? 'high' : 'low';
      message = run.strongBidi
        ? `bidirectional override or isolate controls (${chars}) that can reorder what is displayed`
        : `direction marks (${chars})`;
      break;
    case SELECTORS:
      score = 0.9;
      severity = 'high';
      message = `run of variation selectors (${chars}) that can carry hidden bytes`;
      data.hiddenBytes = run.count;
      break;
    default:
      score = 0.7;
      severity = 'medium';
      message = `invisible formatting characters (${chars})`;
  }
  return { category: CATEGORIES[run.family]!, score, severity, message, span, replacement: '', data };
}

/**
 * Finds invisible characters in the text as the caller wrote it: Unicode tag characters (ASCII smuggling),
 * zero-width characters, bidirectional controls, runs of variation selectors and other invisible
 * formatting. Adjacent characters of one family make one finding, whose empty `replacement` lets a
 * `redact` action strip them. Legitimate uses are left alone: ZWJ in emoji, ZWJ/ZWNJ in scripts that need
 * them, a leading BOM, direction marks in right-to-left text, one variation selector after an emoji.
 *
 * @example
 * createGuard({ input: [invisibleText()] });   // "ig\u200bnore" → redacted to "ignore"
 */
export function invisibleText(options: InvisibleTextOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'invisibleText() options');
  const wanted = new Set(config.families);
  const report = (family: number): boolean => wanted.has(FAMILY_NAMES[family]!);

  const detect = (text: string, context: DetectContext): readonly FindingInput[] => {
    const stats = context.normalized.stats;
    if (stats.invisible === 0 && stats.bidi === 0 && stats.tags === 0) return [];
    const original = text;
    const scan: Scan = { text: original, rtl: undefined };
    const findings: FindingInput[] = [];
    let run: Run | undefined;
    let overflowRuns = 0;
    let overflowChars = 0;
    const overflowFamilies: Record<string, number> = {};
    const close = (): void => {
      if (run === undefined) return;
      if (findings.length < config.maxFindings) findings.push(describeRun(run, config));
      else {
        overflowRuns++;
        overflowChars += run.count;
        const name = FAMILY_NAMES[run.family]!;
        overflowFamilies[name] = (overflowFamilies[name] ?? 0) + run.count;
      }
      run = undefined;
    };
    const add = (family: number, index: number, width: number, codePoint: number, count = 1): void => {
      if (run !== undefined && (run.family !== family || run.end !== index)) close();
      if (run === undefined) {
        run = {
          family,
          start: index,
          end: index,
          count: 0,
          hidden: '',
          strongBidi: false,
          softHyphensOnly: true,
        };
      }
      run.end = index + width;
      run.count += count;
      if (family === TAGS && codePoint >= 0xe0020 && codePoint <= 0xe007e && run.hidden.length < 100_000)
        run.hidden += String.fromCharCode(codePoint - 0xe0000);
      if (family === BIDI && codePoint !== 0x200e && codePoint !== 0x200f && codePoint !== 0x061c)
        run.strongBidi = true;
      if (codePoint !== 0x00ad) run.softHyphensOnly = false;
    };

    // detect() is synchronous, so sharing the compiled pattern (and its lastIndex) across calls is safe.
    const pattern = CANDIDATE;
    pattern.lastIndex = 0;
    const length = original.length;
    for (let match = pattern.exec(original); match !== null; match = pattern.exec(original)) {
      let index = match.index;
      // Walk the whole stretch of candidates here (one regex call per stretch, not per character).
      while (index < length) {
        const codePoint = codePointAt(original, index);
        const family = familyOf(codePoint);
        if (family === 0) break;
        const width = widthOf(codePoint);
        if (family === SELECTORS) {
          let end = index + width;
          let count = 1;
          while (end < length && isVariationSelector(codePointAt(original, end))) {
            end += widthOf(codePointAt(original, end));
            count++;
          }
          if ((count > 1 || !selectorAllowed(original, index, codePoint)) && report(SELECTORS)) {
            add(SELECTORS, index, end - index, codePoint, count);
          }
          index = end;
          continue;
        }
        if (family === TAGS && config.allowEmojiTagSequences && codePointBefore(original, index) === 0x1f3f4) {
          // A subdivision flag: 🏴 + two to six tag letters or digits + CANCEL TAG.
          let end = index;
          let letters = 0;
          while (end < length && letters < 8) {
            const tag = codePointAt(original, end);
            if (tag < 0xe0020 || tag > 0xe007e) break;
            end += 2;
            letters++;
          }
          if (letters >= 2 && letters <= 6 && codePointAt(original, end) === 0xe007f) {
            index = end + 2;
            continue;
          }
        }
        if (!allowedInContext(config, scan, index, codePoint, width) && report(family)) {
          add(family, index, width, codePoint);
        }
        index += width;
      }
      pattern.lastIndex = Math.max(index, match.index + 1);
    }
    close();
    if (overflowRuns > 0) {
      findings.push({
        category: 'invisible-overflow',
        score: 1,
        severity: 'high',
        message: `${overflowRuns} more runs of invisible characters (${overflowChars} characters) beyond the first ${config.maxFindings}; raise maxFindings to strip them span by span`,
        data: { runs: overflowRuns, count: overflowChars, families: overflowFamilies },
      });
    }
    return findings;
  };

  return {
    id: config.id,
    stages: config.stages,
    rules: [
      { minScore: 0.5, action: 'redact' },
      // Too many separate runs to list: the text cannot be cleaned span by span, so it is not let through.
      { category: 'invisible-overflow', minScore: 0.5, action: 'block' },
    ],
    detect,
  };
}

export const invisibleTextEntry: DetectorFactory = {
  id: 'invisible-text',
  stages: ['input', 'output', 'tool_input', 'tool_output'],
  description:
    'Invisible characters (tag-character ASCII smuggling, zero-width, bidi controls, variation-selector runs), flagged and stripped; options: families, maxFindings, allow…',
  defaultFor: ['input'],
  create: (options) => invisibleText((options ?? {}) as never),
};
