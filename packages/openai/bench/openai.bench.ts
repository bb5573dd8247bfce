/**
 * `pnpm bench` for @parapet/openai: what the adapter adds to a chat call. The anchor is the bare OpenAI
 * client against the local provider on 127.0.0.1 (a real HTTP round trip, JSON and SSE); the other rows
 * are the same call through `guardOpenAI` with a no-op guard (no detectors), so the difference is the
 * adapter's own cost: request copy, input and output stages, the stream scanner's hold-back and re-chunking.
 * It imports the built package (run `pnpm --filter @parapet/openai run build` first).
 */
import { type BenchResult, formatOverhead, measure, pairedOverhead, printTable } from '@parapet/bench';
import { createGuard } from '@parapet/core';
import { startProviderServer } from '@parapet/local-provider';
import { guardOpenAI } from '@parapet/openai';
import OpenAI from 'openai';

const server = await startProviderServer({ chunkSize: 8 });
const bare = new OpenAI({ baseURL: server.openaiBaseURL, apiKey: 'bench', maxRetries: 0 });
const guarded = guardOpenAI(bare, createGuard());

const ANSWER = 'Our opening hours are nine to five on weekdays and ten to two on Saturdays. '.repeat(4);
const INPUTS = Array.from({ length: 16 }, (_, index) => `REPLY: ${index} ${ANSWER}`);
const body = (text: string) => ({ model: 'gpt-bench', messages: [{ role: 'user' as const, content: text }] });

const drain = async (stream: AsyncIterable<unknown>): Promise<void> => {
  for await (const _chunk of stream) {
    // consume
  }
};

const results: BenchResult[] = [];
const run = async (name: string, call: (input: string) => Promise<unknown>): Promise<void> => {
  results.push(await measure({ group: 'openai', name, size: 'call', inputs: INPUTS, run: call, budgetMs: 2_000 }));
};

// Interleaved twice so neither side gets only the warm or only the cold half of the run.
for (let round = 0; round < 2; round++) {
  await run('bare client, JSON (anchor)', (input) => bare.chat.completions.create(body(input)));
  await run('guarded, no-op guard, JSON', (input) => guarded.chat.completions.create(body(input)));
  await run('bare client, stream (anchor)', async (input) =>
    drain(await bare.chat.completions.create({ ...body(input), stream: true })),
  );
  await run('guarded, no-op guard, stream', async (input) =>
    drain(await guarded.chat.completions.create({ ...body(input), stream: true })),
  );
}

printTable('@parapet/openai: adapter overhead on the local round trip', results);

// The round trip on a shared VM drifts by more than the effect measured; the overhead figure therefore
// comes from back-to-back pairs (see pairedOverhead in @parapet/bench).
console.log(
  '\nOverhead (median of per-pair differences, guarded minus bare, as a share of the median bare round trip):',
);
for (const [name, call] of [
  ['JSON', (client: OpenAI, input: string) => client.chat.completions.create(body(input))],
  [
    'stream',
    async (client: OpenAI, input: string) =>
      drain(await client.chat.completions.create({ ...body(input), stream: true })),
  ],
] as const) {
  const result = await pairedOverhead({
    inputs: INPUTS,
    base: (input) => call(bare, input),
    wrapped: (input) => call(guarded, input),
  });
  console.log(`  ${name.padEnd(8)} ${formatOverhead(result)} (no-op guard)`);
}
await server.close();
