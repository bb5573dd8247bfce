import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/agent-tools', () => {
  it('bounds, rate-limits, quarantines, taints, approves and revokes as it says', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    const line = (label: string) => out.split('\n').find((row) => row.startsWith(label)) ?? '';
    expect(line('refund 40 ')).toContain('refunded 40');
    expect(line('refund 250')).toContain('DENIED (invalid-arguments)');
    expect(line('refund 10 three times')).toContain('DENIED (rate-limited)');
    expect(line('send_email to a colleague')).toContain('sent to bob@acme.com');
    expect(line('read_email')).toContain('was withheld');
    expect(line('read_email')).not.toContain('evil.example');
    expect(line('send_email after reading it')).toContain('DENIED (tainted)');
    expect(line('delete_files')).toContain('DENIED (tool-disallowed)');
    expect(line('sess-2: search_docs after revoke')).toContain('DENIED (revoked)');
    expect(out).toContain('E-mails sent: bob@acme.com\n');
    expect(out).toMatch(/Audit events: .*tool-call-approved=1/);
    expect(out).toContain('Approved by: alice@acme.com');
  });
});
