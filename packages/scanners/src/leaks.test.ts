import { ConfigError, createGuard, type Verdict } from '@parapet/core';
import { createVault, piiDetector } from '@parapet/pii';
import { describe, expect, it } from 'vitest';
import { piiLeak, piiLeakEntry, secretLeak, secretLeakEntry } from './leaks.js';
import { chunksOf, contextOf, drain, filler, STREAM_CUTS, split } from './stream-testing.js';

const GITHUB_TOKEN = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const EMAIL = 'john.doe@example.com';

describe('secretLeak()', () => {
  it('redacts a credential in the answer by default (id secret-leak, output stages)', async () => {
    const detector = secretLeak();
    expect(detector.id).toBe('secret-leak');
    expect(detector.stages).toEqual(['output', 'tool_output']);
    const guard = createGuard({ output: [detector] });
    const verdict = await guard.check('output', `Use the token ${GITHUB_TOKEN} to log in.`);
    expect(verdict.action).toBe('redact');
    expect(verdict.text).toBe('Use the token [SECRET] to log in.');
    expect(verdict.findings[0]).toMatchObject({ detector: 'secret-leak', severity: 'critical' });
    expect(JSON.stringify(verdict.findings)).not.toContain(GITHUB_TOKEN);
  });

  it("action: 'block' withholds the answer instead", async () => {
    const guard = createGuard({
      output: [secretLeak({ action: 'block' })],
      policy: { onBlock: { mode: 'fallback', fallback: 'FB' } },
    });
    const verdict = await guard.check('output', `token ${GITHUB_TOKEN}`);
    expect(verdict.action).toBe('block');
    expect((await guard.check('output', 'no secrets here')).action).toBe('allow');
  });

  it('passes secretsDetector options through (operator, entities)', async () => {
    const guard = createGuard({ output: [secretLeak({ operator: { type: 'redact', with: '***' } })] });
    expect((await guard.check('output', `t ${GITHUB_TOKEN}`)).text).toBe('t ***');
  });

  it('does not report personal data', async () => {
    const guard = createGuard({ output: [secretLeak()] });
    expect((await guard.check('output', `write to ${EMAIL}`)).findings).toEqual([]);
  });
});

describe('piiLeak()', () => {
  it('redacts personal data with placeholders by default (id pii-leak)', async () => {
    const guard = createGuard({ output: [piiLeak()] });
    const verdict = await guard.check('output', `Write to ${EMAIL} or call +44 20 7946 0958.`);
    expect(verdict.action).toBe('redact');
    expect(verdict.text).toBe('Write to <EMAIL_1> or call <PHONE_1>.');
    expect(verdict.findings.every((finding) => finding.detector === 'pii-leak')).toBe(true);
    expect(JSON.stringify(verdict.findings)).not.toContain('john.doe');
  });

  it('restores a vault’s placeholders in the answer (operator restore passes through)', async () => {
    const vault = createVault();
    const guard = createGuard({
      input: [piiDetector({ operator: { type: 'pseudonymize', vault } })],
      output: [piiLeak({ operator: { type: 'restore', vault } })],
    });
    const input = await guard.check('input', `My e-mail is ${EMAIL}`);
    const placeholder = input.text.slice('My e-mail is '.length);
    expect(placeholder).toMatch(/^<EMAIL(?:_ADDRESS)?_1>$/);
    const output = await guard.check('output', `I will write to ${placeholder} today.`);
    expect(output.text).toBe(`I will write to ${EMAIL} today.`);
    // Under streaming, a placeholder split across chunks is restored whole.
    for (const size of [2, 3, 10]) {
      const text = `${filler(100)}Sent to ${placeholder}. ${filler(100)}`;
      const out = await drain(guard.scanStream(chunksOf(...split(text, size))));
      expect(out.join('')).toBe(text.replace(placeholder, EMAIL));
    }
  });

  it('validates options, naming the wrapper in the error', () => {
    expect(() => piiLeak({ action: 'shout' } as never)).toThrow(/piiLeak\(\) options[\s\S]*action/);
    expect(() => piiLeak({ minScore: 2 })).toThrow(ConfigError);
    expect(() => piiLeak({ minScore: 2 })).toThrow(/piiLeak\(\) options/);
    expect(() => secretLeak({ stages: [] })).toThrow(/secretLeak\(\) options[\s\S]*stages/);
    expect(() => secretLeak({ entities: ['NOT_AN_ENTITY'] })).toThrow(ConfigError);
  });

  it('never throws on odd input', () => {
    const detectors = [piiLeak(), secretLeak()];
    const odd = ['', '\ud800', '😀'.repeat(1000), 'שלום user@exämple.com', '\u0000\u0001', 'a@'.repeat(200_000)];
    for (const detector of detectors) {
      for (const text of odd) expect(() => detector.detect(text, contextOf(text))).not.toThrow();
    }
  });

  it('registry entries', () => {
    expect(piiLeakEntry).toMatchObject({ id: 'pii-leak', stages: ['output', 'tool_output'] });
    expect(secretLeakEntry).toMatchObject({ id: 'secret-leak', stages: ['output', 'tool_output'] });
    expect(piiLeakEntry.create().id).toBe('pii-leak');
    expect(secretLeakEntry.create({ action: 'block' }).rules?.[0]?.action).toBe('block');
  });
});

