export type { ArgumentConstraint, ConstraintViolation } from './constraints.js';
export { type Duration, durationMs } from './duration.js';
export { type LangChainToolLike, wrapLangChainTool, wrapLangChainTools } from './langchain.js';
export {
  guardMcpClient,
  guardToolCallback,
  type McpCallToolParams,
  type McpClientLike,
  type McpContentBlock,
  type McpContextResolver,
  type McpGuardContext,
  type McpRequestExtraLike,
  type McpToolResult,
} from './mcp.js';
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
