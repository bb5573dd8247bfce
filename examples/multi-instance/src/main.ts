/**
 * Two instances of one application (two stores, two policies, two guards — as on two servers behind a load
 * balancer) sharing one Redis. Uses REDIS_URL when set; otherwise starts a throwaway redis-server on a free
 * port of 127.0.0.1 (install one with `apt-get install redis-server` or `brew install redis`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { toolPolicy } from '@parapet/agent';
import { createGuard } from '@parapet/core';
import { createVault, piiDetector } from '@parapet/pii';
import { redisStore } from '@parapet/redis';

async function localRedis(): Promise<{ url: string; stop(): void }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot start redis-server (${error.message}); set REDIS_URL or install it`)),
    );
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('Ready to accept connections')) resolve();
    });
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

const server = !process.env.REDIS_URL ? await localRedis() : undefined;
const url = process.env.REDIS_URL || (server?.url as string);

function instance(name: string) {
  const store = redisStore({ url, prefix: 'example:' });
  const policy = toolPolicy({
    tools: {
      search_docs: { access: 'read' },
      refund: { access: 'write', rateLimit: { max: 5, per: '1h', scope: 'user' } },
    },
    grants: { ttl: '15m' },
    store,
  });
  const vault = createVault({ store, id: 'conversation-42', key: 'f0'.repeat(32) });
  const guard = createGuard({
    input: [piiDetector({ entities: ['EMAIL_ADDRESS'], operator: { type: 'pseudonymize', vault } })],
    output: [piiDetector({ operator: { type: 'restore', vault } })],
    store,
  });
  return { name, store, policy, guard };
}

const a = instance('A');
const b = instance('B');

// A user's refunds land on both instances, alternately: the limit of 5 an hour holds in total.
const userGrant = await a.policy.grant({ user: 'u-7' });
const outcomes: string[] = [];
for (let call = 0; call < 8; call++) {
  const at = call % 2 === 0 ? a : b;
  const decision = await at.policy.check('refund', { amount: 10 }, { user: 'u-7', grant: userGrant.id });
  outcomes.push(`${at.name}:${decision.allowed ? 'ok' : decision.reason}`);
}
console.log(`refunds: ${outcomes.join(' ')}`);

// A grant issued on A works on B; a revocation on A stops B's next call.
const grant = await a.policy.grant({ session: 'sess-1' });
const before = await b.policy.check('search_docs', {}, { session: 'sess-1', grant: grant.id });
await a.policy.revoke({ session: 'sess-1', reason: 'signed out' });
const after = await b.policy.check('search_docs', {}, { session: 'sess-1', grant: grant.id });
console.log(`B before the revocation on A: ${before.reason}; after: ${after.reason}`);

// The user's address is pseudonymized on A; the model's answer is restored on B.
const sent = await a.guard.checkInput('Please send the invoice to dana@example.org');
console.log(`A sends the model: ${sent.text}`);
const answer = await b.guard.checkOutput('I have sent the invoice to <EMAIL_1>.');
console.log(`B shows the user:  ${answer.text}`);

for (const each of [a, b]) {
  await each.policy.close();
  await each.guard.close();
  await each.store.close();
}
server?.stop();
