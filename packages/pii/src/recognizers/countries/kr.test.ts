import { describe, expect, it } from 'vitest';
import { krRecognizers } from './kr.js';
import { packFinder } from './testing.js';

const { find, matches } = packFinder(krRecognizers);

describe('KR_RRN and KR_FRN', () => {
  it('score a valid check digit highest, a valid date and sex digit alone lower', () => {
    expect(find('주민등록번호 880415-2481938', 'KR_RRN')).toEqual(['880415-2481938']);
    expect(matches('8804152481938', 'KR_RRN')[0]?.score).toBe(0.95);
    expect(matches('880415-2481930', 'KR_RRN')[0]?.score).toBe(0.6);
    expect(find('FRN 930227-6481931', 'KR_FRN')).toEqual(['930227-6481931']);
  });
  it('separate residents (1–4) from foreigners (5–8) and reject impossible dates', () => {
    expect(find('930227-6481931', 'KR_RRN')).toEqual([]);
    expect(find('880415-2481938', 'KR_FRN')).toEqual([]);
    expect(find('880231-2481938', 'KR_RRN')).toEqual([]);
    expect(find('880415+2481938', 'KR_RRN')).toEqual([]);
  });
});

describe('KR_PASSPORT', () => {
  it('finds the current and the older formats', () => {
    expect(find('여권번호 M482A1937', 'KR_PASSPORT')).toEqual(['M482A1937']);
    expect(find('s48219375', 'KR_PASSPORT')).toEqual(['s48219375']);
  });
  it('rejects unknown type letters and wrong shapes', () => {
    expect(find('K482A1937 M48A21937 M482AB937', 'KR_PASSPORT')).toEqual([]);
  });
});

describe('KR_DRIVER_LICENSE', () => {
  it('finds hyphenated or spaced numbers with a known region; compact ones next to a licence word', () => {
    expect(find('12-19-482193-45', 'KR_DRIVER_LICENSE')).toEqual(['12-19-482193-45']);
    expect(find('28 19 482193 45', 'KR_DRIVER_LICENSE')).toEqual(['28 19 482193 45']);
    expect(find('운전면허 121948219345', 'KR_DRIVER_LICENSE')).toEqual(['121948219345']);
    expect(find('121948219345', 'KR_DRIVER_LICENSE')).toEqual([]);
  });
  it('reads a Korean licence word with a particle attached ("운전면허번호는") as context', () => {
    expect(find('운전면허번호는 121948219345 입니다.', 'KR_DRIVER_LICENSE')).toEqual(['121948219345']);
  });
  it('rejects unknown regions', () => {
    expect(find('27-19-482193-45 10-19-482193-45', 'KR_DRIVER_LICENSE')).toEqual([]);
  });
});

describe('KR_BRN', () => {
  it('finds numbers with a valid check digit', () => {
    expect(find('사업자등록번호 220-81-48214', 'KR_BRN')).toEqual(['220-81-48214']);
    expect(find('2208148214', 'KR_BRN')).toEqual(['2208148214']);
  });
  it('rejects a wrong check digit', () => {
    expect(find('220-81-48215', 'KR_BRN')).toEqual([]);
  });
});
