import { describe, expect, it } from 'vitest';
import { seRecognizers } from './se.js';
import { packFinder } from './testing.js';

const { find } = packFinder(seRecognizers);

describe('SE_PERSONNUMMER', () => {
  it('finds ten- and twelve-digit forms with a valid date and Luhn check', () => {
    expect(find('personnummer 850709-4814', 'SE_PERSONNUMMER')).toEqual(['850709-4814']);
    expect(find('19850709-4814 och 198507094814', 'SE_PERSONNUMMER')).toEqual(['19850709-4814', '198507094814']);
  });
  it('accepts samordningsnummer (day + 60)', () => {
    expect(find('850769-4811', 'SE_PERSONNUMMER')).toEqual(['850769-4811']);
  });
  it('rejects a wrong check digit and impossible dates', () => {
    expect(find('850709-4815', 'SE_PERSONNUMMER')).toEqual([]);
    expect(find('851309-4812', 'SE_PERSONNUMMER')).toEqual([]);
  });
});

describe('SE_ORGANISATIONSNUMMER', () => {
  it('finds Luhn-valid numbers whose third digit is at least 2', () => {
    expect(find('org.nr 556482-1931', 'SE_ORGANISATIONSNUMMER')).toEqual(['556482-1931']);
    expect(find('5564821931', 'SE_ORGANISATIONSNUMMER')).toEqual(['5564821931']);
  });
  it('rejects a wrong check digit and birth-date-like numbers', () => {
    expect(find('556482-1932', 'SE_ORGANISATIONSNUMMER')).toEqual([]);
    expect(find('850709-4814', 'SE_ORGANISATIONSNUMMER')).toEqual([]);
  });
});
