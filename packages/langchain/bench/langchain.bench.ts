/**
 * `pnpm bench` for @parapet/langchain: what the middleware adds to one agent turn. The anchor is the bare
 * `createAgent` agent (real ChatOpenAI → the local provider on 127.0.0.1); the other row is the same agent with
 * `parapetMiddleware` around a NO-OP guard (`createGuard()`, no detectors), so the difference is the adapter's
 * own cost: the wrap hooks, the checks' bookkeeping, and in throw mode the one graph step (afterAgent) that
 * throws a parked block typed — measured beside langchain's own do-nothing afterAgent middleware. Streaming: `agent.stream` in
 * `messages` mode drained, bare vs through `guardMessageStream`. It imports the built package (dist/).
 */

import { ChatOpenAI } from '@langchain/openai';
import { type BenchResult, measure, printTable } from '@parapet/bench';
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

// The machine's noise over a ~10 ms turn (other processes, GC) is larger than the adapter's cost, so the
// overhead is taken from interleaved pairs (bare, guarded, bare, guarded, …): drift hits both sides alike.
const paired = async (
  label: string,
  base: (text: string) => Promise<unknown>,
  wrapped: (text: string) => Promise<unknown>,
) => {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 300; i++) {
    const text = INPUTS[i % INPUTS.length]!;
    let started = performance.now();
    await base(text);
    a.push(performance.now() - started);
    started = performance.now();
    await wrapped(text);
    b.push(performance.now() - started);
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  const bareMs = median(a);
  const guardedMs = median(b);
  console.log(
    `  ${label}: bare ${bareMs.toFixed(2)} ms, guarded ${guardedMs.toFixed(2)} ms, overhead ${((guardedMs - bareMs) * 1000).toFixed(0)} µs (${(((guardedMs - bareMs) / bareMs) * 100).toFixed(1)} %)`,
  );
};
console.log('\nOverhead, interleaved pairs (300 each, medians):');
await paired(
  'invoke, throw mode',
  (text) => bare.invoke(input(text)),
  (text) => guarded.invoke(input(text)),
);
await paired(
  'invoke, fallback mode',
  (text) => bare.invoke(input(text)),
  (text) => guardedFallback.invoke(input(text)),
);
await paired(
  'invoke, langchain no-op afterAgent middleware (one graph step, no Parapet)',
  (text) => bare.invoke(input(text)),
  (text) => emptyStep.invoke(input(text)),
);
await paired(
  'stream, throw mode',
  async (text) => drain(await bare.stream(input(text), { streamMode: 'messages' })),
  async (text) => drain(guardMessageStream(guard, await guarded.stream(input(text), { streamMode: 'messages' }))),
);
await paired(
  'stream, fallback mode',
  async (text) => drain(await bare.stream(input(text), { streamMode: 'messages' })),
  async (text) =>
    drain(
      guardMessageStream(guard, await guardedFallback.stream(input(text), { streamMode: 'messages' }), {
        onBlock: 'fallback',
      }),
    ),
);
await server.close();
