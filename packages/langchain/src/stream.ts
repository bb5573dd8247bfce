import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import {
  type CheckOptions,
  checkOptionsSchema,
  type Guard,
  newTraceId,
  parseArgument,
  type Verdict,
} from '@parapet/core';
import { z } from 'zod';
import { blockOutcome } from './blocking.js';
import { messageText } from './messages.js';
import { assertGuard } from './options.js';

export interface GuardMessageStreamOptions extends CheckOptions {
  /** Blocking: throw `GuardBlockedError`, or end the stream with the fallback text. Default: the guard policy's `onBlock`. */
  readonly onBlock?: 'throw' | 'fallback';
  /** Characters held back before release (default: the guard's `stream.holdBack`). */
  readonly holdBack?: number;
}

const optionsSchema = checkOptionsSchema
  .extend({
    onBlock: z.enum(['throw', 'fallback']).optional(),
    holdBack: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();

interface MessageItem {
  readonly chunk: BaseMessage;
  /** The same item with another message in the chunk's place (the metadata and stream mode are kept). */
  wrap(chunk: BaseMessage): unknown;
}

function isMessage(value: unknown): value is BaseMessage {
  return typeof value === 'object' && value !== null && typeof (value as BaseMessage).getType === 'function';
}

/**
 * A `messages` item of `agent.stream()`: `[message, metadata]` (`streamMode: 'messages'`), `['messages',
 * [message, metadata]]` (several modes), or `[namespace, 'messages', [message, metadata]]` (with subgraphs).
 */
function messageItem(item: unknown): MessageItem | undefined {
  if (!Array.isArray(item)) return undefined;
  if (item.length === 2 && isMessage(item[0])) return { chunk: item[0], wrap: (chunk) => [chunk, item[1]] };
  if (item.length === 2 && item[0] === 'messages' && Array.isArray(item[1]) && isMessage(item[1][0])) {
    const metadata = item[1][1];
    return { chunk: item[1][0], wrap: (chunk) => ['messages', [chunk, metadata]] };
  }
  if (item.length === 3 && item[1] === 'messages' && Array.isArray(item[2]) && isMessage(item[2][0])) {
    const namespace = item[0];
    const metadata = item[2][1];
    return { chunk: item[2][0], wrap: (chunk) => [namespace, 'messages', [chunk, metadata]] };
  }
  return undefined;
}

/**
 * Scans the model's tokens in an agent stream (`agent.stream(input, { streamMode: 'messages' })`, alone or
 * among other modes) with `guard.scanStream`: each streamed AI message's text is held back and released only
 * once scanned, so a blocking match stops the stream before its first character; a redaction applies across
 * chunk borders. On a block the stream ends with the fallback text as the message's last chunk, or throws
 * `GuardBlockedError`, and the agent run is cancelled. Other items (tool messages, `updates`, `values`) and
 * whole messages written by nodes pass through unchanged; an AI message's tool-call chunks and token usage
 * follow its text as one chunk.
 */
export async function* guardMessageStream<T>(
  guard: Guard,
  stream: AsyncIterable<T>,
  options: GuardMessageStreamOptions = {},
): AsyncGenerator<T, void, undefined> {
  assertGuard(guard, 'guardMessageStream(guard, stream)');
  if (typeof (stream as AsyncIterable<T> | undefined)?.[Symbol.asyncIterator] !== 'function') {
    parseArgument(
      z.custom(() => false, 'must be an async iterable: the result of agent.stream(input, { streamMode: "messages" })'),
      stream,
      'guardMessageStream(guard, stream)',
      'stream',
    );
  }
  const { onBlock, holdBack, ...parsed } = parseArgument(
    optionsSchema,
    options,
    'guardMessageStream(guard, stream, options)',
    'options',
  );
  const context = parsed as CheckOptions;
  const traceId = context.traceId ?? newTraceId();
  const iterator = stream[Symbol.asyncIterator]();
  if (!guard.hasDetectors('output')) {
    yield* passMessages(guard, iterator, { ...context, traceId });
    return;
  }
  let lookahead: IteratorResult<T> | undefined;
  const pull = (): Promise<IteratorResult<T>> => {
    if (lookahead !== undefined) {
      const held = lookahead;
      lookahead = undefined;
      return Promise.resolve(held);
    }
    return iterator.next();
  };
  let exhausted = false;
  try {
    while (true) {
      const step = await pull();
      if (step.done === true) {
        exhausted = true;
        return;
      }
      const first = messageItem(step.value);
      if (first === undefined || !AIMessageChunk.isInstance(first.chunk)) {
        yield step.value;
        continue;
      }
      const id = first.chunk.id;
      // The chunks that carry more than text (tool-call pieces, usage, the finish reason on an empty chunk),
      // merged once at the end: concatenating every text chunk too would cost a message copy per token.
      const extras: AIMessageChunk[] = [];
      const keep = (chunk: AIMessageChunk): void => {
        if (
          (chunk.tool_call_chunks?.length ?? 0) > 0 ||
          chunk.usage_metadata !== undefined ||
          messageText(chunk) === ''
        )
          extras.push(chunk);
      };
      keep(first.chunk);
      // The message's text, read from the agent stream; the first item of another message is kept for later.
      const texts = async function* (): AsyncGenerator<string> {
        const text = messageText(first.chunk);
        if (text.length > 0) yield text;
        while (true) {
          const next = await pull();
          const item = next.done === true ? undefined : messageItem(next.value);
          if (item === undefined || !AIMessageChunk.isInstance(item.chunk) || item.chunk.id !== id) {
            lookahead = next;
            return;
          }
          keep(item.chunk);
          const piece = messageText(item.chunk);
          if (piece.length > 0) yield piece;
        }
      };
      let verdict: Verdict | undefined;
      const scanned = guard.scanStream(texts(), {
        ...context,
        traceId,
        ...(holdBack !== undefined ? { holdBack } : {}),
        onVerdict: (value) => {
          verdict = value;
        },
      });
      try {
        for await (const piece of scanned) {
          // After a block the guard yields its own fallback; this adapter's `onBlock` decides instead.
          if (verdict?.action === 'block') break;
          yield first.wrap(new AIMessageChunk({ content: piece, ...(id !== undefined ? { id } : {}) })) as T;
        }
      } catch (error) {
        if (verdict?.action !== 'block') throw error;
      }
      if (verdict?.action === 'block') {
        const outcome = blockOutcome(guard, onBlock, verdict, context.tenant);
        if ('error' in outcome) throw outcome.error;
        yield first.wrap(new AIMessageChunk({ content: outcome.text, ...(id !== undefined ? { id } : {}) })) as T;
        return;
      }
      let whole: AIMessageChunk | undefined = extras[0];
      for (let i = 1; i < extras.length; i++) whole = whole!.concat(extras[i]!);
      if (whole === undefined) continue;
      const toolCallChunks = whole.tool_call_chunks ?? [];
      if (toolCallChunks.length > 0 || whole.usage_metadata !== undefined) {
        yield first.wrap(
          new AIMessageChunk({
            content: '',
            ...(id !== undefined ? { id } : {}),
            tool_call_chunks: toolCallChunks,
            response_metadata: whole.response_metadata,
            ...(whole.usage_metadata !== undefined ? { usage_metadata: whole.usage_metadata } : {}),
          }),
        ) as T;
      }
    }
  } finally {
    // Stopping early (a block, or the consumer leaving) cancels the agent run.
    if (!exhausted) await iterator.return?.();
  }
}

/**
 * Nothing to scan: the items go through as they came, and each AI message's text is checked once when the
 * message ends (the next message starts, or the stream ends), so it still gets its verdict and audit event.
 */
async function* passMessages<T>(
  guard: Guard,
  iterator: AsyncIterator<T>,
  context: CheckOptions,
): AsyncGenerator<T, void, undefined> {
  let current: string | undefined;
  let text = '';
  const finish = async (): Promise<void> => {
    if (text.length > 0) await guard.checkOutput(text, context);
    text = '';
  };
  let exhausted = false;
  try {
    while (true) {
      const step = await iterator.next();
      if (step.done === true) {
        exhausted = true;
        await finish();
        return;
      }
      const item = messageItem(step.value);
      if (item !== undefined && AIMessageChunk.isInstance(item.chunk)) {
        if (item.chunk.id !== current) {
          await finish();
          current = item.chunk.id;
        }
        text += messageText(item.chunk);
      }
      yield step.value;
    }
  } finally {
    // The consumer leaving early cancels the agent run.
    if (!exhausted) await iterator.return?.();
  }
}
