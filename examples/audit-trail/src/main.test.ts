import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/audit-trail', () => {
  it('verifies the trail, queries it, and catches an edited record', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    expect(out).toContain('JSONL trail: verified, 3 events, closed: true');
    expect(out).toContain('SQLite:      verified, 3 events');
    expect(out).toContain('input-blocked session=sess-2');
    expect(out).toContain('Session sess-1: input-allowed (allow) → input-redacted (redact)');
    expect(out).toContain('The trail holds no raw text: true');
    expect(out).toMatch(/After editing line \d+: TAMPERED — modified at line \d+/);
  });
});
