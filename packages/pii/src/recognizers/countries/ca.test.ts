import { describe, expect, it } from 'vitest';
import { caRecognizers } from './ca.js';
import { packFinder } from './testing.js';

const { find } = packFinder(caRecognizers);

describe('CA_SIN', () => {
  it('finds Luhn-valid numbers with one separator style', () => {
    expect(find('SIN 462 719 352', 'CA_SIN')).toEqual(['462 719 352']);
    expect(find("numéro d'assurance sociale 462-719-352", 'CA_SIN')).toEqual(['462-719-352']);
    expect(find('462719352', 'CA_SIN')).toEqual(['462719352']);
  });
  it('rejects a wrong check digit, mixed separators and unused first digits', () => {
    expect(find('462 719 353', 'CA_SIN')).toEqual([]);
    expect(find('462-719 352', 'CA_SIN')).toEqual([]);
    expect(find('862 719 357', 'CA_SIN')).toEqual([]);
  });
});
