import { describe, expect, it } from 'vitest';
import { escapeLiteral, hasUnspacedLetter, isUnspacedLetter, wordListSource } from './words.js';

describe('escapeLiteral', () => {
  it('makes every character stand for itself, with or without the u flag', () => {
    const text = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o-p/q';
    for (const flags of ['', 'u']) {
      const regex = new RegExp(`^${escapeLiteral(text)}$`, flags);
      expect(regex.test(text)).toBe(true);
      expect(regex.test(text.replace('.', 'x'))).toBe(false);
    }
  });
});

describe('wordListSource', () => {
  const edges = { before: '(?<![\\p{L}\\p{N}_])', after: '(?![\\p{L}\\p{N}_])' };
  const all = (words: string[], text: string) =>
    [...text.matchAll(new RegExp(wordListSource(words, edges), 'giu'))].map((match) => match[0]);

  it('matches spaced words whole and longest first', () => {
    expect(all(['card', 'credit card', 'Coca-Cola'], 'credit card, cards, coca-cola')).toEqual([
      'credit card',
      'coca-cola',
    ]);
  });

  it('matches Thai, Chinese, Japanese and Korean words inside a run of letters', () => {
    expect(all(['機密', '기밀', 'ความลับ'], '資料は機密です 기밀은 เป็นความลับ')).toEqual(['機密', '기밀', 'ความลับ']);
  });

  it('applies the literal option, and never matches for an empty list', () => {
    const spaced = wordListSource(['acme health'], { ...edges, literal: (word) => word.replace(/ /g, '\\s+') });
    expect(new RegExp(spaced, 'iu').test('ACME   health')).toBe(true);
    expect(new RegExp(wordListSource([], edges), 'u').test('anything')).toBe(false);
  });

  it('knows which letters belong to scripts written without spaces', () => {
    expect(['ก', 'あ', '漢', '한'].map((char) => isUnspacedLetter(char.charCodeAt(0)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['a', 'é', 'ж', 'ب'].map((char) => isUnspacedLetter(char.charCodeAt(0)))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect([hasUnspacedLetter('ID 카드'), hasUnspacedLetter('passport')]).toEqual([true, false]);
  });
});
