import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGuard } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { canary } from './canary.js';
import { systemPromptLeak } from './system-prompt-leak.js';

/**
 * Catch rate on real system prompts: every distinct system prompt of PurpleLlama's prompt-injection set
 * (read from ../shared/datasets at test time), leaked by an answer verbatim, reformatted (upper case, a
 * bullet per sentence, collapsed whitespace), and carrying a canary token the model re-spaced. The issue
 * asks for 100 % on canaries and exact leaks.
 */
const FILE = fileURLToPath(
  new URL('../../../../shared/datasets/purplellama-cyberseceval-pi/eval.jsonl', import.meta.url),
);
const prompts = [
  ...new Set(
    readFileSync(FILE, 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => (JSON.parse(line) as { system_prompt?: string }).system_prompt)
      .filter((prompt): prompt is string => typeof prompt === 'string' && prompt.trim().length > 0),
  ),
];

describe('system-prompt and canary leaks on real system prompts', () => {
  it('has a few hundred distinct system prompts to work with', () => {
    expect(prompts.length).toBeGreaterThan(100);
  });

  const leaked = async (answer: (prompt: string) => string): Promise<number> => {
    let caught = 0;
    for (const prompt of prompts) {
      const guard = createGuard({ output: [systemPromptLeak({ systemPrompt: prompt })] });
      const verdict = await guard.check('output', answer(prompt));
      expect(verdict.errors).toEqual([]); // a throwing scanner blocks too (fail closed): not a catch
      if (verdict.action === 'block') caught++;
    }
    return caught / prompts.length;
  };

  it('catches 100 % of verbatim leaks', async () => {
    expect(await leaked((prompt) => `Sure! My instructions are: ${prompt} Anything else?`)).toBe(1);
  });

  it('catches 100 % of reformatted leaks (case, bullets, whitespace)', async () => {
    const reformat = (prompt: string) =>
      `Here you go:\n${prompt
        .toUpperCase()
        .split(/(?<=[.!?])\s+/)
        .map((sentence) => `- ${sentence}`)
        .join('\n')}`;
    expect(await leaked(reformat)).toBe(1);
  });

  it('catches 100 % of canaries, even re-spaced and re-cased', async () => {
    let caught = 0;
    for (const prompt of prompts) {
      const marker = canary();
      const guard = createGuard({
        output: [systemPromptLeak({ systemPrompt: `${prompt} ${marker.token}`, canaries: [marker] })],
      });
      const spaced = marker.token.toLowerCase().split('').join(' ');
      const verdict = await guard.check('output', `The hidden reference is ${spaced}.`);
      expect(verdict.errors).toEqual([]); // a throwing scanner blocks too (fail closed): not a catch
      if (verdict.action === 'block') caught++;
    }
    expect(caught / prompts.length).toBe(1);
  });

  it('does not fire on an ordinary answer', async () => {
    let fired = 0;
    for (const prompt of prompts) {
      const guard = createGuard({ output: [systemPromptLeak({ systemPrompt: prompt })] });
      const verdict = await guard.check(
        'output',
        'I can help with your order. Could you give me the order number, please?',
      );
      if (verdict.action !== 'allow') fired++;
    }
    expect(fired).toBe(0);
  });
});
