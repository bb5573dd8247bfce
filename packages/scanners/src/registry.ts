import type { DetectorFactory, DetectorRegistry } from '@parapet/core';
import { canaryEntry } from './canary.js';
import { exfiltrationEntry } from './exfiltration.js';
import { groundednessEntry } from './groundedness.js';
import { jsonSchemaEntry } from './json-schema.js';
import { piiLeakEntry, secretLeakEntry } from './leaks.js';
import { offTopicEntry } from './off-topic.js';
import { refusalEntry } from './refusal.js';
import { systemPromptLeakEntry } from './system-prompt-leak.js';
import { toxicityEntry } from './toxicity.js';
import { unsafeCodeEntry } from './unsafe-code.js';

/** Part of the CLI's default output guard (no options needed, nothing duplicated from @parapet/pii's defaults). */
const defaultOutput = (entry: DetectorFactory): DetectorFactory => ({ ...entry, defaultFor: ['output'] });

/**
 * The output scanners this package offers by id, for the CLI and configuration files: `system-prompt-leak`,
 * `canary`, `pii-leak`, `secret-leak`, `exfiltration`, `toxicity`, `json-schema`, `refusal`, `off-topic`,
 * `groundedness`, `unsafe-code`. Those that need configuration take it from the policy
 * (`detectors.<id>.options`).
 */
export const scannersRegistry: DetectorRegistry = [
  defaultOutput(systemPromptLeakEntry),
  canaryEntry,
  piiLeakEntry,
  secretLeakEntry,
  exfiltrationEntry,
  defaultOutput(toxicityEntry),
  jsonSchemaEntry,
  defaultOutput(refusalEntry),
  offTopicEntry,
  groundednessEntry,
  unsafeCodeEntry,
];
