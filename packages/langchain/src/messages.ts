import { AIMessage, type BaseMessage } from '@langchain/core/messages';

/** The text a guard reads from a message: the string content, or its text blocks joined. */
export function messageText(message: BaseMessage): string {
  const content = message.content as unknown;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content) {
    if (typeof block === 'string') text += block;
    else if (block !== null && typeof block === 'object' && (block as { type?: unknown }).type === 'text') {
      const value = (block as { text?: unknown }).text;
      if (typeof value === 'string') text += value;
    }
  }
  return text;
}

/**
 * The content with its text replaced: a string stays a string; in a block list the text blocks collapse into
 * one (at the first one's place) and other blocks (images, reasoning, tool use) are kept.
 */
export function replaceText(content: BaseMessage['content'], text: string): BaseMessage['content'] {
  if (typeof content === 'string' || !Array.isArray(content)) return text;
  const out: unknown[] = [];
  let placed = false;
  for (const block of content as unknown[]) {
    const isText =
      typeof block === 'string' ||
      (block !== null && typeof block === 'object' && (block as { type?: unknown }).type === 'text');
    if (!isText) out.push(block);
    else if (!placed) {
      out.push({ type: 'text', text });
      placed = true;
    }
  }
  if (!placed) out.push({ type: 'text', text });
  return out as BaseMessage['content'];
}

/** A copy of an AI message with new text; tool calls, id, usage and metadata are kept. */
export function withText(message: AIMessage, text: string): AIMessage {
  return new AIMessage({
    content: replaceText(message.content, text),
    ...(message.id !== undefined ? { id: message.id } : {}),
    ...(message.name !== undefined ? { name: message.name } : {}),
    tool_calls: message.tool_calls ?? [],
    invalid_tool_calls: message.invalid_tool_calls ?? [],
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
    ...(message.usage_metadata !== undefined ? { usage_metadata: message.usage_metadata } : {}),
  });
}

/**
 * What stands in for a blocked answer: the fallback text under the same id (so a checkpointed thread holds the
 * refusal, not the blocked text), with no tool calls: a blocked turn must not go on to run tools.
 */
export function standIn(message: AIMessage, text: string, id: string): AIMessage {
  return new AIMessage({
    content: text,
    id,
    ...(message.name !== undefined ? { name: message.name } : {}),
    response_metadata: message.response_metadata,
    ...(message.usage_metadata !== undefined ? { usage_metadata: message.usage_metadata } : {}),
  });
}
