import { splitWords, wordHash } from './features.js';
import type { WordView } from './model.js';

/**
 * Word-sequence rules: a phrase is a list of steps, each a set of alternative words, with an optional
 * gap of up to N other words before a step (`~N`). Written once, compiled to sets of word hashes, and
 * matched over the words of the model's scan (no second pass, no regular expression): each word costs
 * one map lookup, and a candidate match looks ahead a bounded number of words, so matching is linear.
 *
 * Syntax: `ignore|disregard ~3 previous|prior ~2 instructions|rules`. Alternatives may contain several
 * words joined by `+` (`do+not`), which match consecutive words.
 */
export interface PhraseRule {
  readonly id: string;
  readonly category: string;
  readonly score: number;
  readonly phrase: string;
}

interface Step {
  /** Single-word alternatives. */
  readonly words: ReadonlySet<number>;
  /** Multi-word alternatives, as hash sequences. */
  readonly sequences: readonly (readonly number[])[];
  /** Other words allowed before this step. */
  readonly gap: number;
}

interface CompiledRule {
  readonly rule: PhraseRule;
  readonly steps: readonly Step[];
}

export interface PhraseMatch {
  readonly rule: PhraseRule;
  /** First and one-past-last word index. */
  readonly from: number;
  readonly to: number;
}

function compileStep(source: string, gap: number, ruleId: string): Step {
  const words = new Set<number>();
  const sequences: number[][] = [];
  for (const alternative of source.split('|')) {
    const parts = alternative.split('+').flatMap((part) => splitWords(part.toLowerCase()));
    if (parts.length === 0) throw new Error(`phrase rule ${ruleId}: empty alternative in "${source}"`);
    if (parts.length === 1) words.add(wordHash(parts[0]!));
    else sequences.push(parts.map((part) => wordHash(part)));
  }
  return { words, sequences, gap };
}

function compile(rule: PhraseRule): CompiledRule {
  const steps: Step[] = [];
  let gap = 0;
  for (const token of rule.phrase.trim().split(/\s+/)) {
    if (token.startsWith('~')) {
      gap = Number(token.slice(1));
      if (!Number.isInteger(gap) || gap < 0 || gap > 12) throw new Error(`phrase rule ${rule.id}: bad gap "${token}"`);
      continue;
    }
    steps.push(compileStep(token, gap, rule.id));
    gap = 0;
  }
  if (steps.length === 0) throw new Error(`phrase rule ${rule.id}: no steps`);
  return { rule, steps };
}

/** Length in words of the alternative of `step` matching at `at`, or 0. */
function matchAt(step: Step, words: WordView, at: number): number {
  if (at >= words.count) return 0;
  const hash = words.hashes[at]!;
  if (step.words.has(hash)) return 1;
  for (const sequence of step.sequences) {
    if (sequence[0] !== hash || at + sequence.length > words.count) continue;
    let ok = true;
    for (let offset = 1; offset < sequence.length; offset++) {
      if (words.hashes[at + offset] !== sequence[offset]) {
        ok = false;
        break;
      }
    }
    if (ok) return sequence.length;
  }
  return 0;
}

/** Characters that end a clause: a phrase never spans them ("…an instructions override, those instructions…"). */
function crossesClause(text: string, words: WordView, from: number, to: number): boolean {
  for (let word = from + 1; word < to; word++) {
    for (let at = words.ends[word - 1]!; at < words.starts[word]!; at++) {
      const code = text.charCodeAt(at);
      // . , ; : ! ? newline, and their full-width / CJK forms
      if (
        code === 0x2e ||
        code === 0x2c ||
        code === 0x3b ||
        code === 0x3a ||
        code === 0x21 ||
        code === 0x3f ||
        code === 0x0a ||
        code === 0x3002 ||
        code === 0xff0c ||
        code === 0x3001 ||
        code === 0xff1f ||
        code === 0xff01
      ) {
        return true;
      }
    }
  }
  return false;
}

/** A compiled rule set. `match` reports at most one match per rule (the first). */
export interface PhraseMatcher {
  /** `text` is the scanned text the word spans refer to. */
  match(words: WordView, text: string, limit?: number): PhraseMatch[];
  readonly size: number;
}

export function compilePhrases(rules: readonly PhraseRule[]): PhraseMatcher {
  const compiled = rules.map(compile);
  // First word of each rule's first step → rules starting with it.
  const byFirst = new Map<number, number[]>();
  const add = (hash: number, index: number): void => {
    const list = byFirst.get(hash);
    if (list === undefined) byFirst.set(hash, [index]);
    else if (list[list.length - 1] !== index) list.push(index);
  };
  compiled.forEach((rule, index) => {
    for (const hash of rule.steps[0]!.words) add(hash, index);
    for (const sequence of rule.steps[0]!.sequences) add(sequence[0]!, index);
  });

  return {
    size: compiled.length,
    match(words, text, limit = 64) {
      const found: PhraseMatch[] = [];
      const seen = new Uint8Array(compiled.length);
      for (let at = 0; at < words.count; at++) {
        const candidates = byFirst.get(words.hashes[at]!);
        if (candidates === undefined) continue;
        for (const index of candidates) {
          if (seen[index] === 1) continue;
          const { steps } = compiled[index]!;
          let length = matchAt(steps[0]!, words, at);
          if (length === 0) continue;
          let position = at + length;
          let ok = true;
          for (let step = 1; step < steps.length; step++) {
            const current = steps[step]!;
            let hit = 0;
            for (let skip = 0; skip <= current.gap && hit === 0; skip++) {
              hit = matchAt(current, words, position + skip);
              if (hit > 0) position += skip + hit;
            }
            if (hit === 0) {
              ok = false;
              break;
            }
          }
          if (!ok || crossesClause(text, words, at, position)) continue;
          length = position - at;
          seen[index] = 1;
          found.push({ rule: compiled[index]!.rule, from: at, to: at + length });
          if (found.length >= limit) return found;
        }
      }
      return found;
    },
  };
}
