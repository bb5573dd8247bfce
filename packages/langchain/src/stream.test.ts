import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { createGuard, GuardBlockedError } from '@parapet/core';
import { type ProviderServer, startProviderServer } from '@parapet/local-provider';
import { createAgent } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parapetMiddleware } from './middleware.js';
import { guardMessageStream } from './stream.js';
import { forbiddenWord, internalCode, localModel, memorySink } from './test-helpers.js';

// The real agent streamed with `streamMode: 'messages'`: ChatOpenAI reads server-sent events from the local
// provider, 4 characters per delta, so the blocking word arrives split across chunks.

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer({ chunkSize: 4 });
});
afterAll(async () => {
  await server.close();
});

const BEFORE = 'Here is the plan. Step one is fine. The code word is ';
const AFTER = ' and then AFTERMATCH the rest of the private notes.';

function agentWith(guard: ReturnType<typeof createGuard>) {
  return createAgent({ model: localModel(server.openaiBaseURL), tools: [], middleware: [parapetMiddleware(guard)] });
}

async function collect(stream: AsyncIterable<unknown>): Promise<{ text: string; chunks: number }> {
  let text = '';
  let chunks = 0;
  for await (const item of stream) {
    const [message] = item as [BaseMessage, Record<string, unknown>];
    if (AIMessageChunk.isInstance(message) && typeof message.content === 'string') {
      text += message.content;
      chunks++;
    }
  }
  return { text, chunks };
}

