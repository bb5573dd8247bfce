import { ArgumentError, type ChatMessage, type Verdict } from '@parapet/core';
import type { OpenAIApi, ResolvedOptions } from './options.js';
import { applyRedaction, joinSlots, type TextSlot } from './text-slots.js';
import { toolContextOf } from './tools.js';
import { startTurn, type Turn } from './turn.js';

/** A streamed result as the SDK returns it: async-iterable with the request's abort controller. */
export interface StreamLike<Item> extends AsyncIterable<Item> {
  readonly controller: AbortController;
}

/** A tool result sent back to the model in this request. */
export interface ToolResultSlot {
  readonly tool: string | undefined;
  readonly slots: TextSlot[];
}

/** What the input stage needs from a request, and the copy of it that will be sent. */
export interface PreparedRequest {
  /** The body to send: a shallow copy whose rewritten parts are copied, so the caller's body is never changed. */
  readonly sent: Record<string, unknown>;
  /** The user's text in this turn (the user messages after the last assistant turn). */
  readonly userSlots: TextSlot[];
  readonly toolResults: ToolResultSlot[];
  readonly systemPrompt: string | undefined;
  readonly history: ChatMessage[];
  /** A copy of `sent` that later slot rewrites do not touch (parallel mode sends it while checking). */
  snapshot(): Record<string, unknown>;
}

/** The endpoint-specific half of the adapter. */
export interface ApiHandler {
  readonly api: OpenAIApi;
  prepare(body: Record<string, unknown>): PreparedRequest;
  fallbackResponse(turn: Turn, body: Record<string, unknown>, text: string): unknown;
  fallbackStream(turn: Turn, body: Record<string, unknown>, text: string): unknown;
  guardResponse(turn: Turn, response: any): Promise<unknown>;
  guardStream(turn: Turn, stream: StreamLike<any>): unknown;
}

type Create = (body: any, options?: any) => PromiseLike<any> & { asResponse?: () => Promise<Response> };

/** The SDK's `APIPromise` helpers, kept on the promise the adapter returns. */
export type GuardedPromise<T> = Promise<T> & {
  asResponse(): Promise<Response>;
  withResponse(): Promise<{ data: T; response: Response; request_id: string | null }>;
};

const isStream = (value: unknown): value is StreamLike<unknown> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function' &&
  (value as { controller?: unknown }).controller instanceof AbortController;

class Blocked {
  constructor(readonly result: unknown) {}
}

export function guardedCreate(
  handler: ApiHandler,
  options: ResolvedOptions,
  original: Create,
  body: unknown,
  requestOptions: unknown,
): GuardedPromise<unknown> {
  let inner: ReturnType<Create> | undefined;
  // Boxed: resolving a promise with the SDK's APIPromise would adopt its outcome (and its rejection).
  let settleInner!: (value: { call: ReturnType<Create> | undefined }) => void;
  const innerBox = new Promise<{ call: ReturnType<Create> | undefined }>((resolve) => {
    settleInner = resolve;
  });
  const settle = (call: ReturnType<Create> | undefined) => settleInner({ call });

  const run = async (): Promise<unknown> => {
    try {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new ArgumentError({
          message: `guarded ${handler.api}.create(body): body must be the request object, e.g. { model, ${handler.api === 'responses' ? 'input' : 'messages'} }.`,
        });
      }
      const request = body as Record<string, unknown>;
      const prepared = handler.prepare(request);
      const turn = startTurn(options, handler.api, request, prepared.systemPrompt, prepared.history);
      const blocked = (verdict: Verdict): Blocked => {
        const text = turn.blockedText(verdict); // throws in throw mode
        return new Blocked(
          request.stream === true
            ? handler.fallbackStream(turn, request, text)
            : handler.fallbackResponse(turn, request, text),
        );
      };

      let result: unknown;
      if (options.inputMode === 'parallel') {
        const controller = new AbortController();
        const userSignal = (requestOptions as { signal?: AbortSignal } | undefined)?.signal;
        const signal = userSignal === undefined ? controller.signal : AbortSignal.any([userSignal, controller.signal]);
        const early = original(prepared.snapshot(), { ...(requestOptions as object), signal });
        // The early request may be aborted below; its rejection is then nobody's to handle.
        early.then(undefined, () => undefined);
        inner = early;
        let outcome: { changed: boolean } | Blocked;
        try {
          outcome = await checkRequest(turn, prepared, blocked);
        } catch (error) {
          controller.abort();
          throw error;
        }
        if (outcome instanceof Blocked || outcome.changed) {
          controller.abort();
        }
        if (outcome instanceof Blocked) {
          inner = undefined;
          settle(undefined);
          return outcome.result;
        }
        if (outcome.changed) inner = original(prepared.sent, requestOptions);
        settle(inner);
        result = await inner;
      } else {
        const outcome = await checkRequest(turn, prepared, blocked);
        if (outcome instanceof Blocked) {
          settle(undefined);
          return outcome.result;
        }
        inner = original(prepared.sent, requestOptions);
        settle(inner);
        result = await inner;
      }
      return isStream(result) ? handler.guardStream(turn, result) : await handler.guardResponse(turn, result);
    } finally {
      settle(inner);
    }
  };

  const data = run() as GuardedPromise<unknown>;
  const rawResponse = async (): Promise<Response> => {
    const { call } = await innerBox;
    if (call?.asResponse !== undefined) return call.asResponse();
    // Blocked before the request: describe the fallback as the provider would have.
    const value = await data;
    const isJson = typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function';
    return new Response(isJson ? JSON.stringify(value) : '', {
      status: 200,
      headers: { 'content-type': isJson ? 'application/json' : 'text/event-stream' },
    });
  };
  data.asResponse = rawResponse;
  data.withResponse = async () => {
    const [value, response] = await Promise.all([data, rawResponse()]);
    return { data: value, response, request_id: response.headers.get('x-request-id') };
  };
  return data;
}

/** Runs the tool-output and input stages over a prepared request; rewrites it in place on redaction. */
async function checkRequest(
  turn: Turn,
  prepared: PreparedRequest,
  blocked: (verdict: Verdict) => Blocked,
): Promise<{ changed: boolean } | Blocked> {
  const { guard, toolPolicy, checkToolResults } = turn.options;
  let changed = false;
  if (checkToolResults) {
    for (const result of prepared.toolResults) {
      const text = joinSlots(result.slots);
      const verdict = await guard.checkToolOutput(text, {
        ...turn.context,
        ...(result.tool !== undefined ? { tool: result.tool } : {}),
      });
      turn.report(verdict);
      if (verdict.action === 'block') return blocked(verdict);
      if (verdict.action === 'redact') {
        applyRedaction(result.slots, verdict);
        changed = true;
      }
      if (toolPolicy !== undefined && result.tool !== undefined && toolPolicy.watchesOutput(result.tool)) {
        // Taints the session when the tool is untrusted, and applies the policy's own output scanners.
        const outcome = await toolPolicy.afterCall(result.tool, joinSlots(result.slots), toolContextOf(turn));
        if (outcome.handling !== 'passed') {
          const [first, ...rest] = result.slots;
          first?.set(String(outcome.output));
          for (const slot of rest) slot.set('');
          changed = true;
        }
      }
    }
  }
  if (prepared.userSlots.length > 0) {
    const verdict = await guard.checkInput(joinSlots(prepared.userSlots), turn.context);
    turn.report(verdict);
    if (verdict.action === 'block') return blocked(verdict);
    if (verdict.action === 'redact') {
      applyRedaction(prepared.userSlots, verdict);
      changed = true;
    }
  }
  return { changed };
}
