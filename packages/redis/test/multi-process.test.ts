import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisProcess, startRedis } from './redis-server.js';

/** Three application instances (separate Node processes) against one real Redis. */
interface Worker {
  send(command: Record<string, unknown>): Promise<any>;
  child: ChildProcess;
}

function startWorker(url: string): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'test/worker.ts'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, REDIS_URL: url },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  let buffer = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    child.stdout?.on('data', (data: Buffer) => {
      buffer += data.toString();
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const message = JSON.parse(buffer.slice(0, end)) as {
          ready?: boolean;
          id?: number;
          result?: unknown;
          error?: string;
        };
        buffer = buffer.slice(end + 1);
        if (message.ready) {
          resolve({
            child,
            send(command) {
              const id = nextId++;
              child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`);
              return new Promise((done) => waiting.set(id, done));
            },
          });
        } else if (message.id !== undefined) {
          if (message.error !== undefined) throw new Error(message.error);
          waiting.get(message.id)?.(message.result);
          waiting.delete(message.id);
        }
      }
    });
  });
}

describe('three processes, one Redis', () => {
  let redis: RedisProcess;
  let workers: Worker[];
  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorker(redis.url), startWorker(redis.url), startWorker(redis.url)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise((resolve) => {
            worker.child.once('exit', resolve);
            worker.send({ op: 'exit' });
          }),
      ),
    );
    await redis.stop();
  });

  it('a rate limit of 50 is never exceeded in total under concurrent load from three processes', async () => {
    const results = await Promise.all(workers.map((worker) => worker.send({ op: 'burst', n: 40, tenant: 'acme' })));
    const reasons = results.flatMap((result: { reasons: string[] }) => result.reasons);
    expect(reasons).toHaveLength(120);
    expect(reasons.filter((reason) => reason === 'allowed')).toHaveLength(50);
    expect(reasons.filter((reason) => reason === 'rate-limited')).toHaveLength(70);
    // The limit is per tenant: another tenant still has its own 50.
    const other = await workers[1]?.send({ op: 'burst', n: 5, tenant: 'globex' });
    expect(other.reasons).toEqual(Array(5).fill('allowed'));
  });

  it('a revocation issued in A denies the next call in B and C', async () => {
    const [a, b, c] = workers as [Worker, Worker, Worker];
    const { grant } = await a.send({ op: 'grant', session: 'sess-9' });
    for (const worker of [a, b, c]) {
      expect((await worker.send({ op: 'check', tool: 'search_docs', session: 'sess-9', grant })).reason).toBe(
        'allowed',
      );
    }
    await a.send({ op: 'revoke', session: 'sess-9' });
    for (const worker of [b, c, a]) {
      expect((await worker.send({ op: 'check', tool: 'search_docs', session: 'sess-9', grant })).reason).toBe(
        'revoked',
      );
    }
  });

  it('a vault entry written in A restores in B, and the store holds no plain value', async () => {
    const [a, b] = workers as [Worker, Worker];
    const { text } = await a.send({ op: 'pseudonymize', text: 'Please write to dana.whitfield@example.org today.' });
    expect(text).toMatch(/<EMAIL_1>/);
    expect(text).not.toContain('dana.whitfield');
    const restored = await b.send({ op: 'restore', text: 'Done: I wrote to <EMAIL_1>.' });
    expect(restored.text).toBe('Done: I wrote to dana.whitfield@example.org.');
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    const keys = await client.keys('mp:*');
    const values = await Promise.all(
      keys.map((key) => client.type(key).then((type) => (type === 'string' ? client.get(key) : ''))),
    );
    expect(values.join(' ')).not.toContain('dana.whitfield');
    await client.quit();
  });
});
