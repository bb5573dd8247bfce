import { applyReplacements, type Replacement, type Verdict } from '@parapet/core';

/** One piece of text inside a request or response (a message's content, a content part) that can be rewritten. */
export interface TextSlot {
  readonly text: string;
  set(text: string): void;
}

/** The separator between slots in the text the guard sees: parts of one message are read as lines. */
const SEPARATOR = '\n';

export function joinSlots(slots: readonly TextSlot[]): string {
  if (slots.length === 1) return slots[0]!.text;
  return slots.map((slot) => slot.text).join(SEPARATOR);
}

/**
 * Writes a `redact` verdict back into the slots it was computed over. With one slot the verdict's text is
 * the new text; with several, each redaction span is mapped back to the slots it covers (the replacement
 * goes where the span starts; the rest of a span that crosses into the next part is removed), so a
 * multi-part message keeps its parts.
 */
export function applyRedaction(slots: readonly TextSlot[], verdict: Verdict): void {
  if (slots.length === 1) {
    slots[0]!.set(verdict.text);
    return;
  }
  const perSlot: Replacement[][] = slots.map(() => []);
  const starts: number[] = [];
  let offset = 0;
  for (const slot of slots) {
    starts.push(offset);
    offset += slot.text.length + SEPARATOR.length;
  }
  verdict.findings.forEach((finding, index) => {
    if (verdict.findingActions[index] !== 'redact' || finding.span === undefined) return;
    const { start, end } = finding.span;
    const replacement = finding.replacement ?? `[REDACTED:${finding.category}]`;
    let first = true;
    slots.forEach((slot, slotIndex) => {
      const slotStart = starts[slotIndex]!;
      const slotEnd = slotStart + slot.text.length;
      const from = Math.max(start, slotStart);
      const to = Math.min(end, slotEnd);
      if (to < from || (to === from && !(start === end && from === start))) return;
      perSlot[slotIndex]!.push({
        span: { start: from - slotStart, end: to - slotStart },
        replacement: first ? replacement : '',
      });
      first = false;
    });
  });
  slots.forEach((slot, index) => {
    const list = perSlot[index]!;
    if (list.length > 0) slot.set(applyReplacements(slot.text, list));
  });
}
