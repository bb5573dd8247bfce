import type { DetectorRegistry } from '@parapet/core';
import { codeInPromptEntry } from './code-in-prompt.js';
import { encodedPayloadEntry } from './encoded-payload.js';
import { gibberishEntry } from './gibberish.js';
import { harmfulRequestEntry } from './harmful-request.js';
import { indirectInjectionEntry } from './indirect-injection.js';
import { invisibleTextEntry } from './invisible-text.js';
import { jailbreakEntry } from './jailbreak.js';
import { languageEntry } from './language.js';
import { promptInjectionEntry } from './prompt-injection.js';
import { sessionRiskEntry } from './session-risk.js';
import { tokenLimitEntry } from './token-limit.js';
import { topicsEntry } from './topics.js';

/**
 * The detectors this package offers by id, for the CLI and configuration files: `prompt-injection`,
 * `jailbreak`, `harmful-request`, `indirect-injection`, `invisible-text`, `encoded-payload`, `token-limit`,
 * `topics`, `language`, `gibberish`, `code-in-prompt`, `session-risk`.
 */
export const detectorsRegistry: DetectorRegistry = [
  promptInjectionEntry,
  jailbreakEntry,
  harmfulRequestEntry,
  indirectInjectionEntry,
  invisibleTextEntry,
  encodedPayloadEntry,
  tokenLimitEntry,
  topicsEntry,
  languageEntry,
  gibberishEntry,
  codeInPromptEntry,
  sessionRiskEntry,
];
