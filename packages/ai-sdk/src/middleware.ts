import {
  ArgumentError,
  type CheckOptions,
  ConfigError,
  type Guard,
  newTraceId,
  parseConfig,
  type Verdict,
} from '@parapet/core';
import type { LanguageModelMiddleware } from 'ai';
import { resolveBlock } from './block.js';
import { type ContextResolver, optionsSchema, type ParapetMiddlewareOptions } from './options.js';
import { BLOCKED_FINISH, fallbackStream, guardStream, UNKNOWN_USAGE } from './stream.js';
import { checkTexts, conversationOf, lastUserIndex } from './texts.js';
import { type ToolGate, toolGate } from './tool-calls.js';
import type { CallOptions, Content, GenerateResult, PromptMessage } from './types.js';

/** What `transformParams` decided for one call, read back by `wrapGenerate` / `wrapStream`. */
interface CallState {
  readonly context: CheckOptions;
  /** Set when the input was blocked in fallback mode: the model is not called, this is the answer. */
  readonly fallback?: string;
}

function isGuard(value: unknown): value is Guard {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Guard).checkInput === 'function' &&
    typeof (value as Guard).checkOutput === 'function' &&
    typeof (value as Guard).scanStream === 'function' &&
    typeof (value as Guard).enforceBlock === 'function'
  );
}

/**
 * A `LanguageModelV4Middleware` (ai@7) that puts a Parapet guard around a model:
 * - `transformParams` checks the last user message: a block throws `GuardBlockedError` or (fallback mode)
 *   answers with the fallback without calling the model; a redaction rewrites the prompt the provider gets.
 * - `wrapGenerate` checks the text of the answer (redact / block) and decides its tool calls.
 * - `wrapStream` scans streamed text with a bounded hold-back; nothing past a blocking match is delivered.
 *
 * @example
 * const model = wrapLanguageModel({ model: openai('gpt-4.1'), middleware: parapetMiddleware(guard) });
 */
