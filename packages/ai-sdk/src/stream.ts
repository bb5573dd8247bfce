import type { CheckOptions, Guard, Verdict } from '@parapet/core';
import { isGuardBlocked, resolveBlock } from './block.js';
import type { ToolGate } from './tool-calls.js';
import type { FinishPart, StreamPart } from './types.js';

export interface StreamGuardOptions {
  readonly guard: Guard;
  readonly onBlock: 'throw' | 'fallback' | undefined;
  readonly holdBack: number | undefined;
  readonly context: CheckOptions;
  readonly tools: ToolGate | undefined;
}

/** Usage of a stream we stopped: the provider's own figures never arrive (it is cancelled). */
export const UNKNOWN_USAGE: FinishPart['usage'] = {
  inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: undefined, text: undefined, reasoning: undefined },
};

export const BLOCKED_FINISH = { unified: 'content-filter', raw: 'parapet-blocked' } as const;

/** A complete stream that says `text`: for an input blocked before the model was called. */
export function fallbackStream(text: string): ReadableStream<StreamPart> {
  const parts: StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    ...textParts('parapet-fallback', text),
    { type: 'finish', usage: UNKNOWN_USAGE, finishReason: BLOCKED_FINISH },
  ];
  return new ReadableStream<StreamPart>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

function textParts(id: string, text: string): StreamPart[] {
  return [
    { type: 'text-start', id },
    { type: 'text-delta', id, delta: text },
    { type: 'text-end', id },
  ];
}

/**
 * The model's stream with its text scanned and its tool calls decided. Each text block (`text-start` …
 * `text-end`) goes through `guard.scanStream` (held back by `holdBack` characters, so a match split across
 * deltas is caught before any of it is delivered). At a blocking match the source is cancelled: the block
 * ends with the fallback text and a `finish` with reason `content-filter`, or the stream errors with
 * `GuardBlockedError` in throw mode. Other parts keep their order; parts that arrive inside an open text
 * block are delivered right after it.
 */
export function guardStream(
  source: ReadableStream<StreamPart>,
  options: StreamGuardOptions,
): ReadableStream<StreamPart> {
  if (options.tools === undefined && !options.guard.hasDetectors('output')) return passStream(source, options);
  const reader = source.getReader();
  let sourceDone = false;
  const backlog: StreamPart[] = [];
  const next = async (): Promise<StreamPart | undefined> => {
    const queued = backlog.shift();
    if (queued !== undefined) return queued;
    if (sourceDone) return undefined;
    const { value, done } = await reader.read();
    if (done) {
      sourceDone = true;
      return undefined;
    }
    return value;
  };
  const stop = async (reason?: unknown): Promise<void> => {
    if (sourceDone) return;
    sourceDone = true;
    // Stops the generation at the provider (the HTTP response is aborted), not just our reading of it.
    await reader.cancel(reason).catch(() => undefined);
  };
  const parts = run(next, backlog, stop, options);
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      try {
        const { value, done } = await parts.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        await stop(error);
        controller.error(error);
      }
    },
    async cancel(reason) {
      await stop(reason);
      await parts.return(undefined);
    },
  });
}

/**
 * Nothing to scan and no tool gate: the parts go through as they came, one read and one enqueue each, and the
 * text of each block is checked once at its end, so the answer still gets its output verdict and audit event.
 */
function passStream(source: ReadableStream<StreamPart>, options: StreamGuardOptions): ReadableStream<StreamPart> {
  const { guard, context } = options;
  const reader = source.getReader();
  const texts = new Map<string, string>();
  return new ReadableStream<StreamPart>({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      if (value.type === 'text-delta') texts.set(value.id, (texts.get(value.id) ?? '') + value.delta);
      else if (value.type === 'text-end') {
        const text = texts.get(value.id);
        texts.delete(value.id);
        if (text !== undefined && text.length > 0) await guard.checkOutput(text, context);
      }
      controller.enqueue(value);
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

async function* run(
  next: () => Promise<StreamPart | undefined>,
  backlog: StreamPart[],
  stop: () => Promise<void>,
  options: StreamGuardOptions,
): AsyncGenerator<StreamPart, void, undefined> {
  const { guard, tools } = options;
  // Tool input parts wait for their tool-call: a denied call must leave no trace in the stream.
  const held = new Map<string, StreamPart[]>();
  const passThrough = new Set<string>();
  let allowedCalls = 0;
  let deniedCalls = 0;

  while (true) {
    const part = await next();
    if (part === undefined) break;
    if (part.type === 'text-start') {
      yield part;
      const id = part.id;
      const after: StreamPart[] = [];
      let end: StreamPart | undefined;
      async function* deltas(): AsyncGenerator<string> {
        while (true) {
          const inner = await next();
          if (inner === undefined) return;
          if (inner.type === 'text-delta' && inner.id === id) yield inner.delta;
          else if (inner.type === 'text-end' && inner.id === id) {
            end = inner;
            return;
          } else after.push(inner);
        }
      }
      let blocked: Verdict | undefined;
      try {
        const scanned = guard.scanStream(deltas(), {
          ...options.context,
          ...(options.holdBack !== undefined ? { holdBack: options.holdBack } : {}),
          onVerdict: (verdict) => {
            if (verdict.action === 'block') blocked = verdict;
          },
        });
        for await (const text of scanned) {
          // After a block the scanner yields the policy's fallback; ours (below) honours `onBlock`.
          if (blocked !== undefined) break;
          yield { type: 'text-delta', id, delta: text };
        }
      } catch (error) {
        if (!isGuardBlocked(error)) throw error;
        blocked = error.verdict;
      }
      if (blocked !== undefined) {
        await stop();
        const fallback = resolveBlock(guard, options.onBlock, blocked, options.context.tenant);
        yield { type: 'text-delta', id, delta: fallback };
        yield { type: 'text-end', id };
        yield { type: 'finish', usage: UNKNOWN_USAGE, finishReason: BLOCKED_FINISH };
        return;
      }
      yield end ?? { type: 'text-end', id };
      // Parts that came inside the block (another block's parts too) go through this loop in order.
      backlog.unshift(...after);
      continue;
    }
    if (tools === undefined) {
      yield part;
      continue;
    }
    switch (part.type) {
      case 'tool-input-start':
        if (part.providerExecuted === true) {
          passThrough.add(part.id);
          yield part;
        } else held.set(part.id, [part]);
        break;
      case 'tool-input-delta':
      case 'tool-input-end': {
        const waiting = passThrough.has(part.id) ? undefined : held.get(part.id);
        if (waiting === undefined) yield part;
        else waiting.push(part);
        break;
      }
      case 'tool-call': {
        // Tools the provider ran itself (web search…) already happened; there is nothing left to gate.
        if (part.providerExecuted === true) {
          yield part;
          break;
        }
        const waiting = held.get(part.toolCallId) ?? [];
        held.delete(part.toolCallId);
        const outcome = await tools(part);
        if (outcome.allowed) {
          allowedCalls++;
          yield* waiting;
          yield outcome.part;
        } else {
          deniedCalls++;
          yield* textParts(`parapet-denied-${part.toolCallId}`, outcome.message);
        }
        break;
      }
      case 'finish':
        for (const waiting of held.values()) yield* waiting;
        held.clear();
        // Every call was denied: nothing will run, so the step did not end "for tool calls".
        if (deniedCalls > 0 && allowedCalls === 0 && part.finishReason.unified === 'tool-calls') {
          yield { ...part, finishReason: { ...part.finishReason, unified: 'stop' } };
        } else yield part;
        break;
      default:
        yield part;
    }
  }
  for (const waiting of held.values()) yield* waiting;
}
