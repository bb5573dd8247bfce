import { describe, expect, it } from 'vitest';
import { nlRecognizers } from './nl.js';
import { packFinder } from './testing.js';

const { find } = packFinder(nlRecognizers);

describe('NL_BSN', () => {
  it('finds numbers passing the 11-proof, plain, dotted or spaced', () => {
    expect(find('BSN 270587706', 'NL_BSN')).toEqual(['270587706']);
    expect(find('burgerservicenummer 2705.87.706', 'NL_BSN')).toEqual(['2705.87.706']);
    expect(find('270 587 706', 'NL_BSN')).toEqual(['270 587 706']);
  });
  it('rejects 11-proof failures and zeros', () => {
    expect(find('BSN 270587707', 'NL_BSN')).toEqual([]);
    expect(find('BSN 000000000', 'NL_BSN')).toEqual([]);
  });
});
