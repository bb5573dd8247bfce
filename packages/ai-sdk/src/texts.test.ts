import { createGuard, defineDetector } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { checkTexts, conversationOf, lastUserIndex } from './texts.js';
import type { Prompt } from './types.js';

const codes = defineDetector({
  id: 'codes',
  stages: ['input'],
  rules: [{ minScore: 0.5, action: 'redact' }],
  detect: (text) =>
    [...text.matchAll(/CODE-\d+(\s+CODE-\d+)?/g)].map((match) => ({
      category: 'code',
      score: 1,
      message: 'a code',
      span: { start: match.index, end: match.index + match[0].length },
      replacement: '[CODE]',
    })),
});
const guard = createGuard({ input: [codes] });
const check = (text: string) => guard.checkInput(text);

describe('checkTexts', () => {
  it('maps a redaction back onto each text part', async () => {
    const { verdict, texts } = await checkTexts(check, ['first CODE-1 here', 'second CODE-22 there']);
    expect(verdict.action).toBe('redact');
    expect(texts).toEqual(['first [CODE] here', 'second [CODE] there']);
  });

  it('leaves parts untouched when nothing is redacted', async () => {
    const parts = ['hello', 'world'];
    const { verdict, texts } = await checkTexts(check, parts);
    expect(verdict.action).toBe('allow');
    expect(texts).toBe(parts);
  });

  it('gives up splitting (undefined) when a span crosses the border between two parts', async () => {
    const { verdict, texts } = await checkTexts(check, ['ends with CODE-1', 'CODE-2 starts this']);
    expect(verdict.text).toBe('ends with [CODE] starts this');
    expect(texts).toBeUndefined();
  });
});

describe('prompt helpers', () => {
  const prompt: Prompt = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'first question' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] },
    { role: 'user', content: [{ type: 'text', text: 'second question' }] },
  ];

  it('finds the last user message, the system prompt (a string) and the history before it', () => {
    expect(lastUserIndex(prompt)).toBe(3);
    expect(lastUserIndex([{ role: 'system', content: 'x' }])).toBe(-1);
    expect(conversationOf(prompt, 3)).toEqual({
      systemPrompt: 'Be brief.',
      history: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
      ],
    });
  });
});
