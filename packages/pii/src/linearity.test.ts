import { createGuard } from '@parapet/core';
import { describe, it } from 'vitest';
import { linearityCases } from '../test/helpers.js';
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

describe('pii + secrets scan linear time', () => {
  // Dense anchors (every other character a digit, ':' or '@') cost more per byte than prose; the bound
  // catches a blow-up, the bench reports the ratios.
  const prose = PROSE.repeat(Math.ceil(1_000_000 / PROSE.length)).slice(0, 1_000_000);
  for (const [family, run] of linearityCases(guard, FAMILIES, prose)) it(family, run);
});
