import { ChatOpenAI } from '@langchain/openai';
import { type AuditEvent, defineDetector } from '@parapet/core';

/** The real ChatOpenAI client pointed at the local provider. */
export function localModel(baseURL: string, extra: { streaming?: boolean } = {}): ChatOpenAI {
  return new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'test', configuration: { baseURL }, maxRetries: 0, ...extra });
}

/** An output detector that blocks the word TOPSECRET (deterministic, with a span, for stream tests). */
export const forbiddenWord = defineDetector({
  id: 'forbidden-word',
  stages: ['output', 'tool_output'],
  rules: [{ minScore: 0.5, action: 'block' }],
  detect: (text) => {
    const at = text.indexOf('TOPSECRET');
    return at < 0
      ? []
      : [{ category: 'forbidden', score: 1, message: 'forbidden word', span: { start: at, end: at + 9 } }];
  },
});

/** An output detector that redacts the word INTERNAL-42 (with a span). */
export const internalCode = defineDetector({
  id: 'internal-code',
  stages: ['output'],
  rules: [{ minScore: 0.5, action: 'redact' }],
  detect: (text) => {
    const found: {
      category: string;
      score: number;
      message: string;
      span: { start: number; end: number };
      replacement: string;
    }[] = [];
    for (const match of text.matchAll(/INTERNAL-42/g)) {
      found.push({
        category: 'internal-code',
        score: 1,
        message: 'internal code',
        span: { start: match.index, end: match.index + match[0].length },
        replacement: '[CODE]',
      });
    }
    return found;
  },
});

/** An audit sink that keeps the events in memory. */
export function memorySink(): { events: AuditEvent[]; write(event: AuditEvent): void } {
  const events: AuditEvent[] = [];
  return { events, write: (event) => events.push(event) };
}
