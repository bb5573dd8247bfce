import { describe, expect, it } from 'vitest';
import { packFinder } from './testing.js';
import { thRecognizers } from './th.js';

const { find, matches } = packFinder(thRecognizers);

describe('TH_TNIN', () => {
  it('finds ids with a known province and a valid check digit, plain or hyphenated', () => {
    expect(find('เลขประจำตัวประชาชน 3401592748121', 'TH_TNIN')).toEqual(['3401592748121']);
    expect(find('3-4015-92748-12-1', 'TH_TNIN')).toEqual(['3-4015-92748-12-1']);
  });
  it('reads the Thai context word inside unspaced text and in the normalized (NFKC) form', () => {
    // "หมายเลขประจำตัวประชาชน" runs into the word before it, and NFKC splits SARA AM ("ำ") in two.
    const text = 'หมายเลขประจำตัวประชาชน 3401592748121'.normalize('NFKC');
    expect(matches(text, 'TH_TNIN')[0]?.score).toBe(1);
    expect(matches('3401592748121', 'TH_TNIN')[0]?.score).toBe(0.9);
  });
  it('rejects a wrong check digit, unknown provinces and a leading 0 or 9', () => {
    expect(find('3401592748122', 'TH_TNIN')).toEqual([]);
    expect(find('3981592748121 0401592748121 9401592748121', 'TH_TNIN')).toEqual([]);
  });
});
