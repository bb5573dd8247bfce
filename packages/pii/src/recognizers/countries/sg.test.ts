import { describe, expect, it } from 'vitest';
import { sgRecognizers } from './sg.js';
import { packFinder } from './testing.js';

const { find, matches } = packFinder(sgRecognizers);

describe('SG_NRIC_FIN', () => {
  it('finds S/T, F/G and M numbers, scoring a valid check letter highest', () => {
    expect(find('NRIC S8412093F', 'SG_NRIC_FIN')).toEqual(['S8412093F']);
    expect(matches('G5820471X', 'SG_NRIC_FIN')[0]?.score).toBe(0.95);
    expect(matches('M2094718N', 'SG_NRIC_FIN')[0]?.score).toBe(0.95);
    expect(matches('S8412093G', 'SG_NRIC_FIN')[0]?.score).toBe(0.5);
  });
  it('rejects other prefixes and lengths', () => {
    expect(find('A8412093F S841209F', 'SG_NRIC_FIN')).toEqual([]);
  });
});

describe('SG_UEN', () => {
  it('finds business, local company and other-entity UENs with valid check characters', () => {
    expect(find('UEN 48219375A', 'SG_UEN')).toEqual(['48219375A']);
    expect(find('201812345M', 'SG_UEN')).toEqual(['201812345M']);
    expect(find('T09LL0001D', 'SG_UEN')).toEqual(['T09LL0001D']);
  });
  it('rejects wrong check characters, unknown entity types and future years', () => {
    expect(find('48219375B 201812345N T09LL0001E', 'SG_UEN')).toEqual([]);
    expect(find('T09QQ0001D', 'SG_UEN')).toEqual([]);
    expect(find('299912345M', 'SG_UEN')).toEqual([]);
  });
});
