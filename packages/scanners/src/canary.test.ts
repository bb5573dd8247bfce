import { ConfigError, createGuard, type GuardBlockedError, type Verdict } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { canary, canaryEntry, canaryLeak } from './canary.js';
import { chunksOf, contextOf, drain, filler, STREAM_CUTS, splitInto } from './stream-testing.js';
import { systemPromptLeak } from './system-prompt-leak.js';

describe('canary()', () => {
  it('makes distinct, recognizable tokens of prefix + 20 base32 characters', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 200; i++) tokens.add(canary().token);
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^PRPT-[A-Z2-7]{20}$/);
  });

  it('honours prefix, length, format and a fixed token', () => {
    expect(canary({ prefix: 'ACME_', length: 32 }).token).toMatch(/^ACME_[A-Z2-7]{32}$/);
    const formatted = canary({ format: (random) => `<!-- ref ${random} -->` });
    expect(formatted.token).toMatch(/^<!-- ref [A-Z2-7]{20} -->$/);
    expect(formatted.detect(`the ref is ${formatted.token.slice(9, 29)}`)).toBe(true);
    const fixed = canary({ token: 'stored-canary-0123456789' });
    expect(fixed.token).toBe('stored-canary-0123456789');
    expect(fixed.detect('STORED CANARY 0123456789')).toBe(true);
    expect(`${fixed}`).toBe('stored-canary-0123456789');
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    const cases: [unknown, string][] = [
      [{ length: 8 }, 'length'],
      [{ prefix: 'has space' }, 'prefix'],
      [{ token: 'short' }, 'token'],
      [{ format: (random: string) => `no ${random.length}` }, 'format'],
      [{ bogus: 1 }, '(root)'],
      [{ token: 'stored-canary-0123456789', format: (r: string) => r }, 'format'],
    ];
    for (const [options, field] of cases) {
      let error: unknown;
      try {
        canary(options as never);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('canary() options');
      expect((error as ConfigError).issues.map((issue) => issue.path).join(' ')).toContain(field);
    }
  });

  it('detects the token however the model reformats it', () => {
    const c = canary();
    const body = c.token.slice(5);
    const forms = [
      c.token,
      c.token.toLowerCase(),
      body,
      body.split('').join(' '),
      body.split('').join('\u200b'),
      `${body.slice(0, 10)}-${body.slice(10)}`,
      `${body.slice(0, 7)}\n${body.slice(7)}`,
      `**${body.slice(0, 5)}** ${body.slice(5)}`,
      [...body].map((char) => String.fromCharCode(char.charCodeAt(0) + 0xfee0)).join(''), // fullwidth
      Buffer.from(c.token).toString('base64'),
      Buffer.from(c.token).toString('hex'),
    ];
    for (const form of forms) expect(c.detect(`Here you go: ${form} — that's it.`), form).toBe(true);
  });

  it('does not fire on other tokens, near misses or odd input', () => {
    const c = canary();
    const body = c.token.slice(5);
    expect(c.detect(canary().token)).toBe(false);
    expect(c.detect(body.slice(0, -1))).toBe(false);
    expect(c.detect(`${body.slice(0, 10)} and then ${body.slice(11)}`)).toBe(false);
    for (const odd of [
      '',
      '\ud800\udc00\ud800',
      '😀'.repeat(1000),
      'שלום עולם',
      '\u0000\u0001\u0002',
      'x'.repeat(1_000_000),
    ]) {
      expect(c.detect(odd)).toBe(false);
    }
    expect(c.detect(42 as never)).toBe(false);
  });
});

