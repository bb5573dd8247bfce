import { toolPolicy } from '@parapet/agent';
import type { AuditEvent } from '@parapet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisStore, redisStore } from '../src/redis-store.js';
import { type RedisProcess, startRedis } from './redis-server.js';

/** Redis killed mid-run, then restarted on the same port: fail closed, say why, recover by itself. */
describe('Redis failure and recovery', () => {
  let redis: RedisProcess;
  let store: RedisStore;
  const events: AuditEvent[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    store = redisStore({ url: redis.url, timeoutMs: 300, connectTimeoutMs: 300 });
  });
  afterAll(async () => {
    await store.close();
    await redis.stop();
  });

  const within = <T>(promise: Promise<T>, ms: number): Promise<T> =>
    Promise.race([
      promise,
      new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
    ]);

  it('denies with a clear error while Redis is down, and recovers after it restarts without a new store', async () => {
    const policy = toolPolicy({
      tools: { refund: { access: 'write', rateLimit: { max: 1000, per: '1h' } } },
      grants: { ttl: '15m' },
      store,
      audit: { write: (event) => events.push(event) },
    });
    const grant = await policy.grant({ session: 's1' });
    const context = { session: 's1', grant: grant.id };
    expect((await policy.check('refund', {}, context)).reason).toBe('allowed');

    await redis.stop();
    const denials = [];
    for (let attempt = 0; attempt < 3; attempt++)
      denials.push(await within(policy.check('refund', {}, context), 5_000));
    for (const decision of denials) {
      expect(decision.allowed).toBe(false);
      expect(decision.reason).toBe('store-unavailable');
      expect(decision.message).toMatch(/Redis store: countAndRead failed at 127\.0\.0\.1:\d+/);
    }
    const failure = events.find((event) => event.type === 'store-failed');
    expect(failure?.data?.failMode).toBe('closed');
    expect(String(failure?.data?.error)).toContain('Redis store');

    await redis.start();
    // The server restarted empty (it runs without persistence, and SIGKILL would lose unsynced writes
    // anyway): the old grant is gone, so its calls stay denied, now as grant-expired, not store-unavailable.
    // A new grant on the same store and policy objects works as soon as the client has reconnected.
    let recovered: string | undefined;
    for (let attempt = 0; attempt < 100 && recovered !== 'allowed'; attempt++) {
      try {
        const fresh = await within(policy.grant({ session: 's1' }), 5_000);
        recovered = (await within(policy.check('refund', {}, { session: 's1', grant: fresh.id }), 5_000)).reason;
      } catch {
        recovered = 'store-unavailable';
      }
      if (recovered !== 'allowed') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe('allowed');
    expect((await policy.check('refund', {}, context)).reason).toBe('grant-expired');
    expect(store.status()).toBe('ready');
    await policy.close();
  }, 60_000);
});
