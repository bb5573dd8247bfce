import { ArgumentError, ToolDeniedError } from '@parapet/core';
import type { ToolCallContext, ToolPolicy } from './policy.js';
import { type WrapToolsContext, wrapContextSchema } from './wrap-tools.js';

// Structural types only: the MCP SDK (`@modelcontextprotocol/sdk` v1, and the v2 client's two-argument
// `callTool`) is the application's, never loaded by this package.

/** The `tools/call` request parameters (`CallToolRequest['params']`). */
export interface McpCallToolParams {
  readonly name: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
}

/** The part of an MCP `Client` the guard intercepts; every other member passes through unchanged. */
export interface McpClientLike {
  callTool(params: McpCallToolParams, ...rest: any[]): Promise<unknown>;
  listTools?(...rest: any[]): Promise<{ readonly tools: readonly { readonly name: string }[] }>;
}

/** A tool result as this adapter reads and writes it (`CallToolResult`, and the legacy `{ toolResult }`). */
export interface McpToolResult {
  readonly content?: readonly McpContentBlock[];
  readonly structuredContent?: unknown;
  readonly isError?: boolean;
  /** Protocol 2024-10-07 results (`CompatibilityCallToolResultSchema`). */
  readonly toolResult?: unknown;
  readonly [key: string]: unknown;
}
export interface McpContentBlock {
  readonly type: string;
  readonly text?: string;
  readonly resource?: { readonly text?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** What a tool callback's `extra` argument carries on the server (`RequestHandlerExtra`), as far as we read it. */
export interface McpRequestExtraLike {
  readonly sessionId?: string | undefined;
  readonly requestId?: string | number;
  readonly authInfo?: {
    readonly token?: string;
    readonly clientId?: string;
    readonly scopes?: readonly string[];
    readonly extra?: Readonly<Record<string, unknown>>;
  };
  readonly signal?: AbortSignal;
}

/**
 * Who the calls act for. `onDeny` here defaults to `message`, unlike the policy's: MCP reports a tool's failure
 * in the result (`isError: true`) so the model reads it and the loop goes on. Pass `onDeny: 'throw'` to get a
 * `ToolDeniedError` instead. (The policy's own `onDeny` is not read: its default, `throw`, is meant for
 * in-process tools, and it cannot tell a chosen `throw` from the default.)
 */
export type McpGuardContext = WrapToolsContext;

/** Per-request context on the server: from the session, the caller's auth, and so on. */
export type McpContextResolver = (extra: McpRequestExtraLike) => McpGuardContext | Promise<McpGuardContext>;

const contextSchema = wrapContextSchema;

function parseContext(context: unknown, where: string): { onDeny: 'throw' | 'message'; call: ToolCallContext } {
  const parsed = contextSchema.safeParse(context ?? {});
  if (!parsed.success) {
    throw new ArgumentError({
      message: `${where}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'context'}: ${issue.message}`).join('; ')}`,
    });
  }
  const { onDeny, ...call } = parsed.data;
  return { onDeny: onDeny ?? 'message', call };
}

function assertPolicy(policy: unknown, where: string): asserts policy is ToolPolicy {
  const candidate = policy as Partial<ToolPolicy> | undefined;
  if (typeof candidate?.check !== 'function' || typeof candidate.afterCall !== 'function') {
    throw new ArgumentError({ message: `${where}: policy must come from toolPolicy().` });
  }
}

/**
 * With a policy that has grants and a fixed context without one: a grant bound to that context, issued once,
 * at wrap time, and awaited by the first call (as `wrapTools` does).
 */
function fixedGrant(policy: ToolPolicy, context: ToolCallContext, where: string): () => Promise<string | undefined> {
  if (context.grant !== undefined || !policy.grantsEnabled) return async () => context.grant;
  if (context.session === undefined && context.user === undefined && context.tenant === undefined) {
    throw new ArgumentError({
      message: `${where}: the policy has grants, so the context must name a session, user or tenant to bind the grant to (or pass context.grant).`,
    });
  }
  const pending = policy.grant({
    ...(context.session !== undefined ? { session: context.session } : {}),
    ...(context.user !== undefined ? { user: context.user } : {}),
    ...(context.tenant !== undefined ? { tenant: context.tenant } : {}),
  });
  // The first call reports an issuance failure; until then it must not surface as an unhandled rejection.
  pending.catch(() => undefined);
  return async () => (await pending).id;
}

const errorResult = (text: string): McpToolResult => ({ content: [{ type: 'text', text }], isError: true });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Scans what the model will read of a result (text blocks, embedded text resources, structured content;
 * not images, audio or blobs) with the policy's output scanners, and records its taint. A result with one
 * text block and nothing else can be redacted in place; otherwise a blocking finding quarantines the whole
 * result: its content becomes the notice, `isError` is set (so clients do not expect structured content
 * under an output schema) and structured content, `_meta` and other blocks are dropped.
 */
async function screenResult(
  policy: ToolPolicy,
  tool: string,
  result: unknown,
  context: ToolCallContext,
): Promise<unknown> {
  // Trusted output and no scanners: nothing to record or change.
  if (typeof policy.watchesOutput === 'function' && !policy.watchesOutput(tool)) return result;
  if (!isRecord(result)) {
    await policy.afterCall(tool, '', context);
    return result;
  }
  const content = Array.isArray(result.content) ? (result.content as unknown[]) : [];
  const texts: string[] = [];
  const textBlocks: number[] = [];
  let otherText = false;
  content.forEach((block, index) => {
    if (!isRecord(block)) return;
    if (block.type === 'text' && typeof block.text === 'string') {
      texts.push(block.text);
      textBlocks.push(index);
    } else if (block.type === 'resource' && isRecord(block.resource) && typeof block.resource.text === 'string') {
      texts.push(block.resource.text);
      otherText = true;
    } else if (block.type === 'resource_link') {
      for (const field of ['name', 'title', 'description'] as const) {
        if (typeof block[field] === 'string') texts.push(block[field]);
      }
      otherText = true;
    }
  });
  const structured = result.structuredContent;
  const legacy = result.toolResult;
  const single = texts.length === 1 && !otherText && structured === undefined && legacy === undefined;
  const view = single
    ? texts[0]
    : {
        text: texts,
        ...(structured !== undefined ? { structuredContent: structured } : {}),
        ...(legacy !== undefined ? { toolResult: legacy } : {}),
      };
  const outcome = await policy.afterCall(tool, view, context);
  if (outcome.handling === 'passed') return result;
  if (outcome.handling === 'redacted' && single && typeof outcome.output === 'string') {
    const index = textBlocks[0] as number;
    const blocks = content.slice();
    blocks[index] = { ...(content[index] as object), text: outcome.output };
    return { ...result, content: blocks };
  }
  return errorResult(String(outcome.output));
}

/**
 * Runs one call through the policy: decide, send with the validated arguments, screen the result. A denial
 * (or an output the policy blocks) becomes an `isError` result, or a `ToolDeniedError` in `throw` mode.
 */
async function guardedCall(
  policy: ToolPolicy,
  tool: string,
  args: unknown,
  context: ToolCallContext,
  onDeny: 'throw' | 'message',
  send: (validated: unknown) => Promise<unknown> | unknown,
): Promise<unknown> {
  const decision = await policy.check(tool, args, context);
  if (!decision.allowed) {
    if (onDeny === 'message') return errorResult(policy.denialMessage(decision));
    throw new ToolDeniedError({ tool, reason: decision.reason, message: decision.message, decision });
  }
  const result = await send(decision.args);
  try {
    return await screenResult(policy, tool, result, { ...context, traceId: decision.traceId, callId: decision.callId });
  } catch (error) {
    // `outputAction: 'block'`, or a taint that could not be recorded: the tool ran, its output is withheld.
    if (onDeny === 'message' && ToolDeniedError.isInstance(error)) return errorResult(error.message);
    throw error;
  }
}

/** Tools the policy will deny whatever the arguments: not advertised to the model. */
function deniedOutright(policy: ToolPolicy, tool: string): boolean {
  const rule = policy.rule(tool);
  if (rule !== undefined) return rule.allowed === false;
  return policy.unknownTools !== 'approval';
}

/**
 * Guards an MCP client (`Client` from `@modelcontextprotocol/sdk/client/index.js`): returns a proxy of the
 * same type whose `callTool` (and `request` with method `tools/call`) goes through the policy, with the
 * validated arguments sent to the server and the result's text scanned, and whose `listTools` leaves out the
 * tools the policy denies outright (unlisted, or `allowed: false`). Everything else is the client's own.
 *
 * Not covered: task-based calls (`client.experimental.tasks.callToolStream`) bypass the proxy.
 */
export function guardMcpClient<CLIENT extends McpClientLike>(
  client: CLIENT,
  policy: ToolPolicy,
  context: McpGuardContext = {},
): CLIENT {
  if (typeof client !== 'object' || client === null || typeof client.callTool !== 'function') {
    throw new ArgumentError({ message: 'guardMcpClient(client): client must be an MCP Client (with callTool).' });
  }
  assertPolicy(policy, 'guardMcpClient(client, policy)');
  const { onDeny, call } = parseContext(context, 'guardMcpClient(client, policy, context)');
  const grant = fixedGrant(policy, call, 'guardMcpClient(client, policy, context)');

  const callContext = async (): Promise<ToolCallContext> => {
    const id = await grant();
    return id !== undefined ? { ...call, grant: id } : call;
  };
  const guard = async (params: unknown, send: (params: McpCallToolParams) => Promise<unknown>): Promise<unknown> => {
    if (!isRecord(params) || typeof params.name !== 'string' || params.name.length === 0) {
      throw new ArgumentError({ message: 'callTool(params): params.name must be the tool name, a non-empty string.' });
    }
    const original = params as unknown as McpCallToolParams;
    const args = original.arguments ?? {};
    return guardedCall(policy, original.name, args, await callContext(), onDeny, (validated) =>
      send(validated === args ? original : { ...original, arguments: validated as Record<string, unknown> }),
    );
  };

  const callTool = (params: McpCallToolParams, ...rest: unknown[]) =>
    guard(params, (checked) => client.callTool(checked, ...rest));
  const listTools = async (...rest: unknown[]) => {
    const result = await (client.listTools as NonNullable<McpClientLike['listTools']>).apply(client, rest);
    if (!isRecord(result) || !Array.isArray(result.tools)) return result;
    return { ...result, tools: result.tools.filter((tool) => !deniedOutright(policy, tool.name)) };
  };
  const request = (message: unknown, ...rest: unknown[]) => {
    const send = (client as unknown as { request: (...args: unknown[]) => Promise<unknown> }).request;
    if (!isRecord(message) || message.method !== 'tools/call') return send.call(client, message, ...rest);
    return guard(message.params, (checked) => send.call(client, { ...message, params: checked }, ...rest));
  };

  // Methods are bound to the client itself: the SDK's classes keep private state the proxy cannot reach.
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, property) {
      if (property === 'callTool') return callTool;
      if (property === 'listTools' && typeof target.listTools === 'function') return listTools;
      if (property === 'request' && typeof (target as { request?: unknown }).request === 'function') return request;
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || Object.hasOwn(target, property)) return value;
      let method = bound.get(property);
      if (method === undefined) {
        method = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, method);
      }
      return method;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

/**
 * Guards an MCP server tool callback (`server.registerTool(name, config, callback)`): the policy decides each
 * call (the SDK has already validated the arguments against `inputSchema`; the callback receives the policy's
 * validated ones), and the result is screened like `guardMcpClient` does. The context is fixed, or computed per
 * request from the callback's `extra` (for example `{ session: extra.sessionId }`); a per-request context must
 * carry its own grant when the policy has grants, as one issued for every request would grant nothing.
 */
export function guardToolCallback<CALLBACK extends (...args: any[]) => unknown>(
  name: string,
  callback: CALLBACK,
  policy: ToolPolicy,
  context: McpGuardContext | McpContextResolver = {},
): CALLBACK {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ArgumentError({ message: 'guardToolCallback(name): name must be the tool name, a non-empty string.' });
  }
  if (typeof callback !== 'function') {
    throw new ArgumentError({ message: 'guardToolCallback(name, callback): callback must be the tool function.' });
  }
  assertPolicy(policy, 'guardToolCallback(name, callback, policy)');
  const where = 'guardToolCallback(name, callback, policy, context)';
  const resolve = typeof context === 'function' ? context : undefined;
  const fixed = resolve === undefined ? parseContext(context, where) : undefined;
  const grant = fixed !== undefined ? fixedGrant(policy, fixed.call, where) : undefined;

  const guarded = async (...params: unknown[]): Promise<unknown> => {
    // The SDK calls `callback(args, extra)` for a tool with an input schema and `callback(extra)` without one.
    const withArgs = params.length >= 2;
    const extra = (withArgs ? params[1] : params[0]) as McpRequestExtraLike | undefined;
    let onDeny: 'throw' | 'message';
    let call: ToolCallContext;
    if (resolve !== undefined) {
      ({ onDeny, call } = parseContext(await resolve(extra ?? {}), where));
    } else {
      ({ onDeny, call } = fixed as NonNullable<typeof fixed>);
      const id = await (grant as NonNullable<typeof grant>)();
      if (id !== undefined) call = { ...call, grant: id };
    }
    const requestId = extra?.requestId;
    if ((typeof requestId === 'string' && requestId.length > 0) || typeof requestId === 'number') {
      call = { ...call, callId: String(requestId).slice(0, 200) };
    }
    return guardedCall(policy, name, withArgs ? params[0] : {}, call, onDeny, (validated) =>
      withArgs ? callback(validated, ...params.slice(1)) : callback(...params),
    );
  };
  return guarded as unknown as CALLBACK;
}
