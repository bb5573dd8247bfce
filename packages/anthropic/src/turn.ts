import type { ToolCallContext, ToolDecision } from '@parapet/agent';
import {
  type ChatMessage,
  type CheckOptions,
  type Guard,
  GuardBlockedError,
  newTraceId,
  ToolDeniedError,
  type Verdict,
} from '@parapet/core';
import type { MessagesRequestLike, ResolvedOptions } from './options.js';

/** One `messages.create` call: the guard, the options and the context every check of the call shares. */
export interface Turn {
  readonly guard: Guard;
  readonly options: ResolvedOptions;
  /** For the guard's checks: one trace id, the system prompt, the earlier turns. */
  readonly context: CheckOptions & { readonly traceId: string };
  /** For the tool policy (same trace id, so tool decisions join the turn in the audit trail). */
  readonly toolContext: ToolCallContext;
  readonly model: string;
}

/** The text of a content field: a string, or the text blocks of an array joined by blank lines. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const block of content) {
    if (typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'text') {
      const text = (block as { text?: unknown }).text;
      if (typeof text === 'string') parts.push(text);
    }
  }
  return parts.join('\n\n');
}

/** Index of the last message with role `user` (-1 when none). */
export function lastUserIndex(messages: readonly unknown[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown } | null | undefined;
    if (message?.role === 'user') return i;
  }
  return -1;
}

export function startTurn(guard: Guard, options: ResolvedOptions, request: MessagesRequestLike): Turn {
  const base = typeof options.context === 'function' ? options.context(request) : options.context;
  const traceId = base?.traceId ?? newTraceId();
  // The request's own system prompt, unless the application states one: output scanners such as
  // systemPromptLeak compare the answer with it.
  const system = request.system === undefined || request.system === null ? undefined : textOf(request.system);
  const systemPrompt = base?.systemPrompt ?? (system === undefined || system === '' ? undefined : system);
  const last = lastUserIndex(request.messages);
  let history: ChatMessage[] | undefined;
  if (base?.history === undefined && last > 0) {
    history = [];
    for (let i = 0; i < last; i++) {
      const message = request.messages[i] as { role?: unknown; content?: unknown };
      history.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content: textOf(message.content) });
    }
  }
  const context: CheckOptions & { traceId: string } = {
    ...base,
    traceId,
    ...(systemPrompt !== undefined ? { systemPrompt } : {}),
    ...(history !== undefined ? { history } : {}),
  };
  const toolContext: ToolCallContext = {
    traceId,
    ...(base?.session ? { session: base.session } : {}),
    ...(base?.user ? { user: base.user } : {}),
    ...(base?.tenant ? { tenant: base.tenant } : {}),
    ...(base?.parentSpanId ? { parentSpanId: base.parentSpanId } : {}),
  };
  return { guard, options, context, toolContext, model: typeof request.model === 'string' ? request.model : '' };
}

/** The fallback text of the policy (the tenant's when it has its own), for input or output. */
export function fallbackText(turn: Turn, verdict: Verdict): string {
  const policy = turn.guard.policy;
  const tenant = turn.context.tenant;
  const own = tenant === undefined ? undefined : policy.tenants[tenant]?.onBlock;
  const onBlock = own === undefined ? policy.onBlock : { ...policy.onBlock, ...own };
  return verdict.stage === 'output' ? (onBlock.outputFallback ?? onBlock.fallback) : onBlock.fallback;
}

/**
 * Applies the block mode to a blocking verdict: the adapter's `onBlock` when set, else the guard's policy.
 * Returns the fallback text, or throws `GuardBlockedError`.
 */
export function resolveBlock(turn: Turn, verdict: Verdict): string {
  const mode = turn.options.onBlock;
  if (mode === undefined) return turn.guard.enforceBlock(verdict, { tenant: turn.context.tenant });
  if (mode === 'throw') throw new GuardBlockedError({ verdict, guardName: turn.guard.name });
  return fallbackText(turn, verdict);
}

/** The tool policy's decision on a proposed call; throws `ToolDeniedError` on a denial in `throw` mode. */
export async function decideTool(
  turn: Turn,
  name: string,
  input: unknown,
  callId: string | undefined,
): Promise<{ decision: ToolDecision; denial?: string }> {
  const policy = turn.options.toolPolicy!;
  const decision = await policy.check(name, input, callId ? { ...turn.toolContext, callId } : turn.toolContext);
  if (decision.allowed) return { decision };
  if (turn.options.onToolDeny === 'throw') {
    throw new ToolDeniedError({ tool: name, reason: decision.reason, message: decision.message, decision });
  }
  return { decision, denial: policy.denialMessage(decision) };
}

/** Records the model call's duration in the audit trail (joins the turn by its trace id). */
export function modelCallEnded(turn: Turn, started: number, data?: Record<string, unknown>): void {
  const context = turn.context;
  turn.guard.emit({
    type: 'model-call-ended',
    traceId: context.traceId,
    latencyUs: Math.round((performance.now() - started) * 1000),
    ...(context.parentSpanId !== undefined ? { parentSpanId: context.parentSpanId } : {}),
    ...(context.session !== undefined ? { session: context.session } : {}),
    ...(context.user !== undefined ? { user: context.user } : {}),
    ...(context.tenant !== undefined ? { tenant: context.tenant } : {}),
    data: { provider: 'anthropic', model: turn.model, ...data },
  });
}
