export { type Canary, type CanaryLeakOptions, type CanaryOptions, canary, canaryLeak } from './canary.js';
export { type ExfiltrationOptions, exfiltration } from './exfiltration.js';
export { CLAIM_KINDS, type ClaimKind, type GroundednessOptions, groundedness } from './groundedness.js';
export {
  type JsonIssue,
  type JsonSchemaOptions,
  jsonSchema,
  type ReadResult,
  type Reask,
  type ReaskContext,
  type Repair,
  readJson,
  type StandardSchemaLike,
} from './json-schema.js';
export { type PiiLeakOptions, piiLeak, type SecretLeakOptions, secretLeak } from './leaks.js';
export { type OffTopicOptions, offTopic } from './off-topic.js';
export { type RefusalOptions, refusal } from './refusal.js';
export { scannersRegistry } from './registry.js';
export { type SystemPromptLeakOptions, systemPromptLeak } from './system-prompt-leak.js';
export { TOXICITY_CATEGORIES, type ToxicityOptions, toxicity } from './toxicity.js';
export { UNSAFE_CODE_CATEGORIES, type UnsafeCodeCategory, type UnsafeCodeOptions, unsafeCode } from './unsafe-code.js';
