import { ConfigError } from './errors.js';
import { patternDetector } from './pattern-detector.js';
import type { Detector, Stage } from './types.js';

/** How a package offers a detector to the CLI and to configuration files: by a stable kebab-case id. */
export interface DetectorFactory {
  readonly id: string;
  readonly stages: readonly Stage[];
  readonly description: string;
  /** Stages whose default guard (no `--detector` given) includes this detector. */
  readonly defaultFor?: readonly Stage[];
  /** True when the detector cannot be built without options (they come from `policy.detectors[id].options`). */
  readonly requiresOptions?: boolean;
  create(options?: Record<string, unknown>): Detector;
}

export type DetectorRegistry = readonly DetectorFactory[];

/**
 * Starter rules for instruction-override phrases: a stop-gap until the `prompt-injection` detector of
 * `@parapet/detectors` is installed; it catches only the plainest English phrasings.
 */
export const STARTER_INJECTION_PATTERNS: readonly string[] = [
  '(?i)\\b(?:ignore|disregard|forget)\\s+(?:all\\s+|any\\s+|the\\s+|your\\s+)*(?:previous|prior|above|earlier|preceding)\\s+(?:instructions|prompts?|rules|directions)',
  '(?i)\\breveal\\s+(?:your|the)\\s+(?:system\\s+prompt|hidden\\s+instructions)',
  '(?i)\\byou\\s+are\\s+now\\s+(?:DAN|in\\s+developer\\s+mode)\\b',
];

/** Detectors `@parapet/core` offers by id. */
export const coreDetectors: DetectorRegistry = [
  {
    id: 'pattern',
    stages: ['input', 'output', 'tool_input', 'tool_output'],
    description: 'User-supplied regular expressions (RE2) and keyword lists; options: patterns, keywords, category, …',
    requiresOptions: true,
    create: (options) => {
      if (options === undefined) {
        throw new ConfigError({
          message:
            'Detector "pattern" needs options: set policy.detectors.pattern.options = { patterns: [...], keywords: [...] }.',
        });
      }
      return patternDetector({ ...options, id: (options.id as string | undefined) ?? 'pattern' } as never);
    },
  },
  {
    id: 'starter-injection',
    stages: ['input', 'tool_output'],
    description: 'A few plain instruction-override phrases (stop-gap until @parapet/detectors is installed)',
    defaultFor: ['input'],
    create: (options) =>
      patternDetector({
        id: 'starter-injection',
        stages: ['input', 'tool_output'],
        patterns: STARTER_INJECTION_PATTERNS.map((pattern, index) => ({ id: `starter-${index}`, pattern })),
        category: 'instruction-override',
        score: 0.95,
        severity: 'high',
        message: 'instruction-override phrase',
        ...(options ?? {}),
      } as never),
  },
];

/** Merges registries into one lookup; duplicate ids are a configuration error. */
export function buildRegistry(...registries: DetectorRegistry[]): ReadonlyMap<string, DetectorFactory> {
  const map = new Map<string, DetectorFactory>();
  for (const registry of registries) {
    for (const factory of registry) {
      if (map.has(factory.id)) {
        throw new ConfigError({
          message: `Detector id "${factory.id}" is registered twice. Each package must use distinct ids.`,
        });
      }
      map.set(factory.id, factory);
    }
  }
  return map;
}
