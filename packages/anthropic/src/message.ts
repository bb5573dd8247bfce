import type { Message, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { decideTool, resolveBlock, type Turn } from './turn.js';

type Block = Record<string, unknown>;

/** A text block as the SDK types it (`citations` is required since SDK 0.3x). */
export function textBlock(text: string): Block {
  return { type: 'text', text, citations: null };
}

/** Keeps the SDK's non-enumerable `_request_id` on a copied message. */
function copyWith(message: Message, changes: Partial<Record<keyof Message, unknown>>): Message {
  const copy = { ...message, ...changes } as Message;
  const requestId = (message as { _request_id?: unknown })._request_id;
  if (requestId !== undefined) {
    Object.defineProperty(copy, '_request_id', { value: requestId, enumerable: false, writable: true });
  }
  return copy;
}

const usage = () => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_input_tokens: null,
  cache_read_input_tokens: null,
  cache_creation: null,
  server_tool_use: null,
  service_tier: null,
});

/** A complete assistant message carrying `text` (the fallback), for a request that was never sent. */
export function fallbackMessage(turn: Turn, text: string): Message {
  return {
    id: `msg_parapet_${turn.context.traceId}`,
    type: 'message',
    role: 'assistant',
    model: turn.model,
    content: [textBlock(text)],
    stop_reason: 'end_turn',
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: usage(),
  } as unknown as Message;
}

/** The event stream of `fallbackMessage`, shaped as the API streams it. */
export async function* fallbackEvents(turn: Turn, text: string): AsyncGenerator<RawMessageStreamEvent> {
  const message = fallbackMessage(turn, text);
  yield { type: 'message_start', message: { ...message, content: [], stop_reason: null } } as RawMessageStreamEvent;
  yield { type: 'content_block_start', index: 0, content_block: textBlock('') } as unknown as RawMessageStreamEvent;
  yield { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } } as RawMessageStreamEvent;
  yield* endEvents(0, 0);
}

/** Closes an open text block and the message, as a turn that ended normally. */
export function* endEvents(index: number, outputTokens: number): Generator<RawMessageStreamEvent> {
  yield { type: 'content_block_stop', index } as RawMessageStreamEvent;
  yield {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null, stop_details: null, container: null },
    usage: {
      output_tokens: outputTokens,
      input_tokens: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      server_tool_use: null,
    },
  } as RawMessageStreamEvent;
  yield { type: 'message_stop' } as RawMessageStreamEvent;
}

/**
 * Checks a complete message: each text block through the output stage (redact rewrites it, block replaces
 * the whole message with the fallback or throws), then each `tool_use` block through the tool policy.
 * Returns the same object when nothing changed.
 */
export async function guardMessage(turn: Turn, message: Message): Promise<Message> {
  const content = message.content as unknown as Block[];
  let blocks: Block[] | undefined;
  for (let i = 0; i < content.length; i++) {
    const block = content[i]!;
    if (block.type !== 'text' || typeof block.text !== 'string') continue;
    const verdict = await turn.guard.checkOutput(block.text, turn.context);
    if (verdict.action === 'block') {
      const text = resolveBlock(turn, verdict);
      return copyWith(message, { content: [textBlock(text)], stop_reason: 'end_turn', stop_sequence: null });
    }
    if (verdict.text !== block.text) {
      blocks ??= [...content];
      blocks[i] = { ...block, text: verdict.text };
    }
  }
  let kept = 0;
  let denied = 0;
  if (turn.options.toolPolicy !== undefined) {
    for (let i = 0; i < content.length; i++) {
      const block = content[i]!;
      if (block.type !== 'tool_use' || typeof block.name !== 'string') continue;
      const callId = typeof block.id === 'string' ? block.id : undefined;
      const { decision, denial } = await decideTool(turn, block.name, block.input, callId);
      if (denial !== undefined) {
        denied++;
        blocks ??= [...content];
        blocks[i] = textBlock(denial);
        continue;
      }
      kept++;
      // The validated arguments are what the tool may receive (keys the schema does not know are dropped).
      if (JSON.stringify(decision.args) !== JSON.stringify(block.input)) {
        blocks ??= [...content];
        blocks[i] = { ...block, input: decision.args };
      }
    }
  }
  if (blocks === undefined) return message;
  const changes: Partial<Record<keyof Message, unknown>> = { content: blocks };
  if (denied > 0 && kept === 0 && message.stop_reason === 'tool_use') changes.stop_reason = 'end_turn';
  return copyWith(message, changes);
}
