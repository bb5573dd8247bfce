import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import { type AuditEvent, describeError, type Guard, newTraceId, parseArgument } from '@parapet/core';
import { z } from 'zod';
import { assertGuard } from './options.js';

/** Who the audited runs act for (copied onto every event). */
export interface ParapetCallbackOptions {
  readonly session?: string;
  readonly user?: string;
  readonly tenant?: string;
}

const optionsSchema = z
  .object({
    session: z.string().min(1).max(500).optional(),
    user: z.string().min(1).max(500).optional(),
    tenant: z.string().min(1).max(500).optional(),
  })
  .strict();

/** How the middleware finds the handler in the current run's callbacks, to share its trace id. Internal. */
export const TRACE_LINK = Symbol.for('parapet.langchain.trace-link');
export interface TraceLink {
  /** The trace id of the agent run that `runId` belongs to. */
  traceIdFor(runId: string): string;
  /** Makes `traceId` the trace id of the agent run that `runId` belongs to. */
  adopt(runId: string, traceId: string): void;
}

const HEX32 = /^[0-9a-f]{32}$/;

/** A UUID (a LangChain run id, a message id) without its dashes: already a W3C trace id. Else undefined. */
export function traceIdOfUuid(id: string): string | undefined {
  const hex = id.replace(/-/g, '').toLowerCase();
  return HEX32.test(hex) ? hex : undefined;
}
// Past this many open runs (runs that never ended: a crashed caller), the maps are dropped rather than grow.
const MAX_OPEN_RUNS = 50_000;

interface OpenRun {
  readonly started: number;
  readonly root: string;
  readonly parentRunId?: string;
  readonly name?: string;
  readonly toolCallId?: string;
}

