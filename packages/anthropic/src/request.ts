import type { Verdict } from '@parapet/core';
import type { MessagesRequestLike } from './options.js';
import { lastUserIndex, type Turn } from './turn.js';

type Block = Record<string, unknown>;

/** The request to send (redactions applied, the caller's object untouched), or the verdict that blocks it. */
export type CheckedRequest =
  | { readonly request: MessagesRequestLike; readonly blocked?: undefined }
  | { readonly blocked: Verdict; readonly request?: undefined };

/** Finds the name of the tool a `tool_result` answers, in the assistant turn before it. */
function toolNameOf(messages: readonly unknown[], before: number, toolUseId: unknown): string | undefined {
  for (let i = before - 1; i >= 0; i--) {
    const content = (messages[i] as { content?: unknown }).content;
    if (!Array.isArray(content)) continue;
    for (const block of content as Block[]) {
      if (block?.type === 'tool_use' && block.id === toolUseId && typeof block.name === 'string') return block.name;
    }
  }
  return undefined;
}

/**
 * A tool's output as the model will read it: through the guard's tool_output stage (block or redact), then
 * the tool policy's `afterCall` (taints the session when the tool is untrusted, runs its output scanners).
 */
async function checkToolText(
  turn: Turn,
  tool: string | undefined,
  text: string,
): Promise<{ text: string; blocked?: Verdict }> {
  const verdict = await turn.guard.checkToolOutput(text, tool === undefined ? turn.context : { ...turn.context, tool });
  if (verdict.action === 'block') return { text, blocked: verdict };
  let out = verdict.text;
  const policy = turn.options.toolPolicy;
  if (policy !== undefined && tool !== undefined) {
    const outcome = await policy.afterCall(tool, out, turn.toolContext);
    if (typeof outcome.output === 'string') out = outcome.output;
  }
  return { text: out };
}

async function checkToolResult(
  turn: Turn,
  messages: readonly unknown[],
  at: number,
  block: Block,
): Promise<{ block: Block; blocked?: Verdict }> {
  const tool = toolNameOf(messages, at, block.tool_use_id);
  const content = block.content;
  if (typeof content === 'string') {
    const checked = await checkToolText(turn, tool, content);
    if (checked.blocked) return { block, blocked: checked.blocked };
    return { block: checked.text === content ? block : { ...block, content: checked.text } };
  }
  if (!Array.isArray(content)) return { block };
  let parts: Block[] | undefined;
  for (let i = 0; i < content.length; i++) {
    const part = content[i] as Block;
    if (part?.type !== 'text' || typeof part.text !== 'string') continue;
    const checked = await checkToolText(turn, tool, part.text);
    if (checked.blocked) return { block, blocked: checked.blocked };
    if (checked.text !== part.text) {
      parts ??= [...(content as Block[])];
      parts[i] = { ...part, text: checked.text };
    }
  }
  return { block: parts === undefined ? block : { ...block, content: parts } };
}

/**
 * Checks the last user turn: its text through the input stage, its tool results through the tool_output
 * stage. Earlier turns were checked when they were the last one. Redactions rewrite a copy of the request.
 */
export async function checkRequest(turn: Turn, request: MessagesRequestLike): Promise<CheckedRequest> {
  const messages = request.messages;
  const at = lastUserIndex(messages);
  if (at < 0) return { request };
  const message = messages[at] as Block;
  const content = message.content;
  let replaced: unknown = content;
  if (typeof content === 'string') {
    const verdict = await turn.guard.checkInput(content, turn.context);
    if (verdict.action === 'block') return { blocked: verdict };
    replaced = verdict.text;
  } else if (Array.isArray(content)) {
    let blocks: Block[] | undefined;
    for (let i = 0; i < content.length; i++) {
      const block = content[i] as Block;
      let next: Block = block;
      if (block?.type === 'text' && typeof block.text === 'string') {
        const verdict = await turn.guard.checkInput(block.text, turn.context);
        if (verdict.action === 'block') return { blocked: verdict };
        if (verdict.text !== block.text) next = { ...block, text: verdict.text };
      } else if (block?.type === 'tool_result') {
        const checked = await checkToolResult(turn, messages, at, block);
        if (checked.blocked) return { blocked: checked.blocked };
        next = checked.block;
      }
      if (next !== block) {
        blocks ??= [...(content as Block[])];
        blocks[i] = next;
      }
    }
    if (blocks !== undefined) replaced = blocks;
  }
  if (replaced === content) return { request };
  const safeMessages = [...messages];
  safeMessages[at] = { ...message, content: replaced };
  return { request: { ...request, messages: safeMessages } };
}
