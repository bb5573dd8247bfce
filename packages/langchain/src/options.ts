import type { ToolPolicy } from '@parapet/agent';
import { ArgumentError, type CheckOptions, type Guard } from '@parapet/core';
import { z } from 'zod';

/** Who and what a turn is about: the guard's check context, plus the tool grant the agent's tool calls run under. */
export interface LangChainGuardContext extends CheckOptions {
  /** A grant from `policy.grant()` (with a `toolPolicy` that has `grants`); else one is issued per session/user/tenant. */
  readonly grant?: string;
}

/** What the `context` function receives: the agent state and the LangGraph runtime (`runtime.context` is yours). */
export interface ContextRequest {
  readonly state: { readonly messages: readonly unknown[] } & Record<string, unknown>;
  readonly runtime: {
    readonly context?: unknown;
    readonly configurable?: { readonly thread_id?: string } & Record<string, unknown>;
    readonly signal?: AbortSignal;
  };
}

export type ContextOption =
  | LangChainGuardContext
  | ((request: ContextRequest) => LangChainGuardContext | Promise<LangChainGuardContext>);

export interface ParapetMiddlewareOptions {
  /** The middleware's name in the agent graph (node names derive from it). Default `Parapet`. */
  readonly name?: string;
  /** Blocking: throw `GuardBlockedError`, or answer with the policy's fallback text. Default: the guard policy's `onBlock`. */
  readonly onBlock?: 'throw' | 'fallback';
  /** Check the last human message before the model sees it. Default `true`. */
  readonly checkInput?: boolean;
  /** Check the model's answer before it enters the agent state. Default `true`. */
  readonly checkOutput?: boolean;
  /** Pass the earlier messages to the input detectors as `context.history` (multi-turn detectors). Default `false`. */
  readonly history?: boolean;
  /** An `@parapet/agent` tool policy: every tool call of the agent goes through it. */
  readonly toolPolicy?: ToolPolicy;
  /**
   * A denied tool call: `message` (default) answers it with an error `ToolMessage` the model reads, as
   * `wrapLangChainTools` under `createAgent` ends up doing; `throw` ends the run with `ToolDeniedError`.
   */
  readonly onDeny?: 'message' | 'throw';
  /** Session, user, tenant, trace id, grant: fixed, or per call from the state and runtime. */
  readonly context?: ContextOption;
}

const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', `must be ${what}`);

const contextObject = z
  .object({
    traceId: z.string().min(1).max(200).optional(),
    parentSpanId: z.string().min(1).max(200).optional(),
    session: z.string().min(1).max(500).optional(),
    user: z.string().min(1).max(500).optional(),
    tenant: z.string().min(1).max(500).optional(),
    tool: z.string().max(500).optional(),
    systemPrompt: z.string().optional(),
    history: z.array(z.object({ role: z.string(), content: z.string() }).passthrough()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'must be an AbortSignal').optional(),
    grant: z.string().min(1).max(200).optional(),
  })
  .strict();

export const middlewareOptionsSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9_.[\]-]+$/, 'must be letters, digits, "_", "-", "." or brackets (it names graph nodes)')
      .default('Parapet'),
    onBlock: z.enum(['throw', 'fallback'], { error: () => 'must be "throw" or "fallback"' }).optional(),
    checkInput: z.boolean().default(true),
    checkOutput: z.boolean().default(true),
    history: z.boolean().default(false),
    toolPolicy: z
      .custom<ToolPolicy>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as ToolPolicy).check === 'function' &&
          typeof (value as ToolPolicy).afterCall === 'function',
        'must be a tool policy from toolPolicy() in @parapet/agent',
      )
      .optional(),
    onDeny: z.enum(['message', 'throw'], { error: () => 'must be "message" or "throw"' }).default('message'),
    context: z
      .union([contextObject, fn<ContextOption>('a context object or a function ({ state, runtime }) => context')])
      .optional(),
  })
  .strict();

export type ParsedMiddlewareOptions = z.output<typeof middlewareOptionsSchema>;

export function assertGuard(guard: unknown, where: string): asserts guard is Guard {
  if (
    typeof guard !== 'object' ||
    guard === null ||
    typeof (guard as Guard).checkInput !== 'function' ||
    typeof (guard as Guard).checkOutput !== 'function' ||
    typeof (guard as Guard).emit !== 'function'
  ) {
    throw new ArgumentError({
      message: `${where}: guard must come from createGuard() in @parapet/core, e.g. ${where.split('(')[0]}(createGuard({ input: [promptInjection()] })).`,
    });
  }
}

/** Checks what a `context` function returned (it runs per call, so only its shape, not a full schema parse). */
export function checkResolvedContext(value: unknown, where: string): LangChainGuardContext {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError({
      message: `${where}: the context function must return an object such as { session, user, tenant } (got ${value === null ? 'null' : typeof value}).`,
    });
  }
  const grant = (value as { grant?: unknown }).grant;
  if (grant !== undefined && (typeof grant !== 'string' || grant.length === 0 || grant.length > 200)) {
    throw new ArgumentError({
      message: `${where}: context.grant must be a grant id string from policy.grant().`,
    });
  }
  return value as LangChainGuardContext;
}
