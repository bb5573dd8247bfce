import { applyReplacements, type ChatMessage, type Replacement, type Verdict } from '@parapet/core';
import type { Prompt, PromptMessage } from './types.js';

/** Text parts of one message are checked as one text, joined with this (as providers read them). */
const SEPARATOR = '\n';

/**
 * Checks several text parts as one text and maps a redaction back onto the parts, so the message keeps its
 * shape (text parts stay where they were between images and files). `texts` is `undefined` when the
 * redacted text cannot be split back exactly (a span across two parts): the caller then puts the whole
 * redacted text in the first text part.
 */
export async function checkTexts(
  check: (text: string) => Promise<Verdict>,
  texts: readonly string[],
): Promise<{ verdict: Verdict; texts: readonly string[] | undefined }> {
  if (texts.length === 1) {
    const verdict = await check(texts[0]!);
    return { verdict, texts: [verdict.text] };
  }
  const verdict = await check(texts.join(SEPARATOR));
  if (verdict.action !== 'redact') return { verdict, texts };
  return { verdict, texts: splitRedaction(texts, verdict) };
}

/** The redactions the guard applied, re-applied part by part; verified against the guard's own text. */
function splitRedaction(texts: readonly string[], verdict: Verdict): readonly string[] | undefined {
  const afterReview = verdict.decided === 'review';
  const perPart: Replacement[][] = texts.map(() => []);
  const starts: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += text.length + SEPARATOR.length;
  }
  verdict.findings.forEach((finding, index) => {
    const action = verdict.findingActions[index];
    // The same selection as the guard's: redact findings, and after a review chose redaction, the reviewed ones.
    const applied =
      action === 'redact' ||
      (afterReview && (action === 'review' || (action === 'flag' && finding.replacement !== undefined)));
    if (!applied || finding.span === undefined) return;
    const replacement = finding.replacement ?? `[REDACTED:${finding.category}]`;
    texts.forEach((text, part) => {
      const start = starts[part]!;
      const from = Math.max(finding.span!.start, start);
      const to = Math.min(finding.span!.end, start + text.length);
      if (from >= to) return;
      // The replacement goes where the span starts; the rest of the span is deleted from later parts.
      perPart[part]!.push({
        span: { start: from - start, end: to - start },
        replacement: finding.span!.start >= start ? replacement : '',
      });
    });
  });
  const out = texts.map((text, part) => applyReplacements(text, perPart[part]!));
  return out.join(SEPARATOR) === verdict.text ? out : undefined;
}

/** Text of a prompt message (system content is a string; other roles hold parts). */
export function messageText(message: PromptMessage): string {
  if (message.role === 'system') return message.content;
  const texts: string[] = [];
  for (const part of message.content) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'tool-result') {
      const output = part.output as { type?: string; value?: unknown };
      if (output.type === 'text' || output.type === 'error-text') texts.push(String(output.value));
      else if (output.type === 'json' || output.type === 'error-json') texts.push(JSON.stringify(output.value));
    }
  }
  return texts.join(SEPARATOR);
}

export function lastUserIndex(prompt: Prompt): number {
  for (let index = prompt.length - 1; index >= 0; index--) if (prompt[index]!.role === 'user') return index;
  return -1;
}

/** The system prompt (all system messages) and the conversation before `until`, as the guard's ChatMessages. */
export function conversationOf(prompt: Prompt, until: number): { systemPrompt?: string; history: ChatMessage[] } {
  const system: string[] = [];
  const history: ChatMessage[] = [];
  for (let index = 0; index < prompt.length; index++) {
    const message = prompt[index]!;
    if (message.role === 'system') system.push(message.content);
    else if (index < until) history.push({ role: message.role, content: messageText(message) });
  }
  return system.length > 0 ? { systemPrompt: system.join(SEPARATOR), history } : { history };
}