export function parapetMiddleware(guard: Guard, options: ParapetMiddlewareOptions = {}): LanguageModelMiddleware {
  if (!isGuard(guard)) {
    throw new ArgumentError({
      message: 'parapetMiddleware(guard): guard must come from createGuard() of @parapet/core.',
    });
  }
  if (options === null || typeof options !== 'object') {
    throw new ConfigError({
      message: 'parapetMiddleware(guard, options): options must be an object, e.g. { onBlock: "fallback" }.',
    });
  }
  const config = parseConfig(optionsSchema, options, 'parapetMiddleware() options');
  const { onBlock, holdBack } = config;
  const policy = options.toolPolicy;
  const onToolDeny = config.onToolDeny ?? policy?.onDeny ?? 'throw';
  const resolver: ContextResolver | undefined = typeof options.context === 'function' ? options.context : undefined;
  const fixed: CheckOptions | undefined = typeof options.context === 'object' ? options.context : undefined;
  // Per model call: the params object transformParams returned is the one wrapGenerate/wrapStream receive.
  const states = new WeakMap<CallOptions, CallState>();

  const contextFor = (type: 'generate' | 'stream', params: CallOptions, lastUser: number): CheckOptions => {
    let given = fixed;
    if (resolver !== undefined) {
      const resolved = resolver({ type, params });
      if (resolved !== undefined && (resolved === null || typeof resolved !== 'object' || Array.isArray(resolved))) {
        throw new ArgumentError({
          message:
            'parapetMiddleware options.context: the function must return a context object ({ session, user, tenant, traceId, … }) or undefined.',
        });
      }
      given = resolved;
    }
    const conversation = conversationOf(params.prompt, lastUser < 0 ? params.prompt.length : lastUser);
    return {
      ...conversation,
      ...given,
      traceId: given?.traceId ?? newTraceId(),
      ...(given?.signal === undefined && params.abortSignal !== undefined ? { signal: params.abortSignal } : {}),
    };
  };

  const stateOf = (type: 'generate' | 'stream', params: CallOptions): CallState =>
    states.get(params) ?? { context: contextFor(type, params, lastUserIndex(params.prompt)) };

  const gateFor = (context: CheckOptions): ToolGate | undefined =>
    policy === undefined ? undefined : toolGate(policy, onToolDeny, context);

  return {
    specificationVersion: 'v4',

    async transformParams({ type, params }) {
      const lastUser = lastUserIndex(params.prompt);
      const context = contextFor(type, params, lastUser);
      const message = lastUser < 0 ? undefined : params.prompt[lastUser];
      if (message === undefined || message.role !== 'user') {
        states.set(params, { context });
        return params;
      }
      const texts: string[] = [];
      for (const part of message.content) if (part.type === 'text') texts.push(part.text);
      if (texts.length === 0) {
        states.set(params, { context });
        return params;
      }
      const { verdict, texts: safe } = await checkTexts((text) => guard.checkInput(text, context), texts);
      if (verdict.action === 'block') {
        const fallback = resolveBlock(guard, onBlock, verdict, context.tenant);
        // A fresh object: its state must not leak to another call that reuses these params.
        const blocked = { ...params };
        states.set(blocked, { context, fallback });
        return blocked;
      }
      if (verdict.action !== 'redact' || sameTexts(texts, safe)) {
        states.set(params, { context });
        return params;
      }
      const prompt = [...params.prompt];
      prompt[lastUser] = { ...message, content: rewriteUserContent(message, safe, verdict) } as PromptMessage;
      const redacted: CallOptions = { ...params, prompt };
      states.set(redacted, { context });
      return redacted;
    },

    async wrapGenerate({ doGenerate, params }) {
      const state = stateOf('generate', params);
      if (state.fallback !== undefined) return fallbackResult(state.fallback);
      const result = await doGenerate();
      const { context } = state;
      let content = result.content;
      const textIndexes: number[] = [];
      content.forEach((part, index) => {
        if (part.type === 'text' && part.text.length > 0) textIndexes.push(index);
      });
      if (textIndexes.length > 0) {
        const texts = textIndexes.map((index) => (content[index] as Extract<Content, { type: 'text' }>).text);
        const { verdict, texts: safe } = await checkTexts((text) => guard.checkOutput(text, context), texts);
        if (verdict.action === 'block') {
          const fallback = resolveBlock(guard, onBlock, verdict, context.tenant);
          // The whole answer is withheld (its reasoning and tool calls may carry the same content).
          return { ...result, content: [{ type: 'text', text: fallback }], finishReason: BLOCKED_FINISH };
        }
        if (verdict.action === 'redact' && !sameTexts(texts, safe)) {
          content = replaceTexts(content, textIndexes, safe, verdict);
        }
      }
      const gate = gateFor(context);
      let finishReason = result.finishReason;
      if (gate !== undefined && content.some((part) => part.type === 'tool-call')) {
        const decided: Content[] = [];
        let allowed = 0;
        let denied = 0;
        for (const part of content) {
          if (part.type !== 'tool-call' || part.providerExecuted === true) {
            decided.push(part);
            continue;
          }
          const outcome = await gate(part);
          if (outcome.allowed) {
            allowed++;
            decided.push(outcome.part);
          } else {
            denied++;
            decided.push({ type: 'text', text: outcome.message });
          }
        }
        content = decided;
        // Every call was denied: nothing will run, so the step did not end "for tool calls".
        if (denied > 0 && allowed === 0 && finishReason.unified === 'tool-calls') {
          finishReason = { ...finishReason, unified: 'stop' };
        }
      }
      return content === result.content && finishReason === result.finishReason
        ? result
        : { ...result, content, finishReason };
    },

    async wrapStream({ doStream, params }) {
      const state = stateOf('stream', params);
      if (state.fallback !== undefined) return { stream: fallbackStream(state.fallback) };
      const { stream, ...rest } = await doStream();
      return {
        ...rest,
        stream: guardStream(stream, {
          guard,
          onBlock,
          holdBack,
          context: state.context,
          tools: gateFor(state.context),
        }),
      };
    },
  };
}

function sameTexts(a: readonly string[], b: readonly string[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((text, index) => text === b[index]);
}

/** The user message's parts with the safe texts in place (or all of it in the first text part). */
function rewriteUserContent(
  message: Extract<PromptMessage, { role: 'user' }>,
  safe: readonly string[] | undefined,
  verdict: Verdict,
): typeof message.content {
  let textIndex = 0;
  const out: typeof message.content = [];
  for (const part of message.content) {
    if (part.type !== 'text') {
      out.push(part);
      continue;
    }
    const index = textIndex++;
    if (safe !== undefined) out.push({ ...part, text: safe[index]! });
    else if (index === 0) out.push({ ...part, text: verdict.text });
  }
  return out;
}

function replaceTexts(
  content: GenerateResult['content'],
  indexes: readonly number[],
  safe: readonly string[] | undefined,
  verdict: Verdict,
): GenerateResult['content'] {
  const out = [...content];
  indexes.forEach((at, index) => {
    const part = out[at] as Extract<Content, { type: 'text' }>;
    if (safe !== undefined) out[at] = { ...part, text: safe[index]! };
    else out[at] = { ...part, text: index === 0 ? verdict.text : '' };
  });
  return out;
}

/** A complete, well-formed answer carrying the fallback, for an input blocked before the model call. */
function fallbackResult(text: string): GenerateResult {
  return {
    content: [{ type: 'text', text }],
    finishReason: BLOCKED_FINISH,
    usage: UNKNOWN_USAGE,
    warnings: [],
  };
}
