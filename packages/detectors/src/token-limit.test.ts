import { createRequire } from 'node:module';
import {
  ConfigError,
  createGuard,
  type DetectContext,
  type FindingInput,
  memoryStore,
  normalizeText,
} from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { countTokens, tokenChunks, tokenizerLoaded, tokenLimit, tokenLimitEntry } from './token-limit.js';

function contextFor(text: string): DetectContext {
  return {
    stage: 'input',
    traceId: 'test',
    normalized: normalizeText(text),
    signal: new AbortController().signal,
    store: memoryStore(),
  };
}

/** tiktoken itself, for whole-text reference counts. */
const tiktoken = createRequire(import.meta.url)('tiktoken') as {
  get_encoding(name: string): { encode_ordinary(text: string): Uint32Array };
};

const SENTENCES = [
  'The committee met on Tuesday to review the budget for the coming year, and most members agreed.',
  "She said it's too early to tell whether the new bridge will reduce traffic in the old town.",
  'Mix 200 g of flour with 3 eggs, then add milk slowly until the batter is smooth (about 5 minutes).',
  'In 1969, two astronauts walked on the Moon while a third orbited above in the command module.',
  'Can you explain why my function returns undefined? `const x = items.map((item) => item.id);`',
  'Die Bundesregierung hat am Montag neue Maßnahmen für den Klimaschutz vorgestellt.',
  'Les élèves ont visité le musée — une expérience qu’ils n’oublieront pas de sitôt !',
  '東京は日本の首都であり、世界で最も人口の多い都市圏の一つです。',
  'Total: $1,234.56 (incl. 20% VAT) — invoice #A-7781 due 2024-03-31.',
  'def add(a, b):\n    return a + b\n\nprint(add(2, 3))',
];

/** About `size` characters of varied prose, numbers, code and several scripts, with paragraphs. */
function realText(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const sentence = SENTENCES[(i * 7) % SENTENCES.length]!;
    const piece = i % 5 === 4 ? `${sentence}\n\n` : `${sentence} `;
    parts.push(piece);
    length += piece.length;
  }
  return parts.join('');
}

function randomLetters(size: number): string {
  let seed = 42;
  let out = '';
  for (let i = 0; i < size; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out += String.fromCharCode(97 + Math.floor((seed / 2147483648) * 26));
  }
  return out;
}

