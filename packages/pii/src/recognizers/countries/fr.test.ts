import { describe, expect, it } from 'vitest';
import { frRecognizers } from './fr.js';
import { packFinder } from './testing.js';

const { find, matches } = packFinder(frRecognizers);

describe('FR_NIR', () => {
  it('finds numbers whose key is 97 − (number mod 97), spaced or not', () => {
    expect(find('Numéro de sécurité sociale : 2 69 05 49 588 157 80', 'FR_NIR')).toEqual(['2 69 05 49 588 157 80']);
    expect(find('269054958815780', 'FR_NIR')).toEqual(['269054958815780']);
  });
  it('counts Corsica (2A, 2B) as 19 and 18', () => {
    expect(find('NIR 1 84 12 2A 004 123 23', 'FR_NIR')).toEqual(['1 84 12 2A 004 123 23']);
    expect(find('NIR 1 84 12 2B 004 123 50', 'FR_NIR')).toEqual(['1 84 12 2B 004 123 50']);
    expect(find('NIR 1 84 12 2B 004 123 23', 'FR_NIR')).toEqual([]);
  });
  it('rejects a wrong key and American Express numbers', () => {
    expect(find('2 69 05 49 588 157 81', 'FR_NIR')).toEqual([]);
    expect(find('card 378282246310005', 'FR_NIR')).toEqual([]);
  });
});

describe('FR_SIREN and FR_SIRET', () => {
  it('need a company word: nine or fourteen Luhn-valid digits are common', () => {
    expect(find('SIREN 807 439 575', 'FR_SIREN')).toEqual(['807 439 575']);
    expect(find('807 439 575', 'FR_SIREN')).toEqual([]);
    expect(find('SIRET : 807 439 575 00018', 'FR_SIRET')).toEqual(['807 439 575 00018']);
    expect(matches('80743957500018', 'FR_SIRET')).toEqual([]);
  });
  it('rejects Luhn failures', () => {
    expect(find('SIREN 807 439 576', 'FR_SIREN')).toEqual([]);
    expect(find('SIRET 807 439 575 00019', 'FR_SIRET')).toEqual([]);
  });
  it('checks La Poste establishments by their digit sum', () => {
    expect(find('SIRET 356 000 000 00047', 'FR_SIRET')).toEqual(['356 000 000 00047']);
    expect(find('SIRET 356 000 000 00048', 'FR_SIRET')).toEqual([]);
  });
});
