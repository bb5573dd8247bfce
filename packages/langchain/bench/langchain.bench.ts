/**
 * `pnpm bench` for @parapet/langchain: what the middleware adds to one agent turn. The anchor is the bare
 * `createAgent` agent (real ChatOpenAI → the local provider on 127.0.0.1); the other row is the same agent with
 * `parapetMiddleware` around a NO-OP guard (`createGuard()`, no detectors), so the difference is the adapter's
 * own cost: the wrap hooks, the checks' bookkeeping, and in throw mode the one graph step (afterAgent) that
 * throws a parked block typed — measured beside langchain's own do-nothing afterAgent middleware. Streaming: `agent.stream` in
 * `messages` mode drained, bare vs through `guardMessageStream`. It imports the built package (dist/).
 */

import { ChatOpenAI } from '@langchain/openai';
import { type BenchResult, formatOverhead, measure, pairedOverhead, printTable } from '@parapet/bench';
import { createGuard } from '@parapet/core';
import { guardMessageStream, parapetMiddleware } from '@parapet/langchain';
import { startProviderServer } from '@parapet/local-provider';
import { createAgent, createMiddleware } from 'langchain';

const server = await startProviderServer({ chunkSize: 16 });
const INPUTS = Array.from({ length: 16 }, (_, index) => `REPLY: Order ${index} ships on Monday with tracking.`);
const model = new ChatOpenAI({
  model: 'gpt-4o-mini',
  apiKey: 'test',
  configuration: { baseURL: server.openaiBaseURL },
});
const guard = createGuard();
const bare = createAgent({ model, tools: [] });
// Throw mode (the policy default) adds one graph step, afterAgent, which throws a parked block typed;
// fallback mode adds none. A do-nothing afterAgent middleware of langchain's own shows what a step costs.
const guarded = createAgent({ model, tools: [], middleware: [parapetMiddleware(guard)] });
const guardedFallback = createAgent({
  model,
  tools: [],
  middleware: [parapetMiddleware(guard, { onBlock: 'fallback' })],
});
const emptyStep = createAgent({
  model,
  tools: [],
  middleware: [createMiddleware({ name: 'EmptyAfterAgent', afterAgent: async () => undefined })],
});
const input = (text: string) => ({ messages: [{ role: 'user' as const, content: text }] });

const drain = async (stream: AsyncIterable<unknown>) => {
  let count = 0;
  for await (const _ of stream) count++;
  return count;
};

const results: BenchResult[] = [];
const run = async (name: string, call: (text: string) => Promise<unknown>) => {
  results.push(await measure({ group: 'langchain', name, size: 'turn', inputs: INPUTS, run: call, budgetMs: 3_000 }));
};
await run('agent.invoke, bare', (text) => bare.invoke(input(text)));
await run('agent.invoke, parapetMiddleware (no-op guard, throw mode)', (text) => guarded.invoke(input(text)));
await run('agent.invoke, parapetMiddleware (no-op guard, fallback mode)', (text) =>
  guardedFallback.invoke(input(text)),
);
await run('agent.invoke, langchain no-op afterAgent middleware (reference)', (text) => emptyStep.invoke(input(text)));
await run('agent.stream messages, bare', async (text) =>
  drain(await bare.stream(input(text), { streamMode: 'messages' })),
);
await run('agent.stream messages, middleware + guardMessageStream', async (text) =>
  drain(guardMessageStream(guard, await guarded.stream(input(text), { streamMode: 'messages' }))),
);
printTable('@parapet/langchain: agent turn overhead (local provider round trip)', results);

// The machine's noise over a ~7 ms turn (other processes, GC) is larger than the adapter's cost, so the
// overhead comes from back-to-back pairs (see pairedOverhead in @parapet/bench).
type Turn = ReturnType<typeof input>;
interface Agent {
  invoke(value: Turn): Promise<unknown>;
  stream(value: Turn, options: { streamMode: 'messages' }): Promise<AsyncIterable<unknown>>;
}
const invoke = (agent: Agent) => (text: string) => agent.invoke(input(text));
const streamed = (agent: Agent, onBlock?: 'fallback') => async (text: string) =>
  drain(
    guardMessageStream(
      guard,
      await agent.stream(input(text), { streamMode: 'messages' }),
      onBlock === undefined ? {} : { onBlock },
    ),
  );
const bareStream = async (text: string) => drain(await bare.stream(input(text), { streamMode: 'messages' }));
console.log('\nOverhead (median of per-pair differences, 300 pairs, as a share of the median bare turn):');
for (const [label, base, wrapped] of [
  ['invoke, throw mode', invoke(bare), invoke(guarded)],
  ['invoke, fallback mode', invoke(bare), invoke(guardedFallback)],
  ['invoke, langchain no-op afterAgent middleware (one graph step, no Parapet)', invoke(bare), invoke(emptyStep)],
  ['stream, throw mode', bareStream, streamed(guarded)],
  ['stream, fallback mode', bareStream, streamed(guardedFallback, 'fallback')],
] as const) {
  const result = await pairedOverhead({ inputs: INPUTS, base, wrapped, pairs: 300, warmup: 20 });
  console.log(`  ${label}: ${formatOverhead(result)}`);
}
await server.close();
