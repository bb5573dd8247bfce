import type { ToolPolicy } from '@parapet/agent';
import { type CheckOptions, checkOptionsSchema } from '@parapet/core';
import { z } from 'zod';
import type { CallOptions } from './types.js';

/** What a `context` function receives: the model call about to be made. */
export interface ContextRequest {
  /** `generate` (generateText, generateObject) or `stream` (streamText, streamObject). */
  readonly type: 'generate' | 'stream';
  /** The call options as the AI SDK passes them to the model (prompt, tools, headers, providerOptions…). */
  readonly params: CallOptions;
}

export type ContextResolver = (request: ContextRequest) => CheckOptions | undefined;

export interface ParapetMiddlewareOptions {
  /**
   * What a block does: `throw` a `GuardBlockedError`, or answer with the policy's `fallback` text as a
   * well-formed model response (finish reason `content-filter`). Default: the guard policy's `onBlock.mode`.
   */
  readonly onBlock?: 'throw' | 'fallback';
  /**
   * Who the call is for (session, user, tenant, traceId, metadata…), shared by the input check, the output
   * check and the tool decisions of one model call. A function is called once per model call.
   */
  readonly context?: CheckOptions | ContextResolver;
  /**
   * An `@parapet/agent` tool policy: every tool call the model emits is decided before the AI SDK sees it.
   * Allowed calls pass (with the policy-validated arguments); denied ones are handled per `onToolDeny`.
   */
  readonly toolPolicy?: ToolPolicy;
  /**
   * A denied tool call: `message` replaces it with a text part carrying the policy's denial message (the
   * tool never runs, the chat shows why); `throw` fails the call with `ToolDeniedError`. Default: the
   * policy's `onDeny`.
   */
  readonly onToolDeny?: 'throw' | 'message';
  /** Characters of streamed text held back before delivery (default: the guard's `stream.holdBack`, 64). */
  readonly holdBack?: number;
}

const fn = <T>(what: string) => z.custom<T>((value) => typeof value === 'function', `must be ${what}`);

// The core's own schema of a check's context: one definition for every adapter.
const contextObject = checkOptionsSchema;

const toolPolicySchema = z.custom<ToolPolicy>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ToolPolicy).check === 'function' &&
    typeof (value as ToolPolicy).denialMessage === 'function',
  'must be a tool policy from toolPolicy() of @parapet/agent',
);

export const optionsSchema = z
  .object({
    onBlock: z.enum(['throw', 'fallback'], { error: () => 'must be "throw" or "fallback"' }).optional(),
    context: z
      .union([fn<ContextResolver>('a function'), contextObject], {
        error: () => 'must be a context object ({ session, user, tenant, traceId, … }) or a function returning one',
      })
      .optional(),
    toolPolicy: toolPolicySchema.optional(),
    onToolDeny: z.enum(['throw', 'message'], { error: () => 'must be "throw" or "message"' }).optional(),
    holdBack: z
      .number({ error: () => 'must be a whole number of characters >= 0' })
      .int('must be a whole number of characters >= 0')
      .min(0, 'must be a whole number of characters >= 0')
      .max(1_000_000, 'must be at most 1000000')
      .optional(),
  })
  .strict();
