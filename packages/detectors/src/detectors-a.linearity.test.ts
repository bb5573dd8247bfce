import { type Detector, memoryStore } from '@parapet/core';
import { detectOnce, linearityRatio } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { codeInPrompt } from './code-in-prompt.js';
import { encodedPayload } from './encoded-payload.js';
import { gibberish } from './gibberish.js';
import { invisibleText } from './invisible-text.js';
import { loadTokenizer, tokenLimit } from './token-limit.js';

/**
 * Linear time on hostile input for invisible-text, encoded-payload, token-limit, code-in-prompt and
 * gibberish. For each adversarial family, normalizing and detecting on 1 M characters must cost about four
 * times what 250 K characters cost; quadratic behaviour would cost sixteen. The assertion is a generous
 * ratio (< 10), taken as the best of five runs, never an absolute time.
 */
type Family = Record<string, (size: number) => string>;

const _store = memoryStore();

function suite(name: string, detector: Detector, families: Family): void {
  describe(`${name} is linear on adversarial inputs`, () => {
    for (const [family, make] of Object.entries(families)) {
      it(family, async () => {
        expect(
          // Nine rounds and a 1 ms floor: some families allocate a lot, and one GC pause must not decide.
          await linearityRatio((text) => detectOnce(detector, text, 'input'), make(250_000), make(1_000_000), {
            rounds: 9,
            floorMs: 1,
          }),
        ).toBeLessThan(10);
      });
    }
  });
}

const tag = (char: string) => String.fromCodePoint(0xe0000 + char.charCodeAt(0));

suite('invisibleText', invisibleText(), {
  'zero-width between letters (overflow path)': (size) => 'a\u200b'.repeat(size / 2),
  'one run of zero-width': (size) => '\u200b'.repeat(size),
  'emoji joined by ZWJ': (size) => '👨\u200d'.repeat(size / 3),
  'emoji presentation selectors': (size) => '❤\ufe0f'.repeat(size / 2),
  'variation selector run': (size) => `😀${'\ufe01'.repeat(size - 2)}`,
  'tag characters': (size) => tag('a').repeat(size / 2),
  'flag prefix without its tags': (size) => `🏴${tag('g')}x`.repeat(size / 5),
  'direction marks in Hebrew': (size) => 'ש\u200f'.repeat(size / 2),
  'Persian ZWNJ': (size) => 'م\u200c'.repeat(size / 2),
});

suite('encodedPayload', encodedPayload({ kinds: ['base64', 'hex', 'url', 'rot13', 'unicode-tags'] }), {
  'base64 words': (size) => 'aWdub3JlIGFsbA== '.repeat(size / 17),
  'base64-like run': (size) => 'QUJD'.repeat(size / 4),
  'percent escapes': (size) => '%41'.repeat(size / 3),
  'spaced hex': (size) => '41 '.repeat(size / 3),
  'rot13 hints': (size) => 'gur naq lbh '.repeat(size / 12),
});

describe('tokenLimit', () => {
  it('loads its tokenizer', async () => {
    await loadTokenizer('o200k_base');
    await loadTokenizer('cl100k_base');
    expect(true).toBe(true);
  });
});

// A limit below the byte length of the small texts (so both sizes are tokenized) and, for most families,
// above the token count of the large ones (so nothing stops early).
suite('tokenLimit (o200k_base)', tokenLimit({ max: 200_000 }), {
  'letters without whitespace': (size) => 'x'.repeat(size),
  'one symbol repeated': (size) => '!'.repeat(size),
  spaces: (size) => `a${' '.repeat(size - 2)}b`,
  words: (size) => 'hello world '.repeat(size / 12),
  'digits without whitespace': (size) => '7'.repeat(size),
  emoji: (size) => '😀'.repeat(size / 2),
});

suite('tokenLimit (cl100k_base)', tokenLimit({ max: 200_000, encoding: 'cl100k_base' }), {
  'letters without whitespace': (size) => 'x'.repeat(size),
  'apostrophes between letters': (size) => "a'".repeat(size / 2),
});

suite('codeInPrompt', codeInPrompt(), {
  'one-character lines': (size) => 'a\n'.repeat(size / 2),
  'one long line of SQL verbs': (size) => 'SELECT '.repeat(size / 7),
  'brace lines': (size) => '{\n'.repeat(size / 2),
  'fence lines': (size) => '```\n'.repeat(size / 4),
  'shell prompt lines': (size) => '$ rm -rf x\n'.repeat(size / 11),
  'def without a colon': (size) => `def f(${'a'.repeat(size)}`,
  'long line of parentheses': (size) => '('.repeat(size),
});

suite('gibberish', gibberish(), {
  'keyboard mash words': (size) => 'asdf '.repeat(size / 5),
  'one long word': (size) => 'q'.repeat(size),
  'words of 60 letters': (size) => `${'ab'.repeat(30)} `.repeat(size / 61),
  'periodic words': (size) => 'abcdabcdabcdabcd '.repeat(size / 17),
  'accented words': (size) => 'éàüöß '.repeat(size / 6),
  'distinct words': (size) => Array.from({ length: size / 8 }, (_, index) => `w${index.toString(36)}x `).join(''),
});
