import { ArgumentError, ToolDeniedError } from '@parapet/core';
import { z } from 'zod';
import { type Grant, type ToolCallContext, type ToolPolicy, toolCallContextSchema } from './policy.js';

/** Who the wrapped tools act for. With a policy that has `grants`, a grant is issued when wrapping unless one is given. */
export interface WrapToolsContext extends Omit<ToolCallContext, 'callId'> {
  /** Override the policy's `onDeny` for these tools. */
  readonly onDeny?: 'throw' | 'message';
}

/** A wrapper's context: a tool call's context without the per-call id, plus `onDeny`. */
export const wrapContextSchema = toolCallContextSchema
  .omit({ callId: true })
  .extend({ onDeny: z.enum(['throw', 'message']).optional() })
  .strict();

type AnyFunction = (...args: any[]) => unknown;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function' &&
    typeof (value as { then?: unknown }).then !== 'function'
  );
}

/** The per-call options hosts pass as the second argument (AI SDK: `{ toolCallId, abortSignal, … }`). */
function callIdOf(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const id = (options as { toolCallId?: unknown }).toolCallId;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
}

/**
 * The engine shared by every adapter: runs one tool call through the policy. `run` receives the validated
 * arguments. Returns the (possibly quarantined) output, or the denial message in `message` mode.
 */
export async function enforceCall(
  policy: ToolPolicy,
  tool: string,
  args: unknown,
  run: (args: any) => unknown,
  context: ToolCallContext,
  onDeny: 'throw' | 'message',
): Promise<unknown> {
  const decision = await policy.check(tool, args, context);
  if (!decision.allowed) {
    if (onDeny === 'message') return policy.denialMessage(decision);
    throw new ToolDeniedError({ tool, reason: decision.reason, message: decision.message, decision });
  }
  const result = await run(decision.args);
  // Most tools (trusted output, no scanners) have nothing to record afterwards: skip the second step.
  if (!policy.watchesOutput(tool)) return result;
  const callContext: ToolCallContext = { ...context, traceId: decision.traceId, callId: decision.callId };
  if (isAsyncIterable(result)) {
    // Streaming tools (AI SDK): hold the parts, scan the final one, then replay; a quarantine replaces them.
    const parts: unknown[] = [];
    for await (const part of result) parts.push(part);
    if (parts.length === 0) return emptyIterable();
    const outcome = await policy.afterCall(tool, parts[parts.length - 1], callContext);
    if (outcome.handling === 'passed') return replay(parts);
    return replay([outcome.output]);
  }
  return (await policy.afterCall(tool, result, callContext)).output;
}

async function* replay(parts: readonly unknown[]): AsyncIterable<unknown> {
  for (const part of parts) yield part;
}
async function* emptyIterable(): AsyncIterable<unknown> {}

/** Issues the grant lazily-but-early: at wrap time, awaited by the first call. */
function grantFor(
  policy: ToolPolicy,
  context: WrapToolsContext,
  hasGrants: boolean,
): () => string | undefined | Promise<string | undefined> {
  if (context.grant !== undefined || !hasGrants) {
    const fixed = context.grant;
    return () => fixed;
  }
  if (context.session === undefined && context.user === undefined && context.tenant === undefined) {
    throw new ArgumentError({
      message:
        'wrapTools: the policy has grants, so the context must name a session, user or tenant to bind the grant to (or pass context.grant).',
    });
  }
  let pending: Promise<Grant> | undefined = policy.grant({
    ...(context.session !== undefined ? { session: context.session } : {}),
    ...(context.user !== undefined ? { user: context.user } : {}),
    ...(context.tenant !== undefined ? { tenant: context.tenant } : {}),
  });
  // Keep an issuance failure from surfacing as an unhandled rejection; the first call reports it.
  pending.catch(() => undefined);
  let id: string | undefined;
  return async () => {
    if (id === undefined && pending !== undefined) {
      id = (await pending).id;
      pending = undefined;
    }
    return id;
  };
}

/**
 * Wraps a record of tools so that every call goes through the policy, keeping the host's own shapes:
 * AI SDK tools (`tool({ inputSchema, execute })`: `execute` is wrapped, everything else kept), plain
 * functions (`async (args) => result`), and any object with an `execute(args, options)` method. Tools
 * without `execute` (client-side tools) are returned unchanged: the policy cannot run at their execution.
 */
export function wrapTools<TOOLS extends Record<string, unknown>>(
  tools: TOOLS,
  policy: ToolPolicy,
  context: WrapToolsContext = {},
): TOOLS {
  if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) {
    throw new ArgumentError({ message: 'wrapTools(tools): tools must be an object mapping tool names to tools.' });
  }
  if (typeof policy?.check !== 'function' || typeof policy.afterCall !== 'function') {
    throw new ArgumentError({ message: 'wrapTools(tools, policy): policy must come from toolPolicy().' });
  }
  const parsed = wrapContextSchema.safeParse(context);
  if (!parsed.success) {
    throw new ArgumentError({
      message: `wrapTools(tools, policy, context): ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'context'}: ${issue.message}`).join('; ')}`,
    });
  }
  const { onDeny: onDenyOverride, ...callContext } = parsed.data;
  const onDeny = onDenyOverride ?? policy.onDeny;
  const hasGrants = policy.grantsEnabled;
  const grant = grantFor(policy, callContext, hasGrants);

  const wrapped: Record<string, unknown> = {};
  // defineProperty, not assignment: a tool named "__proto__" must stay a key, not become the prototype.
  const put = (name: string, value: unknown): void => {
    Object.defineProperty(wrapped, name, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const [name, original] of Object.entries(tools)) {
    const run = async (args: unknown, options: unknown, execute: AnyFunction, self: unknown): Promise<unknown> => {
      const pendingGrant = grant();
      const grantId = typeof pendingGrant === 'object' ? await pendingGrant : pendingGrant;
      const callId = callIdOf(options);
      let context: ToolCallContext = callContext;
      if (grantId !== undefined || callId !== undefined) {
        context = { ...callContext };
        if (grantId !== undefined) (context as { grant?: string }).grant = grantId;
        if (callId !== undefined) (context as { callId?: string }).callId = callId;
      }
      return enforceCall(policy, name, args, (validated) => execute.call(self, validated, options), context, onDeny);
    };
    if (typeof original === 'function') {
      const fn = original as AnyFunction;
      put(name, (args: unknown, options?: unknown) => run(args, options, fn, undefined));
    } else if (
      typeof original === 'object' &&
      original !== null &&
      typeof (original as { execute?: unknown }).execute === 'function'
    ) {
      const execute = (original as { execute: AnyFunction }).execute;
      put(name, {
        ...(original as object),
        execute: (args: unknown, options?: unknown) => run(args, options, execute, original),
      });
    } else {
      put(name, original);
    }
  }
  return wrapped as TOOLS;
}
