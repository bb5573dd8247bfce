import { compileRecognizers, resolveOverlaps, scanText } from '../../engine.js';
import type { EntityMatch, Recognizer } from '../../recognizer.js';

/**
 * For the country-pack tests: runs a pack through the real engine for one entity and returns what would be
 * reported (score >= 0.5, overlaps resolved).
 */
export function packFinder(recognizers: readonly Recognizer[]) {
  const set = compileRecognizers(recognizers);
  const matches = (text: string, entity: string): EntityMatch[] => {
    const out: EntityMatch[] = [];
    scanText(text, set, { entities: new Set([entity]), maxMatches: 1000 }, out);
    return resolveOverlaps(out).filter((match) => match.score >= 0.5);
  };
  const find = (text: string, entity: string): string[] =>
    matches(text, entity).map((match) => text.slice(match.start, match.end));
  return { find, matches };
}
