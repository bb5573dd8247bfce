import { describe, expect, it } from 'vitest';
import { itRecognizers } from './it.js';
import { packFinder } from './testing.js';

const { find, matches } = packFinder(itRecognizers);

describe('IT_FISCAL_CODE', () => {
  it('scores a valid check letter higher than the bare shape', () => {
    expect(find('codice fiscale VRDGPP80A41H501Y', 'IT_FISCAL_CODE')).toEqual(['VRDGPP80A41H501Y']);
    expect(matches('VRDGPP80A41H501Y', 'IT_FISCAL_CODE')[0]?.score).toBe(1);
    expect(matches('VRDGPP80A41H501Z', 'IT_FISCAL_CODE')[0]?.score).toBe(0.6);
  });
  it('accepts omocodia letters in digit positions', () => {
    expect(find('VRDGPP8LA41H501Y', 'IT_FISCAL_CODE')).toEqual(['VRDGPP8LA41H501Y']);
  });
  it('rejects impossible months, days and digits among the name letters', () => {
    expect(find('VRDGPP80F41H501Y', 'IT_FISCAL_CODE')).toEqual([]);
    expect(find('VRDGPP80A35H501Y', 'IT_FISCAL_CODE')).toEqual([]);
    expect(find('VR4GPP80A41H501Y', 'IT_FISCAL_CODE')).toEqual([]);
  });
});

describe('IT_VAT_CODE', () => {
  it('finds Luhn-valid numbers with a real province office, with or without IT', () => {
    expect(find('P.IVA 04821930585', 'IT_VAT_CODE')).toEqual(['04821930585']);
    expect(find('IT04821930585', 'IT_VAT_CODE')).toEqual(['IT04821930585']);
  });
  it('rejects a wrong check digit, unknown offices and zeros', () => {
    expect(find('04821930586', 'IT_VAT_CODE')).toEqual([]);
    expect(find('04821932004', 'IT_VAT_CODE')).toEqual([]);
    expect(find('00000000000', 'IT_VAT_CODE')).toEqual([]);
  });
});

describe('IT_DRIVER_LICENSE', () => {
  it('finds the paper format and the U1 card format', () => {
    expect(find('patente MI4821937K', 'IT_DRIVER_LICENSE')).toEqual(['MI4821937K']);
    expect(find('U1T4X82Z9R', 'IT_DRIVER_LICENSE')).toEqual(['U1T4X82Z9R']);
  });
  it('rejects vowels in the U1 format', () => {
    expect(find('U1T4A82Z9R', 'IT_DRIVER_LICENSE')).toEqual([]);
  });
});

describe('IT_IDENTITY_CARD and IT_PASSPORT', () => {
  it('find the paper, CIE 2.0 and CIE 3.0 card formats', () => {
    expect(find("carta d'identità AX 4821937", 'IT_IDENTITY_CARD')).toEqual(['AX 4821937']);
    expect(find('4821937KB and CA48219BD', 'IT_IDENTITY_CARD')).toEqual(['4821937KB', 'CA48219BD']);
  });
  it('find passports', () => {
    expect(find('passaporto YA7654321', 'IT_PASSPORT')).toEqual(['YA7654321']);
    expect(find('YA76543210', 'IT_PASSPORT')).toEqual([]);
  });
});
