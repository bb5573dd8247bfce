import { ConfigError, createGuard, type DetectContext, type FindingInput, normalizeText } from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { topics, topicsEntry } from './topics.js';

async function run(detector: ReturnType<typeof topics>, text: string): Promise<readonly FindingInput[]> {
  return detector.detect(text, { normalized: normalizeText(text) } as DetectContext);
}

async function categories(detector: ReturnType<typeof topics>, text: string): Promise<string[]> {
  return (await run(detector, text)).map((finding) => finding.category);
}

describe('topics(): the allowed scope', () => {
  const clinic = topics({ allowed: ['billing', 'appointments'], examples: { billing: ['Why was I charged twice?'] } });

  it('allows a paraphrase through lemmas and the topic name ("billed" → billing)', async () => {
    expect(await categories(clinic, 'I was billed two times for the same invoice')).toEqual([]);
  });

  it('flags a request outside the scope as off-topic, without the text in the message', async () => {
    const findings = await run(clinic, 'Write me a poem about the sea');
    expect(findings.map((finding) => finding.category)).toEqual(['off-topic']);
    expect(findings[0]!.score).toBeGreaterThan(0.5);
    expect(findings[0]!.message).not.toContain('poem');
    expect(findings[0]!.data).toMatchObject({ allowed: ['billing', 'appointments'] });
  });

  it('does not flag greetings and short small talk', async () => {
    for (const text of ['hi', 'Hello!', 'thanks a lot', 'Thank you so much, bye', 'ok', '']) {
      expect(await categories(clinic, text)).toEqual([]);
    }
  });

  it('flags small talk when allowSmallTalk is false', async () => {
    const strict = topics({ allowed: ['billing'], allowSmallTalk: false });
    expect(await categories(strict, 'hello there')).toEqual(['off-topic']);
  });

  it('matches examples by similarity and keywords by lemma', async () => {
    const support = topics({
      allowed: ['billing', 'appointments', 'prescriptions'],
      examples: {
        billing: [
          'Why was I charged twice?',
          'How do I update my credit card?',
          'Can I get a refund for my last payment?',
        ],
        appointments: ['I need to book an appointment with Dr. Smith', 'How do I cancel my appointment?'],
        prescriptions: ['I need a refill of my medication', 'Is my prescription ready for pickup?'],
      },
      keywords: {
        billing: ['invoice', 'refund', 'pay'],
        appointments: ['reschedule', 'visit'],
        prescriptions: ['refill', 'pharmacy'],
      },
    });
    for (const text of [
      'The payment did not go through, what now?',
      'I want to cancel tomorrows visit',
      'When will my refill be ready?',
      'I paid twice for the same thing',
      'Can I update the card you have on file?',
    ]) {
      expect(await categories(support, text), text).toEqual([]);
    }
    for (const text of [
      'What is the capital of Australia?',
      'Write a python function to reverse a string',
      'Give me a recipe for lasagna',
    ]) {
      expect(await categories(support, text), text).toEqual(['off-topic']);
    }
  });
});

describe('topics(): banned topics', () => {
  const guardrails = topics({
    banned: ['politics', 'religion'],
    examples: {
      politics: ['Who should I vote for in the next election?', 'Are Democrats or Republicans better for the country?'],
      religion: ['Does God exist?', 'Which religion is the true one?'],
    },
  });

  it('flags a banned topic by its name, its examples and their lemmas', async () => {
    for (const [text, topic] of [
      ['What do you think of the religions of the world?', 'religion'],
      ['Which candidate should I vote for in the elections?', 'politics'],
      ['Is there a god?', 'religion'],
    ] as const) {
      const findings = await run(guardrails, text);
      expect(
        findings.map((finding) => finding.category),
        text,
      ).toEqual(['banned-topic']);
      expect(findings[0]!.data).toMatchObject({ topic });
    }
  });

  it('leaves ordinary requests alone', async () => {
    for (const text of [
      'How do I bake sourdough bread?',
      'What are good exercises for lower back pain?',
      'Can you help me plan a birthday for my daughter?',
    ]) {
      expect(await categories(guardrails, text), text).toEqual([]);
    }
  });

  it('finds a banned paragraph inside a long text (windows)', async () => {
    const filler = 'The recipe needs flour, water, salt and a little yeast, then a long rest. '.repeat(60);
    const text = `${filler} Which candidate should I vote for in the next election? ${filler}`;
    expect(await categories(guardrails, text)).toEqual(['banned-topic']);
  });

  it('rejects a topic both allowed and banned, and examples for unknown topics', () => {
    expect(() => topics({ allowed: ['news'], banned: ['news'] })).toThrow(ConfigError);
    expect(() => topics({ banned: ['politics'], examples: { sport: ['football'] } })).toThrow(
      /neither allowed nor banned/,
    );
    expect(() => topics({})).toThrow(/allowed topics, banned topics or competitors/);
    expect(() => topics({ banned: ['x'], threshold: 2 })).toThrow(/threshold/);
    expect(() => topics({ banned: ['x'], colour: 1 } as never)).toThrow(ConfigError);
  });
});

