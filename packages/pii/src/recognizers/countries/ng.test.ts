import { describe, expect, it } from 'vitest';
import { ngRecognizers } from './ng.js';
import { packFinder } from './testing.js';

const { find } = packFinder(ngRecognizers);

describe('NG_NIN', () => {
  it('needs an identification word: eleven digits carry no check', () => {
    expect(find('My NIN is 48219375601', 'NG_NIN')).toEqual(['48219375601']);
    expect(find('48219375601', 'NG_NIN')).toEqual([]);
  });
});

describe('NG_VEHICLE_REGISTRATION', () => {
  it('finds plates with a hyphen, a space or neither', () => {
    expect(find('plate LSR-482KJ', 'NG_VEHICLE_REGISTRATION')).toEqual(['LSR-482KJ']);
    expect(find('ABC 123DE and KTU482FA', 'NG_VEHICLE_REGISTRATION')).toEqual(['ABC 123DE', 'KTU482FA']);
  });
  it('rejects lower case (ordinary words) and other shapes', () => {
    expect(find('the 100th', 'NG_VEHICLE_REGISTRATION')).toEqual([]);
    expect(find('LS-482KJ LSRA-482KJ LSR-4821KJ', 'NG_VEHICLE_REGISTRATION')).toEqual([]);
  });
});
