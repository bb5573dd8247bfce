import { ArgumentError } from './errors.js';
import type { Span } from './types.js';

export interface Replacement {
  readonly span: Span;
  readonly replacement: string;
}

/**
 * Applies replacements to `text`. Overlapping spans are merged into one, which takes the
 * replacement of the span that starts first (the longest one on a tie), so no part of any span survives;
 * spans that only touch stay separate.
 * Deterministic for the same input, whatever order the detectors finished in.
 */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
  if (typeof text !== 'string' || !Array.isArray(replacements)) {
    throw new ArgumentError({
      message:
        'applyReplacements(text, replacements): text must be a string and replacements an array of { span, replacement }.',
    });
  }
  for (const item of replacements) {
    const span = item?.span;
    if (
      span === undefined ||
      !Number.isInteger(span.start) ||
      !Number.isInteger(span.end) ||
      span.start < 0 ||
      span.end > text.length ||
      typeof item.replacement !== 'string'
    ) {
      throw new ArgumentError({
        message:
          'applyReplacements: each replacement needs span { start, end } within the text (integers) and a string replacement.',
      });
    }
  }
  if (replacements.length === 0) return text;
  const sorted = [...replacements]
    .filter((item) => item.span.end > item.span.start)
    .sort(
      (a, b) =>
        a.span.start - b.span.start ||
        b.span.end - a.span.end ||
        (a.replacement < b.replacement ? -1 : a.replacement > b.replacement ? 1 : 0),
    );
  const out: string[] = [];
  let cursor = 0;
  let index = 0;
  while (index < sorted.length) {
    const first = sorted[index]!;
    const start = Math.max(first.span.start, cursor);
    let end = first.span.end;
    index++;
    while (index < sorted.length && sorted[index]!.span.start < end) {
      end = Math.max(end, sorted[index]!.span.end);
      index++;
    }
    if (end <= cursor) continue;
    out.push(text.slice(cursor, start), first.replacement);
    cursor = Math.min(end, text.length);
  }
  out.push(text.slice(cursor));
  return out.join('');
}
