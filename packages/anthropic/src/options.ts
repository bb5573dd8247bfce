import type { ToolPolicy } from '@parapet/agent';
import { ArgumentError, type CheckOptions, type Guard, parseArgument, parseConfig } from '@parapet/core';
import { z } from 'zod';

/** The part of a `messages.create` request the adapter reads (structural, so any SDK version fits). */
export interface MessagesRequestLike {
  readonly model?: string;
  readonly messages: readonly unknown[];
  readonly system?: unknown;
  readonly stream?: boolean | null;
  readonly [key: string]: unknown;
}

/** Per-call context: a fixed object, or a function of the request (session from metadata, tenant…). */
export type AnthropicContext = CheckOptions | ((request: MessagesRequestLike) => CheckOptions | undefined);

export interface GuardAnthropicOptions {
  /**
   * What a blocking verdict does: `throw` a `GuardBlockedError`, or answer with a well-formed `Message` (or
   * event stream) carrying the guard's fallback text. Default: the guard policy's `onBlock.mode`.
   */
  readonly onBlock?: 'throw' | 'fallback';
  /** Decides every `tool_use` block the model proposes (and records `tool_result` blocks: taint, scanning). */
  readonly toolPolicy?: ToolPolicy;
  /**
   * A denied `tool_use` block: `throw` a `ToolDeniedError`, or `message`: replace it with a text block
   * carrying the denial (the application then has no call to run). Default: the tool policy's `onDeny`.
   */
  readonly onToolDeny?: 'throw' | 'message';
  /** Session, user, tenant… for the audit trail; the trace id is generated per call when missing. */
  readonly context?: AnthropicContext;
}

export interface ResolvedOptions {
  readonly onBlock: 'throw' | 'fallback' | undefined;
  readonly toolPolicy: ToolPolicy | undefined;
  readonly onToolDeny: 'throw' | 'message';
  readonly context: AnthropicContext | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const toolPolicySchema = z.custom<ToolPolicy>(
  (value) =>
    isObject(value) &&
    typeof value.check === 'function' &&
    typeof value.afterCall === 'function' &&
    typeof value.denialMessage === 'function',
  'must be a tool policy from toolPolicy() (@parapet/agent)',
);

const optionsSchema = z
  .object({
    onBlock: z.enum(['throw', 'fallback'], { error: () => 'must be "throw" or "fallback"' }).optional(),
    toolPolicy: toolPolicySchema.optional(),
    onToolDeny: z.enum(['throw', 'message'], { error: () => 'must be "throw" or "message"' }).optional(),
    context: z
      .custom<AnthropicContext>(
        (value) => typeof value === 'function' || (isObject(value) && !Array.isArray(value)),
        'must be a context object ({ session, user, tenant, … }) or a function (request) => context',
      )
      .optional(),
  })
  .strict();

const guardSchema = z.custom<Guard>(
  (value) =>
    isObject(value) &&
    typeof value.checkInput === 'function' &&
    typeof value.checkOutput === 'function' &&
    typeof value.scanStream === 'function' &&
    typeof value.enforceBlock === 'function',
  'must be a guard from createGuard() (@parapet/core)',
);

/** Validates the arguments of `guardAnthropic`; errors name the field and the fix. */
export function resolveOptions(client: unknown, guard: unknown, options: unknown): ResolvedOptions {
  const messages = isObject(client) ? client.messages : undefined;
  if (!isObject(messages) || typeof messages.create !== 'function') {
    throw new ArgumentError({
      message:
        'guardAnthropic(client, guard): client must be an Anthropic client (new Anthropic(), or a Bedrock/Vertex client) with messages.create.',
      issues: [{ path: 'client', message: 'has no messages.create function' }],
    });
  }
  parseArgument(guardSchema, guard, 'guardAnthropic(client, guard)', 'guard');
  const config = parseConfig(optionsSchema, options ?? {}, 'guardAnthropic() options');
  return {
    onBlock: config.onBlock,
    toolPolicy: config.toolPolicy,
    onToolDeny: config.onToolDeny ?? (config.toolPolicy?.onDeny === 'message' ? 'message' : 'throw'),
    context: config.context,
  };
}
