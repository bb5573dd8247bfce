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
import { type GroundednessOptions, groundedness, groundednessEntry } from './groundedness.js';

const CONTEXT = [
  'Acme Corp reported revenue of $1,000 million for 2023, up 5 percent from the year before.',
  'The company was founded by Jane Doe in Lyon on March 5, 2021, and employs 12,500 people.',
  'Its motto is "build things that last". The Eiffel Tower office opened in 2022.',
].join(' ');

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

function run(text: string, options: GroundednessOptions = { context: CONTEXT }, extra: Partial<DetectContext> = {}) {
  return groundedness(options).detect(text, contextFor(text, extra)) as readonly FindingInput[];
}

/** The answer's text under each unsupported span (the findings themselves never carry it). */
function unsupportedText(text: string, findings: readonly FindingInput[]): string[] {
  return findings
    .filter((finding) => finding.category === 'unsupported-claim')
    .map((finding) => text.slice(finding.span!.start, finding.span!.end));
}

describe('groundedness', () => {
  it('flags an answer with made-up numbers, names and quotes through the guard', async () => {
    const guard = createGuard({ output: [groundedness({ context: CONTEXT })] });
    const answer =
      'Acme Corp made $7,450 million in 2023. It was founded by John Smith. Its motto is "move fast and break things".';
    const verdict = await guard.checkOutput(answer);
    expect(verdict.action).toBe('flag');
    const summary = verdict.findings.find((finding) => finding.category === 'hallucination')!;
    expect(summary.score).toBeGreaterThan(0.5);
    expect(summary.score).toBeLessThan(1);
    expect(summary.data).toMatchObject({ checked: 5 });
    expect(unsupportedText(answer, verdict.findings)).toEqual([
      '7,450 million',
      'John Smith',
      '"move fast and break things"',
    ]);
    const spans = summary.data!.unsupported as { start: number; end: number }[];
    expect(spans).toHaveLength(3);
    for (const span of spans) expect(Object.keys(span).sort()).toEqual(['end', 'start']);
    expect(JSON.stringify(verdict.findings)).not.toContain('John Smith');
    expect(verdict.findings.filter((finding) => finding.category === 'unsupported-claim')[0]!.severity).toBe('low');
  });

  it('accepts supported claims written another way', () => {
    const answer = [
      'Acme Corp earned 1000 million dollars in 2023 (up 5%), roughly $1 billion.',
      'Jane Doe founded it on 2021-03-05 in Lyon; it has 12500 employees.',
      'The motto: “Build things that last.” The company opened the Eiffel Tower office in 2022.',
      'It was founded on 5 March 2021, in March 2021, on 03/05/2021.',
    ].join(' ');
    expect(run(answer)).toEqual([]);
  });

  it('does not count capitalized words at the start of sentences or headings', () => {
    const answer =
      '## Key Findings Overview\nHowever, revenue grew. Overall it went well. Yesterday Jane Doe said so. - Certainly true.';
    expect(run(answer)).toEqual([]);
  });

  it('counts the question as support (the answer restating it)', () => {
    const answer = 'You asked whether Globex Industries had 4,200 staff in 2019: the context does not say.';
    const history = [{ role: 'user' as const, content: 'Did Globex Industries have 4200 staff in 2019?' }];
    expect(run(answer, { context: CONTEXT }, { history })).toEqual([]);
    expect(
      run(answer, { context: CONTEXT }, { metadata: { question: 'Globex Industries: 4,200 staff in 2019?' } }),
    ).toEqual([]);
    const without = run(answer);
    expect(unsupportedText(answer, without)).toEqual(['Globex Industries', '4,200', '2019']);
    expect(run(answer, { context: CONTEXT, includeQuestion: false }, { history })).not.toEqual([]);
  });

  it('reads the context from metadata.groundingContext when the option is omitted', () => {
    const detector = groundedness();
    const answer = 'Sales reached 950 units in Q3.';
    const supported = detector.detect(
      answer,
      contextFor(answer, { metadata: { groundingContext: ['Q3 sales: 950 units.'] } }),
    );
    expect(supported).toEqual([]);
    const unsupported = detector.detect(
      answer,
      contextFor(answer, { metadata: { groundingContext: 'Q3 sales: 900 units.' } }),
    );
    // 950 (weight 1) unsupported; Q3 (a single name, weight 0.5) supported.
    expect((unsupported as FindingInput[])[0]).toMatchObject({
      category: 'hallucination',
      score: 0.667,
      data: { checked: 2 },
    });
    // No context anywhere: nothing to judge.
    expect(detector.detect(answer, contextFor(answer))).toEqual([]);
  });

  it('weights small bare numbers and single names lower, and skips counting words', () => {
    const answer = 'There are 3 steps. Bob Marley lived 36 years.';
    const findings = run(answer);
    expect(unsupportedText(answer, findings)).toEqual(['Bob Marley', '36']);
    // (1 + 0.5) / (1 + 0.5)
    expect(findings[0]!.score).toBe(1);
    const mixed = run('Revenue was $1,000 million; Bob said hi in 2099.');
    // 1,000 million (1) supported; Bob (0.5) and 2099 (1) not: 1.5 / 2.5.
    expect(mixed[0]!.score).toBe(0.6);
  });

  it('ignores code and respects the chosen kinds', () => {
    expect(run('Use `MAX_SIZE = 4096` and\n```py\nClient("Big Corp", 77)\n```')).toEqual([]);
    const answer = 'John Smith paid $77.';
    expect(unsupportedText(answer, run(answer, { context: CONTEXT, kinds: ['number'] }))).toEqual(['77']);
  });

  it('maps spans back to the caller text when normalization changed it', () => {
    const answer = 'Revenue: \u200b$9,999 million.';
    const [summary, claim] = run(answer);
    expect(summary!.category).toBe('hallucination');
    expect(answer.slice(claim!.span!.start, claim!.span!.end)).toBe('9,999 million');
  });

  it('never throws on odd input', () => {
    const detector = groundedness({ context: CONTEXT });
    for (const text of [
      '',
      '"',
      '\u0000\u0001 12345 \u0002',
      '😀 Jane Doe 😀'.repeat(100),
      'שלום 12,500 עולם مرحبا',
      'Lone \ud800 surrogate 77777',
      `${'1,'.repeat(500_000)}`,
      String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65_536)),
    ]) {
      expect(() => detector.detect(text, contextFor(text))).not.toThrow();
    }
    expect(
      groundedness({ context: '' }).detect('Zed Corp had 500 staff.', contextFor('Zed Corp had 500 staff.')),
    ).not.toEqual([]);
  });

  it('validates options and names the bad field', () => {
    expect(() => groundedness({ context: 42 as never })).toThrow(ConfigError);
    expect(() => groundedness({ context: 'x', kinds: [] })).toThrow(/kinds/);
    expect(() => groundedness({ context: 'x', minClaims: 0 })).toThrow(/minClaims/);
    expect(groundednessEntry.requiresOptions).toBe(true);
    expect(groundednessEntry.create({ context: 'x', id: 'grounded' }).id).toBe('grounded');
  });

  it('builds the context index once and stays consistent across calls', () => {
    const detector = groundedness({ context: CONTEXT });
    const answer = 'Revenue was $8 billion.';
    const first = detector.detect(answer, contextFor(answer));
    const second = detector.detect(answer, contextFor(answer));
    expect(second).toEqual(first);
    expect((first as FindingInput[]).length).toBe(2);
  });

  describe('streaming', () => {
    const filler = 'The quick brown fox jumps over the lazy dog. '.repeat(4);
    const match = '"growth at any cost, always and forever"';
    const before = `${filler}The motto is `;
    const text = `${before}${match} as the founder said.`;

    async function stream(pieces: string[]): Promise<{ chunks: string[]; verdict: Verdict | undefined }> {
      const guard = createGuard({
        output: [groundedness({ context: CONTEXT })],
        policy: {
          rules: [{ detector: 'groundedness', category: 'unsupported-claim', minScore: 0.3, action: 'block' }],
          onBlock: { mode: 'fallback', fallback: 'FB' },
        },
      });
      const chunks: string[] = [];
      let verdict: Verdict | undefined;
      for await (const chunk of guard.scanStream(pieces, { onVerdict: (value) => (verdict = value) }))
        chunks.push(chunk);
      return { chunks, verdict };
    }

    for (const count of [2, 3, 10]) {
      it(`blocks an unsupported quote split across ${count} chunks before any of it is released`, async () => {
        const parts = Array.from({ length: count }, (_, i) =>
          match.slice(Math.floor((i * match.length) / count), Math.floor(((i + 1) * match.length) / count)),
        );
        const { chunks, verdict } = await stream([before, ...parts, ' as the founder said.']);
        expect(chunks.at(-1)).toBe('FB');
        const delivered = chunks.slice(0, -1).join('');
        expect(text.startsWith(delivered)).toBe(true);
        expect(delivered.length).toBeLessThanOrEqual(before.length);
        expect(delivered).not.toContain('growth');
        expect(verdict!.findings.some((finding) => finding.category === 'unsupported-claim')).toBe(true);
      });
    }

    it('does not block supported numbers and names arriving a character at a time', async () => {
      const clean = `${filler}Acme Corp employs 12,500 people since March 5, 2021 under Jane Doe.`;
      const { chunks, verdict } = await stream([...clean]);
      expect(chunks.join('')).toBe(clean);
      expect(verdict!.action).toBe('allow');
    });
  });
});
