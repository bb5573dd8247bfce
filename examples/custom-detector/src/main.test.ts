import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/custom-detector', () => {
  it('blocks a codename on input, redacts it on output, throws in throw mode', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    expect(out).toContain('input:  block (an internal project codename)');
    expect(out).toContain('reply:  I cannot discuss internal projects.');
    expect(out).toContain('output: redact → The roadmap moves [internal project] to Q3 and [internal project] to Q4.');
    expect(out).toContain('stream: Status: [internal project] ships next week; the rest of the roadmap is unchanged.');
    expect(out).toContain('clean:  allow');
    expect(out).toContain('throw:  GuardBlockedError (GUARD_BLOCKED)');
  });
});
