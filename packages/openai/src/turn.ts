import {
  type ChatMessage,
  type CheckOptions,
  checkOptionsSchema,
  GuardBlockedError,
  newTraceId,
  parseArgument,
  type Verdict,
} from '@parapet/core';
import type { OpenAIApi, ResolvedOptions } from './options.js';

// The core's own schema of a check's context.
export const contextSchema = checkOptionsSchema;

/** One call through the adapter: its context (one trace id for every check) and how it blocks. */
export interface Turn {
  readonly api: OpenAIApi;
  readonly options: ResolvedOptions;
  /** The context every check of this call uses. */
  readonly context: CheckOptions & { readonly traceId: string };
  /** Applies the blocking mode: returns the fallback text, or throws `GuardBlockedError`. */
  blockedText(verdict: Verdict): string;
  report(verdict: Verdict, streamed?: boolean): void;
}

export function startTurn(
  options: ResolvedOptions,
  api: OpenAIApi,
  body: Record<string, unknown>,
  systemPrompt: string | undefined,
  history: readonly ChatMessage[] | undefined,
): Turn {
  let base: CheckOptions | undefined;
  if (typeof options.context === 'function') {
    base = parseArgument(
      contextSchema,
      options.context({ api, body }),
      'guardOpenAI: options.context(request)',
      'context',
    ) as CheckOptions;
  } else base = options.context;
  const context: CheckOptions & { traceId: string } = {
    ...base,
    traceId: base?.traceId ?? newTraceId(),
    ...(base?.systemPrompt === undefined && systemPrompt !== undefined ? { systemPrompt } : {}),
    ...(base?.history === undefined && history !== undefined && history.length > 0 ? { history } : {}),
  };
  const { guard } = options;
  const tenant = context.tenant;
  return {
    api,
    options,
    context,
    blockedText(verdict) {
      if (options.onBlock === 'throw') throw new GuardBlockedError({ verdict, guardName: guard.name });
      if (options.onBlock === undefined) return guard.enforceBlock(verdict, { tenant });
      return fallbackText(options, verdict, tenant);
    },
    report(verdict, streamed = false) {
      if (options.onVerdict === undefined) return;
      try {
        options.onVerdict(verdict, { api, streamed });
      } catch {
        // A metrics callback must not change what the caller gets.
      }
    },
  };
}

/** The policy's fallback text for a verdict's stage (the tenant's when it has its own). */
export function fallbackText(options: ResolvedOptions, verdict: Verdict, tenant: string | undefined): string {
  const policy = options.guard.policy;
  const own = tenant !== undefined ? policy.tenants[tenant]?.onBlock : undefined;
  const onBlock = { ...policy.onBlock, ...own };
  return verdict.stage === 'output' ? (onBlock.outputFallback ?? onBlock.fallback) : onBlock.fallback;
}

/** Whether the caller wants a fallback (not an error) for blocks: the option, or the policy's mode. */
export function wantsFallback(turn: Turn): boolean {
  if (turn.options.onBlock !== undefined) return turn.options.onBlock === 'fallback';
  const policy = turn.options.guard.policy;
  const tenant = turn.context.tenant;
  const own = tenant !== undefined ? policy.tenants[tenant]?.onBlock : undefined;
  return (own?.mode ?? policy.onBlock.mode) === 'fallback';
}
