import { foldLeetspeak } from '@parapet/core';
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
  /** Which detector family the rule belongs to (set when rule sets are merged into one matcher). */
  readonly family?: string;
  readonly category: string;
  readonly score: number;
  readonly phrase: string;
}

interface Step {
  /** Single-word alternatives, as vocabulary ids. */
  readonly words: ReadonlySet<number>;
  /**
   * Offset of this step's membership bitsets in the matcher's table (set when the vocabulary is sealed):
   * `words` at `bits`, `firsts` at `bits + W`, `lasts` at `bits + 2W`, `W` 32-bit words each. A bit test
   * replaces a `Set` lookup on the hot path.
   */
  bits: number;
  /**
   * The words that may start this step (`words` and `firsts`) as `[bitset word, mask]` pairs of the nonzero
   * words of their bitset, from `starts` to `startsEnd` in the matcher's pair table.
   */
  starts: number;
  startsEnd: number;
  /** Multi-word alternatives, as id sequences. */
  readonly sequences: readonly (readonly number[])[];
  /** First ids of `sequences`, and last ids: most words start or end none, so the loop is skipped. */
  readonly firsts: ReadonlySet<number>;
  readonly lasts: ReadonlySet<number>;
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

/**
 * The words the rules know, as small dense ids: a text's words are looked up once each (in an open-addressing
 * table of 32-bit hashes, no allocation), and everything after works on small integers.
 */
class Vocabulary {
  private readonly ids = new Map<number, number>();
  /** Open addressing: slot `s` holds a word hash at `2s` and its id at `2s + 1` (-1 when empty), one cache line. */
  private table = new Int32Array(0);
  private mask = 0;

  id(word: string): number {
    const hash = wordHash(word);
    let id = this.ids.get(hash);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(hash, id);
    }
    return id;
  }

  /** Number of distinct words (ids run from 0 to `size - 1`). */
  get size(): number {
    return this.ids.size;
  }

  /** Freezes the table used by `lookup`. */
  seal(): void {
    let capacity = 16;
    while (capacity < this.ids.size * 3) capacity *= 2;
    const table = new Int32Array(capacity * 2).fill(-1);
    this.mask = capacity - 1;
    for (const [hash, id] of this.ids) {
      let slot = Math.imul(hash, 0x9e3779b1) >>> 16;
      for (;;) {
        slot &= this.mask;
        if (table[2 * slot + 1] === -1) break;
        slot++;
      }
      table[2 * slot] = hash | 0;
      table[2 * slot + 1] = id;
    }
    this.table = table;
  }

  /** The id of a word hash (signed, as in {@link WordView}), or -1 when no rule uses the word. */
  lookup(hash: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = Math.imul(hash, 0x9e3779b1) >>> 16;
    for (;;) {
      slot &= mask;
      const value = table[2 * slot + 1]!;
      if (value === -1) return -1;
      if (table[2 * slot] === hash) return value;
      slot++;
    }
  }
}

function compileStep(source: string, gap: number, ruleId: string, vocabulary: Vocabulary): Step {
  const words = new Set<number>();
  const sequences: number[][] = [];
  for (const alternative of source.split('|')) {
    // The rules read the normalized (NFKC), leetspeak-folded view, where "base64" is "base6a" and "c4" is
    // "ca": a rule word is put in the same form, or it could never match.
    const parts = alternative
      .split('+')
      .flatMap((part) => splitWords(foldLeetspeak(part.normalize('NFKC').toLowerCase())));
    if (parts.length === 0) throw new Error(`phrase rule ${ruleId}: empty alternative in "${source}"`);
    if (parts.length === 1) words.add(vocabulary.id(parts[0]!));
    else sequences.push(parts.map((part) => vocabulary.id(part)));
  }
  const firsts = new Set(sequences.map((sequence) => sequence[0]!));
  const lasts = new Set(sequences.map((sequence) => sequence[sequence.length - 1]!));
  return { words, bits: 0, starts: 0, startsEnd: 0, sequences, firsts, lasts, gap };
}

function compile(rule: PhraseRule, vocabulary: Vocabulary): CompiledRule {
  const steps: Step[] = [];
  let gap = 0;
  for (const token of rule.phrase.trim().split(/\s+/)) {
    if (token.startsWith('~')) {
      gap = Number(token.slice(1));
      if (!Number.isInteger(gap) || gap < 0 || gap > 12) throw new Error(`phrase rule ${rule.id}: bad gap "${token}"`);
      continue;
    }
    steps.push(compileStep(token, gap, rule.id, vocabulary));
    gap = 0;
  }
  if (steps.length === 0) throw new Error(`phrase rule ${rule.id}: no steps`);
  return { rule, steps };
}