describe('leaks under guard.scanStream', () => {
  for (const [size, scanEvery] of STREAM_CUTS) {
    it(`redacts a secret and an e-mail split across ${size}-character chunks (scanEvery ${scanEvery})`, async () => {
      const text = `${filler(200)}token ${GITHUB_TOKEN} and mail ${EMAIL} please. ${filler(200)}`;
      const guard = createGuard({ output: [secretLeak(), piiLeak()] });
      let verdict: Verdict | undefined;
      const out = (
        await drain(guard.scanStream(chunksOf(...split(text, size)), { scanEvery, onVerdict: (v) => (verdict = v) }))
      ).join('');
      expect(out).toBe(text.replace(GITHUB_TOKEN, '[SECRET]').replace(EMAIL, '<EMAIL_1>'));
      expect(out).not.toContain('ghp_');
      expect(out).not.toContain('john.doe');
      expect(verdict?.action).toBe('redact');
    });

    it(`blocks a secret split across ${size}-character chunks before any of it is released (scanEvery ${scanEvery})`, async () => {
      const before = filler(200);
      const text = `${before}token ${GITHUB_TOKEN} ${filler(200)}`;
      const guard = createGuard({
        output: [secretLeak({ action: 'block' })],
        policy: { onBlock: { mode: 'fallback', fallback: 'FB' } },
      });
      const out = await drain(guard.scanStream(chunksOf(...split(text, size)), { scanEvery }));
      expect(out.at(-1)).toBe('FB');
      const delivered = out.slice(0, -1).join('');
      expect(text.startsWith(delivered)).toBe(true);
      expect(delivered.length).toBeLessThanOrEqual(text.indexOf(GITHUB_TOKEN));
    });
  }

  it('redacts what is still unreleased of a long e-mail address and an IBAN deep into a long stream', async () => {
    const longMail = 'firstname.middlename.lastname.department@subdomain.example-company.co.uk';
    const iban = 'GB82 WEST 1234 5698 7654 32';
    const text = `${filler(3000)}write to ${longMail} or pay ${iban} today. ${filler(500)}`;
    const guard = createGuard({ output: [piiLeak({ entities: ['EMAIL_ADDRESS', 'IBAN_CODE'] })] });
    for (const size of [1, 7, 33, 100]) {
      const out = (await drain(guard.scanStream(chunksOf(...split(text, size))))).join('');
      expect(out).not.toContain('lastname');
      expect(out).not.toContain('5698');
      expect(out).toContain(filler(3000));
    }
  });

  it('passes a clean stream through byte-identical', async () => {
    const text = `${filler(1000)} émoji 😀 RTL שלום end`;
    const guard = createGuard({ output: [secretLeak(), piiLeak()] });
    expect((await drain(guard.scanStream(chunksOf(...split(text, 3))))).join('')).toBe(text);
  });
});
