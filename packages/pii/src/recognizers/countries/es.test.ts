import { describe, expect, it } from 'vitest';
import { esRecognizers } from './es.js';
import { packFinder } from './testing.js';

const { find } = packFinder(esRecognizers);

describe('ES_NIF', () => {
  it('finds DNI numbers whose letter is the number mod 23, with or without a hyphen', () => {
    expect(find('DNI 48193027T', 'ES_NIF')).toEqual(['48193027T']);
    expect(find('48193027-t', 'ES_NIF')).toEqual(['48193027-t']);
    expect(find('8193027-J', 'ES_NIF')).toEqual(['8193027-J']);
  });
  it('rejects a wrong letter', () => {
    expect(find('48193027A', 'ES_NIF')).toEqual([]);
  });
});

describe('ES_NIE', () => {
  it('reads X, Y, Z as 0, 1, 2 before the letter check', () => {
    expect(find('NIE Y4821937R', 'ES_NIE')).toEqual(['Y4821937R']);
    expect(find('y-4821937-r', 'ES_NIE')).toEqual(['y-4821937-r']);
  });
  it('rejects a wrong letter and other prefixes', () => {
    expect(find('Y4821937S', 'ES_NIE')).toEqual([]);
    expect(find('W4821937R', 'ES_NIE')).toEqual([]);
  });
});

describe('ES_PASSPORT', () => {
  it('finds three letters and six digits', () => {
    expect(find('pasaporte PAB482193', 'ES_PASSPORT')).toEqual(['PAB482193']);
    expect(find('pab482193', 'ES_PASSPORT')).toEqual(['pab482193']);
  });
  it('rejects other letter/digit counts', () => {
    expect(find('PA482193 PABC48219 PAB4821', 'ES_PASSPORT')).toEqual([]);
  });
});
