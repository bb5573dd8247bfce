import {
  buildRegistry,
  ConfigError,
  coreDetectors,
  type Detector,
  type DetectorFactory,
  type Policy,
  type Stage,
} from '@parapet/core';
import { UsageError } from './io.js';

/** Every detector the CLI knows, by id. Each package contributes its registry here. */
export const registry: ReadonlyMap<string, DetectorFactory> = buildRegistry(coreDetectors);

/** Builds the detectors for a stage: the ones named, or the stage's defaults. Options come from the policy. */
export function detectorsFor(stage: Stage, ids: readonly string[], policy: Policy): Detector[] {
  const chosen: DetectorFactory[] = [];
  if (ids.length > 0) {
    for (const id of ids) {
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
      return factory.create(policy.detectors[factory.id]?.options);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`Detector "${factory.id}": ${error.message}`);
      throw error;
    }
  });
}
