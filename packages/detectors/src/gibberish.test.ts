import {
  ConfigError,
  createGuard,
  type DetectContext,
  type FindingInput,
  memoryStore,
  normalizeText,
} from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { gibberish, gibberishEntry } from './gibberish.js';

function contextFor(text: string): DetectContext {
  return {
    stage: 'input',
    traceId: 'test',
    normalized: normalizeText(text),
    signal: new AbortController().signal,
    store: memoryStore(),
  };
}

function run(text: string, options: Parameters<typeof gibberish>[0] = {}): readonly FindingInput[] {
  return gibberish(options).detect(text, contextFor(text)) as readonly FindingInput[];
}

describe('gibberish', () => {
  it('flags keyboard mash through the guard', async () => {
    const verdict = await createGuard({ input: [gibberish()] }).checkInput('asdfkjh qwpoeiru zxcmvn');
    expect(verdict.action).toBe('flag');
    expect(verdict.findings).toHaveLength(1);
    expect(verdict.findings[0]).toMatchObject({ detector: 'gibberish', category: 'gibberish' });
    expect(verdict.findings[0]!.score).toBeGreaterThanOrEqual(0.9);
    expect(verdict.findings[0]!.message).not.toContain('asdf');
  });

  it('catches mash, random letters and repetition, naming the reason', () => {
    expect(run('sdfsdfsdfsdf sdfsdf')[0]!.data).toMatchObject({ reason: 'repetition' });
    expect(run('asdf asdf jkl; asdfgh lkjhg')[0]!.data).toMatchObject({ reason: 'keyboard-mash' });
    expect(run('xkqjzvwp mbrtlk qzxvbn')[0]!.data).toMatchObject({ reason: 'random-letters' });
    expect(run('kjsdhf kjshdf kjhsdf ajsdhakjsdh')).toHaveLength(1);
    expect(run('buy now buy now buy now buy now buy now buy now')[0]!.data).toMatchObject({
      reason: 'repeated-words',
    });
  });

  it('does not flag ordinary text in Latin-script languages', () => {
    for (const text of [
      'Hello, how are you doing today my friend?',
      'Die Donaudampfschifffahrtsgesellschaft hat im Herbst ihren Angstschweiß verloren.',
      'Strč prst skrz krk, řekl učitel a usmál se na třídu.',
      'Tôi muốn học tiếng Việt để nói chuyện với bạn bè của tôi.',
      'Chrząszcz brzmi w trzcinie w Szczebrzeszynie, a wszyscy słuchają.',
      'Yesterday the rhythms and strengths of the schmaltzy orchestra impressed everybody.',
      'Türkiye’nin başkenti Ankara’dır ve nüfusu oldukça kalabalıktır.',
      'Mae’r cwm yn hardd iawn yng Nghymru yn y gwanwyn.',
      'hmmm let me think about this for a while, okay?',
      'hahaha that was a really funny joke, tell me another one',
    ]) {
      expect(run(text), text).toEqual([]);
    }
  });

  it('never judges code, URLs, numbers, identifiers, other scripts or short inputs', () => {
    for (const text of [
      'const xkcdQwpz = fnQzx(bcdfg, hjklm); return zxcvb_asdf;',
      'see https://xkqjz.example.com/qwpz/zxcvbn?asdf=hjkl and ftp://sdfg.io',
      '1234 5678 9012 3456 7890 1234 5678 9012',
      'getUserQwrtz setAsdfgHjkl parseXkcdZxcv makeQzxJkl',
      'WHO NATO HTTPS JSON XML CSS HTML GPU CPU RAM SSD',
      'Съешь же ещё этих мягких французских булок, да выпей чаю',
      '東京は日本の首都であり、世界で最も人口の多い都市圏の一つです',
      'asdf qwer',
      'sdfsdfsdf',
    ]) {
      expect(run(text), text).toEqual([]);
    }
  });

  it('ignores a few odd words in a longer text, and respects threshold and minLetters', () => {
    const text = 'I typed asdfgh by mistake, sorry about that, here is my real question about taxes.';
    expect(run(text)).toEqual([]);
    expect(run('asdfkjh qwpoeiru zxcmvn', { minLetters: 30 })).toEqual([]);
    const mixed = 'asdfgh zxcvbn please help';
    expect(run(mixed)).toHaveLength(1);
    expect(run(mixed, { threshold: 0.9 })).toEqual([]);
  });

  it('never throws on odd input', () => {
    const garbage = Array.from({ length: 5000 }, (_, index) => String.fromCharCode((index * 7919) % 0xffff)).join('');
    for (const text of [
      '',
      'x'.repeat(1_000_000),
      'asdf '.repeat(250_000),
      garbage,
      '😀🎉👍🏽'.repeat(1000),
      'مرحبا بالعالم שלום עולם',
      '\ud800abc\udc00 \ud800\ud800 qwpz',
      '- - - ... !!! ??? ,,,',
    ]) {
      const findings = run(text);
      expect(Array.isArray(findings)).toBe(true);
    }
    expect(run('asdf '.repeat(250_000))).toHaveLength(1);
  });

  it('validates options with a message naming the field', () => {
    expect(() => gibberish({ threshold: 0.1 })).toThrow(ConfigError);
    expect(() => gibberish({ threshold: 0.1 })).toThrow(/threshold: must be at least 0.3/);
    expect(() => gibberish({ minLetters: 2 })).toThrow(/minLetters: must be at least 8/);
    expect(() => gibberish({ language: 'en' } as never)).toThrow(ConfigError);
  });

  it('offers a registry entry for the input stage', () => {
    expect(gibberishEntry).toMatchObject({ id: 'gibberish', stages: ['input'] });
    expect(gibberishEntry.create().rules).toEqual([{ minScore: 0.5, action: 'flag' }]);
  });
});
