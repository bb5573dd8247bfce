import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/chatbot-server', () => {
  it('answers, blocks, pseudonymizes and cuts a stream as it says, then exits', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    const section = (label: string) => {
      const start = out.indexOf(label);
      const end = out.indexOf('\n', out.indexOf('  < ', start));
      return start < 0 ? '' : out.slice(start, end);
    };
    expect(section('1. normal question')).toContain('< Ferries to Port Ellis leave at 08:00');
    expect(section('1. normal question')).toContain('input=allow output=allow');

    expect(section('2. injection attempt')).toContain('input=block; requests that reached the model so far: 1');
    expect(section('2. injection attempt')).toContain('< I can only help with Tidewater Ferries');
    expect(section('3. off-topic request')).toContain('input=block; requests that reached the model so far: 1');

    const personal = section('4. e-mail and street address');
    expect(personal).toContain('input=redact');
    expect(personal).toContain('will be sent to alice.smith@example.com within the hour');
    expect(personal).toContain('the printed tickets to 14 Harbour Road.');
    expect(out).toContain(
      '[model saw] Please send my booking confirmation to <EMAIL_1> and the tickets to <ADDRESS_1>, Port Ellis',
    );
    expect(out).not.toMatch(/\[model saw\].*(?:alice\.smith|Harbour Road)/);

    const cut = section('5. streamed answer cut by an output rule');
    expect(cut).toContain('output=block');
    expect(cut).toContain('< Regular fares apply');
    expect(cut).toContain('[The rest of this answer was withheld.');
    expect(cut).not.toContain('CREW-ONLY');
    expect(cut).not.toContain('half price');
    expect(out.trimEnd().endsWith('done')).toBe(true);
  });
});
