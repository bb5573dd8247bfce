/**
 * `pnpm bench` for @parapet/redis: guarded tool-permission checks against a real local redis-server (started
 * here, or REDIS_URL), one call at a time (latency a check adds) and many in flight from one process
 * (throughput, with and without ioredis auto-pipelining); the in-memory store in the same run as the anchor.
 * A check here is `policy.check` with a grant, the revocations and the session's taint (one MGET), and with
 * a rate limit (one more round trip, an atomic Lua increment).
 */
import { type ToolPolicy, toolPolicy } from '@parapet/agent';
import { type BenchResult, measure, printTable } from '@parapet/bench';
import { memoryStore, type Store } from '@parapet/core';
import { redisStore } from '@parapet/redis';
import { startRedis } from '../test/redis-server.js';

const server = process.env.REDIS_URL === undefined ? await startRedis() : undefined;
const url = process.env.REDIS_URL ?? (server?.url as string);
const INPUTS = Array.from({ length: 64 }, (_, index) => `sess-${index}`);

async function setup(store: Store, name: string, rateLimit: boolean) {
  const policy = toolPolicy({
    name,
    tools: {
      search_docs: { access: 'read', ...(rateLimit ? { rateLimit: { max: 1_000_000_000, per: '1h' } } : {}) },
    },
    grants: { ttl: '1h' },
    store,
  });
  const grants = new Map<string, string>();
  for (const session of INPUTS) grants.set(session, (await policy.grant({ session })).id);
  const check = (session: string) => policy.check('search_docs', {}, { session, grant: grants.get(session) as string });
  return { policy, check };
}

async function throughput(check: (session: string) => Promise<unknown>, inFlight: number, ms = 1_500): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const lane = async (lane: number) => {
    let index = lane;
    while (performance.now() < end) {
      await check(INPUTS[index++ % INPUTS.length] as string);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, (_, lane) => lane).map(lane));
  return done / ((performance.now() - started) / 1000);
}

const pipelined = redisStore({ url, prefix: 'bench:' });
const plain = redisStore({ url, prefix: 'bench:', autoPipelining: false });
const stores: [string, Store][] = [
  ['memory', memoryStore()],
  ['redis, auto-pipelining', pipelined],
  ['redis, no pipelining', plain],
];
const latency: BenchResult[] = [];
const rows: string[] = [];
const policies: ToolPolicy[] = [];
for (const [label, store] of stores) {
  for (const rateLimit of [false, true]) {
    const { policy, check } = await setup(store, `${label}-${rateLimit}`.replace(/[^a-z-]/g, ''), rateLimit);
    policies.push(policy);
    const name = `${label}${rateLimit ? ' + rate limit' : ''}`;
    latency.push(await measure({ group: 'check', name, size: '1 in flight', inputs: INPUTS, run: check }));
    const perSecond = await throughput(check, 64);
    rows.push(`| ${name.padEnd(36)} | ${Math.round(perSecond).toLocaleString('en-US').padStart(9)} |`);
  }
}
printTable('@parapet/redis: one guarded tool-permission check at a time', latency);
console.log('\n## checks per second from one process, 64 in flight\n');
console.log(`| ${'store'.padEnd(36)} | checks/s  |`);
console.log(`|${'-'.repeat(38)}|-----------|`);
for (const row of rows) console.log(row);
for (const policy of policies) await policy.close();
await pipelined.close();
await plain.close();
await server?.stop();
process.exit(0);
