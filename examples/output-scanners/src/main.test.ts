import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/output-scanners', () => {
  it('runs offline: leaks stopped mid-stream, secrets redacted across chunks, JSON repaired', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=@parapet/source', 'src/main.ts'], {
      cwd,
      encoding: 'utf8',
    });
    const block = (title: string) => out.split(`== ${title}`)[1]?.split('\n')[1] ?? '';
    expect(block('An ordinary answer passes through unchanged')).toContain('Your invoice INV-2291 was sent on 3 May');
    expect(block('The model leaks its system prompt')).toContain("Sorry, I can't share that.");
    expect(block('The model leaks the canary, re-spaced')).toContain("Sorry, I can't share that.");
    expect(block('A markdown image that would send the conversation elsewhere')).not.toContain('attacker-site');
    expect(block('A secret split across chunks is redacted whole')).toContain('[SECRET]');
    expect(block('A secret split across chunks is redacted whole')).not.toContain('sk_live');
    const tokens = /(\d+) chunks in, (\d+) pieces out; secret redacted: (\w+)/.exec(
      block('Token-sized chunks, scanEvery 32'),
    );
    expect(tokens?.[3]).toBe('true');
    // Released once per 32 characters or more, not once per 4-character chunk.
    expect(Number(tokens?.[2])).toBeLessThan(Number(tokens?.[1]) / 6);
    expect(block('Broken JSON, repaired and valid')).toContain('{"id":"A-17","total":42.5,"items":["pen","ink"]}');
  });
});
