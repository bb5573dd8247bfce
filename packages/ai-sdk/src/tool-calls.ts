import type { ToolCallContext, ToolPolicy } from '@parapet/agent';
import { type CheckOptions, ToolDeniedError } from '@parapet/core';
import type { ToolCallPart } from './types.js';

export type ToolGateOutcome =
  | { readonly allowed: true; readonly part: ToolCallPart }
  | { readonly allowed: false; readonly message: string };

/** Decides the tool calls of one model call through the agent policy. */
export type ToolGate = (part: ToolCallPart) => Promise<ToolGateOutcome>;

function parseInput(input: string): unknown {
  // The AI SDK parses the same text; an empty input means "no arguments" to it as well.
  if (input.trim() === '') return {};
  try {
    return JSON.parse(input);
  } catch {
    // Unparseable arguments go to the policy as text: a schema then denies them (invalid-arguments).
    return input;
  }
}

export function toolGate(policy: ToolPolicy, onDeny: 'throw' | 'message', context: CheckOptions): ToolGate {
  const base: ToolCallContext = {
    ...(context.session ? { session: context.session } : {}),
    ...(context.user ? { user: context.user } : {}),
    ...(context.tenant ? { tenant: context.tenant } : {}),
    ...(context.traceId ? { traceId: context.traceId } : {}),
    ...(context.parentSpanId ? { parentSpanId: context.parentSpanId } : {}),
  };
  return async (part) => {
    const args = parseInput(part.input);
    const callId = part.toolCallId.length > 0 && part.toolCallId.length <= 200 ? part.toolCallId : undefined;
    const decision = await policy.check(part.toolName, args, callId === undefined ? base : { ...base, callId });
    if (!decision.allowed) {
      if (onDeny === 'throw') {
        throw new ToolDeniedError({
          tool: part.toolName,
          reason: decision.reason,
          message: decision.message,
          decision,
        });
      }
      return { allowed: false, message: policy.denialMessage(decision) };
    }
    // The tool receives what the policy validated (a schema strips keys it does not know).
    if (typeof args === 'string' || decision.args === undefined) return { allowed: true, part };
    const validated = JSON.stringify(decision.args);
    return { allowed: true, part: validated === JSON.stringify(args) ? part : { ...part, input: validated } };
  };
}
