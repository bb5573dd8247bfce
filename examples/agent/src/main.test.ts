import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/agent', () => {
  it('grants, approves, taints, quarantines and blocks as it says, then exits by itself', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const block = (label: string) => {
      const start = out.indexOf(`${label}: "`);
      const next = out.indexOf('\n', out.indexOf('answer:', start));
      return start < 0 ? '' : out.slice(start, next);
    };
    expect(block('1 refund policy')).toContain('tool-call-approved send_email (approved) by alice@acme.com');
    expect(block('1 refund policy')).toContain('tool send_email: sent to bob@acme.com');
    // The e-mail steered the model to forward invoices; the taint rule stopped it.
    expect(block('2 inbox')).toContain('tool-call-allowed read_email');
    expect(block('2 inbox')).toContain('tool-call-denied send_email (tainted)');
    expect(block('3 partner page')).toContain('tool-output-quarantined fetch_page');
    expect(block('3 partner page')).not.toContain('list@evil.example');
    expect(block('4 clean up')).toContain('tool-call-denied delete_files (tool-disallowed)');
    expect(block('5 injection')).toContain('decision: input-blocked');
    expect(block('5 injection')).toContain("answer: Sorry, I can't help with that request.");
    expect(block('6 scoped grant')).toContain('tool-call-allowed search_docs');
    expect(block('6 scoped grant')).toContain('tool-call-denied send_email (grant-invalid)');
    expect(block('7 expired grant')).toContain('tool-call-denied search_docs (grant-expired)');
    expect(out).toContain('E-mails sent: bob@acme.com\n');
    expect(out).toMatch(/Audit events: .*model-call-ended=\d+/);
  });
});
