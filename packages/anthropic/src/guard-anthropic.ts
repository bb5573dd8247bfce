import { Stream } from '@anthropic-ai/sdk/core/streaming';
import type { Message, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { ArgumentError, type Guard, ParapetError } from '@parapet/core';
import { GuardedAPIPromise, type GuardedResult } from './guarded-promise.js';
import { fallbackEvents, fallbackMessage, guardMessage } from './message.js';
import {
  type GuardAnthropicOptions,
  type MessagesRequestLike,
  type ResolvedOptions,
  resolveOptions,
} from './options.js';
import { checkRequest } from './request.js';
import { guardEvents, passEvents } from './stream-events.js';
import { modelCallEnded, resolveBlock, startTurn } from './turn.js';

/** The shape `guardAnthropic` needs: a client with a `messages` resource (Anthropic, Bedrock, Vertex, Foundry). */
export interface AnthropicClientLike {
  readonly messages: { create(...args: any[]): any };
}

type Create = (request: MessagesRequestLike, requestOptions?: unknown) => any;
type Loose = Record<string, any>;

const blockedResponse = () => new Response(null, { status: 200, headers: { 'x-parapet-blocked': 'input' } });

/** Server-sent events, as the API sends them, for `asResponse()` on a guarded stream. */
function sseResponse(stream: AsyncIterable<RawMessageStreamEvent>, upstream: Response): Response {
  const encoder = new TextEncoder();
  const iterator = stream[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(`event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, { status: upstream.status, headers: upstream.headers });
}

function jsonResponse(message: Message, upstream: Response): Response {
  const headers = new Headers(upstream.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(JSON.stringify(message), { status: upstream.status, headers });
}

function checkRequestShape(request: unknown): asserts request is MessagesRequestLike {
  if (typeof request !== 'object' || request === null || !Array.isArray((request as Loose).messages)) {
    throw new ArgumentError({
      message:
        'messages.create(params): params must be an object with a messages array, e.g. { model, max_tokens, messages: [{ role: "user", content: "…" }] }.',
      issues: [{ path: 'params.messages', message: 'must be an array of messages' }],
    });
  }
}

function guardedCreate(create: Create, client: unknown, guard: Guard, options: ResolvedOptions) {
  const run = async (
    request: MessagesRequestLike,
    requestOptions: unknown,
  ): Promise<GuardedResult<Message | Stream<RawMessageStreamEvent>>> => {
    checkRequestShape(request);
    const turn = startTurn(guard, options, request);
    const streaming = request.stream === true;
    const checked = await checkRequest(turn, request);
    if (checked.blocked !== undefined) {
      // Never sent: the fallback (or the thrown error) is all the caller gets.
      const text = resolveBlock(turn, checked.blocked);
      if (streaming) {
        const stream = new Stream(() => fallbackEvents(turn, text), new AbortController(), client as never);
        return {
          data: stream,
          response: blockedResponse(),
          toResponse: () => sseResponse(stream, blockedResponse()),
        };
      }
      const message = fallbackMessage(turn, text);
      return { data: message, response: blockedResponse(), toResponse: () => jsonResponse(message, blockedResponse()) };
    }
    const started = performance.now();
    const { data, response } = await create(checked.request, requestOptions).withResponse();
    if (streaming) {
      const upstream = data as Stream<RawMessageStreamEvent>;
      let stream: Stream<RawMessageStreamEvent>;
      if (options.toolPolicy === undefined && !guard.hasDetectors('output')) {
        // Nothing to scan, nothing the guard would stop: the upstream's own controller will do.
        stream = new Stream(() => passEvents(turn, upstream, started), upstream.controller, client as never);
      } else {
        // Its own controller: the guard closing the upstream after a block is not a user abort (MessageStream
        // reports an aborted controller as APIUserAbortError), while a user abort still reaches the upstream.
        const controller = new AbortController();
        controller.signal.addEventListener('abort', () => upstream.controller.abort(), { once: true });
        stream = new Stream(() => guardEvents(turn, upstream, started), controller, client as never);
      }
      return { data: stream, response, toResponse: () => sseResponse(stream, response) };
    }
    modelCallEnded(turn, started);
    const message = await guardMessage(turn, data as Message);
    return { data: message, response, toResponse: () => jsonResponse(message, response) };
  };
  return (request: MessagesRequestLike, requestOptions?: unknown) =>
    new GuardedAPIPromise(run(request, requestOptions));
}

/**
 * `MessageStream` turns any error that is not an `AnthropicError` into one (the original as `cause`). The
 * guard's typed errors are put back, so `finalMessage()`, `on('error')` and `for await` reject with the
 * `GuardBlockedError` / `ToolDeniedError` itself.
 */
function keepTypedErrors<T extends object>(messageStream: T): T {
  const stream = messageStream as Loose;
  const emit = stream._emit;
  if (typeof emit !== 'function') return messageStream;
  stream._emit = function (this: unknown, event: string, ...args: unknown[]) {
    if (event === 'error' && ParapetError.isInstance((args[0] as Loose | undefined)?.cause)) {
      args[0] = (args[0] as Loose).cause;
    }
    return emit.call(this, event, ...args);
  };
  return messageStream;
}

function guardMessages(messages: Loose, client: unknown, guard: Guard, options: ResolvedOptions): Loose {
  const create = guardedCreate(messages.create.bind(messages), client, guard, options);
  const bound = new Map<PropertyKey, unknown>();
  const proxy: Loose = new Proxy(messages, {
    get(target, property, receiver) {
      if (property === 'create') return create;
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'stream') {
        // The SDK's own helper, run with `this` = this proxy: it calls `this.create(…, stream: true)` and so
        // reads the guarded event stream; `on('text')`, `finalMessage()` and `for await` see guarded text.
        return (...args: unknown[]) => keepTypedErrors(value.apply(receiver, args));
      }
      // `parse` also goes through `this.create`; other methods (countTokens, batches) act on the original.
      if (property === 'parse') return (...args: unknown[]) => value.apply(receiver, args);
      let fn = bound.get(property);
      if (fn === undefined) {
        fn = value.bind(target);
        bound.set(property, fn);
      }
      return fn;
    },
  });
  return proxy;
}

/**
 * Wraps an Anthropic client so `messages.create` (streaming or not) and `messages.stream` are guarded: the
 * last user turn is checked (and redacted) before the request is sent, text blocks are scanned (streamed
 * text with a bounded hold-back), `tool_use` blocks are decided by `options.toolPolicy`. Returns a Proxy of
 * the same type; everything else on the client is untouched.
 *
 * @example
 * const client = guardAnthropic(new Anthropic(), guard, { context: { session: 'sess-1', user: 'u-7' } });
 * const message = await client.messages.create({ model, max_tokens: 1024, messages });
 */
export function guardAnthropic<Client extends AnthropicClientLike>(
  client: Client,
  guard: Guard,
  options?: GuardAnthropicOptions,
): Client {
  const resolved = resolveOptions(client, guard, options);
  let messagesProxy: Loose | undefined;
  let messagesTarget: unknown;
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, property) {
      if (property === 'messages') {
        const messages = (target as Loose).messages;
        if (messagesProxy === undefined || messagesTarget !== messages) {
          messagesTarget = messages;
          messagesProxy = guardMessages(messages, target, guard, resolved);
        }
        return messagesProxy;
      }
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // A copy with other options (`withOptions`) is guarded the same way, not a way around the guard.
      if (property === 'withOptions') {
        return (...args: unknown[]) => guardAnthropic(value.apply(target, args), guard, options);
      }
      // Client methods use private fields, so they run on the client itself, not on the proxy.
      let fn = bound.get(property);
      if (fn === undefined) {
        fn = value.bind(target);
        bound.set(property, fn);
      }
      return fn;
    },
  });
}
