import { describe, expect, it } from 'vitest';
import { deRecognizers } from './de.js';
import { packFinder } from './testing.js';

const { find } = packFinder(deRecognizers);

describe('DE_TAX_ID', () => {
  it('finds MOD 11,10 valid ids with at most one repeated digit', () => {
    expect(find('Steuer-ID: 46 722 850 132', 'DE_TAX_ID')).toEqual(['46 722 850 132']);
    expect(find('65382107943', 'DE_TAX_ID')).toEqual(['65382107943']);
  });
  it('rejects a wrong check digit, a leading zero and too many repeats', () => {
    expect(find('46722850133', 'DE_TAX_ID')).toEqual([]);
    expect(find('06722850132', 'DE_TAX_ID')).toEqual([]);
    expect(find('Steuer-ID 44442850139', 'DE_TAX_ID')).toEqual([]);
  });
});

describe('DE_ID_CARD and DE_PASSPORT', () => {
  it('find document numbers with a valid ICAO check digit', () => {
    expect(find('Ausweisnummer LZ6311T48', 'DE_ID_CARD')).toEqual(['LZ6311T48']);
    expect(find('Reisepass CF4K9R2M7', 'DE_PASSPORT')).toEqual(['CF4K9R2M7']);
    expect(find('t2201y7n6', 'DE_PASSPORT')).toEqual(['t2201y7n6']);
  });
  it('reject a wrong check digit and letters outside the alphabet', () => {
    expect(find('LZ6311T49', 'DE_ID_CARD')).toEqual([]);
    expect(find('AZ6311T48', 'DE_PASSPORT')).toEqual([]);
  });
});

describe('DE_VAT_ID', () => {
  it('finds DE and nine digits with a valid check digit, in any grouping', () => {
    expect(find('USt-IdNr. DE281920018', 'DE_VAT_ID')).toEqual(['DE281920018']);
    expect(find('Rechnung: DE 281 920 018.', 'DE_VAT_ID')).toEqual(['DE 281 920 018']);
    expect(find('de-281-920-018', 'DE_VAT_ID')).toEqual(['de-281-920-018']);
  });
  it('rejects a wrong check digit and other lengths', () => {
    expect(find('DE281920019', 'DE_VAT_ID')).toEqual([]);
    expect(find('DE28192001', 'DE_VAT_ID')).toEqual([]);
  });
});

describe('DE_KFZ', () => {
  it('finds plates with spaces or hyphens, electric and historic suffixes', () => {
    expect(find('Kennzeichen HB-XY 42 gesehen', 'DE_KFZ')).toEqual(['HB-XY 42']);
    expect(find('K AB 123E parkt', 'DE_KFZ')).toEqual(['K AB 123E']);
    expect(find('Auto: ÖHR-A-7', 'DE_KFZ')).toEqual(['ÖHR-A-7']);
  });
  it('rejects lower case, a leading zero and four-letter districts', () => {
    expect(find('in an 2020', 'DE_KFZ')).toEqual([]);
    expect(find('K AB 0123', 'DE_KFZ')).toEqual([]);
    expect(find('ABCD EF 12', 'DE_KFZ')).toEqual([]);
  });
});

describe('DE_PLZ', () => {
  it('finds postcodes only next to a German postal word', () => {
    expect(find('PLZ 50667 Köln', 'DE_PLZ')).toEqual(['50667']);
    expect(find('Anschrift: Hauptstr. 5, 04109 Leipzig', 'DE_PLZ')).toEqual(['04109']);
    expect(find('50667 items', 'DE_PLZ')).toEqual([]);
  });
  it('rejects numbers outside 01001–99998', () => {
    expect(find('PLZ 00999', 'DE_PLZ')).toEqual([]);
    expect(find('PLZ 99999', 'DE_PLZ')).toEqual([]);
  });
});

