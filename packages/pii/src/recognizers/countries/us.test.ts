import { describe, expect, it } from 'vitest';
import { packFinder } from './testing.js';
import { usRecognizers } from './us.js';

const { find } = packFinder(usRecognizers);

describe('US_ITIN', () => {
  it('finds 9XX numbers with an ITIN group', () => {
    expect(find('ITIN 912-74-5821', 'US_ITIN')).toEqual(['912-74-5821']);
    expect(find('912745821', 'US_ITIN')).toEqual(['912745821']);
  });
  it('rejects SSN-range groups', () => {
    expect(find('912-89-5821 912-93-5821 912-42-5821', 'US_ITIN')).toEqual([]);
  });
});

describe('US_PASSPORT', () => {
  it('finds Next Generation numbers; nine digits only next to a passport word', () => {
    expect(find('C48219375', 'US_PASSPORT')).toEqual(['C48219375']);
    expect(find('passport no. 482193756', 'US_PASSPORT')).toEqual(['482193756']);
    expect(find('482193756', 'US_PASSPORT')).toEqual([]);
  });
});

describe('US_DRIVER_LICENSE and US_BANK_NUMBER', () => {
  it('need a context word', () => {
    expect(find("driver's license D4821937", 'US_DRIVER_LICENSE')).toEqual(['D4821937']);
    expect(find('D4821937', 'US_DRIVER_LICENSE')).toEqual([]);
    expect(find('checking account 004821937562', 'US_BANK_NUMBER')).toEqual(['004821937562']);
    expect(find('004821937562', 'US_BANK_NUMBER')).toEqual([]);
  });
});

describe('ABA_ROUTING_NUMBER', () => {
  it('finds 3-7-1 valid numbers with a Federal Reserve prefix, plain or 4-4-1', () => {
    expect(find('routing 026077800', 'ABA_ROUTING_NUMBER')).toEqual(['026077800']);
    expect(find('0260-7780-0', 'ABA_ROUTING_NUMBER')).toEqual(['0260-7780-0']);
  });
  it('rejects a wrong check digit and unused prefixes', () => {
    expect(find('026077801', 'ABA_ROUTING_NUMBER')).toEqual([]);
    expect(find('526077800', 'ABA_ROUTING_NUMBER')).toEqual([]);
  });
});

describe('US_MBI', () => {
  it('finds identifiers in the fixed letter/digit pattern, with or without hyphens', () => {
    expect(find('Medicare ID 5KT3-NA2-PQ14', 'US_MBI')).toEqual(['5KT3-NA2-PQ14']);
    expect(find('5kt3na2pq14', 'US_MBI')).toEqual(['5kt3na2pq14']);
  });
  it('rejects the letters S, L, O, I, B, Z and misplaced digits', () => {
    expect(find('5KS3-NA2-PQ14 5KT3-NA2-PO14 0KT3-NA2-PQ14 5KT3-2A2-PQ14', 'US_MBI')).toEqual([]);
  });
});

describe('US_NPI', () => {
  it('finds Luhn-valid numbers with the 80840 prefix', () => {
    expect(find('NPI 1482937509', 'US_NPI')).toEqual(['1482937509']);
    expect(find('1482-937-509', 'US_NPI')).toEqual(['1482-937-509']);
  });
  it('rejects a wrong check digit, other first digits and placeholders', () => {
    expect(find('1482937508 3482937509', 'US_NPI')).toEqual([]);
    expect(find('1111111112', 'US_NPI')).toEqual([]);
  });
});

describe('MEDICAL_LICENSE', () => {
  it('finds DEA numbers with a valid check digit', () => {
    expect(find('DEA FM4821939', 'MEDICAL_LICENSE')).toEqual(['FM4821939']);
    expect(find('FM4821938 QM4821939', 'MEDICAL_LICENSE')).toEqual([]);
  });
});
