import { type DetectContext, normalizeText } from '@parapet/core';
import { collectGarbage } from '@parapet/core/test';
import { expect } from 'vitest';
import { compileRecognizers, resolveOverlaps, scanText } from '../src/engine.js';
import type { EntityMatch, Recognizer } from '../src/recognizer.js';

/** Runs recognizers through the real engine and returns reportable matches (score >= minScore, overlaps resolved). */
export function finder(recognizers: readonly Recognizer[]) {
  const set = compileRecognizers(recognizers);
  return (text: string, entity?: string, minScore = 0.5): EntityMatch[] => {
    const out: EntityMatch[] = [];
    scanText(text, set, { maxMatches: 10_000 }, out);
    return resolveOverlaps(out).filter(
      (match) => match.score >= minScore && (entity === undefined || match.entity === entity),
    );
  };
}

/** The matched values, for readable assertions. */
export function values(text: string, matches: readonly EntityMatch[]): string[] {
  return matches.map((match) => text.slice(match.start, match.end));
}

/** A minimal detect context for calling a detector directly. */
export function contextFor(text: string): DetectContext {
  return {
    stage: 'input',
    traceId: 'test',
    normalized: normalizeText(text),
    signal: new AbortController().signal,
    store: undefined as never,
  };
}

/**
 * Linear-time cases for `it`: each family at 250 K and 1 M characters through `guard.checkInput` (linear
 * costs about 4×, quadratic 16×; the bound is < 10×), and 1 MB of it within `proseBound`× 1 MB of `prose`.
 * Best of three runs per input, interleaved, so a pause of the machine hits every size alike; no absolute
 * times.
 */
export function linearityCases(
  guard: { checkInput(text: string): Promise<{ errors: readonly unknown[] }> },
  families: Record<string, (size: number) => string>,
  prose: string,
  proseBound = 60,
): [string, () => Promise<void>][] {
  const once = async (text: string): Promise<number> => {
    collectGarbage();
    const started = performance.now();
    const verdict = await guard.checkInput(text);
    expect(verdict.errors).toEqual([]);
    return performance.now() - started;
  };
  const costs = async (...texts: string[]): Promise<number[]> => {
    for (const text of texts) await once(text);
    const best = texts.map(() => Number.POSITIVE_INFINITY);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < texts.length; i++) best[i] = Math.min(best[i]!, await once(texts[i]!));
    }
    return best;
  };
  return Object.entries(families).map(([family, make]) => [
    family,
    async () => {
      const [smallCost, largeCost, proseCost] = (await costs(make(250_000), make(1_000_000), prose)) as [
        number,
        number,
        number,
      ];
      expect(largeCost / Math.max(smallCost, 0.5)).toBeLessThan(10);
      expect(largeCost / Math.max(proseCost, 1)).toBeLessThan(proseBound);
    },
  ]);
}
