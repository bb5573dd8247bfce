/**
 * `pnpm bench` for @parapet/ai-sdk: what the middleware adds to a model call. The anchor is the bare
 * `@ai-sdk/openai` model through `generateText` / `streamText` against the local provider on 127.0.0.1 (a real
 * HTTP round trip, JSON and server-sent events); the other row is the same call through
 * `wrapLanguageModel({ middleware: parapetMiddleware(createGuard()) })` with a no-op guard (no detectors), so
 * the difference is the adapter's own cost: context, input check plumbing, output check, the stream scanner's
 * hold-back. The table keeps the best median of each over several rounds; the overhead comes from
 * back-to-back pairs, so drift of the machine does not land on one side. It imports the built package (dist/), as users run it.
 */

import { createOpenAI } from '@ai-sdk/openai';
import { parapetMiddleware } from '@parapet/ai-sdk';
import { type BenchResult, formatOverhead, measure, pairedOverhead, printTable } from '@parapet/bench';
import { createGuard } from '@parapet/core';
import { startProviderServer } from '@parapet/local-provider';
import { generateText, type LanguageModel, streamText, wrapLanguageModel } from 'ai';

const ROUNDS = 3;
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 1500);

const server = await startProviderServer();
const openai = createOpenAI({ baseURL: server.openaiBaseURL, apiKey: 'test' });
const bare = openai('gpt-4.1');
const middleware = parapetMiddleware(createGuard());
const wrapped = wrapLanguageModel({ model: bare, middleware });
// The framework's own share: the same wrapping with a middleware that does nothing.
const emptyWrapped = wrapLanguageModel({ model: bare, middleware: { specificationVersion: 'v4' } });

// 64 prompts; the answers are ~450 characters, streamed as ~57 deltas of 8 characters.
const ANSWER =
  'Our support desk is open from nine to five on weekdays. For billing questions, open the account page and choose ' +
  'Invoices; each invoice can be downloaded as a PDF. Refunds are processed within five business days after the ' +
  'request is approved. If you changed plans this month, the difference appears on the next invoice as a credit. ' +
  'Anything else? Reply here and a person will pick it up within the hour.';
const INPUTS = Array.from({ length: 64 }, (_, index) => `REPLY: (${index}) ${ANSWER}`);

const generate = (model: LanguageModel) => async (prompt: string) => {
  await generateText({ model, prompt });
};
const stream = (model: LanguageModel) => async (prompt: string) => {
  const result = streamText({ model, prompt });
  for await (const _ of result.textStream) {
    // drain
  }
};

const cases = [
  { name: 'generateText: bare model (anchor)', size: 'JSON', run: generate(bare) },
  { name: 'generateText: parapetMiddleware, no-op guard', size: 'JSON', run: generate(wrapped) },
  { name: 'streamText: bare model (anchor)', size: 'SSE', run: stream(bare) },
  { name: 'streamText: parapetMiddleware, no-op guard', size: 'SSE', run: stream(wrapped) },
];

// The hooks alone, without HTTP: transformParams + wrapGenerate around an answer already in memory. Stable
// where the round trips above are noisy, and the part of the overhead that is the adapter's own.
const answer = {
  content: [{ type: 'text' as const, text: ANSWER }],
  finishReason: { unified: 'stop' as const, raw: 'stop' },
  usage: {
    inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 113, text: 113, reasoning: undefined },
  },
  warnings: [],
};
const noModel = bare as Parameters<NonNullable<typeof middleware.transformParams>>[0]['model'];
const hooks = async (prompt: string) => {
  const params = await middleware.transformParams!({
    type: 'generate',
    params: { prompt: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] },
    model: noModel,
  });
  await middleware.wrapGenerate!({
    doGenerate: async () => answer,
    doStream: () => Promise.reject(new Error('not used')),
    params,
    model: noModel,
  });
};

const best = new Map<string, BenchResult>();
for (let round = 0; round < ROUNDS; round++) {
  for (const item of cases) {
    const result = await measure({ group: 'ai-sdk', inputs: INPUTS, budgetMs: BUDGET_MS, ...item });
    const known = best.get(item.name);
    if (known === undefined || result.medianUs < known.medianUs) best.set(item.name, result);
  }
}
const results = cases.map((item) => best.get(item.name)!);
results.push(
  await measure({
    group: 'ai-sdk',
    name: 'hooks alone: transformParams + wrapGenerate',
    size: 'no HTTP',
    inputs: INPUTS,
    run: hooks,
  }),
);
printTable('@parapet/ai-sdk: middleware overhead on a local round trip', results);
// The overhead from back-to-back pairs (see pairedOverhead in @parapet/bench): separate medians drift by more
// than the adapter costs on this machine; pairs see the same drift on both sides.
console.log(
  '\nOverhead (median of per-pair differences, wrapped minus bare, as a share of the median bare round trip; goal <= 5 %):',
);
for (const [label, base, wrappedCall, pairs] of [
  ['generateText: parapetMiddleware, no-op guard', generate(bare), generate(wrapped), 400],
  ['streamText: parapetMiddleware, no-op guard', stream(bare), stream(wrapped), 200],
  ['generateText: empty middleware (reference, no Parapet)', generate(bare), generate(emptyWrapped), 400],
  ['streamText: empty middleware (reference, no Parapet)', stream(bare), stream(emptyWrapped), 200],
] as const) {
  const result = await pairedOverhead({ inputs: INPUTS, base, wrapped: wrappedCall, pairs, warmup: 20 });
  console.log(`  ${label.padEnd(56)} ${formatOverhead(result)}`);
}
console.log(`  hooks alone (no HTTP, no-op guard): ${results[4]!.medianUs.toFixed(1)} µs per call`);
await server.close();