describe('DE_TAX_NUMBER', () => {
  it('finds the slashed Länder forms', () => {
    expect(find('St.-Nr. 143/212/40871', 'DE_TAX_NUMBER')).toEqual(['143/212/40871']);
    expect(find('93815/08152', 'DE_TAX_NUMBER')).toEqual(['93815/08152']);
  });
  it('finds the federal 13-digit form, and any 10–13 digits, only next to a tax word', () => {
    expect(find('Steuernummer 2613050123456', 'DE_TAX_NUMBER')).toEqual(['2613050123456']);
    expect(find('Steuernummer: 0412345678', 'DE_TAX_NUMBER')).toEqual(['0412345678']);
    expect(find('EAN 2613050123456', 'DE_TAX_NUMBER')).toEqual([]);
  });
});

describe('DE_HANDELSREGISTER', () => {
  it('finds HRA and HRB numbers, with or without a space', () => {
    expect(find('Amtsgericht Köln, HRB 86891', 'DE_HANDELSREGISTER')).toEqual(['HRB 86891']);
    expect(find('eingetragen unter hra4821', 'DE_HANDELSREGISTER')).toEqual(['hra4821']);
  });
  it('needs a register word for VR, PR and GnR, and rejects seven digits', () => {
    expect(find('Vereinsregister VR 2045', 'DE_HANDELSREGISTER')).toEqual(['VR 2045']);
    expect(find('the VR 2045 headset', 'DE_HANDELSREGISTER')).toEqual([]);
    expect(find('HRB 8689100', 'DE_HANDELSREGISTER')).toEqual([]);
  });
});

describe('DE_LANR and DE_BSNR', () => {
  it('find a LANR with a valid check digit', () => {
    expect(find('LANR 738148625', 'DE_LANR')).toEqual(['738148625']);
    expect(find('738148625', 'DE_LANR')).toEqual(['738148625']);
    expect(find('738149625', 'DE_LANR')).toEqual([]);
  });
  it('find a BSNR only next to its name', () => {
    expect(find('BSNR: 721234500', 'DE_BSNR')).toEqual(['721234500']);
    expect(find('721234500', 'DE_BSNR')).toEqual([]);
  });
});

describe('DE_HEALTH_INSURANCE', () => {
  it('finds a letter and nine digits with a valid check digit', () => {
    expect(find('KVNR T482927316', 'DE_HEALTH_INSURANCE')).toEqual(['T482927316']);
    expect(find('t482927316', 'DE_HEALTH_INSURANCE')).toEqual(['t482927316']);
  });
  it('rejects a wrong check digit', () => {
    expect(find('T482927317', 'DE_HEALTH_INSURANCE')).toEqual([]);
  });
});

describe('DE_SOCIAL_SECURITY', () => {
  it('finds valid numbers, compact or spaced', () => {
    expect(find('Rentenversicherungsnummer 53120382M527', 'DE_SOCIAL_SECURITY')).toEqual(['53120382M527']);
    expect(find('53 120382 M 527', 'DE_SOCIAL_SECURITY')).toEqual(['53 120382 M 527']);
  });
  it('rejects a wrong check digit and impossible dates', () => {
    expect(find('53120382M528', 'DE_SOCIAL_SECURITY')).toEqual([]);
    expect(find('53121382M527', 'DE_SOCIAL_SECURITY')).toEqual([]);
  });
});

describe('DE_FUEHRERSCHEIN', () => {
  it('finds card licence numbers with a valid check digit', () => {
    expect(find('N17X4F2K931', 'DE_FUEHRERSCHEIN')).toEqual(['N17X4F2K931']);
    expect(find('N17X4F2K921', 'DE_FUEHRERSCHEIN')).toEqual([]);
  });
  it('takes eleven letters and digits next to a licence word', () => {
    expect(find('Führerscheinnummer: ZX4820193K1', 'DE_FUEHRERSCHEIN')).toEqual(['ZX4820193K1']);
    expect(find('ZX4820193K1', 'DE_FUEHRERSCHEIN')).toEqual([]);
  });
});
