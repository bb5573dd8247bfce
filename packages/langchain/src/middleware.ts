import { createHash, randomUUID } from 'node:crypto';
import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { Command } from '@langchain/langgraph';
import type { Grant, ToolCallContext, ToolPolicy } from '@parapet/agent';
import {
  type ChatMessage,
  type CheckOptions,
  type Guard,
  newTraceId,
  parseConfig,
  ToolDeniedError,
} from '@parapet/core';
import { type AgentMiddleware, createMiddleware, ToolInvocationError } from 'langchain';
import { blockOutcome, fallbackText } from './blocking.js';
import { traceIdOfUuid, traceLinkOf } from './callback-handler.js';
import { messageText, replaceText, standIn, withText } from './messages.js';
import {
  assertGuard,
  type ContextRequest,
  checkResolvedContext,
  type LangChainGuardContext,
  middlewareOptionsSchema,
  type ParapetMiddlewareOptions,
} from './options.js';

// Errors thrown inside wrapModelCall/wrapToolCall reach the caller wrapped in langchain's MiddlewareError; the
// before/after hooks' errors reach it as they are. So a block or denial in `throw` mode is parked here (by
// message or tool call id), the run ends, and afterAgent throws it, typed. Bounded: a parked error whose run was
// abandoned must not pile up.
const MAX_PARKED = 1_000;

interface HookState {
  readonly messages: BaseMessage[];
}

/** Index of the last human message, or -1. */
function lastHuman(messages: readonly BaseMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (HumanMessage.isInstance(messages[i])) return i;
  return -1;
}

/** A W3C trace id for the turn that a human message starts: stable across the turn's hooks, none stored. */
function traceIdOfTurn(messageId: string): string {
  // The messages reducer names messages with UUIDs: without dashes, one is already a W3C trace id.
  return (
    traceIdOfUuid(messageId) ??
    createHash('sha256').update('parapet-turn\u0000').update(messageId).digest('hex').slice(0, 32)
  );
}

const ROLE: Record<string, ChatMessage['role'] | undefined> = {
  human: 'user',
  ai: 'assistant',
  system: 'system',
  developer: 'developer',
  tool: 'tool',
};

/** The current run's callback manager and parent run id (from LangChain's async context), for the trace link. */
function currentRun(): { link: ReturnType<typeof traceLinkOf>; runId: string | undefined; metadataTrace?: string } {
  const config = AsyncLocalStorageProviderSingleton.getRunnableConfig() as
    | { callbacks?: unknown; metadata?: Record<string, unknown> }
    | undefined;
  const explicit = config?.metadata?.parapetTraceId;
  const metadataTrace = typeof explicit === 'string' && explicit.length > 0 ? explicit : undefined;
  const callbacks = config?.callbacks as
    | { handlers?: readonly unknown[]; getParentRunId?: () => string | undefined }
    | readonly unknown[]
    | undefined;
  if (callbacks === undefined)
    return { link: undefined, runId: undefined, ...(metadataTrace ? { metadataTrace } : {}) };
  const handlers = Array.isArray(callbacks) ? callbacks : ((callbacks as { handlers?: unknown[] }).handlers ?? []);
  let link: ReturnType<typeof traceLinkOf>;
  for (const handler of handlers) {
    link = traceLinkOf(handler);
    if (link !== undefined) break;
  }
  const runId = Array.isArray(callbacks)
    ? undefined
    : (callbacks as { getParentRunId?: () => string | undefined }).getParentRunId?.();
  return { link, runId, ...(metadataTrace ? { metadataTrace } : {}) };
}

/**
 * `createAgent` middleware that puts a Parapet guard around the agent loop, all of it inside langchain's wrap
 * hooks (no graph node of its own, except `afterAgent` when something can be thrown):
 * - `wrapModelCall`, first model call of a turn: checks the turn's last human message; a block answers with an
 *   `AIMessage` carrying the fallback (the model is not called, the run ends) or, in throw mode, parks
 *   `GuardBlockedError` for `afterAgent`; a redaction is what the model receives and replaces the message in
 *   the state, so later turns (and a checkpointer) only ever hold the redacted text.
 * - `wrapModelCall`, every model answer: checked before it enters the state; a redaction rewrites it, a block
 *   replaces it with the fallback (its tool calls dropped) or parks the error.
 * - `wrapToolCall` (with `toolPolicy`): each tool call goes through the policy (grant, arguments, taint,
 *   approval, rate limits); a denial answers the call with an error `ToolMessage` or, in throw mode, ends the
 *   run and throws `ToolDeniedError`; an allowed call runs with the validated arguments and its output goes
 *   through `policy.afterCall`.
 * - `afterAgent` (throw mode only): throws the parked error, typed, to the caller.
 */
