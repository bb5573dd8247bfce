/**
 * `pnpm bench` for @parapet/agent: what a tool policy adds to a tool call. The anchor is the bare tool
 * (an async function returning a short string); every other row is the same call through the policy, so
 * "overhead" is the row minus the anchor, in the same run. Output scanning (indirect injection on the
 * fixed corpus) is reported separately: it is a detector's cost, not the policy's. It imports the built
 * package (dist/, as users run it): under tsx's on-the-fly transform every closure pays a naming helper
 * that the published build does not have.
 */

import { toolPolicy, wrapTools } from '@parapet/agent';
import { type BenchResult, loadCorpus, measure, printTable } from '@parapet/bench';
import type { AuditEvent } from '@parapet/core';
import { indirectInjection } from '@parapet/detectors';
import { z } from 'zod';

// The inputs are indices into prepared arguments (the harness passes strings).
const INPUTS = Array.from({ length: 64 }, (_, index) => String(index));
const queries = INPUTS.map((index) => ({ q: `invoice ${index}` }));
const emails = INPUTS.map((index) => ({
  to: `user${index}@acme.com`,
  subject: 'Report',
  body: `Figures for week ${index}.`,
}));

const sendEmailArgs = z.object({ to: z.string().email(), subject: z.string().max(200), body: z.string().max(20_000) });
const rawSearch = async ({ q }: { q: string }) => `3 results for ${q}`;
const rawSend = async ({ to }: { to: string }) => `sent to ${to}`;

const audited: AuditEvent[] = [];
const sink = {
  write(event: AuditEvent) {
    // Keep the last event only: the cost measured is building and handing over the event.
    audited[0] = event;
  },
};

const plain = toolPolicy({
  name: 'plain',
  tools: {
    search_docs: { access: 'read' },
    send_email: {
      access: 'write',
      args: sendEmailArgs,
      constraints: { to: { emailDomains: ['acme.com'] } },
      deniedAfter: ['untrusted'],
    },
  },
});
const full = toolPolicy({
  name: 'full',
  tools: {
    search_docs: { access: 'read', rateLimit: { max: 1_000_000_000, per: '1h' } },
    send_email: {
      access: 'write',
      args: sendEmailArgs,
      constraints: { to: { emailDomains: ['acme.com'] } },
      deniedAfter: ['untrusted'],
      rateLimit: { max: 1_000_000_000, per: '1h' },
    },
  },
  grants: { ttl: '1h' },
});
const audit = toolPolicy({ name: 'audit', tools: { search_docs: { access: 'read' } }, audit: sink });
const scanning = toolPolicy({
  name: 'scan',
  tools: { fetch_page: { access: 'read', output: 'untrusted' } },
  scanToolOutputs: [indirectInjection()],
});

const grant = await full.grant({ session: 'bench', user: 'u1' });
const plainTools = wrapTools({ search_docs: rawSearch, send_email: rawSend }, plain, { session: 'bench' });
const fullTools = wrapTools({ search_docs: rawSearch, send_email: rawSend }, full, {
  session: 'bench',
  user: 'u1',
  grant: grant.id,
});
const auditTools = wrapTools({ search_docs: rawSearch }, audit, { session: 'bench' });

const pages = loadCorpus('medium').map((doc) => doc.text);
const fetchPage = async (input: { i: number }) => pages[input.i % pages.length] as string;
const scanningTools = wrapTools({ fetch_page: fetchPage }, scanning, { session: 'bench' });

const results: BenchResult[] = [];
const run = async (name: string, call: (input: string) => unknown, size = 'call'): Promise<void> => {
  results.push(await measure({ group: 'agent', name, size, inputs: INPUTS, run: call }));
};
const at = <T>(list: readonly T[], input: string): T => list[Number(input)] as T;

await run('bare tool (anchor)', (input) => rawSearch(at(queries, input)));
await run('policy.check: read tool', (input) => plain.check('search_docs', at(queries, input), { session: 'bench' }));
await run('wrapped: read tool', (input) => plainTools.search_docs(at(queries, input)));
await run('bare tool, e-mail (anchor)', (input) => rawSend(at(emails, input)));
await run("the write tool's zod schema alone", (input) => sendEmailArgs.safeParse(at(emails, input)));
await run('wrapped: write tool, zod + constraint + taint rule', (input) => plainTools.send_email(at(emails, input)));
await run('wrapped: + grant + rate limit', (input) => fullTools.send_email(at(emails, input)));
await run('wrapped: read tool + audit event', (input) => auditTools.search_docs(at(queries, input)));
await run('denied: unknown tool', (input) => plain.check('wire_money', at(queries, input)));
await run(
  'wrapped: untrusted page + indirect-injection scan',
  (input) => scanningTools.fetch_page({ i: Number(input) }),
  '4 KB',
);

printTable('@parapet/agent: tool-call overhead', results);
const anchor = results[0]?.medianUs ?? 0;
const emailAnchor = results[3]?.medianUs ?? 0;
console.log('\nOverhead per allowed call (median minus the bare tool, same run):');
const zod = results[4]?.medianUs ?? 0;
for (const [index, base, note] of [
  [1, anchor, ''],
  [2, anchor, ''],
  [5, emailAnchor, `, of which the zod schema ${zod.toFixed(2)} µs`],
  [6, emailAnchor, `, of which the zod schema ${zod.toFixed(2)} µs`],
  [7, anchor, ''],
] as const) {
  const row = results[index];
  if (row !== undefined) console.log(`  ${row.name.padEnd(52)} ${(row.medianUs - base).toFixed(2)} µs${note}`);
}
console.log(`  (audit events built: ${audited.length > 0 ? 'yes' : 'no'})`);
await Promise.all([plain.close(), full.close(), audit.close(), scanning.close()]);