/** A run id (a UUID) as a 16-hex-digit span id: its random second half. */
function spanIdOf(runId: string | undefined): string | undefined {
  if (runId === undefined) return undefined;
  const hex = runId.replace(/-/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex.slice(16) : undefined;
}

function modelName(llm: Serialized, metadata: Record<string, unknown> | undefined): string | undefined {
  const fromMetadata = metadata?.ls_model_name;
  if (typeof fromMetadata === 'string') return fromMetadata;
  const kwargs = (llm as { kwargs?: Record<string, unknown> }).kwargs;
  const model = kwargs?.model ?? kwargs?.model_name ?? kwargs?.modelName;
  return typeof model === 'string' ? model : undefined;
}

/** Token counts of a model run: `usage_metadata` of the generated messages, else the provider's `tokenUsage`. */
function usageOf(output: LLMResult): { inputTokens?: number; outputTokens?: number; totalTokens?: number } {
  let input = 0;
  let out = 0;
  let total = 0;
  let found = false;
  for (const generations of output.generations ?? []) {
    for (const generation of generations) {
      const usage = (generation as { message?: { usage_metadata?: Record<string, unknown> } }).message?.usage_metadata;
      if (usage === undefined) continue;
      found = true;
      input += Number(usage.input_tokens ?? 0);
      out += Number(usage.output_tokens ?? 0);
      total += Number(usage.total_tokens ?? 0);
    }
  }
  if (found) return { inputTokens: input, outputTokens: out, totalTokens: total };
  const tokenUsage = (output.llmOutput as { tokenUsage?: Record<string, unknown> } | undefined)?.tokenUsage;
  if (tokenUsage === undefined) return {};
  const pick = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const usage: { inputTokens?: number; outputTokens?: number; totalTokens?: number } = {};
  const promptTokens = pick(tokenUsage.promptTokens);
  const completionTokens = pick(tokenUsage.completionTokens);
  const totalTokens = pick(tokenUsage.totalTokens);
  if (promptTokens !== undefined) usage.inputTokens = promptTokens;
  if (completionTokens !== undefined) usage.outputTokens = completionTokens;
  if (totalTokens !== undefined) usage.totalTokens = totalTokens;
  return usage;
}

type EmitEvent = Parameters<Guard['emit']>[0];

class ParapetCallbackHandler extends BaseCallbackHandler implements TraceLink {
  name = 'parapet';
  // Awaited, not queued in the background: the middleware asks for a run's trace id as soon as its node starts,
  // so the run must be known by then. Every method here is synchronous and cheap.
  override awaitHandlers = true;
  readonly [TRACE_LINK]: TraceLink = this;
  private readonly guard: Guard;
  private readonly who: ParapetCallbackOptions;
  private readonly runs = new Map<string, OpenRun>();
  private readonly rootOf = new Map<string, string>();
  private readonly traces = new Map<string, string>();
  private readonly members = new Map<string, string[]>();

  constructor(guard: Guard, who: ParapetCallbackOptions) {
    super();
    this.guard = guard;
    this.who = who;
  }

  // LangChain copies handlers when it derives child callback managers; the copy must share the run maps.
  override copy(): BaseCallbackHandler {
    return this;
  }

  traceIdFor(runId: string): string {
    const root = this.rootOf.get(runId) ?? runId;
    let traceId = this.traces.get(root);
    if (traceId === undefined) {
      // A root run id is a UUID: without dashes it is a W3C trace id, and it names the run in LangSmith too.
      traceId = traceIdOfUuid(root) ?? newTraceId();
      this.traces.set(root, traceId);
    }
    return traceId;
  }

  adopt(runId: string, traceId: string): void {
    this.traces.set(this.rootOf.get(runId) ?? runId, traceId);
  }

  private open(runId: string, parentRunId: string | undefined, extra: Omit<OpenRun, 'started' | 'root'> = {}): OpenRun {
    if (this.rootOf.size > MAX_OPEN_RUNS) {
      this.rootOf.clear();
      this.runs.clear();
      this.traces.clear();
      this.members.clear();
    }
    const root = parentRunId === undefined ? runId : (this.rootOf.get(parentRunId) ?? parentRunId);
    this.rootOf.set(runId, root);
    let members = this.members.get(root);
    if (members === undefined) {
      members = [];
      this.members.set(root, members);
    }
    members.push(runId);
    const run: OpenRun = {
      started: performance.now(),
      root,
      ...(parentRunId !== undefined ? { parentRunId } : {}),
      ...extra,
    };
    this.runs.set(runId, run);
    return run;
  }

  private close(runId: string): OpenRun | undefined {
    const run = this.runs.get(runId);
    this.runs.delete(runId);
    // The root run's end forgets the whole tree: the maps hold only runs in flight.
    if (run !== undefined && run.root === runId) {
      for (const member of this.members.get(runId) ?? []) this.rootOf.delete(member);
      this.members.delete(runId);
      this.traces.delete(runId);
    }
    return run;
  }

  private emit(type: string, runId: string, run: OpenRun | undefined, extra: Partial<EmitEvent> = {}): void {
    const spanId = spanIdOf(runId);
    const parentSpanId = spanIdOf(run?.parentRunId);
    const event: Record<string, unknown> = {
      type,
      traceId: this.traceIdFor(runId),
      ...(spanId !== undefined ? { spanId } : {}),
      ...(parentSpanId !== undefined ? { parentSpanId } : {}),
      ...(this.who.session !== undefined ? { session: this.who.session } : {}),
      ...(this.who.user !== undefined ? { user: this.who.user } : {}),
      ...(this.who.tenant !== undefined ? { tenant: this.who.tenant } : {}),
      ...(run !== undefined ? { latencyUs: Math.round((performance.now() - run.started) * 1000) } : {}),
      ...extra,
    };
    this.guard.emit(event as EmitEvent);
  }

  // The declaration in @langchain/core 1.4 names the 4th argument `runType` and the 8th `parentRunId`, but its
  // CallbackManager calls `(chain, inputs, runId, parentRunId, tags, metadata, runType, runName)`: the 4th
  // argument is the parent run id.
  override handleChainStart(
    _chain: Serialized,
    _inputs: unknown,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.open(runId, parentRunId);
    // An explicit trace id for the whole run: `invoke(input, { metadata: { parapetTraceId } })`.
    const explicit = metadata?.parapetTraceId;
    if (parentRunId === undefined && typeof explicit === 'string' && explicit.length > 0 && explicit.length <= 200)
      this.traces.set(runId, explicit);
  }

  override handleChainEnd(_outputs: unknown, runId: string): void {
    this.close(runId);
  }

  override handleChainError(_error: unknown, runId: string): void {
    this.close(runId);
  }

  override handleChatModelStart(
    llm: Serialized,
    _messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.openModel(llm, runId, parentRunId, metadata);
  }

  override handleLLMStart(
    llm: Serialized,
    _prompts: string[],
    runId: string,
    parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.openModel(llm, runId, parentRunId, metadata);
  }

  /** A model run (chat model or plain LLM), named after the model when it can be told. */
  private openModel(
    llm: Serialized,
    runId: string,
    parentRunId: string | undefined,
    metadata: Record<string, unknown> | undefined,
  ): void {
    const name = modelName(llm, metadata);
    this.open(runId, parentRunId, name !== undefined ? { name } : {});
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const run = this.runs.get(runId);
    this.emit('model-call-ended', runId, run, {
      data: { runId, ...(run?.name !== undefined ? { model: run.name } : {}), ...usageOf(output) },
    });
    this.close(runId);
  }

  override handleLLMError(error: unknown, runId: string): void {
    const run = this.runs.get(runId);
    this.emit('model-call-failed', runId, run, {
      data: { runId, ...(run?.name !== undefined ? { model: run.name } : {}), error: describeError(error) },
    });
    this.close(runId);
  }

  override handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    const name = runName ?? (tool as { name?: string }).name ?? tool.id?.at(-1);
    const run = this.open(runId, parentRunId, {
      ...(name !== undefined ? { name } : {}),
      ...(toolCallId !== undefined ? { toolCallId } : {}),
    });
    this.emit('tool-call-started', runId, undefined, {
      ...(name !== undefined ? { tool: name } : {}),
      ...(run.parentRunId !== undefined ? { parentSpanId: spanIdOf(run.parentRunId) } : {}),
      data: { runId, ...(toolCallId !== undefined ? { callId: toolCallId } : {}) },
    } as Partial<EmitEvent>);
  }

  override handleToolEnd(_output: unknown, runId: string): void {
    this.toolFinished('tool-call-ended', runId);
  }

  override handleToolError(error: unknown, runId: string): void {
    this.toolFinished('tool-call-failed', runId, { error: describeError(error) });
  }

  private toolFinished(type: AuditEvent['type'], runId: string, extra: Record<string, unknown> = {}): void {
    const run = this.runs.get(runId);
    this.emit(type, runId, run, {
      ...(run?.name !== undefined ? { tool: run.name } : {}),
      data: { runId, ...(run?.toolCallId !== undefined ? { callId: run.toolCallId } : {}), ...extra },
    });
    this.close(runId);
  }
}

/**
 * A LangChain callback handler that writes model and tool runs to the guard's audit trail: `model-call-ended`
 * (latency, model, token usage), `model-call-failed`, `tool-call-started`, `tool-call-ended` and
 * `tool-call-failed` (latency, the tool call id). Every event of one agent run carries one trace id (the root
 * run id, or `metadata.parapetTraceId`), and `parapetMiddleware` uses the same one for its checks. It only
 * observes: enforcement is the middleware's (or the wrapped tools') job. Pass it in `callbacks: [...]`.
 */
export function parapetCallbackHandler(guard: Guard, options: ParapetCallbackOptions = {}): BaseCallbackHandler {
  assertGuard(guard, 'parapetCallbackHandler(guard)');
  const who = parseArgument(optionsSchema, options, 'parapetCallbackHandler(guard, options)', 'options');
  return new ParapetCallbackHandler(guard, who);
}

/** The trace link of a handler made by `parapetCallbackHandler`, if `value` is one. */
export function traceLinkOf(value: unknown): TraceLink | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const link = (value as { [TRACE_LINK]?: TraceLink })[TRACE_LINK];
  return link !== undefined && typeof link.traceIdFor === 'function' ? link : undefined;
}
