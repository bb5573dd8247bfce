import { createGuard } from '@parapet/core';
import { describe, it } from 'vitest';
import { linearityCases } from '../test/helpers.js';
import { piiDetector } from './pii-detector.js';

/**
 * STREET_ADDRESS in linear time: the PII issue's hostile families plus inputs built to keep the address
 * recognizer busy (a house number after every word, street words, units and boxes repeated). Each family at
 * 250 K and 1 M characters (linear costs about 4×, quadratic 16×; allowed < 10×), and 1 MB within a bounded
 * multiple of 1 MB of prose. Best of three, interleaved; no absolute times.
 */
const guard = createGuard({
  input: [piiDetector({ entities: ['STREET_ADDRESS'] })],
  policy: { timeoutMs: 600_000 },
});

const PROSE =
  'Thanks for the update on the quarterly planning. Could you summarise the 3 main risks for the launch, ' +
  'and suggest how the support team should prepare? We meet again on Thursday to agree the next steps. ';

const repeat = (unit: string) => (size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

const FAMILIES: Record<string, (size: number) => string> = {
  "'1 '×N": repeat('1 '),
  digits: repeat('7'),
  "'A 1 '×N": repeat('A 1 '),
  "'Ab 1 '×N": repeat('Ab 1 '),
  "'Apt 1 '×N": repeat('Apt 1 '),
  "'Hämeenkatu 1 '×N": repeat('Hämeenkatu 1 '),
  "'1 Main Street '×N": repeat('1 Main Street '),
  "'Via Roma '×N": repeat('Via Roma '),
  "'PSC 1234, Box '×N": repeat('PSC 1234, Box '),
  "'1\\n'×N": repeat('1\n'),
  "'12 rue de la '×N": repeat('12 rue de la '),
  "'lives at 1 A '×N": repeat('lives at 1 A '),
};

describe('STREET_ADDRESS scan linear time', () => {
  for (const [family, run] of linearityCases(guard, FAMILIES, repeat(PROSE)(1_000_000))) it(family, run);
});

/** With places on too, addresses grow over the towns and countries after them (`joinAddressTails`). */
const withPlaces = createGuard({
  input: [piiDetector({ entities: ['STREET_ADDRESS', 'LOCATION'] })],
  policy: { timeoutMs: 600_000 },
});

const TAIL_FAMILIES: Record<string, (size: number) => string> = {
  "'1 Main Street, Paris, France, '×N": repeat('1 Main Street, Paris, France, '),
  "'1 Main Street, Goiânia. '×N": repeat('1 Main Street, Goiânia. '),
  "'Paris, '×N after one address": (size) => `1 Main Street, ${repeat('Paris, ')(size - 15)}`,
};

describe('STREET_ADDRESS with LOCATION: linear time', () => {
  for (const [family, run] of linearityCases(withPlaces, TAIL_FAMILIES, repeat(PROSE)(1_000_000))) it(family, run);
});
