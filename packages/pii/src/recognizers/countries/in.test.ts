import { describe, expect, it } from 'vitest';
import { inRecognizers } from './in.js';
import { packFinder } from './testing.js';

const { find, matches } = packFinder(inRecognizers);

describe('IN_PAN', () => {
  it('finds PANs, scoring a known holder type higher', () => {
    expect(find('PAN BNZPM2501F', 'IN_PAN')).toEqual(['BNZPM2501F']);
    expect(matches('BNZPM2501F', 'IN_PAN')[0]?.score).toBe(0.85);
    expect(matches('BNZQM2501F', 'IN_PAN')[0]?.score).toBe(0.5);
  });
  it('rejects other shapes', () => {
    expect(find('BNZP2501F BNZPM25013F', 'IN_PAN')).toEqual([]);
  });
});

describe('IN_AADHAAR', () => {
  it('finds Verhoeff-valid numbers in the usual groupings', () => {
    expect(find('Aadhaar 5821 4318 0243', 'IN_AADHAAR')).toEqual(['5821 4318 0243']);
    expect(find('5821-4318-0243 and 582143180243', 'IN_AADHAAR')).toEqual(['5821-4318-0243', '582143180243']);
  });
  it('rejects a wrong check digit, a leading 0 or 1, and the tail of a card number', () => {
    expect(find('5821 4318 0244', 'IN_AADHAAR')).toEqual([]);
    expect(find('1821 4318 0243', 'IN_AADHAAR')).toEqual([]);
    expect(find('card 4111 5821 4318 0243', 'IN_AADHAAR')).toEqual([]);
  });
});

describe('IN_PASSPORT and IN_VOTER', () => {
  it('find passports and voter ids', () => {
    expect(find('passport K4821937', 'IN_PASSPORT')).toEqual(['K4821937']);
    expect(find('voter id TNV4821937', 'IN_VOTER')).toEqual(['TNV4821937']);
  });
  it('reject zeros where they are never issued and wrong lengths', () => {
    expect(find('K0821937 K4821930', 'IN_PASSPORT')).toEqual([]);
    expect(find('TNV482193 TNVX4821937', 'IN_VOTER')).toEqual([]);
  });
});

describe('IN_GSTIN', () => {
  it('finds GSTINs, scoring a valid check character highest', () => {
    expect(find('GSTIN: 29BNZPM2501F1ZQ', 'IN_GSTIN')).toEqual(['29BNZPM2501F1ZQ']);
    expect(matches('29BNZPM2501F1ZQ', 'IN_GSTIN')[0]?.score).toBe(1);
    expect(matches('29BNZPM2501F1ZR', 'IN_GSTIN')[0]?.score).toBe(0.7);
  });
  it('rejects unknown state codes and a missing Z', () => {
    expect(find('41BNZPM2501F1ZQ', 'IN_GSTIN')).toEqual([]);
    expect(find('29BNZPM2501F1YQ', 'IN_GSTIN')).toEqual([]);
  });
});

describe('IN_VEHICLE_REGISTRATION', () => {
  it('finds state-series plates, spaced, dashed or compact, and Bharat series', () => {
    expect(find('car MH 12 DE 1433', 'IN_VEHICLE_REGISTRATION')).toEqual(['MH 12 DE 1433']);
    expect(find('TN-09-BK-4821 and KL7C8821', 'IN_VEHICLE_REGISTRATION')).toEqual(['TN-09-BK-4821', 'KL7C8821']);
    expect(find('22 BH 4821 AB', 'IN_VEHICLE_REGISTRATION')).toEqual(['22 BH 4821 AB']);
  });
  it('rejects unknown state codes and plates without series letters', () => {
    expect(find('ZZ 12 DE 1433', 'IN_VEHICLE_REGISTRATION')).toEqual([]);
    expect(find('FPO AP 93757', 'IN_VEHICLE_REGISTRATION')).toEqual([]);
  });
});
