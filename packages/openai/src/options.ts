import type { ToolPolicy } from '@parapet/agent';
import type { CheckOptions, Guard, Verdict } from '@parapet/core';
import { parseConfig } from '@parapet/core';
import { z } from 'zod';
import { contextSchema } from './turn.js';

/** Which OpenAI endpoint a call went to. */
export type OpenAIApi = 'chat.completions' | 'responses';

/** What a `context` function receives: the endpoint and the request body as the caller passed it. */
export interface OpenAIRequestInfo {
  readonly api: OpenAIApi;
  readonly body: Readonly<Record<string, unknown>>;
}

/** What the `onVerdict` side channel receives next to each verdict. */
export interface VerdictInfo {
  readonly api: OpenAIApi;
  /** `true` for a verdict about a streamed answer (reported once the stream ended or was stopped). */
  readonly streamed: boolean;
}

export interface GuardOpenAIOptions {
  /**
   * What happens when a stage blocks: `throw` a `GuardBlockedError`, or answer with a `fallback` (a
   * well-formed ChatCompletion / Response / stream carrying the policy's fallback text). Default: the
   * guard policy's `onBlock.mode` (per tenant).
   */
  readonly onBlock?: 'throw' | 'fallback';
  /**
   * An `@parapet/agent` policy: every tool call the model asks for is checked before the response is
   * handed over; tool results sent back in the next request go through `policy.afterCall` (taint, scans).
   */
  readonly toolPolicy?: ToolPolicy;
  /**
   * What happens to a tool call the policy denies: `throw` a `ToolDeniedError`, or `message`: the call is
   * removed from the response and the denial message is added to the assistant's text. Default: the
   * policy's `onDeny`.
   */
  readonly onToolDenied?: 'throw' | 'message';
  /** Session, user, tenant, trace id… for the checks of each call: an object, or a function of the request. */
  readonly context?: CheckOptions | ((request: OpenAIRequestInfo) => CheckOptions);
  /**
   * `blocking` (default): the input is checked before the request is sent, so a blocked or redacted
   * prompt never reaches the provider. `parallel`: the request starts while the input is checked (lower
   * latency); a block aborts it, a redaction aborts it and sends the redacted request — but the provider
   * has already received the original prompt.
   */
  readonly inputMode?: 'blocking' | 'parallel';
  /**
   * Check the tool results the request sends back (the `tool` messages / `function_call_output` items after
   * the last assistant turn) with the guard's tool-output stage. Default `true`.
   */
  readonly checkToolResults?: boolean;
  /** Called with every verdict (input, tool output, output), for metrics or UI; must not throw. */
  readonly onVerdict?: (verdict: Verdict, info: VerdictInfo) => void;
}

const fn = (what: string) =>
  z.custom<(...args: any[]) => any>((value) => typeof value === 'function', `must be ${what}`);

export const guardSchema = z.custom<Guard>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Guard).checkInput === 'function' &&
    typeof (value as Guard).scanStream === 'function',
  'must be a guard from createGuard() (@parapet/core)',
);

const toolPolicySchema = z.custom<ToolPolicy>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ToolPolicy).check === 'function' &&
    typeof (value as ToolPolicy).afterCall === 'function',
  'must be a tool policy from toolPolicy() (@parapet/agent)',
);

const optionsSchema = z
  .object({
    onBlock: z.enum(['throw', 'fallback'], { error: () => 'must be "throw" or "fallback"' }).optional(),
    toolPolicy: toolPolicySchema.optional(),
    onToolDenied: z.enum(['throw', 'message'], { error: () => 'must be "throw" or "message"' }).optional(),
    context: z
      .union([fn('a context object or a function (request) => context'), z.object({}).passthrough()], {
        error: () => 'must be a context object ({ session, user, tenant, traceId }) or a function (request) => context',
      })
      .optional(),
    inputMode: z.enum(['blocking', 'parallel'], { error: () => 'must be "blocking" or "parallel"' }).optional(),
    checkToolResults: z.boolean({ error: () => 'must be true or false' }).optional(),
    onVerdict: fn('a function (verdict, info) => void').optional(),
  })
  .strict();

/** The validated options with defaults applied. */
export interface ResolvedOptions {
  readonly guard: Guard;
  readonly onBlock: 'throw' | 'fallback' | undefined;
  readonly toolPolicy: ToolPolicy | undefined;
  readonly onToolDenied: 'throw' | 'message';
  readonly context: GuardOpenAIOptions['context'];
  readonly inputMode: 'blocking' | 'parallel';
  readonly checkToolResults: boolean;
  readonly onVerdict: GuardOpenAIOptions['onVerdict'];
}

export function resolveOptions(guard: unknown, options: unknown): ResolvedOptions {
  const validGuard = parseConfig(guardSchema, guard, 'guardOpenAI(client, guard) argument', 'guard');
  const config = parseConfig(optionsSchema, options ?? {}, 'guardOpenAI() options', 'options');
  const toolPolicy = config.toolPolicy;
  return {
    guard: validGuard,
    onBlock: config.onBlock,
    toolPolicy,
    onToolDenied: config.onToolDenied ?? toolPolicy?.onDeny ?? 'throw',
    context:
      config.context === undefined || typeof config.context === 'function'
        ? (config.context as GuardOpenAIOptions['context'])
        : (parseConfig(contextSchema, config.context, 'guardOpenAI() options', 'options.context') as CheckOptions),
    inputMode: config.inputMode ?? 'blocking',
    checkToolResults: config.checkToolResults ?? true,
    onVerdict: config.onVerdict as GuardOpenAIOptions['onVerdict'],
  };
}
