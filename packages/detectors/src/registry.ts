import type { DetectorRegistry } from '@parapet/core';
import { harmfulRequestEntry } from './harmful-request.js';
import { indirectInjectionEntry } from './indirect-injection.js';
import { jailbreakEntry } from './jailbreak.js';
import { promptInjectionEntry } from './prompt-injection.js';

/** The detectors this package offers by id, for the CLI and configuration files. */
export const detectorsRegistry: DetectorRegistry = [
  promptInjectionEntry,
  jailbreakEntry,
  harmfulRequestEntry,
  indirectInjectionEntry,
];
