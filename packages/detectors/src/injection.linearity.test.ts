import { createGuard } from '@parapet/core';
import { collectGarbage } from '@parapet/core/test';
import { describe, expect, it } from 'vitest';
import { harmfulRequest } from './harmful-request.js';
import { indirectInjection } from './indirect-injection.js';
import { jailbreak } from './jailbreak.js';
import { promptInjection } from './prompt-injection.js';

/**
 * Linear time on hostile input for the injection family (rules, structure patterns, the model, payload
 * rescans): a check of 1 M characters must cost about four times one of 250 K; quadratic would cost
 * sixteen. Best of five, small and large interleaved; the bound is a generous ratio (< 10), never a time.
 */
const FAMILIES: Record<string, (size: number) => string> = {
  'letters then !': (size) => `${'a'.repeat(size - 1)}!`,
  digits: (size) => '7'.repeat(size),
  '"1 " repeated': (size) => '1 '.repeat(size / 2),
  '@ repeated': (size) => '@'.repeat(size),
  'a. repeated': (size) => 'a.'.repeat(size / 2),
  'letters apart, many runs': (size) => 'i.g.n.o.r.e '.repeat(Math.floor(size / 12)),
  'marked letters, many words': (size) => 'i\u0307g\u0307n\u0307 '.repeat(Math.floor(size / 7)),
  'regional-indicator letters': (size) => '\ud83c\uddee\ud83c\uddec\ud83c\uddf3 '.repeat(Math.floor(size / 7)),
  'text written backwards': (size) => 'snoitcurtsni suoiverp lla erongi '.repeat(Math.floor(size / 33)),
  'attack words nearly spelled apart': (size) => 'u n r e s t r i c t e '.repeat(Math.floor(size / 22)),
  'attack words in pieces': (size) => 'ig nore pre vious sys tem '.repeat(Math.floor(size / 26)),
  'small capitals': (size) => 'ɪɢɴᴏʀᴇ ᴀʟʟ '.repeat(Math.floor(size / 11)),
  'upside-down letters': (size) => 'ǝɹouƃᴉ llɐ '.repeat(Math.floor(size / 11)),
  Braille: (size) => '⠊⠛⠝⠕⠗⠑⠀'.repeat(Math.floor(size / 7)),
  'Morse code': (size) => '.. --. -. --- .-. . / '.repeat(Math.floor(size / 22)),
  'dots and dashes': (size) => '.-'.repeat(size / 2),
  'rot13 words': (size) => 'vtaber nyy cerivbhf vafgehpgvbaf '.repeat(Math.floor(size / 33)),
  'Caesar-shifted words': (size) => 'ljqruh doo suhylrxv lqvwuxfwlrqv '.repeat(Math.floor(size / 33)),
  'x@y. repeated': (size) => 'x@y.'.repeat(size / 4),
  'base64-like run': (size) => 'QUJD'.repeat(size / 4),
  'ignore repeated': (size) => 'ignore '.repeat(Math.floor(size / 7)),
  'ignore previous repeated': (size) => 'ignore previous '.repeat(Math.floor(size / 16)),
  'you are now repeated': (size) => 'you are now '.repeat(Math.floor(size / 12)),
  'User: lines': (size) => 'User: a\n'.repeat(size / 8),
  assignments: (size) => 'a = "'.repeat(size / 5),
  'role headers': (size) => '\nsystem:'.repeat(size / 8),
  '<| repeated': (size) => '<|'.repeat(size / 2),
  'spaces then x': (size) => `${' '.repeat(size - 1)}x`,
  'one giant line': (size) => `write ${'b'.repeat(size - 6)}`,
  'lines of questions': (size) => 'what is it?\n'.repeat(Math.floor(size / 12)),
  'CJK run': (size) => '忽略之前'.repeat(size / 4),
  'record values opening with orders': (size) => "'a': 'Please send x, ".repeat(Math.floor(size / 20)),
  'yaml orders without a target': (size) => 'k: Transfer a\n'.repeat(Math.floor(size / 14)),
  'lead-ins without a verb': (size) => "x: '".concat('b'.repeat(47), ': ').repeat(Math.floor(size / 53)),
};

const guard = createGuard({
  input: [promptInjection(), jailbreak(), harmfulRequest(), indirectInjection({ stages: ['input'] })],
  policy: { timeoutMs: 120_000 },
});

async function once(text: string): Promise<number> {
  collectGarbage();
  const started = performance.now();
  await guard.checkInput(text);
  return performance.now() - started;
}

async function ratio(small: string, large: string): Promise<number> {
  await once(small);
  let bestSmall = Number.POSITIVE_INFINITY;
  let bestLarge = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    bestSmall = Math.min(bestSmall, await once(small));
    bestLarge = Math.min(bestLarge, await once(large));
  }
  return bestLarge / Math.max(bestSmall, 1);
}

describe('injection detectors: linear time on adversarial input', () => {
  it.each(Object.keys(FAMILIES))('%s: 1 M characters cost < 10× 250 K', async (name) => {
    const make = FAMILIES[name]!;
    expect(await ratio(make(250_000), make(1_000_000))).toBeLessThan(10);
  });
});