export function parapetMiddleware(guard: Guard, options: ParapetMiddlewareOptions = {}): AgentMiddleware {
  assertGuard(guard, 'parapetMiddleware(guard)');
  const config = parseConfig(middlewareOptionsSchema, options, 'parapetMiddleware() options');
  const policy: ToolPolicy | undefined = config.toolPolicy;
  const contextOption = config.context;
  const staticContext: LangChainGuardContext | undefined =
    typeof contextOption === 'function' ? undefined : ((contextOption as LangChainGuardContext | undefined) ?? {});
  const parked = new Map<string, Error>();
  const grants = new Map<string, Promise<Grant>>();

  const park = (id: string, error: Error): void => {
    if (parked.size >= MAX_PARKED) parked.delete(parked.keys().next().value as string);
    parked.set(id, error);
  };
  const throwParked = (id: string | undefined): void => {
    if (id === undefined) return;
    const error = parked.get(id);
    if (error === undefined) return;
    parked.delete(id);
    throw error;
  };

  /**
   * The caller's context for this hook, with the turn's trace id and the thread as the default session. The
   * trace id: the caller's; else the callback handler's for this run (so its model and tool events and these
   * checks share one); else `metadata.parapetTraceId`; else one derived from the turn's human message id, so
   * every hook of the turn (input check, each model answer, each tool decision) reports under the same id
   * without writing anything into the agent state.
   */
  const resolve = async (
    state: HookState,
    runtime: ContextRequest['runtime'],
  ): Promise<{ check: CheckOptions; grant?: string }> => {
    const raw =
      staticContext ??
      checkResolvedContext(
        await (contextOption as (request: ContextRequest) => LangChainGuardContext | Promise<LangChainGuardContext>)({
          state: state as unknown as ContextRequest['state'],
          runtime,
        }),
        'parapetMiddleware() options.context',
      );
    const { grant, ...check } = raw;
    const threadId = runtime?.configurable?.thread_id;
    const resolved: CheckOptions = {
      ...check,
      traceId: turnTraceId(check.traceId, state.messages),
      ...(check.session === undefined && typeof threadId === 'string' && threadId.length > 0
        ? { session: threadId }
        : {}),
    };
    return { check: resolved, ...(grant !== undefined ? { grant } : {}) };
  };

  const grantFor = async (check: CheckOptions): Promise<string | undefined> => {
    if (policy === undefined || !policy.grantsEnabled) return undefined;
    if (check.session === undefined && check.user === undefined && check.tenant === undefined) return undefined;
    // One grant per session/user/tenant, issued on its first tool call (as wrapLangChainTools issues one per
    // wrap). It expires with the policy's `grants.ttl`; pass `context.grant` to manage grants yourself.
    const key = `${check.session ?? ''}\u0000${check.user ?? ''}\u0000${check.tenant ?? ''}`;
    let pending = grants.get(key);
    if (pending === undefined) {
      pending = policy.grant({
        ...(check.session !== undefined ? { session: check.session } : {}),
        ...(check.user !== undefined ? { user: check.user } : {}),
        ...(check.tenant !== undefined ? { tenant: check.tenant } : {}),
      });
      if (grants.size >= MAX_PARKED) grants.delete(grants.keys().next().value as string);
      grants.set(key, pending);
      pending.catch(() => grants.delete(key));
    }
    return (await pending).id;
  };

  const turnTraceId = (explicit: string | undefined, messages: readonly BaseMessage[]): string => {
    const run = currentRun();
    if (explicit !== undefined) {
      if (run.link !== undefined && run.runId !== undefined) run.link.adopt(run.runId, explicit);
      return explicit;
    }
    if (run.link !== undefined && run.runId !== undefined) return run.link.traceIdFor(run.runId);
    if (run.metadataTrace !== undefined) return run.metadataTrace;
    const human = lastHuman(messages);
    const id = human === undefined ? undefined : messages[human]?.id;
    return id === undefined ? newTraceId() : traceIdOfTurn(id);
  };
  const mayPark =
    ((config.checkInput || config.checkOutput) && config.onBlock !== 'fallback') ||
    (policy !== undefined && config.onDeny === 'throw');

  /**
   * A blocked input (no model answer yet) or a blocked answer (replaced under its own id, tool calls dropped):
   * the fallback, or in throw mode a stand-in whose error is parked for afterAgent.
   */
  const blockedAnswer = (
    verdict: Parameters<typeof blockOutcome>[2],
    tenant: string | undefined,
    answer?: AIMessage,
  ): AIMessage => {
    const id = answer?.id ?? randomUUID();
    const outcome = blockOutcome(guard, config.onBlock, verdict, tenant);
    let text: string;
    if ('error' in outcome) {
      park(`ai:${id}`, outcome.error);
      text = fallbackText(guard, verdict, tenant);
    } else text = outcome.text;
    return answer === undefined ? new AIMessage({ content: text, id }) : standIn(answer, text, id);
  };

  // Every check runs inside wrapModelCall (and wrapToolCall): langchain runs wrap hooks inside the model and
  // tool nodes, while each before/after hook is a graph node of its own — a whole LangGraph step (about as
  // long as the local model round trip's tenth) even when it does nothing.
  const middleware = createMiddleware({
    name: config.name,

    wrapModelCall: async (request, handler) => {
      const state = request.state as HookState;
      const messages = state.messages;
      // A denial parked by wrapToolCall (throw mode): the model does not run again; the run ends here and
      // afterAgent throws the typed error.
      for (let i = messages.length - 1; i >= 0; i--) {
        const message = messages[i]!;
        if (!ToolMessage.isInstance(message)) break;
        if (parked.has(`tool:${message.tool_call_id}`)) {
          return new AIMessage({ content: String(message.content), id: randomUUID() });
        }
      }
      const last = lastHuman(messages);
      // The first model call of a turn (no AI message after the last human one) checks the turn's input.
      let firstCall = last >= 0;
      for (let i = messages.length - 1; i > last && firstCall; i--)
        if (AIMessage.isInstance(messages[i])) firstCall = false;
      let check: CheckOptions | undefined;
      let redactedHuman: HumanMessage | undefined;
      let modelRequest = request;
      if (firstCall && config.checkInput) {
        const human = messages[last]!;
        const text = messageText(human);
        if (text.length > 0) {
          check = (await resolve(state, request.runtime as ContextRequest['runtime'])).check;
          const history = config.history ? historyOf(messages.slice(0, last)) : undefined;
          const verdict = await guard.checkInput(text, {
            ...check,
            ...(history !== undefined ? { history } : {}),
          });
          if (verdict.action === 'block') return blockedAnswer(verdict, check.tenant);
          if (verdict.text !== text) {
            redactedHuman = new HumanMessage({
              content: replaceText(human.content, verdict.text),
              ...(human.id !== undefined ? { id: human.id } : {}),
              ...(human.name !== undefined ? { name: human.name } : {}),
              additional_kwargs: human.additional_kwargs,
              response_metadata: human.response_metadata,
            });
            const swap = redactedHuman;
            modelRequest = {
              ...request,
              messages: request.messages.map((message) =>
                message === human || (human.id !== undefined && message.id === human.id) ? swap : message,
              ),
            };
          }
        }
      }
      const response = await handler(modelRequest);
      let answer: AIMessage = response;
      if (config.checkOutput && AIMessage.isInstance(response)) {
        const text = messageText(response);
        if (text.length > 0) {
          check ??= (await resolve(state, request.runtime as ContextRequest['runtime'])).check;
          const verdict = await guard.checkOutput(text, check);
          if (verdict.action === 'block') answer = blockedAnswer(verdict, check.tenant, response);
          else if (verdict.text !== text) answer = withText(response, verdict.text);
        }
      }
      if (redactedHuman === undefined) return answer;
      // The redacted input replaces the original in the state too (same id: the messages reducer swaps it in
      // place), so later turns and any checkpointer never hold the raw text. The model node adds the model's
      // own answer; a changed answer with the same id replaces it.
      if (answer !== response && response.id === undefined) {
        (response as { id?: string }).id = answer.id;
      }
      return new Command({ update: { messages: answer === response ? [redactedHuman] : [redactedHuman, answer] } });
    },

    // Each before/after hook is a graph node (a step of the agent loop); this one exists only when something
    // can be parked: a blocked answer (its stand-in has no tool calls, so the run ends here) or a denial.
    ...(mayPark
      ? {
          afterAgent: async (state: HookState) => {
            for (const message of state.messages) {
              if (AIMessage.isInstance(message) && message.id !== undefined) throwParked(`ai:${message.id}`);
              else if (ToolMessage.isInstance(message)) throwParked(`tool:${message.tool_call_id}`);
            }
          },
        }
      : {}),

    ...(policy !== undefined
      ? {
          wrapToolCall: async (request, handler) => {
            const call = request.toolCall;
            const name = call.name;
            const { check, grant } = await resolve(
              request.state as HookState,
              request.runtime as ContextRequest['runtime'],
            );
            const grantId = grant ?? (await grantFor(check));
            const callContext: ToolCallContext = {
              ...(check.session !== undefined ? { session: check.session } : {}),
              ...(check.user !== undefined ? { user: check.user } : {}),
              ...(check.tenant !== undefined ? { tenant: check.tenant } : {}),
              ...(check.traceId !== undefined ? { traceId: check.traceId } : {}),
              ...(check.parentSpanId !== undefined ? { parentSpanId: check.parentSpanId } : {}),
              ...(grantId !== undefined ? { grant: grantId } : {}),
              ...(typeof call.id === 'string' && call.id.length > 0 && call.id.length <= 200
                ? { callId: call.id }
                : {}),
            };
            const decision = await policy.check(name, call.args, callContext);
            if (!decision.allowed) {
              const denial = new ToolMessage({
                content: policy.denialMessage(decision),
                tool_call_id: call.id ?? '',
                name,
                status: 'error',
              });
              if (config.onDeny === 'throw') {
                park(
                  `tool:${call.id ?? ''}`,
                  new ToolDeniedError({ tool: name, reason: decision.reason, message: decision.message, decision }),
                );
              }
              return denial;
            }
            let result: Awaited<ReturnType<typeof handler>>;
            try {
              result = await handler({ ...request, toolCall: { ...call, args: decision.args as typeof call.args } });
            } catch (error) {
              // With a wrapToolCall present, langchain lets tool errors escape the run; without one it answers
              // them with an error ToolMessage. Answer as it would, so adding the guard changes nothing else.
              return toolErrorMessage(error, call.id ?? '', name);
            }
            // A Command (a tool that updates the state itself) carries no single output to scan: passed as is.
            if (!ToolMessage.isInstance(result) || !policy.watchesOutput(name)) return result;
            const outcome = await policy.afterCall(name, result.content, {
              ...callContext,
              traceId: decision.traceId,
              callId: decision.callId,
            });
            if (outcome.handling === 'passed') return result;
            // A quarantine notice or redacted output replaces the content; the artifact is withheld with it.
            return new ToolMessage({
              content: outcome.output as ToolMessage['content'],
              tool_call_id: result.tool_call_id,
              ...(result.id !== undefined ? { id: result.id } : {}),
              ...(result.name !== undefined ? { name: result.name } : {}),
              status: result.status ?? 'success',
            });
          },
        }
      : {}),
  } as Parameters<typeof createMiddleware>[0]);
  return middleware as unknown as AgentMiddleware;
}

/** What langchain's ToolNode answers a failed tool with when no middleware wraps it; interrupts still propagate. */
function toolErrorMessage(error: unknown, toolCallId: string, name: string): ToolMessage {
  if (typeof error === 'object' && error !== null && (error as { is_bubble_up?: unknown }).is_bubble_up === true)
    throw error;
  const content = ToolInvocationError.isInstance(error)
    ? (error as Error).message
    : `${error}\n Please fix your mistakes.`;
  return new ToolMessage({ content, tool_call_id: toolCallId, name, status: 'error' });
}

function historyOf(messages: readonly BaseMessage[]): ChatMessage[] {
  const history: ChatMessage[] = [];
  for (const message of messages) {
    const role = ROLE[message.getType()];
    if (role === undefined) continue;
    history.push({ role, content: messageText(message) });
  }
  return history;
}
