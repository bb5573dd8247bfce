import { describe, expect, it } from 'vitest';
import { phRecognizers } from './ph.js';
import { packFinder } from './testing.js';

const { find } = packFinder(phRecognizers);

describe('PH_MOBILE_NUMBER', () => {
  it('finds +63 and 09XX numbers in the usual groupings', () => {
    expect(find('Text +63 918 442 1937', 'PH_MOBILE_NUMBER')).toEqual(['+63 918 442 1937']);
    expect(find('0927-551-2045, +639275512045, 0 (927) 551 2045', 'PH_MOBILE_NUMBER')).toEqual([
      '0927-551-2045',
      '+639275512045',
      '0 (927) 551 2045',
    ]);
  });
  it('needs the trunk or country code and the right length', () => {
    expect(find('9275512045 09275512 092755120451', 'PH_MOBILE_NUMBER')).toEqual([]);
  });
});

describe('PH_TIN', () => {
  it('finds TINs with a branch code on their own, nine digits next to a tax word', () => {
    expect(find('Use 482-193-756-000 please', 'PH_TIN')).toEqual(['482-193-756-000']);
    expect(find('BIR TIN 482-193-756', 'PH_TIN')).toEqual(['482-193-756']);
    expect(find('ref 482-193-756', 'PH_TIN')).toEqual([]);
  });
  it('leaves American international numbers alone', () => {
    expect(find('Fax: 001-253-366-9781', 'PH_TIN')).toEqual([]);
  });
});
