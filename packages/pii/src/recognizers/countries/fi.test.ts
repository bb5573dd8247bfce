import { describe, expect, it } from 'vitest';
import { fiRecognizers } from './fi.js';
import { packFinder } from './testing.js';

const { find } = packFinder(fiRecognizers);

describe('FI_PERSONAL_IDENTITY_CODE', () => {
  it('finds codes of every century with a valid check character', () => {
    expect(find('henkilötunnus 150885-482L', 'FI_PERSONAL_IDENTITY_CODE')).toEqual(['150885-482L']);
    expect(find('030212A3918', 'FI_PERSONAL_IDENTITY_CODE')).toEqual(['030212A3918']);
  });
  it('rejects a wrong check character, impossible dates and other separators', () => {
    expect(find('150885-482M', 'FI_PERSONAL_IDENTITY_CODE')).toEqual([]);
    expect(find('290200-482B', 'FI_PERSONAL_IDENTITY_CODE')).toEqual([]);
    expect(find('150885/482L', 'FI_PERSONAL_IDENTITY_CODE')).toEqual([]);
  });
});
