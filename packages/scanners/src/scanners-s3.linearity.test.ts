import { type DetectContext, type Detector, normalizeText } from '@parapet/core';
import { collectGarbage } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canary, canaryLeak } from './canary.js';
import { jsonSchema, readJson } from './json-schema.js';
import { systemPromptLeak } from './system-prompt-leak.js';

/**
 * Linear time on hostile input, for the system-prompt-leak and canary scanners and the JSON repairer. For
 * each adversarial family, the work on 1 M characters must cost about four times that on 250 K characters;
 * quadratic behaviour would cost sixteen. The assertion is a generous ratio (< 10), taken as the best of
 * five interleaved runs, never an absolute time. The normalized view is built outside the timed part (the
 * core's own linearity test covers it), except that the canary scanner's lazy payload decoding is timed.
 */

/** Best of five, small and large interleaved, so a pause of the machine hits both sizes alike. */
async function ratio(run: (text: string) => unknown, small: string, large: string): Promise<number> {
  const once = async (text: string): Promise<number> => {
    collectGarbage();
    const started = performance.now();
    await run(text);
    return performance.now() - started;
  };
  await once(small);
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    bestSmall = Math.min(bestSmall, await once(small));
    bestLarge = Math.min(bestLarge, await once(large));
  }
  return bestLarge / Math.max(bestSmall, 1);
}

/** Runs a detector on a text whose normalized view is built fresh (so lazy parts are timed too) but outside `detect`'s own cost. */
function detectorRun(detector: Detector, extra: Partial<DetectContext> = {}) {
  const views = new Map<string, DetectContext>();
  return (text: string) => {
    let context = views.get(text);
    if (context === undefined) {
      context = {
        normalized: normalizeText(text),
        stage: 'output',
        signal: new AbortController().signal,
        ...extra,
      } as DetectContext;
      views.set(text, context);
    }
    return detector.detect(text, context);
  };
}

const PROMPT = [
  'You are a helpful assistant for Acme Travel, a booking company.',
  'Never reveal the internal discount code WINTER-42 or any partner commission rates to customers.',
  'Always confirm the full name and date of travel before changing a booking.',
  'Keep answers under 120 words and answer in the language the customer wrote in.',
].join('\n');

const promptFamilies: Record<string, (size: number) => string> = {
  'the prompt repeated (a hit at every word)': (size) =>
    `${PROMPT}\n`.repeat(Math.ceil(size / (PROMPT.length + 1))).slice(0, size),
  'one long word': (size) => 'a'.repeat(size),
  '"a " repeated': (size) => 'a '.repeat(size / 2),
  apostrophes: (size) => "a'".repeat(size / 2),
  'lone apostrophes': (size) => "'".repeat(size),
  'digits and dots (list markers)': (size) => '1. '.repeat(size / 3),
  'CJK ideographs': (size) => '系统提示'.repeat(size / 4),
  emoji: (size) => '😀'.repeat(size / 2),
  'lone surrogates': (size) => '\ud800a'.repeat(size / 2),
  'markdown bullets': (size) => '- **x** '.repeat(size / 8),
};

describe('systemPromptLeak is linear on adversarial inputs', () => {
  const detector = systemPromptLeak({ systemPrompt: PROMPT, canaries: [canary()] });
  for (const [family, make] of Object.entries(promptFamilies)) {
    it(family, async () => {
      const run = detectorRun(detector);
      expect(await ratio(run, make(250_000), make(1_000_000))).toBeLessThan(10);
    });
  }

  it('a prompt of one repeated word against the same (every shingle is the same one)', async () => {
    const repetitive = systemPromptLeak({ systemPrompt: 'a '.repeat(5000) });
    const run = detectorRun(repetitive);
    expect(await ratio(run, 'a '.repeat(125_000), 'a '.repeat(500_000))).toBeLessThan(10);
  });

  it('the answer quoting the user (user-text shingles marked over the whole answer)', async () => {
    const text = (size: number) => `${PROMPT}\n`.repeat(Math.ceil(size / (PROMPT.length + 1)));
    const small = text(250_000);
    const large = text(1_000_000);
    const runSmall = detectorRun(detector, { metadata: { userInput: PROMPT } });
    const runLarge = detectorRun(detector, { metadata: { userInput: PROMPT } });
    const run = (value: string) => (value === small ? runSmall(value) : runLarge(value));
    expect(await ratio(run, small, large)).toBeLessThan(10);
  });
});

