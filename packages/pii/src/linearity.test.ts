import { createGuard } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { piiDetector, secretsDetector } from './pii-detector.js';

/**
 * Linear time on hostile input (the families that make most JavaScript PII libraries backtrack for
 * seconds). Each family is scanned at 250 K and 1 M characters: linear work costs about 4×, quadratic
 * 16×; the assertion allows < 10×. And 1 MB of each family must stay within a bounded multiple of 1 MB of
 * ordinary ASCII prose, the fastest case there is (the bench prints the exact ratios; the goal is 2×). Best of three runs, no absolute times.
 */
const guard = createGuard({ input: [piiDetector(), secretsDetector()], policy: { timeoutMs: 600_000 } });

const PROSE =
  'Thanks for the update on the quarterly planning. Could you summarise the main risks for the launch, ' +
  'and suggest how the support team should prepare? We meet again on Thursday to agree the next steps. ';

const FAMILIES: Record<string, (size: number) => string> = {
  "'a'×N + '!'": (size) => `${'a'.repeat(size - 1)}!`,
  digits: (size) => '7'.repeat(size),
  "'1 '×N": (size) => '1 '.repeat(size / 2),
  "'@'×N": (size) => '@'.repeat(size),
  "'a.'×N": (size) => 'a.'.repeat(size / 2),
  dots: (size) => '.'.repeat(size),
  'base64-like run': (size) => 'QUJD'.repeat(size / 4),
  "'-1'×N": (size) => '-1'.repeat(size / 2),
  "'x@y.'×N": (size) => 'x@y.'.repeat(size / 4),
  "'a:'×N": (size) => 'a:'.repeat(size / 2),
  "'a='×N": (size) => 'a='.repeat(size / 2),
  'spaces then x': (size) => `${' '.repeat(size - 1)}x`,
};

async function once(text: string): Promise<number> {
  const started = performance.now();
  const verdict = await guard.checkInput(text);
  expect(verdict.errors).toEqual([]);
  return performance.now() - started;
}

/** Best of three for each input, interleaved, so a pause of the machine hits every size alike. */
async function costs(...texts: string[]): Promise<number[]> {
  for (const text of texts) await once(text);
  const best = texts.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < texts.length; i++) best[i] = Math.min(best[i]!, await once(texts[i]!));
  }
  return best;
}

describe('pii + secrets scan linear time', () => {
  const prose = PROSE.repeat(Math.ceil(1_000_000 / PROSE.length)).slice(0, 1_000_000);
  for (const [family, make] of Object.entries(FAMILIES)) {
    it(family, async () => {
      const [smallCost, largeCost, proseCost] = (await costs(make(250_000), make(1_000_000), prose)) as [
        number,
        number,
        number,
      ];
      expect(largeCost / Math.max(smallCost, 0.5)).toBeLessThan(10);
      // Dense anchors (every other character a digit, ':' or '@') cost more per byte than prose;
      // the bound catches a blow-up, the bench reports the ratios.
      expect(largeCost / Math.max(proseCost, 1)).toBeLessThan(60);
    });
  }
});
