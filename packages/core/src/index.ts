export {
  AUDIT_SCHEMA_VERSION,
  type AuditEvent,
  type AuditEventType,
  type AuditFinding,
  type AuditSink,
  type ConsoleSinkOptions,
  consoleSink,
  type DecisionOutcome,
  outcomeOf,
  stageSlug,
} from './audit.js';
export { findPolicyFile, loadPolicy, POLICY_FILE_NAMES, parsePolicyText } from './config.js';
export { defineDetector } from './define-detector.js';
export {
  ArgumentError,
  ConfigError,
  type ConfigIssue,
  DetectorError,
  describeError,
  GuardBlockedError,
  GuardClosedError,
  ParapetError,
  type ParapetErrorCode,
  StoreError,
  ToolDeniedError,
  toParapetError,
} from './errors.js';
export {
  type CheckOptions,
  checkOptionsSchema,
  createGuard,
  type Guard,
  type GuardOptions,
  type ModelCallInfo,
  newTraceId,
} from './guard.js';
export { CONFUSABLE_MAP } from './normalize/confusables.js';
export { type DecodedPayload, type PayloadKind, rot13 } from './normalize/decode.js';
export { foldLeetspeak, type NormalizationStats, type NormalizedText, normalizeText } from './normalize/normalize.js';
export { type PatternDetectorOptions, patternDetector } from './pattern-detector.js';
export {
  actionFromRules,
  type DetectorPolicy,
  defaultAction,
  type Policy,
  type PolicyInput,
  type PolicyRule,
  parsePolicy,
  policySchema,
  type TenantPolicy,
} from './policy.js';
export { applyReplacements, type Replacement } from './redact.js';
export {
  buildRegistry,
  coreDetectors,
  type DetectorFactory,
  type DetectorRegistry,
  STARTER_INJECTION_PATTERNS,
} from './registry.js';
export { type MemoryStoreOptions, memoryStore, type Store, type StoreWriteOptions } from './store.js';
export { type ScanStreamOptions, type StreamSource, streamScanStart } from './stream.js';
export {
  ACTIONS,
  type Action,
  actionRank,
  type ChatMessage,
  type ChatRole,
  type DetectContext,
  type Detector,
  type DetectorFailure,
  type DetectorRule,
  type Finding,
  type FindingInput,
  type GuardContext,
  type Reviewer,
  type ReviewOutcome,
  SEVERITIES,
  type Severity,
  type Span,
  STAGES,
  type Stage,
  type StreamWindow,
  stricterAction,
  type Verdict,
} from './types.js';
export { parseArgument, parseConfig } from './validate.js';
export { escapeLiteral, hasUnspacedLetter, isUnspacedLetter, type WordListOptions, wordListSource } from './words.js';
export { type GuardWrapOptions, guard } from './wrap.js';
