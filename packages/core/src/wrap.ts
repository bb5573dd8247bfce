import { z } from 'zod';
import { ArgumentError } from './errors.js';
import type { CheckOptions, Guard } from './guard.js';
import type { Verdict } from './types.js';
import { parseConfig } from './validate.js';

const fn = (what: string) =>
  z.custom<(...args: any[]) => any>((value) => typeof value === 'function', `must be a function ${what}`);

const wrapOptionsSchema = z
  .object({
    guard: z.custom<Guard>(
      (value) => typeof value === 'object' && value !== null && typeof (value as Guard).checkInput === 'function',
      'must be a guard from createGuard()',
    ),
    input: z
      .object({ get: fn('(request) => string'), set: fn('(request, text) => request').optional() })
      .strict()
      .optional(),
    output: z
      .object({ get: fn('(response) => string'), set: fn('(response, text) => response').optional() })
      .strict()
      .optional(),
    context: fn('(request) => context').optional(),
    onBlock: fn('(verdict, request) => response').optional(),
  })
  .strict()
  .refine((value) => value.input !== undefined || value.output !== undefined, {
    message: 'give input and/or output extractors; with neither there is nothing to check',
    path: ['input'],
  });

export interface GuardWrapOptions<Request, Response> {
  readonly guard: Guard;
  /** Where the user's text is in a request; `set` puts the redacted text back (without it, redaction blocks). */
  readonly input?: { get(request: Request): string; set?(request: Request, text: string): Request };
  /** Where the model's text is in a response; `set` puts the redacted text back (without it, redaction blocks). */
  readonly output?: { get(response: Response): string; set?(response: Response, text: string): Response };
  /** Session, user, tenant… for each request. */
  readonly context?: (request: Request) => CheckOptions;
  /**
   * Builds the response to return when a stage blocks. Without it, the guard's policy decides: throw
   * `GuardBlockedError`, or put the fallback text into the response with `output.set`.
   */
  readonly onBlock?: (verdict: Verdict, request: Request) => Response | Promise<Response>;
}

/**
 * Wraps any `(request) => Promise<response>` so its input is checked before the call and its output after.
 *
 * @example
 * const ask = guard(async (question: string) => callMyModel(question), {
 *   guard: myGuard, input: { get: (q) => q, set: (_q, text) => text }, output: { get: (a) => a, set: (_a, text) => text },
 * });
 */
export function guard<Request, Response>(
  call: (request: Request) => Promise<Response> | Response,
  options: GuardWrapOptions<Request, Response>,
): (request: Request) => Promise<Response> {
  if (typeof call !== 'function') {
    throw new ArgumentError({ message: 'guard(fn, options): fn must be a function (request) => Promise<response>.' });
  }
  const config = parseConfig(wrapOptionsSchema, options, 'guard() options') as unknown as GuardWrapOptions<
    Request,
    Response
  >;
  const target = config.guard;

  const blocked = async (
    verdict: Verdict,
    request: Request,
    tenant: string | undefined,
    response?: Response,
  ): Promise<Response> => {
    if (config.onBlock !== undefined) return config.onBlock(verdict, request);
    const fallback = target.enforceBlock(verdict, { tenant }); // throws in "throw" mode
    if (response !== undefined && config.output?.set !== undefined) return config.output.set(response, fallback);
    if (verdict.stage === 'input' && config.output?.set !== undefined) {
      throw new ArgumentError({
        message:
          'guard(): the input was blocked in fallback mode, but there is no response to put the fallback into. Pass onBlock: (verdict, request) => response.',
      });
    }
    throw new ArgumentError({
      message:
        'guard(): blocked in fallback mode, but no way to build a response from the fallback text. Pass onBlock, or output.set.',
    });
  };

  return async (request: Request): Promise<Response> => {
    const context = { ...(config.context?.(request) ?? {}) };
    const traceId = context.traceId ?? globalThis.crypto.randomUUID();
    let current = request;
    if (config.input !== undefined) {
      const text = config.input.get(request);
      const verdict = await target.checkInput(text, { ...context, traceId });
      if (verdict.action === 'block' || (verdict.action === 'redact' && config.input.set === undefined)) {
        return blocked(verdict.action === 'block' ? verdict : { ...verdict, action: 'block' }, request, context.tenant);
      }
      if (verdict.action === 'redact') current = config.input.set!(request, verdict.text);
    }
    const response = await call(current);
    if (config.output === undefined) return response;
    const verdict = await target.checkOutput(config.output.get(response), { ...context, traceId });
    if (verdict.action === 'block' || (verdict.action === 'redact' && config.output.set === undefined)) {
      return blocked(
        verdict.action === 'block' ? verdict : { ...verdict, action: 'block' },
        request,
        context.tenant,
        response,
      );
    }
    if (verdict.action === 'redact') return config.output.set!(response, verdict.text);
    return response;
  };
}
