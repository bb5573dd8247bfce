import type { ToolCallContext } from '@parapet/agent';
import { ToolDeniedError } from '@parapet/core';
import type { Turn } from './turn.js';

/** A tool call the model asked for, whatever the endpoint's shape. */
export interface ProposedCall {
  /** The provider's call id (`tool_calls[].id`, `call_id`). */
  readonly id: string;
  readonly name: string;
  /** The arguments as the model wrote them (JSON text for function tools, free text for custom tools). */
  readonly input: string;
  readonly json: boolean;
}

export interface ToolVerdicts {
  /** Ids of the denied calls (removed from what the caller receives). */
  readonly denied: ReadonlySet<string>;
  /** The policy's denial messages, for the assistant's text in `message` mode. */
  readonly messages: readonly string[];
}

const NONE: ToolVerdicts = { denied: new Set(), messages: [] };

function parseArguments(call: ProposedCall): unknown {
  if (!call.json) return call.input;
  try {
    return JSON.parse(call.input === '' ? '{}' : call.input);
  } catch {
    // Invalid JSON goes to the policy as text: a rule with an argument schema denies it as invalid-arguments.
    return call.input;
  }
}

export function toolContextOf(turn: Turn, callId?: string): ToolCallContext {
  const { session, user, tenant, traceId, parentSpanId } = turn.context;
  return {
    traceId,
    ...(session !== undefined && session !== '' ? { session } : {}),
    ...(user !== undefined && user !== '' ? { user } : {}),
    ...(tenant !== undefined && tenant !== '' ? { tenant } : {}),
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    ...(callId !== undefined && callId.length > 0 && callId.length <= 200 ? { callId } : {}),
  };
}

/**
 * Decides the model's tool calls with the tool policy, in order (rate limits and budgets are consumed
 * here: this is the last point before the caller runs the tool). Throws `ToolDeniedError` in `throw` mode.
 */
export async function decideToolCalls(turn: Turn, calls: readonly ProposedCall[]): Promise<ToolVerdicts> {
  const policy = turn.options.toolPolicy;
  if (policy === undefined || calls.length === 0) return NONE;
  const denied = new Set<string>();
  const messages: string[] = [];
  for (const call of calls) {
    const decision = await policy.check(call.name, parseArguments(call), toolContextOf(turn, call.id));
    if (decision.allowed) continue;
    if (turn.options.onToolDenied === 'throw') {
      throw new ToolDeniedError({ tool: call.name, reason: decision.reason, message: decision.message, decision });
    }
    denied.add(call.id);
    messages.push(policy.denialMessage(decision));
  }
  return { denied, messages };
}
