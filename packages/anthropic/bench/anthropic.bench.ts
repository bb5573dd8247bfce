/**
 * `pnpm bench` for @parapet/anthropic: what the adapter adds to a local round trip. The anchor is the bare
 * `@anthropic-ai/sdk` client against the local provider (127.0.0.1); the other row of each pair is the same
 * call through `guardAnthropic` with a no-op guard (`createGuard()`, no detectors), so the difference is the
 * adapter's own cost: the Proxy, the per-call context, the empty checks, the stream re-framing. The table
 * keeps the lowest median of six short rounds each; the overhead comes from back-to-back pairs.
 * It imports the built package (dist/), as users run it.
 */

import Anthropic from '@anthropic-ai/sdk';
import { guardAnthropic } from '@parapet/anthropic';
import { type BenchResult, formatOverhead, measure, pairedOverhead, printTable } from '@parapet/bench';
import { createGuard } from '@parapet/core';
import { startProviderServer } from '@parapet/local-provider';

const server = await startProviderServer({ chunkSize: 16 });
const bare = new Anthropic({ apiKey: 'bench', baseURL: server.anthropicBaseURL, maxRetries: 0 });
const guarded = guardAnthropic(bare, createGuard());

const INPUTS = Array.from(
  { length: 32 },
  (_, index) => `REPLY: Answer number ${index}: the report is filed and the figures match the ledger for this quarter.`,
);
const request = (content: string) => ({
  model: 'claude-bench',
  max_tokens: 200,
  messages: [{ role: 'user' as const, content }],
});

const drain = async (stream: AsyncIterable<unknown>) => {
  let count = 0;
  for await (const _ of stream) count++;
  return count;
};

const cases: { name: string; run: (input: string) => Promise<unknown> }[] = [
  { name: 'create: bare client (anchor)', run: (input) => bare.messages.create(request(input)) },
  { name: 'create: guarded, no-op guard', run: (input) => guarded.messages.create(request(input)) },
  {
    name: 'create stream: bare client (anchor)',
    run: async (input) => drain(await bare.messages.create({ ...request(input), stream: true })),
  },
  {
    name: 'create stream: guarded, no-op guard',
    run: async (input) => drain(await guarded.messages.create({ ...request(input), stream: true })),
  },
  {
    name: 'messages.stream: bare client (anchor)',
    run: (input) => bare.messages.stream(request(input)).finalMessage(),
  },
  {
    name: 'messages.stream: guarded, no-op guard',
    run: (input) => guarded.messages.stream(request(input)).finalMessage(),
  },
];

const best = new Map<string, BenchResult>();
for (let round = 0; round < 6; round++) {
  for (const item of cases) {
    const result = await measure({
      group: 'anthropic',
      name: item.name,
      size: 'call',
      inputs: INPUTS,
      run: item.run,
      budgetMs: 400,
    });
    const known = best.get(item.name);
    if (known === undefined || result.medianUs < known.medianUs) best.set(item.name, result);
  }
}
const results = cases.map((item) => best.get(item.name)!);
printTable('@parapet/anthropic: local round trip, bare vs guarded (no-op guard)', results);
// Separate medians drift by more than the effect measured on this shared VM, so the overhead figure comes
// from pairs: bare and guarded back to back (alternating which goes first), the median of the per-pair
// differences against the median bare call.
console.log(
  '\nOverhead (median of per-pair differences, guarded minus bare, as a share of the median bare round trip):',
);
for (let index = 0; index < cases.length; index += 2) {
  const anchor = cases[index]!;
  const row = cases[index + 1]!;
  const result = await pairedOverhead({ inputs: INPUTS, base: anchor.run, wrapped: row.run });
  console.log(`  ${row.name.padEnd(40)} ${formatOverhead(result)}`);
}
await server.close();
