import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, createGuard, type Detector, type Finding, type Verdict } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { canary } from './canary.js';
import { piiLeak, secretLeak } from './leaks.js';
import { chunksOf, drain, filler, split } from './stream-testing.js';
import { systemPromptLeak } from './system-prompt-leak.js';
import { toxicity } from './toxicity.js';

/**
 * Under `guard.scanStream`, `piiLeak`, `secretLeak` and `toxicity` read a window only from `streamOverlap`
 * characters before its new text (the rest was scanned by earlier windows). These tests hold that to the
 * whole-window scan it replaces: on streams built from the shared datasets (read at test time), cut in
 * chunks of several sizes, it must miss nothing the whole-window scan found that a check of the whole text
 * finds too.
 */
const datasets = fileURLToPath(new URL('../../../../shared/datasets/', import.meta.url));
const rows = (file: string): { text: string; kind?: string }[] =>
  readFileSync(`${datasets}${file}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as { text: string; kind?: string });

const JOIN = '\nThe team reviewed the quarterly report and agreed on next steps for the release. ';
/** Every `step`-th group of `per` texts, joined into one long answer. */
function streamsOf(texts: readonly string[], per: number, step: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < texts.length; i += per * step) out.push(texts.slice(i, i + per).join(JOIN));
  return out;
}

// Every finding flagged, none redacted or blocked: the streams run to their end and keep every finding.
const policy = { rules: [{ minScore: 0, action: 'flag' as const }] };
const keyOf = (finding: Finding) => `${finding.category}|${finding.span?.start}|${finding.span?.end}`;

async function streamed(detectors: Detector[], text: string, size: number): Promise<Set<string>> {
  const guard = createGuard({ output: detectors, policy });
  let verdict: Verdict | undefined;
  const out = await drain(
    guard.scanStream(chunksOf(...split(text, size)), {
      onVerdict: (value) => {
        verdict = value;
      },
    }),
  );
  expect(out.join('')).toBe(text);
  return new Set(verdict!.findings.map(keyOf));
}

const cases: [name: string, make: (overlap?: number) => Detector[], texts: string[]][] = [
  [
    'secretLeak',
    (overlap) => [secretLeak(overlap === undefined ? {} : { streamOverlap: overlap })],
    [
      ...streamsOf(
        rows('gitleaks-rules/rule_examples.jsonl')
          .filter((row) => row.kind === 'tp')
          .map((row) => row.text),
        6,
        3,
      ),
      ...streamsOf(
        rows('detect-secrets-cases/plugin_cases.jsonl').map((row) => row.text),
        6,
        3,
      ),
    ],
  ],
  [
    'piiLeak',
    (overlap) => [piiLeak(overlap === undefined ? {} : { streamOverlap: overlap })],
    streamsOf(
      rows('presidio-synth-pii/eval.jsonl').map((row) => row.text),
      8,
      6,
    ),
  ],
  [
    'toxicity',
    (overlap) => [toxicity(overlap === undefined ? {} : { streamOverlap: overlap })],
    streamsOf(
      rows('toxigen-statements/eval.jsonl').map((row) => row.text),
      8,
      2,
    ),
  ],
];

describe('streamOverlap: incremental window scans against whole-window scans', () => {
  for (const [name, make, texts] of cases) {
    it(`${name}: misses nothing the whole-window scan finds (${texts.length} dataset streams, chunks of 5 and 100)`, async () => {
      expect(texts.length).toBeGreaterThan(10);
      const whole = createGuard({ output: make(), policy });
      let found = 0;
      for (const text of texts) {
        const expected = new Set((await whole.check('output', text)).findings.map(keyOf));
        found += expected.size;
        for (const size of [5, 100]) {
          const incremental = await streamed(make(), text, size);
          const everything = await streamed(make(1_000_000), text, size);
          const missed = [...expected].filter((key) => everything.has(key) && !incremental.has(key));
          expect(missed, `${name}, ${size}-character chunks`).toEqual([]);
        }
      }
      expect(found).toBeGreaterThan(20);
    });
  }
});

describe('streamOverlap: values at the edge of the overlap', () => {
  const EMAIL = 'maria.lopez@example.org';
  const KEY = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

  it('finds an e-mail address and a token cut at every position of a 300-character stream', async () => {
    for (const [detector, value] of [
      [() => piiLeak(), EMAIL],
      [() => secretLeak(), KEY],
    ] as const) {
      const text = `${filler(200)}${value} ${filler(100)}`;
      const at = text.indexOf(value);
      for (const size of [1, 4, 9, 33, 128]) {
        const keys = await streamed([detector()], text, size);
        expect(
          [...keys].some((key) => key.endsWith(`|${at}|${at + value.length}`)),
          `${value}, ${size}`,
        ).toBe(true);
      }
    }
  });

  it('finds a private key whose header lies far before the new text once enough of the key has come', async () => {
    // Lines of 100 characters: the first point where header and two lines match lies further back than
    // the overlap, so only a look for the header in the whole window finds it.
    const body = Array.from({ length: 8 }, (_, line) =>
      Array.from(
        { length: 100 },
        (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[(line * 7 + i * 13) % 64],
      ).join(''),
    ).join('\n');
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    const text = `${filler(150)}${pem}\n${filler(50)}`;
    const whole = await createGuard({ output: [secretLeak()], policy }).check('output', text);
    expect(whole.findings.length).toBeGreaterThan(0);
    for (const size of [3, 40]) {
      const keys = await streamed([secretLeak()], text, size);
      const header = text.indexOf('-----BEGIN');
      expect(
        [...keys].some((key) => key.split('|')[1] === String(header)),
        `${size}`,
      ).toBe(true);
    }
  });

  it('toxicity: a phrase across a chunk border is found, and a negation before it still cancels a threat', async () => {
    const insult = `${filler(300)}you are a worthless idiot ${filler(80)}`;
    const keys = await streamed([toxicity()], insult, 7);
    expect([...keys].some((key) => key.startsWith('insult|'))).toBe(true);
    const guard = createGuard({ output: [toxicity()], policy });
    for (const [sentence, threat] of [
      ['I will hurt you', true],
      ['I would never hurt you', false],
    ] as const) {
      const text = `${filler(300)}${sentence} ${filler(80)}`;
      const whole = (await guard.check('output', text)).findings.filter((finding) => finding.category === 'threat');
      expect(whole.length > 0, sentence).toBe(threat);
      const streamedKeys = await streamed([toxicity()], text, 7);
      expect(
        [...streamedKeys].filter((key) => key.startsWith('threat|')),
        sentence,
      ).toEqual(whole.map(keyOf));
    }
  });

  it('redacts a value held back longer than the overlap, though later windows no longer report it', async () => {
    // holdBack 300 > streamOverlap 128: the value stays unreleased for windows that start reading after it.
    const text = `${filler(150)}write to ${EMAIL} or use ${KEY} today. ${filler(400)}`;
    for (const size of [3, 20, 90]) {
      const guard = createGuard({ output: [piiLeak(), secretLeak()], stream: { holdBack: 300 } });
      const out = (await drain(guard.scanStream(chunksOf(...split(text, size))))).join('');
      expect(out, `${size}`).not.toContain(EMAIL);
      expect(out, `${size}`).not.toContain(KEY);
      expect(out).toContain('[SECRET]');
      expect(out.length).toBeLessThan(text.length);
    }
  });

  it('lets no value through on random streams with odd characters (zero-width, RTL, emoji, lone surrogates)', async () => {
    let seed = 777;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const odd = ['\u200b', '\u202e', 'é', '🔥', '👍🏽', '\ud800', 'שלום', 'ﬁ', 'Ａ', '\u0301', '\n', 'ʀ'];
    const values = [EMAIL, KEY, 'DE89 3704 0044 0532 0130 00', 'AKIAIOSFODNN7EXAMPLF', '4111 1111 1111 1111'];
    const words = 'the team reviewed a report and agreed on next steps for the release'.split(' ');
    let redacted = 0;
    for (const holdBack of [64, 200]) {
      const guard = createGuard({ output: [piiLeak(), secretLeak()], stream: { holdBack } });
      for (let n = 0; n < 25; n++) {
        let text = '';
        const length = 600 + random() * 1500;
        while (text.length < length) {
          const roll = random();
          text += roll < 0.15 ? `${pick(values)} ` : roll < 0.35 ? pick(odd) : `${pick(words)} `;
        }
        const size = 1 + Math.floor(random() * 120);
        const out = (await drain(guard.scanStream(chunksOf(...split(text, size))))).join('');
        const whole = (await guard.check('output', text)).text;
        for (const value of values) {
          if (whole.includes(value)) continue;
          if (text.includes(value)) redacted++;
          expect(out.includes(value), `${value} in ${size}-character chunks, holdBack ${holdBack}`).toBe(false);
        }
      }
    }
    expect(redacted).toBeGreaterThan(100);
  });

  it('finds a base64-encoded token and canary split across chunks, though payloads are decoded only near new text', async () => {
    const marker = canary();
    const encodedKey = Buffer.from(KEY).toString('base64');
    const encodedCanary = Buffer.from(marker.token).toString('base64');
    const keyText = `${filler(300)}the key, encoded: ${encodedKey} and more ${filler(300)}`;
    const canaryText = `${filler(300)}note ${encodedCanary} end ${filler(300)}`;
    for (const size of [3, 17, 100]) {
      const keyGuard = createGuard({ output: [secretLeak()] });
      const out = (await drain(keyGuard.scanStream(chunksOf(...split(keyText, size))))).join('');
      expect(out, `${size}`).not.toContain(encodedKey);
      expect(out, `${size}`).toContain('[SECRET]');
      let verdict: Verdict | undefined;
      const canaryGuard = createGuard({
        output: [systemPromptLeak({ systemPrompt: `Be helpful. ${marker.token}`, canaries: [marker] })],
        policy: { onBlock: { mode: 'fallback', fallback: 'withheld' } },
      });
      const streamed = (
        await drain(
          canaryGuard.scanStream(chunksOf(...split(canaryText, size)), {
            onVerdict: (value) => {
              verdict = value;
            },
          }),
        )
      ).join('');
      expect(verdict?.action, `${size}`).toBe('block');
      expect(streamed).not.toContain(encodedCanary.slice(0, 24));
      expect(streamed.endsWith('withheld')).toBe(true);
    }
  });

  it('validates streamOverlap', () => {
    expect(() => piiLeak({ streamOverlap: -1 })).toThrow(ConfigError);
    expect(() => secretLeak({ streamOverlap: 1.5 })).toThrow(/streamOverlap/);
    expect(() => toxicity({ streamOverlap: -3 })).toThrow(ConfigError);
  });
});
