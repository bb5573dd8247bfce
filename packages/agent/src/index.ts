export type { ArgumentConstraint, ConstraintViolation } from './constraints.js';
export { type Duration, durationMs } from './duration.js';
export type {
  AccessClass,
  ApprovalDecision,
  ApprovalRequest,
  Approver,
  BudgetRule,
  RateLimitRule,
  ScopeKind,
  StandardSchemaLike,
  ToolPolicyOptions,
  ToolRule,
} from './options.js';
export {
  type DenyReason,
  type Grant,
  type GrantRequest,
  type RevokeTarget,
  type TaintSource,
  type ToolCallContext,
  type ToolDecision,
  type ToolOutcome,
  type ToolPolicy,
  toolPolicy,
} from './policy.js';
export { enforceCall, type WrapToolsContext, wrapTools } from './wrap-tools.js';
