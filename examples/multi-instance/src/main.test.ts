import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/multi-instance', () => {
  it('shares the limit, the revocation and the vault between two instances through Redis', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, REDIS_URL: '' },
    });
    expect(out).toContain('refunds: A:ok B:ok A:ok B:ok A:ok B:rate-limited A:rate-limited B:rate-limited');
    expect(out).toContain('B before the revocation on A: allowed; after: revoked');
    expect(out).toContain('A sends the model: Please send the invoice to <EMAIL_1>');
    expect(out).toContain('B shows the user:  I have sent the invoice to dana@example.org.');
  });
});