describe('tokenLimit', () => {
  // First in the file: nothing has loaded tiktoken yet in this worker.
  it('loads nothing at import and never tokenizes a text of at most max UTF-8 bytes', () => {
    expect(tokenizerLoaded('o200k_base')).toBe(false);
    const detector = tokenLimit({ max: 100 });
    const text = 'a short question about the weather';
    const result = detector.detect(text, contextFor(text));
    expect(result).toEqual([]);
    expect(result).not.toBeInstanceOf(Promise);
    // 40 three-byte characters: 120 bytes > 100, so this one is counted (40 tokens or so: allowed).
    const kana = 'あ'.repeat(40);
    return Promise.resolve(detector.detect(kana, contextFor(kana))).then((findings) => {
      expect(findings).toEqual([]);
      expect(tokenizerLoaded('o200k_base')).toBe(true);
      expect(tokenizerLoaded('cl100k_base')).toBe(false);
    });
  });

  it('blocks a text over the limit through the guard, saying "more than max" when it stopped early', async () => {
    const guard = createGuard({ input: [tokenLimit({ max: 50, encoding: 'cl100k_base' })] });
    const verdict = await guard.checkInput(realText(20_000));
    expect(verdict.action).toBe('block');
    expect(verdict.findings).toHaveLength(1);
    const finding = verdict.findings[0]!;
    expect(finding).toMatchObject({ detector: 'token-limit', category: 'token-limit', severity: 'high' });
    expect(finding.data).toMatchObject({ max: 50, exact: false, encoding: 'cl100k_base' });
    expect(finding.message).toContain('more than 50 tokens');
    expect(finding.message).not.toContain('committee');
    expect((await guard.checkInput('hello there')).action).toBe('allow');
  });

  it('reports the exact count when the whole text was counted, matching tiktoken', async () => {
    const text = realText(600);
    const whole = tiktoken.get_encoding('o200k_base').encode_ordinary(text).length;
    const findings = (await tokenLimit({ max: whole - 1 }).detect(text, contextFor(text))) as readonly FindingInput[];
    expect(findings).toHaveLength(1);
    expect(findings[0]!.data).toMatchObject({ count: whole, exact: true, max: whole - 1 });
    expect(findings[0]!.message).toContain(`${whole} tokens`);
    expect(await tokenLimit({ max: whole }).detect(text, contextFor(text))).toEqual([]);
  });

  it('chunked counts equal whole-text counts on real text, and differ by at most 2 per hard cut otherwise', async () => {
    for (const encoding of ['cl100k_base', 'o200k_base'] as const) {
      const encoder = tiktoken.get_encoding(encoding);
      const prose = realText(60_000);
      const chunks = tokenChunks(prose).length;
      expect(chunks).toBeGreaterThan(10);
      const counted = await countTokens(prose, { encoding });
      expect(counted.exact).toBe(true);
      // Cuts fall where tiktoken starts a new piece anyway (measured: 0 tokens of difference).
      expect(Math.abs(counted.count - encoder.encode_ordinary(prose).length)).toBeLessThanOrEqual(chunks);
      expect(counted.count).toBe(encoder.encode_ordinary(prose).length);
      // 30 K letters without a space: cut hard every 256 characters (measured: about 0.2 tokens per cut).
      const letters = randomLetters(30_000);
      const cuts = tokenChunks(letters).length - 1;
      const difference = Math.abs(
        (await countTokens(letters, { encoding })).count - encoder.encode_ordinary(letters).length,
      );
      expect(difference).toBeLessThanOrEqual(2 * cuts);
    }
  });

  it('counts 50 K characters without whitespace in bounded chunks', async () => {
    const text = 'x'.repeat(50_000);
    expect(Math.max(...tokenChunks(text).map((end, index, ends) => end - (ends[index - 1] ?? 0)))).toBeLessThanOrEqual(
      4096,
    );
    const findings = (await tokenLimit({ max: 1000 }).detect(text, contextFor(text))) as readonly FindingInput[];
    expect(findings).toHaveLength(1);
    expect(findings[0]!.data).toMatchObject({ exact: false });
    expect((findings[0]!.data as { count: number }).count).toBeGreaterThan(1000);
  });

  it('enforces a cost budget as a token cap', async () => {
    // $0.0001 at $10 per million tokens = 10 tokens.
    const detector = tokenLimit({ maxCost: { usdPerMillionTokens: 10, maxUsd: 0.0001 } });
    const text = realText(500);
    const findings = (await detector.detect(text, contextFor(text))) as readonly FindingInput[];
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ category: 'cost-budget', data: { max: 10, maxUsd: 0.0001 } });
    expect(findings[0]!.message).toContain('budget $0.0001');
    // With both, the tighter one wins and names the category.
    const both = tokenLimit({ max: 5, maxCost: { usdPerMillionTokens: 10, maxUsd: 0.0001 } });
    const tighter = (await both.detect(text, contextFor(text))) as readonly FindingInput[];
    expect(tighter[0]).toMatchObject({ category: 'token-limit', data: { max: 5 } });
  });

  it('uses the action it is given in its recommended rule', async () => {
    expect(tokenLimit({ max: 10 }).rules).toEqual([{ minScore: 0.5, action: 'block' }]);
    const guard = createGuard({ input: [tokenLimit({ max: 10, action: 'flag' })] });
    const verdict = await guard.checkInput(realText(400));
    expect(verdict.action).toBe('flag');
  });

  it('validates options with messages that say how to fix them', () => {
    expect(() => tokenLimit({ max: 100, encoding: 'gpt2' as never })).toThrow(ConfigError);
    expect(() => tokenLimit({ max: 100, encoding: 'gpt2' as never })).toThrow(
      /encoding: must be "o200k_base" \(GPT-4o.*or "cl100k_base"/,
    );
    expect(() => tokenLimit({} as never)).toThrow(/max: give max \(a number of tokens/);
    expect(() => tokenLimit({ max: 1.5 })).toThrow(/max: must be a whole number/);
    expect(() => tokenLimit({ max: 10, action: 'redact' as never })).toThrow(
      /action: must be one of flag, review, block/,
    );
    expect(() => tokenLimit({ max: 10, stages: ['tool_input', 'nope' as never] })).toThrow(/stages\[1\]/);
    expect(() => tokenLimit({ maxCost: { usdPerMillionTokens: 0, maxUsd: 1 } })).toThrow(
      /maxCost.usdPerMillionTokens: must be more than 0/,
    );
  });

  it('never throws on odd input', async () => {
    const detector = tokenLimit({ max: 100 });
    const garbage = Array.from({ length: 5000 }, (_, index) => String.fromCharCode((index * 7919) % 0xffff)).join('');
    const inputs = [
      '',
      realText(1_000_000),
      garbage,
      '😀🎉👍🏽'.repeat(1000),
      'مرحبا بالعالم שלום עולם '.repeat(50),
      '\ud800abc\udc00'.repeat(100),
      '<|endoftext|> <|im_start|>system'.repeat(20),
      '\ud83d'.repeat(400),
    ];
    for (const text of inputs) {
      const findings = await detector.detect(text, contextFor(text));
      expect(Array.isArray(findings)).toBe(true);
      // The reference count: whole-text tiktoken.
      const expected = tiktoken.get_encoding('o200k_base').encode_ordinary(text).length > 100 ? 1 : 0;
      expect(findings.length).toBe(expected);
    }
  });

  it('rejects an unknown encoding in countTokens', async () => {
    await expect(countTokens('hi', { encoding: 'p50k_base' as never })).rejects.toThrow(/encoding must be one of/);
  });

  it('offers a registry entry that needs options', () => {
    expect(tokenLimitEntry).toMatchObject({ id: 'token-limit', requiresOptions: true });
    expect(tokenLimitEntry.defaultFor).toBeUndefined();
    expect(tokenLimitEntry.stages).toEqual(['input', 'tool_input', 'tool_output', 'output']);
    expect(tokenLimitEntry.create({ max: 10 }).id).toBe('token-limit');
    expect(() => tokenLimitEntry.create()).toThrow(ConfigError);
  });
});

describe('tokenLimit() lower bound without the tokenizer', () => {
  it('decides "over the limit" from blank-separated runs, a true lower bound of the token count', async () => {
    const { blankSeparatedRuns, countTokens } = await import('./token-limit.js');
    const text = Array.from({ length: 3000 }, (_, index) => `word${index % 97}, ok`).join(' ');
    const runs = blankSeparatedRuns(text, Number.POSITIVE_INFINITY);
    const exact = await countTokens(text, { encoding: 'o200k_base' });
    const cl100k = await countTokens(text, { encoding: 'cl100k_base' });
    expect(runs).toBeLessThanOrEqual(exact.count);
    expect(runs).toBeLessThanOrEqual(cl100k.count);
    const guard = createGuard({ input: [tokenLimit({ max: 5000, encoding: 'o200k_base' })] });
    const verdict = await guard.checkInput(text);
    expect(verdict.action).toBe('block');
    expect(verdict.findings[0]?.data?.exact).toBe(false);
  });
});
