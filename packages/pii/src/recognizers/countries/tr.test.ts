import { describe, expect, it } from 'vitest';
import { packFinder } from './testing.js';
import { trRecognizers } from './tr.js';

const { find } = packFinder(trRecognizers);

describe('TR_NATIONAL_ID', () => {
  it('finds ids whose tenth and eleventh digits check', () => {
    expect(find('TC Kimlik No: 48219375694', 'TR_NATIONAL_ID')).toEqual(['48219375694']);
    expect(find('48219375694', 'TR_NATIONAL_ID')).toEqual(['48219375694']);
  });
  it('rejects either check digit wrong and a leading zero', () => {
    expect(find('48219375684 48219375695 08219375694', 'TR_NATIONAL_ID')).toEqual([]);
  });
});

describe('TR_PHONE_NUMBER', () => {
  it('finds mobile and landline numbers with +90 or the trunk 0', () => {
    expect(find('Tel: +90 542 318 27 64', 'TR_PHONE_NUMBER')).toEqual(['+90 542 318 27 64']);
    expect(find('0312 418 22 90 veya 0 (532) 4182290', 'TR_PHONE_NUMBER')).toEqual([
      '0312 418 22 90',
      '0 (532) 4182290',
    ]);
  });
  it('finds ten-digit national numbers with a Turkish code, in 3-3-2-2 groups or plain', () => {
    expect(find('542 318 27 64', 'TR_PHONE_NUMBER')).toEqual(['542 318 27 64']);
    expect(find('numaram 3124182290', 'TR_PHONE_NUMBER')).toEqual(['3124182290']);
  });
  it('leaves unknown codes and American 3-3-4 grouping alone', () => {
    expect(find('612 318 27 64', 'TR_PHONE_NUMBER')).toEqual([]);
    expect(find('call 542-318-2764', 'TR_PHONE_NUMBER')).toEqual([]);
  });
});

describe('TR_LICENSE_PLATE', () => {
  it('finds plates of provinces 01–81', () => {
    expect(find('Plaka 06 BK 4821', 'TR_LICENSE_PLATE')).toEqual(['06 BK 4821']);
    expect(find('81 A 12 ve 35TRZ482', 'TR_LICENSE_PLATE')).toEqual(['81 A 12', '35TRZ482']);
  });
  it('rejects unknown provinces, units and times, and lower case', () => {
    expect(find('82 BK 4821 00 A 12', 'TR_LICENSE_PLATE')).toEqual([]);
    expect(find('16 GB 2400 and 10 AM 2024', 'TR_LICENSE_PLATE')).toEqual([]);
    expect(find('between 10 and 20', 'TR_LICENSE_PLATE')).toEqual([]);
  });
});
