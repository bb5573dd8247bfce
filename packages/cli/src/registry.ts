import {
  buildRegistry,
  ConfigError,
  coreDetectors,
  type Detector,
  type DetectorFactory,
  type Policy,
  type Stage,
} from '@parapet/core';
import { detectorsRegistry } from '@parapet/detectors';
import { piiDetectors } from '@parapet/pii';
import { scannersRegistry } from '@parapet/scanners';
import { UsageError } from './io.js';

/** Every detector the CLI knows, by id. Each package contributes its registry here. */
export const registry: ReadonlyMap<string, DetectorFactory> = buildRegistry(
  coreDetectors,
  piiDetectors,
  detectorsRegistry,
  scannersRegistry,
);

/** Stand-ins dropped from the default guard when the real detector is installed. */
const SUPERSEDED: Readonly<Record<string, string>> = { 'starter-injection': 'prompt-injection' };

/** Builds the detectors for a stage: the ones named, or the stage's defaults. Options come from the policy. */
export function detectorsFor(
  stage: Stage,
  ids: readonly string[],
  policy: Policy,
  extraOptions?: Record<string, unknown>,
): Detector[] {
  const chosen: DetectorFactory[] = [];
  // `--detector a,b` and `--detector a --detector b` mean the same.
  const wanted = ids
    .flatMap((id) => id.split(','))
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (wanted.length > 0) {
    for (const id of wanted) {
      const factory = registry.get(id);
      if (factory === undefined) {
        throw new UsageError(`Unknown detector "${id}". Known detectors: ${[...registry.keys()].sort().join(', ')}.`);
      }
      if (!factory.stages.includes(stage)) {
        throw new UsageError(
          `Detector "${id}" does not run at the ${stage} stage (it supports: ${factory.stages.join(', ')}). Use --stage.`,
        );
      }
      chosen.push(factory);
    }
  } else {
    for (const factory of registry.values()) {
      const successor = SUPERSEDED[factory.id];
      if (successor !== undefined && registry.has(successor)) continue;
      if (factory.defaultFor?.includes(stage) && policy.detectors[factory.id]?.enabled !== false) chosen.push(factory);
    }
    // Configured detectors (with options in the policy) join the default guard too.
    for (const [id, settings] of Object.entries(policy.detectors)) {
      const factory = registry.get(id);
      if (factory === undefined || chosen.includes(factory) || settings.options === undefined) continue;
      if (settings.enabled !== false && factory.stages.includes(stage)) chosen.push(factory);
    }
  }
  return chosen.map((factory) => {
    try {
      const configured = policy.detectors[factory.id]?.options;
      return factory.create(extraOptions === undefined ? configured : { ...configured, ...extraOptions });
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`Detector "${factory.id}": ${error.message}`);
      throw error;
    }
  });
}
