import { type DetectContext, normalizeText } from '@parapet/core';
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