describe('guardMessageStream over agent.stream(streamMode: messages)', () => {
  it('passes a clean stream through with the same text as the unguarded stream', async () => {
    const guard = createGuard({ output: [forbiddenWord] });
    const agent = agentWith(guard);
    const input = { messages: [{ role: 'user' as const, content: 'REPLY: A calm and perfectly ordinary answer.' }] };
    const bare = await collect(await agent.stream(input, { streamMode: 'messages' }));
    const guarded = await collect(guardMessageStream(guard, await agent.stream(input, { streamMode: 'messages' })));
    expect(guarded.text).toBe(bare.text);
    expect(guarded.text).toBe('A calm and perfectly ordinary answer.');
    expect(server.last()?.stream).toBe(true);
  });

  it('with no output detectors, hands on the provider chunks as they came and still records the answer', async () => {
    const sink = memorySink();
    const guard = createGuard({ audit: sink });
    const agent = agentWith(guard);
    const input = { messages: [{ role: 'user' as const, content: 'REPLY: Short and plain.' }] };
    const providers: unknown[] = [];
    let text = '';
    for await (const item of guardMessageStream(guard, await agent.stream(input, { streamMode: 'messages' }))) {
      const [message] = item as [BaseMessage, Record<string, unknown>];
      if (!AIMessageChunk.isInstance(message) || message.content === '') continue;
      text += String(message.content);
      providers.push(message.response_metadata?.model_provider);
    }
    expect(text).toBe('Short and plain.');
    expect(providers.length).toBeGreaterThan(1);
    expect(new Set(providers)).toEqual(new Set(['openai']));
    // The middleware's check of the final message and the stream's own check of the streamed text.
    const outputs = sink.events.filter((event) => event.stage === 'output');
    expect(outputs.map((event) => event.type)).toEqual(['output-allowed', 'output-allowed']);
    expect(outputs.every((event) => event.content?.length === 'Short and plain.'.length)).toBe(true);
  });

  it('stops a stream at the blocking match: nothing after it is delivered, it ends with the fallback', async () => {
    const sink = memorySink();
    const guard = createGuard({ output: [forbiddenWord], audit: sink });
    const agent = agentWith(guard);
    const stream = await agent.stream(
      { messages: [{ role: 'user', content: `REPLY: ${BEFORE}TOPSECRET${AFTER}` }] },
      { streamMode: 'messages' },
    );
    const { text } = await collect(guardMessageStream(guard, stream, { onBlock: 'fallback' }));
    expect(text).not.toContain('TOPSECRET');
    expect(text).not.toContain('AFTERMATCH');
    expect(text).not.toContain('TOP');
    expect(text.endsWith("Sorry, I can't help with that request.")).toBe(true);
    expect(BEFORE.startsWith(text.replace("Sorry, I can't help with that request.", ''))).toBe(true);
    const blocked = sink.events.find((event) => event.type === 'output-blocked' && event.data?.streamed === true);
    expect(blocked).toBeDefined();
  });

  it('throws GuardBlockedError in throw mode (the guard policy default), after delivering only text before the match', async () => {
    const guard = createGuard({ output: [forbiddenWord] });
    const agent = agentWith(guard);
    const stream = await agent.stream(
      { messages: [{ role: 'user', content: `REPLY: ${BEFORE}TOPSECRET${AFTER}` }] },
      { streamMode: 'messages' },
    );
    let delivered = '';
    const error = await (async () => {
      for await (const [message] of guardMessageStream(guard, stream)) {
        if (AIMessageChunk.isInstance(message)) delivered += String(message.content);
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GuardBlockedError);
    expect(delivered).not.toContain('AFTERMATCH');
    expect(delivered).not.toContain('TOP');
  });

  it('redacts across chunk borders, and keeps other stream modes in place', async () => {
    const guard = createGuard({ output: [internalCode] });
    const agent = agentWith(guard);
    const stream = await agent.stream(
      { messages: [{ role: 'user', content: 'REPLY: use INTERNAL-42 for the refund, then INTERNAL-42 again' }] },
      { streamMode: ['messages', 'updates'] },
    );
    let text = '';
    const modes: string[] = [];
    for await (const item of guardMessageStream(guard, stream)) {
      const [mode, payload] = item as [string, unknown];
      modes.push(mode);
      if (mode === 'messages') {
        const [message] = payload as [BaseMessage];
        if (AIMessageChunk.isInstance(message)) text += String(message.content);
      }
    }
    expect(text).toBe('use [CODE] for the refund, then [CODE] again');
    expect(modes).toContain('updates');
  });

  it('without the wrapper the raw tokens stream out; the middleware still fixes the final message', async () => {
    const guard = createGuard({ output: [internalCode] });
    const agent = agentWith(guard);
    const input = { messages: [{ role: 'user' as const, content: 'REPLY: use INTERNAL-42 now' }] };
    const raw = await collect(await agent.stream(input, { streamMode: 'messages' }));
    expect(raw.text).toContain('INTERNAL-42');
    let final: BaseMessage | undefined;
    for await (const state of await agent.stream(input, { streamMode: 'values' })) final = state.messages.at(-1);
    expect(final?.content).toBe('use [CODE] now');
  });

  it('delivers a streamed tool call after the text, its argument pieces merged as in the bare stream', async () => {
    const guard = createGuard({ output: [forbiddenWord] });
    const lookup = tool(async () => 'found it', {
      name: 'lookup',
      description: 'Look up an order',
      schema: z.object({ order: z.string() }),
    });
    const agent = createAgent({
      model: localModel(server.openaiBaseURL),
      tools: [lookup],
      middleware: [parapetMiddleware(guard)],
    });
    const input = { messages: [{ role: 'user' as const, content: 'TOOL: lookup {"order":"A-1234567"}' }] };
    const rebuild = async (stream: AsyncIterable<unknown>) => {
      let first: AIMessageChunk | undefined;
      for await (const item of stream) {
        const [message] = item as [BaseMessage, Record<string, unknown>];
        if (!AIMessageChunk.isInstance(message)) continue;
        if (first === undefined) first = message;
        else if (message.id === first.id) first = first.concat(message);
      }
      return first;
    };
    const bare = await rebuild(await agent.stream(input, { streamMode: 'messages' }));
    const guarded = await rebuild(guardMessageStream(guard, await agent.stream(input, { streamMode: 'messages' })));
    expect(guarded?.tool_calls?.map((call) => [call.name, call.args])).toEqual([['lookup', { order: 'A-1234567' }]]);
    expect(guarded?.tool_calls?.map((call) => [call.name, call.args])).toEqual(
      bare?.tool_calls?.map((call) => [call.name, call.args]),
    );
  });

  it('validates its arguments', async () => {
    const guard = createGuard();
    await expect(guardMessageStream({} as never, (async function* () {})()).next()).rejects.toThrow(/guard/);
    await expect(guardMessageStream(guard, 5 as never).next()).rejects.toThrow(/async iterable/);
    await expect(
      guardMessageStream(guard, (async function* () {})(), { onBlock: 'x' } as never).next(),
    ).rejects.toThrow(/onBlock/);
  });
});
