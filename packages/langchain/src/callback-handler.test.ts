import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { tool } from '@langchain/core/tools';
import { toolPolicy } from '@parapet/agent';
import { ArgumentError, createGuard } from '@parapet/core';
import { type ProviderServer, startProviderServer } from '@parapet/local-provider';
import { createAgent } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parapetCallbackHandler } from './callback-handler.js';
import { parapetMiddleware } from './middleware.js';
import { localModel, memorySink } from './test-helpers.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

function setup() {
  const sink = memorySink();
  const guard = createGuard({ audit: sink });
  const policy = toolPolicy({ tools: { lookup: { access: 'read' }, broken: { access: 'read' } }, guard });
  const lookup = tool(async ({ q }) => `found ${q}`, {
    name: 'lookup',
    description: 'Look up',
    schema: z.object({ q: z.string() }),
  });
  const broken = tool(
    async () => {
      throw new Error('disk on fire');
    },
    { name: 'broken', description: 'Fails', schema: z.object({}) },
  );
  const agent = createAgent({
    model: localModel(server.openaiBaseURL),
    tools: [lookup, broken],
    middleware: [parapetMiddleware(guard, { toolPolicy: policy, context: { session: 'chat-3' } })],
  });
  return { guard, events: sink.events, agent };
}

describe('parapetCallbackHandler', () => {
  it('is a BaseCallbackHandler that records model calls with latency and token usage', async () => {
    const { guard, events, agent } = setup();
    const handler = parapetCallbackHandler(guard, { session: 'chat-3' });
    expect(handler).toBeInstanceOf(BaseCallbackHandler);
    await agent.invoke({ messages: [{ role: 'user', content: 'REPLY: hi there' }] }, { callbacks: [handler] });
    const ended = events.filter((event) => event.type === 'model-call-ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]?.latencyUs).toBeGreaterThan(0);
    expect(ended[0]?.session).toBe('chat-3');
    expect(ended[0]?.data).toMatchObject({ model: 'gpt-4o-mini', outputTokens: expect.any(Number) });
    expect((ended[0]?.data?.inputTokens as number) > 0).toBe(true);
    expect(ended[0]?.data?.totalTokens).toBe(
      (ended[0]?.data?.inputTokens as number) + (ended[0]?.data?.outputTokens as number),
    );
  });

  it('links tool runs and the guard decisions of one agent run under one trace id', async () => {
    const { guard, events, agent } = setup();
    const handler = parapetCallbackHandler(guard);
    await agent.invoke(
      { messages: [{ role: 'user', content: 'TOOL: lookup {"q":"invoices"}' }] },
      { callbacks: [handler] },
    );
    const types = events.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'input-allowed',
        'model-call-ended',
        'tool-call-allowed',
        'tool-call-started',
        'tool-call-ended',
      ]),
    );
    expect(new Set(events.map((event) => event.traceId)).size).toBe(1);
    const started = events.find((event) => event.type === 'tool-call-started');
    const ended = events.find((event) => event.type === 'tool-call-ended');
    const allowed = events.find((event) => event.type === 'tool-call-allowed');
    expect(started?.tool).toBe('lookup');
    expect(started?.data?.callId).toBe(allowed?.data?.callId);
    expect(ended?.data?.runId).toBe(started?.data?.runId);
    expect(ended?.spanId).toBe(started?.spanId);
    expect(ended?.latencyUs).toBeGreaterThanOrEqual(0);
    // A second run gets its own trace id.
    const before = events.length;
    await agent.invoke({ messages: [{ role: 'user', content: 'REPLY: ok' }] }, { callbacks: [handler] });
    expect(events[before]?.traceId).not.toBe(events[0]?.traceId);
  });

  it('records a failing tool as tool-call-failed with the error class, never the arguments', async () => {
    const { guard, events, agent } = setup();
    const state = await agent.invoke(
      { messages: [{ role: 'user', content: 'TOOL: broken {}' }] },
      { callbacks: [parapetCallbackHandler(guard)] },
    );
    // As without the middleware: the failure is an error ToolMessage the model reads, not a crashed run.
    expect(state.messages.find((message) => message.getType() === 'tool')?.content).toContain('disk on fire');
    const failed = events.find((event) => event.type === 'tool-call-failed');
    expect(failed?.tool).toBe('broken');
    expect(String(failed?.data?.error)).toContain('disk on fire');
  });

  it('takes the trace id from metadata.parapetTraceId, for the handler and the middleware alike', async () => {
    const { guard, events, agent } = setup();
    const traceId = 'feedfacefeedfacefeedfacefeedface';
    await agent.invoke(
      { messages: [{ role: 'user', content: 'TOOL: lookup {"q":"x"}' }] },
      { callbacks: [parapetCallbackHandler(guard)], metadata: { parapetTraceId: traceId } },
    );
    expect(events.length).toBeGreaterThan(4);
    expect(events.every((event) => event.traceId === traceId)).toBe(true);
  });

  it('validates its arguments', () => {
    expect(() => parapetCallbackHandler({} as never)).toThrow(ArgumentError);
    expect(() => parapetCallbackHandler(createGuard(), { session: 5 } as never)).toThrow(/session/);
  });
});