describe('topics(): competitors', () => {
  const detector = topics({ competitors: ['Acme Health', 'MediCorp'] });

  it('reports whole-word, case-insensitive mentions with spans in the original text', async () => {
    const text = 'Is \u200bacme   health cheaper than you? Or medicorp? Not MediCorpX.';
    const findings = await run(detector, text);
    expect(findings.map((finding) => finding.data?.competitor)).toEqual(['Acme Health', 'MediCorp']);
    const first = findings[0]!.span!;
    expect(text.slice(first.start, first.end).replace('\u200b', '')).toBe('acme   health');
    const second = findings[1]!.span!;
    expect(text.slice(second.start, second.end)).toBe('medicorp');
    expect(findings[0]!.message).toContain('Acme Health');
  });

  it('finds names in Chinese, Japanese and Korean inside a run of letters, and names given in another form', async () => {
    const cjk = topics({ competitors: ['阿里巴巴', 'アクメ', '아크메', 'ＢＥＴＡ'] });
    const text = '我想比较阿里巴巴和京东。アクメの価格は？ 아크메는 어때요? And beta?';
    const findings = await run(cjk, text);
    expect(findings.map((finding) => finding.data?.competitor)).toEqual(['阿里巴巴', 'アクメ', '아크메', 'ＢＥＴＡ']);
    expect(await run(cjk, 'alphabeta and 京东 only')).toEqual([]);
  });

  it('takes names with hyphens (an escape the u flag would reject)', async () => {
    const hyphen = topics({ competitors: ['Coca-Cola'] });
    expect((await run(hyphen, 'Is coca-cola cheaper?')).map((finding) => finding.data?.competitor)).toEqual([
      'Coca-Cola',
    ]);
  });

  it('caps the number of findings', async () => {
    const capped = topics({ competitors: ['Acme'], maxFindings: 3 });
    expect(await run(capped, 'Acme '.repeat(50))).toHaveLength(3);
  });
});

describe('topics(): robustness', () => {
  const detector = topics({
    allowed: ['billing'],
    banned: ['politics'],
    examples: { billing: ['Why was I charged twice?'] },
    competitors: ['Acme'],
  });

  it('never throws on odd input', async () => {
    const odd = [
      '',
      'a'.repeat(1_000_000),
      'bill '.repeat(200_000),
      String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65536)),
      '😀🙈🚀'.repeat(1000),
      'مرحبا بالعالم، هذا نص من اليمين إلى اليسار \u202e',
      '\ud800\udc00\ud800 lone \udfff surrogates',
      '\u0000\u0001 binary \uffff',
    ];
    for (const text of odd) {
      const findings = await run(detector, text);
      expect(Array.isArray(findings)).toBe(true);
      for (const finding of findings) expect(finding.score).toBeGreaterThanOrEqual(0);
    }
  });

  it('has an id, stages, rules and a registry entry', () => {
    const custom = topics({ banned: ['politics'], id: 'no-politics', stages: ['input', 'output'] });
    expect(custom.id).toBe('no-politics');
    expect(custom.stages).toEqual(['input', 'output']);
    expect(custom.rules?.map((rule) => rule.category)).toEqual(['banned-topic', 'off-topic', 'competitor']);
    expect(topicsEntry.requiresOptions).toBe(true);
    expect(topicsEntry.create({ banned: ['politics'] }).id).toBe('topics');
    expect(() => topicsEntry.create()).toThrow(ConfigError);
  });
});

describe('topics() in a guard', () => {
  it('blocks banned and off-topic requests, flags competitors, allows the scope', async () => {
    const guard = createGuard({
      input: [
        topics({
          allowed: ['billing'],
          banned: ['politics'],
          examples: { billing: ['Why was I charged twice?', 'How do I pay my invoice?'] },
          competitors: ['Acme'],
        }),
      ],
    });
    expect((await guard.checkInput('Why did you charge my card twice?')).action).toBe('allow');
    expect((await guard.checkInput('Tell me a joke about cats')).action).toBe('block');
    const banned = await guard.checkInput('What do you think about politics and the invoice?');
    expect(banned.findings.map((finding) => finding.category)).toContain('banned-topic');
    expect(banned.action).toBe('block');
    const competitor = await guard.checkInput('Acme sends cheaper invoices, can you match their billing?');
    expect(competitor.action).toBe('flag');
    expect(competitor.findings.map((finding) => finding.category)).toEqual(['competitor']);
  });
});
