import {
  type DecodedPayload,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  type PayloadKind,
  parseConfig,
  type Severity,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';

const KINDS = ['base64', 'hex', 'url', 'rot13', 'unicode-tags'] as const satisfies readonly PayloadKind[];

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "encoded-payload"')
      .default('encoded-payload'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` }))
      .min(1, 'must name at least one stage')
      .default([...STAGES]),
    /**
     * Encodings to report. `unicode-tags` is off by default: the `invisible-text` detector reports tag
     * characters already.
     */
    kinds: z
      .array(z.enum(KINDS, { error: () => `must be one of ${KINDS.join(', ')}` }))
      .min(1, 'must name at least one kind (or remove the detector)')
      .default(['base64', 'hex', 'url', 'rot13']),
    /** Decoded payloads shorter than this (characters, surrounding whitespace trimmed) are not reported. */
    minDecodedLength: z
      .number({ error: () => 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(100_000, 'must be at most 100000')
      .default(12),
    /** Put the decoded text into `data.decoded` (off: it may be an attack payload or personal data). */
    includeDecoded: z.boolean().default(false),
  })
  .strict();

export type EncodedPayloadOptions = z.input<typeof optionsSchema>;

/** Characters of a decoded payload looked at; enough to tell prose from data, and bounds the work. */
const SAMPLE = 4096;
const LETTER = /^\p{L}$/u;
// Words of instructions aimed at a model; only ever run on a bounded sample.
const INSTRUCTION =
  /\b(?:ignore|disregard|forget|instructions?|system prompt|reveal|pretend|you are|act as|jailbreak|bypass|password|secret|execute|override|do not|don't|never|always|must|respond|reply|print|output)\b/i;
// The commonest English words: the rot13 reading must be English, and more so than the text itself.
const COMMON_WORDS = /\b(?:the|and|you|your|to|of|is|are|in|that|it|for|on|with|all|this|be|not|what|how|me|my)\b/gi;

interface Reading {
  readonly length: number;
  readonly printable: boolean;
  readonly natural: boolean;
  readonly instructionLike: boolean;
}

function isLetter(code: number, char: string): boolean {
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return true;
  if (code < 0xaa) return false;
  return LETTER.test(char);
}

/** How the decoded text reads: mostly printable? letters and spaces like prose? instruction words? */
function read(text: string): Reading {
  const trimmed = text.trim();
  const sample = trimmed.length > SAMPLE ? trimmed.slice(0, SAMPLE) : trimmed;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  let words = 0;
  let inWord = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    const control = (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f);
    if (!control && code !== 0xfffd) printable++;
    if (code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d) {
      spaces++;
      if (inWord >= 2) words++;
      inWord = 0;
    } else if (isLetter(code, sample[i]!)) {
      letters++;
      inWord++;
    }
  }
  if (inWord >= 2) words++;
  const size = Math.max(1, sample.length);
  const natural =
    (letters + spaces) / size >= 0.75 &&
    spaces / size >= 0.05 &&
    spaces / size <= 0.35 &&
    words >= 3 &&
    letters / Math.max(1, words) <= 12;
  return {
    length: trimmed.length,
    printable: printable / size >= 0.9,
    natural,
    instructionLike: natural && INSTRUCTION.test(sample),
  };
}

function commonWords(text: string, limit: number): number {
  COMMON_WORDS.lastIndex = 0;
  let count = 0;
  while (count < limit && COMMON_WORDS.exec(text) !== null) count++;
  return count;
}

const LABELS: Record<PayloadKind, string> = {
  base64: 'base64-encoded',
  hex: 'hex-encoded',
  url: 'URL-encoded',
  rot13: 'rot13-encoded',
  'unicode-tags': 'tag-character-encoded',
};

/** Base score by kind: [printable data, natural language, natural-language instructions]. */
const SCORES: Record<PayloadKind, readonly [number, number, number]> = {
  base64: [0.55, 0.8, 0.95],
  hex: [0.55, 0.8, 0.95],
  // URL-encoding of prose is what every search link holds: reported only when it reads as instructions.
  url: [0.3, 0.45, 0.8],
  rot13: [0, 0.8, 0.95],
  'unicode-tags': [0.8, 0.9, 1],
};

function severityOf(score: number): Severity {
  return score >= 0.9 ? 'high' : score >= 0.5 ? 'medium' : 'low';
}

/**
 * Base64, hex, URL-encoded and rot13 payloads (as decoded once per check by the core normalizer) that
 * decode to mostly printable text. Scores are higher when the decoded text reads like natural language,
 * and higher still like instructions, than when it looks like data. The span covers the encoded run in
 * the caller's text; the decoded text is kept out of the finding unless `includeDecoded` is set.
 *
 * @example
 * createGuard({ input: [encodedPayload({ minDecodedLength: 16 })] });
 */
export function encodedPayload(options: EncodedPayloadOptions = {}): Detector {
  const config = parseConfig(optionsSchema, options ?? {}, 'encodedPayload() options');
  const kinds = new Set<PayloadKind>(config.kinds);
  const wantsRot13 = kinds.has('rot13');

  const judge = (payload: DecodedPayload, view: DetectContext['normalized']): FindingInput | undefined => {
    const reading = read(payload.text);
    if (reading.length < config.minDecodedLength || !reading.printable) return undefined;
    if (payload.kind === 'rot13') {
      // The rot13 reading of the whole text: only when it is English, and more English than the text.
      if (!reading.natural) return undefined;
      const decodedWords = commonWords(payload.text, 64);
      if (decodedWords < 3 || decodedWords <= commonWords(view.text, 64)) return undefined;
    }
    const [data, prose, instructions] = SCORES[payload.kind];
    let score = reading.instructionLike ? instructions : reading.natural ? prose : data;
    // Text encoded twice was hidden on purpose.
    if (payload.depth > 1) score = Math.min(1, score + 0.05);
    if (score <= 0) return undefined;
    const details = [`${reading.length} characters decoded`];
    if (reading.instructionLike) details.push('reads as instructions');
    else if (reading.natural) details.push('reads as natural language');
    if (payload.depth > 1) details.push('nested encoding');
    return {
      category: 'encoded-payload',
      score,
      severity: severityOf(score),
      message: `${LABELS[payload.kind]} text (${details.join(', ')})`,
      span: { start: payload.span.start, end: payload.span.end },
      data: {
        kind: payload.kind,
        decodedLength: reading.length,
        encodedLength: payload.span.end - payload.span.start,
        depth: payload.depth,
        natural: reading.natural,
        instructionLike: reading.instructionLike,
        ...(config.includeDecoded ? { decoded: payload.text } : {}),
      },
    };
  };

  return {
    id: config.id,
    stages: config.stages,
    // Encoded data is common in legitimate prompts (tokens, data URLs, links): recorded, not stopped.
    rules: [{ minScore: 0.5, action: 'flag' }],
    detect(_text, context) {
      const view = context.normalized;
      const payloads = wantsRot13 ? view.payloads : view.encodedPayloads;
      if (payloads.length === 0) return [];
      // One finding per encoded run: a nested payload shares its outer span; keep the strongest reading.
      const best = new Map<string, FindingInput>();
      for (const payload of payloads) {
        if (!kinds.has(payload.kind)) continue;
        const finding = judge(payload, view);
        if (finding === undefined) continue;
        const key = `${payload.span.start}:${payload.span.end}`;
        const previous = best.get(key);
        if (previous === undefined || finding.score > previous.score) best.set(key, finding);
      }
      return [...best.values()];
    },
  };
}

export const encodedPayloadEntry: DetectorFactory = {
  id: 'encoded-payload',
  stages: ['input', 'output', 'tool_input', 'tool_output'],
  description:
    'Base64 / hex / URL-encoded / rot13 payloads that decode to readable text (scored higher when they read as instructions); options: kinds, minDecodedLength, includeDecoded',
  create: (options) => encodedPayload((options ?? {}) as never),
};
