import { ArgumentError, type Guard } from '@parapet/core';
import { type ApiHandler, guardedCreate } from './call.js';
import { chatHandler } from './chat.js';
import { type GuardOpenAIOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { responsesHandler } from './responses.js';

type AnyObject = Record<PropertyKey, any>;

/**
 * A view of `target` where `overrides` replace some properties and everything else is the target's own,
 * with methods bound to the target (the SDK's classes keep state in private fields, which a Proxy
 * receiver cannot reach).
 */
function overlay<T extends object>(target: T, overrides: Record<PropertyKey, () => unknown>): T {
  const bound = new Map<PropertyKey, { source: unknown; fn: unknown }>();
  return new Proxy(target, {
    get(object, property) {
      const override = overrides[property];
      if (override !== undefined && Object.hasOwn(overrides, property)) return override();
      const value = Reflect.get(object, property, object);
      if (typeof value !== 'function' || property === 'constructor') return value;
      const cached = bound.get(property);
      if (cached !== undefined && cached.source === value) return cached.fn;
      const fn = (value as (...args: unknown[]) => unknown).bind(object);
      bound.set(property, { source: value, fn });
      return fn;
    },
  });
}

function resourceWithCreate(resource: AnyObject, handler: ApiHandler, options: ResolvedOptions): AnyObject {
  const create = resource.create;
  if (typeof create !== 'function') return resource;
  const original = create.bind(resource);
  const guarded = (body: unknown, requestOptions?: unknown) =>
    guardedCreate(handler, options, original, body, requestOptions);
  return overlay(resource, { create: () => guarded });
}

/** A cache of one derived view per source object, rebuilt if the client's property is replaced. */
function lazy<S extends object>(read: () => S | undefined, build: (source: S) => unknown): () => unknown {
  let source: S | undefined;
  let view: unknown;
  return () => {
    const current = read();
    if (current === undefined || current === null || typeof current !== 'object') return current;
    if (current !== source) {
      source = current;
      view = build(current);
    }
    return view;
  };
}

/**
 * Wraps an OpenAI client so `chat.completions.create` and `responses.create` go through the guard:
 * the input (the user's new messages and the tool results sent back) is checked before the request is
 * sent, redactions rewrite what is sent, the answer's text is scanned (as it streams, for streams), and
 * the model's tool calls are decided by `options.toolPolicy`. Returns the same client type; every other
 * resource and method is the client's own.
 *
 * @example
 * const client = guardOpenAI(new OpenAI(), guard, { onBlock: 'fallback' });
 * const completion = await client.chat.completions.create({ model: 'gpt-5', messages });
 */
export function guardOpenAI<Client extends object>(client: Client, guard: Guard, options?: GuardOpenAIOptions): Client {
  if (client === null || typeof client !== 'object') {
    throw new ArgumentError({
      message: 'guardOpenAI(client, guard): client must be an OpenAI client instance (new OpenAI({ ... })).',
    });
  }
  const target = client as AnyObject;
  const chat = target.chat as AnyObject | undefined;
  if (
    typeof chat?.completions?.create !== 'function' &&
    typeof (target.responses as AnyObject | undefined)?.create !== 'function'
  ) {
    throw new ArgumentError({
      message:
        'guardOpenAI(client, guard): client has neither chat.completions.create nor responses.create. Pass an OpenAI client from the "openai" package (v6 or v7).',
    });
  }
  const resolved = resolveOptions(guard, options);
  const chatView = lazy(
    () => target.chat as AnyObject | undefined,
    (source) => {
      const completions = lazy(
        () => source.completions as AnyObject | undefined,
        (resource) => resourceWithCreate(resource, chatHandler, resolved),
      );
      return overlay(source, { completions });
    },
  );
  const responsesView = lazy(
    () => target.responses as AnyObject | undefined,
    (resource) => resourceWithCreate(resource, responsesHandler, resolved),
  );
  return overlay(client, { chat: chatView, responses: responsesView });
}
