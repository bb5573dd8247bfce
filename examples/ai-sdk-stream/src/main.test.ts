import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/ai-sdk-stream', () => {
  it('streams a clean answer, redacts one on the fly and cuts two at the first blocking match', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    const line = (label: string) => out.split('\n').find((row) => row.startsWith(label)) ?? '';
    expect(line('clean: ')).toBe(
      'clean: Our desk is open 9 to 5, Monday to Friday. Invoices are under Account > Billing.',
    );
    expect(line('redacted: ')).toContain('write to <EMAIL_1> and mention ticket 4411');
    expect(line('redacted: ')).not.toContain('dana.lee@example.com');
    const secret = line('secret cut: ');
    expect(secret).toContain('[answer withheld');
    expect(secret).not.toContain('ghp_');
    expect(secret).not.toContain('expires Friday');
    const leak = line('system-prompt leak cut: ');
    expect(leak).toContain('[answer withheld');
    expect(leak).not.toContain('ZEBRA-42');
    expect(leak).not.toContain('Anything else');
    expect(out).toContain('finish reason: content-filter');
    expect(out).toMatch(/Audit events: .*output-blocked/);
    expect(out).toContain('Requests the provider received: 4');
  });
});
