import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/input-detectors', () => {
  it('runs offline and shows each detector deciding', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    const block = (title: string) => out.split(`== ${title}`)[1]?.split('\n')[1] ?? '';
    expect(block('On-topic billing question')).toContain('ALLOW');
    expect(block('Instruction override in Spanish')).toContain('prompt-injection/instruction-override');
    expect(block('DAN-style jailbreak')).toContain('jailbreak/jailbreak');
    expect(block('Look-alike that is fine')).toContain('ALLOW');
    expect(block('Hidden zero-width characters are stripped')).toContain('REDACT');
    expect(block('A tool output (an e-mail) with instructions for the AI')).toContain('indirect-injection');
    expect(block('Base64-encoded injection')).toContain('BLOCK');
    expect(block('Key words split and reversed')).toMatch(/BLOCK.*\[repaired-words\]/);
    expect(block('Small capitals')).toMatch(/BLOCK.*\[other-alphabet\]/);
  });
});
