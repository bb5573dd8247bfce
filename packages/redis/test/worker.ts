/**
 * One application instance for the multi-process tests: a tool policy, a guard with a PII vault, all on the
 * Redis store named by REDIS_URL. It reads one JSON command per line on stdin and answers one JSON line.
 */
import { createInterface } from 'node:readline';
import { toolPolicy } from '@parapet/agent';
import { createGuard } from '@parapet/core';
import { createVault, piiDetector } from '@parapet/pii';
import { redisStore } from '../src/redis-store.js';

const store = redisStore({ url: process.env.REDIS_URL as string, prefix: 'mp:', timeoutMs: 300 });
const policy = toolPolicy({
  tools: {
    search_docs: { access: 'read' },
  },
  grants: { ttl: '15m' },
  store,
});
const limits = toolPolicy({
  name: 'limits',
  tools: { refund: { access: 'write', rateLimit: { max: 50, per: '1h', scope: 'tenant' } } },
  store,
});
const vault = createVault({ store, id: 'conversation-7', key: 'ab'.repeat(32) });
const guard = createGuard({
  input: [piiDetector({ entities: ['EMAIL_ADDRESS'], operator: { type: 'pseudonymize', vault } })],
  output: [piiDetector({ operator: { type: 'restore', vault } })],
  store,
});

type Command =
  | { op: 'burst'; n: number; tenant: string }
  | { op: 'grant'; session: string }
  | { op: 'check'; tool: string; session: string; grant: string }
  | { op: 'revoke'; session: string }
  | { op: 'pseudonymize'; text: string }
  | { op: 'restore'; text: string }
  | { op: 'exit' };

async function handle(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'burst': {
      const decisions = await Promise.all(
        Array.from({ length: command.n }, () => limits.check('refund', {}, { tenant: command.tenant })),
      );
      return { reasons: decisions.map((decision) => decision.reason) };
    }
    case 'grant':
      return { grant: (await policy.grant({ session: command.session })).id };
    case 'check':
      return {
        reason: (await policy.check(command.tool, {}, { session: command.session, grant: command.grant })).reason,
      };
    case 'revoke':
      await policy.revoke({ session: command.session });
      return { ok: true };
    case 'pseudonymize':
      return { text: (await guard.checkInput(command.text)).text };
    case 'restore':
      return { text: (await guard.checkOutput(command.text)).text };
    case 'exit':
      await policy.close();
      await limits.close();
      await guard.close();
      await store.close();
      process.exit(0);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line) as Command & { id: number };
  handle(command).then(
    (result) => process.stdout.write(`${JSON.stringify({ id: command.id, result })}\n`),
    (error: unknown) => process.stdout.write(`${JSON.stringify({ id: command.id, error: String(error) })}\n`),
  );
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
