import { ArgumentError } from '@parapet/core';
import type { ToolPolicy } from './policy.js';
import { type WrapToolsContext, wrapTools } from './wrap-tools.js';

/**
 * The part of a LangChain tool (`StructuredTool`, `DynamicStructuredTool` from `tool()`, `DynamicTool`, `Tool`)
 * the adapter relies on. `_call` is protected in `@langchain/core`'s types, so it is looked up at run time.
 */
export interface LangChainToolLike {
  readonly name: string;
  invoke(input: any, config?: any): Promise<unknown>;
}

/** What `StructuredTool._call(arg, runManager, config)` receives (`@langchain/core` 1.x). */
type InternalCall = (arg: unknown, runManager?: ToolRunManager, config?: { toolCall?: { id?: unknown } }) => unknown;
interface ToolRunManager {
  handleToolEvent?(chunk: unknown): Promise<unknown> | unknown;
  handleToolError?(error: unknown): Promise<unknown> | unknown;
}
/** The per-call options `wrapTools` hands its runner: the call id it records, and the original to run. */
interface CallOptions {
  readonly toolCallId?: string;
  readonly run: (validated: unknown) => Promise<unknown>;
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { next?: unknown }).next === 'function' &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Drains a streaming tool the way `StructuredTool.call` does (events to the callbacks), so that what the policy
 * scans is the tool's final output: a LangChain generator's output is its return value, not its last event.
 */
async function finalOutput(generator: AsyncGenerator<unknown, unknown>, runManager?: ToolRunManager): Promise<unknown> {
  try {
    let step = await generator.next();
    while (step.done !== true) {
      try {
        await runManager?.handleToolEvent?.(step.value);
      } catch (error) {
        await runManager?.handleToolError?.(error);
      }
      step = await generator.next();
    }
    return step.value;
  } finally {
    await generator.return?.(undefined);
  }
}

function assertTool(tool: unknown, where: string): asserts tool is LangChainToolLike {
  if (
    typeof tool !== 'object' ||
    tool === null ||
    typeof (tool as { name?: unknown }).name !== 'string' ||
    (tool as { name: string }).name.length === 0 ||
    typeof (tool as { _call?: unknown })._call !== 'function'
  ) {
    throw new ArgumentError({
      message: `${where}: expected a LangChain tool (tool() from @langchain/core/tools, or a StructuredTool) with a name.`,
    });
  }
}

/**
 * Wraps LangChain tools so every call goes through the policy. Each returned tool is the same kind of object
 * (it inherits from the original, so `instanceof StructuredTool`, `name`, `description`, `schema` and
 * `responseFormat` are kept) with its internal `_call` replaced: LangChain still parses the input with the tool's
 * schema, runs callbacks and turns a `ToolCall` into a `ToolMessage`; the policy decides in between, and the
 * original runs with the validated arguments. A denial throws `ToolDeniedError` (an agent's `ToolNode` turns it
 * into an error `ToolMessage`), or in `message` mode becomes the tool's output, which the model reads.
 *
 * With a policy that has `grants`, one grant is issued for all the tools unless `context.grant` is given.
 */
export function wrapLangChainTools<const TOOLS extends readonly LangChainToolLike[]>(
  tools: TOOLS,
  policy: ToolPolicy,
  context: WrapToolsContext = {},
): { -readonly [K in keyof TOOLS]: TOOLS[K] } {
  if (!Array.isArray(tools)) {
    throw new ArgumentError({ message: 'wrapLangChainTools(tools): tools must be an array of LangChain tools.' });
  }
  // Runners keyed by tool name; `wrapTools` supplies the grant, the context checks and `enforceCall`.
  const runners: Record<string, (args: unknown, options: CallOptions) => unknown> = Object.create(null);
  tools.forEach((tool, index) => {
    assertTool(tool, `wrapLangChainTools(tools[${index}])`);
    if (runners[tool.name] !== undefined) {
      throw new ArgumentError({
        message: `wrapLangChainTools(tools): two tools are named "${tool.name}"; tool names must be unique, as the model calls tools by name.`,
      });
    }
    runners[tool.name] = (args, options) => options.run(args);
  });
  const guarded = wrapTools({ ...runners }, policy, context);

  return tools.map((tool) => {
    const original = (tool as unknown as { _call: InternalCall })._call;
    const runner = guarded[tool.name] as (args: unknown, options: CallOptions) => unknown;
    const artifactFormat = (tool as { responseFormat?: unknown }).responseFormat === 'content_and_artifact';
    // Inheriting from the original keeps its class, fields and methods; only `_call` is ours.
    const wrapped = Object.create(tool) as LangChainToolLike;
    Object.defineProperty(wrapped, '_call', {
      configurable: true,
      writable: true,
      value: async (arg: unknown, runManager?: ToolRunManager, config?: { toolCall?: { id?: unknown } }) => {
        const id = config?.toolCall?.id;
        const output = await runner(arg, {
          ...(typeof id === 'string' ? { toolCallId: id } : {}),
          // `this` stays the original tool: its own fields (and private ones) are there.
          run: async (validated: unknown) => {
            const raw = await original.call(tool, validated, runManager, config);
            return isAsyncGenerator(raw) ? finalOutput(raw, runManager) : raw;
          },
        });
        // A denial message or a quarantine notice replaces the whole (content, artifact) pair: the artifact is
        // withheld with the content it came with.
        if (artifactFormat && !(Array.isArray(output) && output.length === 2)) return [output, undefined];
        return output;
      },
    });
    return wrapped;
  }) as unknown as { -readonly [K in keyof TOOLS]: TOOLS[K] };
}

/** Wraps one LangChain tool; see `wrapLangChainTools` (prefer it for several tools: one grant covers them all). */
export function wrapLangChainTool<TOOL extends LangChainToolLike>(
  tool: TOOL,
  policy: ToolPolicy,
  context: WrapToolsContext = {},
): TOOL {
  assertTool(tool, 'wrapLangChainTool(tool)');
  return wrapLangChainTools([tool], policy, context)[0];
}
