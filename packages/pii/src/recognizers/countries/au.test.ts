import { describe, expect, it } from 'vitest';
import { auRecognizers } from './au.js';
import { packFinder } from './testing.js';

const { find } = packFinder(auRecognizers);

describe('AU_ABN', () => {
  it('finds numbers whose weighted sum is divisible by 89', () => {
    expect(find('ABN 34 231 594 259', 'AU_ABN')).toEqual(['34 231 594 259']);
    expect(find('34231594259', 'AU_ABN')).toEqual(['34231594259']);
  });
  it('rejects a changed digit and longer numbers', () => {
    expect(find('34 231 594 258', 'AU_ABN')).toEqual([]);
    expect(find('342315942591', 'AU_ABN')).toEqual([]);
  });
});

describe('AU_ACN and AU_TFN', () => {
  it('find valid numbers', () => {
    expect(find('ACN 649 835 503', 'AU_ACN')).toEqual(['649 835 503']);
    expect(find('TFN: 426 245 624', 'AU_TFN')).toEqual(['426 245 624']);
  });
  it('reject invalid ones and the groups of a longer number', () => {
    expect(find('649 835 504', 'AU_ACN')).toEqual([]);
    expect(find('426 245 625', 'AU_TFN')).toEqual([]);
    expect(find('population 1 649 835 503', 'AU_ACN')).toEqual([]);
  });
});

describe('AU_MEDICARE', () => {
  it('finds card numbers with a valid check digit', () => {
    expect(find('Medicare 3904 84495 2', 'AU_MEDICARE')).toEqual(['3904 84495 2']);
    expect(find('3904844952', 'AU_MEDICARE')).toEqual(['3904844952']);
  });
  it('rejects a wrong check digit and a first digit outside 2–6', () => {
    expect(find('3904 84496 2', 'AU_MEDICARE')).toEqual([]);
    expect(find('7904844952', 'AU_MEDICARE')).toEqual([]);
  });
});