/** Whether bit `id` is set in the bitset at `offset` of `bits`. */
function has(bits: Int32Array, offset: number, id: number): boolean {
  return ((bits[offset + (id >>> 5)]! >>> (id & 31)) & 1) === 1;
}

/**
 * Length in words of the alternative of `step` matching at `at`, or 0. `ids` are the text's word ids;
 * `bits` and `width` the matcher's membership table (see {@link Step.bits}).
 */
function matchAt(step: Step, bits: Int32Array, width: number, ids: Int32Array, count: number, at: number): number {
  if (at >= count || at < 0) return 0;
  const id = ids[at]!;
  if (id < 0) return 0;
  if (has(bits, step.bits, id)) return 1;
  if (!has(bits, step.bits + width, id)) return 0;
  for (const sequence of step.sequences) {
    if (sequence[0] !== id || at + sequence.length > count) continue;
    let ok = true;
    for (let offset = 1; offset < sequence.length; offset++) {
      if (ids[at + offset] !== sequence[offset]) {
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

/**
 * Words too common to start a look-ahead from: a rule is anchored on its first step free of them, so a
 * text full of "you", "the" and "what" does not try dozens of rules at every word.
 */
const COMMON_WORDS = (
  'a an the i me my you your yours he she it we they them this that these those is are was were be been ' +
  'am do does did have has had will would can could should shall may might must to of in on at by for from ' +
  'with as and or not no what which who how when where why there here all any every some please now now ' +
  'new so if then than just about into over under up out re s t m d ll ve'
).split(' ');

function anchorOf(steps: readonly Step[], common: ReadonlySet<number>): number {
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index]!;
    let isCommon = false;
    for (const id of step.words) if (common.has(id)) isCommon = true;
    for (const sequence of step.sequences) if (common.has(sequence[0]!)) isCommon = true;
    if (!isCommon) return index;
  }
  return 0;
}

/** Length in words of the alternative of `step` that ends at word `end` (inclusive), or 0. */
function matchEndingAt(step: Step, bits: Int32Array, width: number, ids: Int32Array, end: number): number {
  if (end < 0) return 0;
  const id = ids[end]!;
  if (id < 0) return 0;
  if (has(bits, step.bits, id)) return 1;
  if (!has(bits, step.bits + 2 * width, id)) return 0;
  for (const sequence of step.sequences) {
    const start = end - sequence.length + 1;
    if (start < 0) continue;
    let ok = true;
    for (let offset = 0; offset < sequence.length; offset++) {
      if (ids[start + offset] !== sequence[offset]) {
        ok = false;
        break;
      }
    }
    if (ok) return sequence.length;
  }
  return 0;
}

export function compilePhrases(rules: readonly PhraseRule[]): PhraseMatcher {
  const vocabulary = new Vocabulary();
  const compiled = rules.map((rule) => compile(rule, vocabulary));
  const common = new Set(COMMON_WORDS.map((word) => vocabulary.id(word)));
  vocabulary.seal();
  // Membership bitsets of every step, in one table: three bitsets of `width` 32-bit words per step.
  const width = (vocabulary.size + 31) >>> 5;
  const allSteps = compiled.flatMap((rule) => rule.steps);
  const bits = new Int32Array(allSteps.length * 3 * width);
  allSteps.forEach((step, index) => {
    const offset = index * 3 * width;
    step.bits = offset;
    const set = (base: number, id: number): void => {
      bits[base + (id >>> 5)]! |= 1 << (id & 31);
    };
    for (const id of step.words) set(offset, id);
    for (const id of step.firsts) set(offset + width, id);
    for (const id of step.lasts) set(offset + 2 * width, id);
  });
  const pairs: number[] = [];
  for (const step of allSteps) {
    step.starts = pairs.length;
    for (let word = 0; word < width; word++) {
      const mask = bits[step.bits + word]! | bits[step.bits + width + word]!;
      if (mask !== 0) pairs.push(word, mask);
    }
    step.startsEnd = pairs.length;
  }
  const startPairs = Int32Array.from(pairs);
  const anchors = compiled.map((rule) => anchorOf(rule.steps, common));
  // Word id of each rule's anchor step → rules anchored on it.
  const byAnchor: (number[] | undefined)[] = [];
  const add = (id: number, index: number): void => {
    const list = byAnchor[id];
    if (list === undefined) byAnchor[id] = [index];
    else if (list[list.length - 1] !== index) list.push(index);
  };
  let ids = new Int32Array(1024);
  compiled.forEach((rule, index) => {
    const step = rule.steps[anchors[index]!]!;
    for (const hash of step.words) add(hash, index);
    for (const sequence of step.sequences) add(sequence[0]!, index);
  });
  // The same lists, packed (a sparse JS array of arrays is slow to index): the rules anchored on word id
  // `id` are `anchored[firstAnchored[id]]` up to `anchored[firstAnchored[id + 1]]`, in rule order.
  const firstAnchored = new Int32Array(vocabulary.size + 1);
  const anchored: number[] = [];
  for (let id = 0; id < vocabulary.size; id++) {
    firstAnchored[id] = anchored.length;
    for (const index of byAnchor[id] ?? []) anchored.push(index);
  }
  firstAnchored[vocabulary.size] = anchored.length;
  const anchoredRules = Int32Array.from(anchored);

  // Per call: the word ids present in the text (a bitset), and per rule whether every step has a word in it
  // (0 not known yet, 1 yes, 2 no: the rule cannot match anywhere, and its anchor hits are skipped).
  const present = new Int32Array(width);
  const possible = new Uint8Array(compiled.length);
  /** Whether some word of the text may start `step` (one of its words, or the first of its sequences). */
  const inText = (step: Step): boolean => {
    for (let pair = step.starts; pair < step.startsEnd; pair += 2) {
      if ((present[startPairs[pair]!]! & startPairs[pair + 1]!) !== 0) return true;
    }
    return false;
  };
  const canMatch = (index: number): boolean => {
    let state = possible[index]!;
    if (state === 0) {
      state = 1;
      for (const step of compiled[index]!.steps) {
        if (!inText(step)) {
          state = 2;
          break;
        }
      }
      possible[index] = state;
    }
    return state === 1;
  };

  return {
    size: compiled.length,
    match(words, text, limit = 64) {
      const found: PhraseMatch[] = [];
      const seen = new Uint8Array(compiled.length);
      const count = words.count;
      if (ids.length < count) ids = new Int32Array(Math.max(count, ids.length * 2));
      const wordIds = ids;
      const hashes = words.hashes;
      present.fill(0);
      possible.fill(0);
      for (let at = 0; at < count; at++) {
        const id = vocabulary.lookup(hashes[at]!);
        wordIds[at] = id;
        if (id >= 0) present[id >>> 5]! |= 1 << (id & 31);
      }
      for (let at = 0; at < count; at++) {
        const id = wordIds[at]!;
        if (id < 0) continue;
        const last = firstAnchored[id + 1]!;
        for (let candidate = firstAnchored[id]!; candidate < last; candidate++) {
          const index = anchoredRules[candidate]!;
          if (seen[index] === 1 || !canMatch(index)) continue;
          const { steps } = compiled[index]!;
          const anchor = anchors[index]!;
          const length = matchAt(steps[anchor]!, bits, width, wordIds, count, at);
          if (length === 0) continue;
          // Forward from the anchor…
          let end = at + length;
          let ok = true;
          for (let step = anchor + 1; step < steps.length && ok; step++) {
            const current = steps[step]!;
            let hit = 0;
            for (let skip = 0; skip <= current.gap && hit === 0; skip++) {
              hit = matchAt(current, bits, width, wordIds, count, end + skip);
              if (hit > 0) end += skip + hit;
            }
            ok = hit > 0;
          }
          // …and backward to the first step.
          let start = at;
          for (let step = anchor - 1; step >= 0 && ok; step--) {
            const gap = steps[step + 1]!.gap;
            let hit = 0;
            for (let skip = 0; skip <= gap && hit === 0; skip++) {
              hit = matchEndingAt(steps[step]!, bits, width, wordIds, start - 1 - skip);
              if (hit > 0) start -= skip + hit;
            }
            ok = hit > 0;
          }
          if (!ok || crossesClause(text, words, start, end)) continue;
          seen[index] = 1;
          found.push({ rule: compiled[index]!.rule, from: start, to: end });
          if (found.length >= limit) return found;
        }
      }
      return found;
    },
  };
}
