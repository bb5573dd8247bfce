import { describe, expect, it } from 'vitest';
import { packFinder } from './testing.js';
import { zaRecognizers } from './za.js';

const { find } = packFinder(zaRecognizers);

describe('ZA_ID_NUMBER', () => {
  it('finds ids with a valid birth date, citizenship digit and Luhn check', () => {
    expect(find('ID number 8804155809087', 'ZA_ID_NUMBER')).toEqual(['8804155809087']);
    expect(find('880415 5809 087', 'ZA_ID_NUMBER')).toEqual(['880415 5809 087']);
  });
  it('rejects a wrong check digit, impossible dates and other lengths', () => {
    expect(find('8804155809088', 'ZA_ID_NUMBER')).toEqual([]);
    expect(find('8813155809087', 'ZA_ID_NUMBER')).toEqual([]);
    expect(find('88041558090870', 'ZA_ID_NUMBER')).toEqual([]);
  });
});