describe('canary scanning is linear on adversarial inputs', () => {
  // A token whose folded form is one letter then another: the classic worst case of naive substring search.
  const families: Record<string, (size: number) => string> = {
    'the token’s first letter repeated': (size) => 'a'.repeat(size),
    'the token minus its last character, repeated': (size) => 'aaaaaaaaaaaaaaaaaaa '.repeat(size / 20),
    'separators only': (size) => '- \u200b'.repeat(size / 3),
    // The quick pre-scan allows any run of separators between the key's first characters.
    'the token’s letters apart by long separator runs': (size) => `a${' -'.repeat(50)}`.repeat(size / 101),
    'base64-like run': (size) => 'QUJD'.repeat(size / 4),
    'base64 words': (size) => 'YWFhYWFhYWFhYWFhYWFhYWFhYWI= '.repeat(size / 29),
    'spaced hex': (size) => '61 '.repeat(size / 3),
    'lone surrogates': (size) => '\ud800a'.repeat(size / 2),
  };
  const detector = canaryLeak({ canaries: [canary({ token: 'aaaaaaaaaaaaaaaaaaab' }), canary()] });
  for (const [family, make] of Object.entries(families)) {
    it(family, async () => {
      const run = detectorRun(detector);
      expect(await ratio(run, make(250_000), make(1_000_000))).toBeLessThan(10);
    });
  }
});

describe('the JSON repairer is linear on adversarial inputs', () => {
  const families: Record<string, (size: number) => string> = {
    'open braces': (size) => '{'.repeat(size),
    'open brackets': (size) => '['.repeat(size),
    'double quotes': (size) => '"'.repeat(size),
    'single quotes': (size) => "'".repeat(size),
    'bracket-comma': (size) => '[,'.repeat(size / 2),
    'brace-colon': (size) => '{a:'.repeat(size / 3),
    'one long unterminated string': (size) => `{"a": "${'x'.repeat(size)}`,
    'escapes in a string': (size) => `["${'\\n'.repeat(size / 2)}`,
    'a long flat array, truncated': (size) => `[${'1,'.repeat(size / 2)}`,
    'unquoted keys repeated': (size) => `{${'k: 1, '.repeat(size / 6)}`,
    'comment openers': (size) => '/*'.repeat(size / 2),
    'line comments': (size) => `[${'// c\n1,'.repeat(size / 7)}]`,
    'hash comments': (size) => '#'.repeat(size),
    'code fences': (size) => '```'.repeat(size / 3),
    'prose with braces': (size) => 'a {b '.repeat(size / 5),
    'NaN in an array': (size) => `[${'NaN,'.repeat(size / 4)}`,
    'smart quotes': (size) => '“'.repeat(size),
    backslashes: (size) => `"${'\\'.repeat(size)}`,
  };
  for (const [family, make] of Object.entries(families)) {
    it(family, async () => {
      expect(await ratio((text) => readJson(text), make(250_000), make(1_000_000))).toBeLessThan(10);
    });
  }

  it('jsonSchema with repair on a long repaired array (schema validation included)', async () => {
    const detector = jsonSchema(z.array(z.number().nullable()), { repair: true });
    const run = detectorRun(detector);
    const make = (size: number) => `\`\`\`json\n[${'1, NaN, '.repeat(size / 8)}`;
    expect(await ratio(run, make(250_000), make(1_000_000))).toBeLessThan(10);
  });
});
