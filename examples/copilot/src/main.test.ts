import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/copilot', () => {
  it('keeps the copilot in scope, redacts, cuts the streamed answer and verifies its audit trail', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    const line = (label: string) => out.split('\n').find((row) => row.startsWith(label)) ?? '';
    expect(line('stock question:')).toContain('Rotterdam holds 1,240 pallets');
    expect(line('stock question:')).toContain('(sent)');
    expect(line('  what the model received:')).toContain('<EMAIL_1>');
    expect(line('  what the model received:')).not.toContain('jan.devries@example.com');
    expect(line('off-topic:')).toContain('I can only help with Northwind');
    expect(line('off-topic:')).toContain('(not sent)');
    expect(line('injection:')).toContain('(not sent)');
    expect(line('prompt leak:')).toContain('[withheld');
    expect(line('prompt leak:')).not.toContain('Reference:');
    expect(line('secret in answer:')).toContain('[SECRET]');
    expect(line('secret in answer:')).not.toContain('sk_live_');
    const streamed = line('streamed invoice summary:');
    expect(streamed).toContain('Contoso has two open invoices');
    expect(streamed).not.toContain('salaries');
    expect(streamed).not.toContain('3,100');
    expect(streamed.endsWith('[withheld: that part of the answer is outside what this copilot may share]')).toBe(true);
    expect(out).toContain('stop reason: end_turn; "salaries" delivered: false');
    expect(out).toMatch(/Audit events: .*input-blocked=2 .*input-redacted=1 .*output-blocked=2 .*output-redacted=1/);
    expect(out).toContain('Audit traces: 7');
    expect(out).toMatch(/Audit trail verified: ok \(\d+ events, closed: true\)/);
  });
});
