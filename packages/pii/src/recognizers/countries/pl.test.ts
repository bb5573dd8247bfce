import { describe, expect, it } from 'vitest';
import { plRecognizers } from './pl.js';
import { packFinder } from './testing.js';

const { find } = packFinder(plRecognizers);

describe('PL_PESEL', () => {
  it('finds numbers with a valid date (century in the month) and check digit', () => {
    expect(find('PESEL 90061548292', 'PL_PESEL')).toEqual(['90061548292']);
    expect(find('04310248163', 'PL_PESEL')).toEqual(['04310248163']);
  });
  it('rejects a wrong check digit and impossible dates', () => {
    expect(find('90061548293', 'PL_PESEL')).toEqual([]);
    expect(find('90023148290', 'PL_PESEL')).toEqual([]);
  });
});