describe('canaryLeak()', () => {
  it('blocks through a guard with a critical canary-leak finding that never holds the token', async () => {
    const c = canary({ label: 'support-bot' });
    const guard = createGuard({ output: [canaryLeak({ canaries: [c] })] });
    const text = `My hidden instructions end with ${c.token.toLowerCase()}. Anything else?`;
    const verdict = await guard.check('output', text).catch((error: GuardBlockedError) => error.verdict);
    expect(verdict.action).toBe('block');
    const finding = verdict.findings[0]!;
    expect(finding).toMatchObject({ detector: 'canary', category: 'canary-leak', score: 1, severity: 'critical' });
    expect(text.slice(finding.span!.start, finding.span!.end)).toBe(c.token.toLowerCase());
    expect(finding.data).toMatchObject({ label: 'support-bot' });
    expect(JSON.stringify(verdict.findings).toLowerCase()).not.toContain(c.token.slice(5).toLowerCase());
  });

  it('reports the encoding when the token was base64-encoded', () => {
    const c = canary();
    const encoded = Buffer.from(`secret: ${c.token}`).toString('base64');
    const text = `data ${encoded} end`;
    const findings = canaryLeak({ canaries: [c] }).detect(text, contextOf(text)) as unknown as {
      data?: { encoding?: string };
      span?: { start: number };
    }[];
    expect(findings).toHaveLength(1);
    expect(findings[0]!.data?.encoding).toBe('base64');
    expect(findings[0]!.span?.start).toBe(5);
  });

  it('accepts token strings (JSON policy) and per-call canaries from context.metadata', async () => {
    const stored = canary().token;
    const perCall = canary().token;
    const guard = createGuard({
      output: [canaryLeak({ canaries: [stored] })],
      policy: { onBlock: { mode: 'fallback', fallback: 'FB' } },
    });
    expect((await guard.check('output', `x ${stored} y`)).action).toBe('block');
    expect((await guard.check('output', `x ${perCall} y`)).action).toBe('allow');
    expect((await guard.check('output', `x ${perCall} y`, { metadata: { canaries: [perCall] } })).action).toBe('block');
    expect((await guard.check('output', `x ${perCall} y`, { metadata: { canaries: perCall } })).action).toBe('block');
    expect((await guard.check('output', 'nothing', { metadata: { canaries: [perCall, 5, 'short'] } })).action).toBe(
      'allow',
    );
  });

  it('c.detector is a ready canary detector', async () => {
    const c = canary();
    expect(c.detector.id).toBe('canary');
    expect(c.detector).toBe(c.detector);
    const guard = createGuard({ output: [c.detector], policy: { onBlock: { mode: 'fallback', fallback: 'FB' } } });
    expect((await guard.check('output', `leak ${c.token}`)).action).toBe('block');
    expect((await guard.check('output', 'clean')).action).toBe('allow');
  });

  it('validates its options', () => {
    expect(() => canaryLeak({ canaries: ['short'] })).toThrow(ConfigError);
    expect(() => canaryLeak({ canaries: [], metadataKey: false })).toThrow(/give at least one canary/);
    expect(() => canaryLeak({ canaries: [canary()], stages: ['nope' as never] })).toThrow(/stages/);
    expect(() => canaryLeak({ canaries: [{ token: 'fake-but-long-enough' } as never] })).toThrow(
      /canaryLeak\(\) options/,
    );
  });

  it('never throws on odd input', () => {
    const detector = canaryLeak({ canaries: [canary()] });
    for (const odd of [
      '',
      '\ud800',
      '\udfff\ud800x',
      '😀🏳️‍🌈'.repeat(500),
      'مرحبا بالعالم',
      '\u202e\u0000',
      'A'.repeat(1_000_000),
    ]) {
      expect(() => detector.detect(odd, contextOf(odd))).not.toThrow();
      expect(detector.detect(odd, contextOf(odd))).toEqual([]);
    }
  });

  it('registry entry requires options and builds from token strings', () => {
    expect(canaryEntry).toMatchObject({ id: 'canary', requiresOptions: true });
    const token = canary().token;
    const detector = canaryEntry.create({ canaries: [token] });
    const text = `a ${token}`;
    expect((detector.detect(text, contextOf(text)) as unknown[]).length).toBe(1);
    expect(() => canaryEntry.create({ canaries: 'nope' })).toThrow(ConfigError);
  });
});

describe('canaries under guard.scanStream', () => {
  for (const [count, scanEvery] of STREAM_CUTS) {
    it(`catches a canary split across ${count} chunks (scanEvery ${scanEvery}); nothing past the match reaches the consumer`, async () => {
      const c = canary();
      const before = filler(200);
      const leak = c.token.split('').join(' '); // reformatted, ~50 characters: within the 64-character hold-back
      const text = `${before}${leak} and the rest of the answer ${filler(100)}`;
      const at = text.indexOf(leak);
      const pieces = [before, ...splitInto(leak, count), text.slice(at + leak.length)];
      expect(pieces.length).toBeGreaterThanOrEqual(count + 1);
      let verdict: Verdict | undefined;
      const guard = createGuard({
        output: [systemPromptLeak({ canaries: [c] })],
        policy: { onBlock: { mode: 'fallback', fallback: 'FB' } },
      });
      const chunks = await drain(guard.scanStream(chunksOf(...pieces), { scanEvery, onVerdict: (v) => (verdict = v) }));
      expect(chunks.at(-1)).toBe('FB');
      const delivered = chunks.slice(0, -1).join('');
      expect(text.startsWith(delivered)).toBe(true);
      expect(delivered.length).toBeLessThanOrEqual(at);
      expect(verdict?.action).toBe('block');
      expect(verdict?.findings[0]?.category).toBe('canary-leak');
    });
  }

  it('passes a stream with no canary through byte-identical', async () => {
    const c = canary();
    const text = `${filler(1500)} émoji 😀 RTL שלום \u200b PRPT-NOTTHETOKEN end`;
    const guard = createGuard({ output: [canaryLeak({ canaries: [c] })] });
    for (const size of [2, 3, 10]) {
      const pieces = splitInto(text, Math.ceil(text.length / size));
      expect((await drain(guard.scanStream(chunksOf(...pieces)))).join('')).toBe(text);
    }
  });
});
