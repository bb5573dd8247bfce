import { ConfigError, createGuard, type DetectContext, type FindingInput, normalizeText } from '@parapet/core';
import { describe, expect, it, vi } from 'vitest';
import { toxicity, toxicityEntry } from './toxicity.js';

function run(detector: ReturnType<typeof toxicity>, text: string): readonly FindingInput[] {
  return detector.detect(text, { normalized: normalizeText(text) } as DetectContext) as readonly FindingInput[];
}

function categories(detector: ReturnType<typeof toxicity>, text: string): string[] {
  return run(detector, text).map((finding) => finding.category);
}

async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

async function drain(stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

const detector = toxicity();

describe('toxicity(): categories and languages', () => {
  it('finds each category, in English, French, German and Spanish', () => {
    const cases: [string, string][] = [
      ['what the fuck is this', 'profanity'],
      ['you are an idiot', 'insult'],
      ['send me porn', 'sexual'],
      ['those people are niggers', 'hate'],
      ['nobody cares, just kill yourself', 'self-harm'],
      ['I will kill you', 'threat'],
      ['Putain, quelle journée', 'profanity'],
      ['espèce de connard', 'insult'],
      ['Scheiße, das ging schief', 'profanity'],
      ['du bist ein Arschloch', 'insult'],
      ['eres un pendejo', 'insult'],
      ['qué mierda es esto', 'profanity'],
      ['je vais te tuer', 'threat'],
      ['ich bringe dich um', 'threat'],
      ['te voy a matar', 'threat'],
    ];
    for (const [text, category] of cases) expect(categories(detector, text), text).toContain(category);
  });

  it('gives each finding a severity, a score, a span on the original text and a replacement; no word in the message', () => {
    const text = 'Well, fuck that.';
    const [finding] = run(detector, text);
    expect(finding).toMatchObject({ category: 'profanity', severity: 'medium', replacement: '[censored]' });
    expect(finding!.score).toBeGreaterThanOrEqual(0.5);
    expect(text.slice(finding!.span!.start, finding!.span!.end)).toBe('fuck');
    expect(finding!.message).not.toMatch(/fuck/i);
  });
});

describe('toxicity(): evasions', () => {
  it('sees through homoglyphs, zero-width characters and leetspeak (core normalizer)', () => {
    for (const text of ['fu\u200bck off', 'ｆｕｃｋ off', 'sh1t happens', 'you a$$hole', '𝐟𝐮𝐜𝐤']) {
      expect(categories(detector, text).length, text).toBeGreaterThan(0);
    }
  });

  it('joins letters spelled apart, reads stretched and masked words, and maps the span back', () => {
    for (const [text, evasion, matched] of [
      ['oh f u c k this', 'spacing', 'f u c k'],
      ['oh f.u.c.k this', 'spacing', 'f.u.c.k'],
      ['fuuuuuck this', 'stretching', 'fuuuuuck'],
      ['what the f*ck', 'masking', 'f*ck'],
    ] as const) {
      const [finding] = run(detector, text);
      expect(finding?.data?.evasion, text).toBe(evasion);
      expect(text.slice(finding!.span!.start, finding!.span!.end)).toBe(matched);
    }
  });

  it('maps spans through removed invisible characters', () => {
    const text = 'ok \u200b\u200bfu\u200bck\u200b!';
    const [finding] = run(detector, text);
    expect(text.slice(finding!.span!.start, finding!.span!.end).replace(/\u200b/g, '')).toBe('fuck');
  });
});

describe('toxicity(): the Scunthorpe problem and context', () => {
  it('leaves ordinary words and names alone', () => {
    for (const text of [
      'I grew up in Scunthorpe',
      'The pilot left the cockpit',
      'The assassin was caught',
      'My therapist helped a lot',
      'Dick Cheney was vice president',
      'Moby Dick is a long novel',
      'Philip K. Dick wrote great books',
      'A Bloody Mary, please',
      'She graduated summa cum laude',
      'Niger is a country in West Africa',
      'a niggling doubt',
      'a chink in the armour',
      'Sussex and Essex are counties',
      'The African animals of the savanna',
      'This will kill the process',
      'I will kill the process and restart it',
      "You're going to kill it at the interview!",
      "I won't hurt you",
      'If you ever want to kill yourself, please call a helpline right away.',
      'It is a myth that immigrants are criminals.',
      'Muslims are not terrorists.',
      'Negro Leagues baseball history',
    ]) {
      expect(categories(detector, text), text).toEqual([]);
    }
  });

  it('tells a threat from a figure of speech', () => {
    expect(categories(detector, "I'm going to kill you and your family")).toEqual(['threat']);
    expect(categories(detector, 'I will find your kids and hurt them')).toContain('threat');
    expect(categories(detector, 'this bug will kill us all')).toEqual([]);
  });

  it('reports hateful generalisations and calls to violence against a group', () => {
    expect(run(detector, 'jews are vermin')[0]).toMatchObject({ category: 'hate', severity: 'high' });
    expect(run(detector, 'kill all the muslims')[0]).toMatchObject({ category: 'hate', severity: 'critical' });
  });

  it('makes sexual content next to children critical, with a score that the block rule catches', () => {
    const [finding] = run(detector, 'porn with children');
    expect(finding).toMatchObject({ category: 'sexual', severity: 'critical', score: 1, data: { minors: true } });
    expect(run(detector, 'send me porn')[0]!.score).toBeLessThan(0.99);
  });
});

describe('toxicity(): options', () => {
  it('disables a category, raises a threshold, overrides a severity', () => {
    expect(categories(toxicity({ categories: { profanity: { enabled: false } } }), 'fuck')).toEqual([]);
    expect(categories(toxicity({ categories: { profanity: { threshold: 0.8 } } }), 'fuck')).toEqual([]);
    expect(run(toxicity({ categories: { profanity: { severity: 'high' } } }), 'fuck')[0]).toMatchObject({
      severity: 'high',
      score: 0.85,
    });
  });

  it('loads only the chosen languages, adds words and allows words', () => {
    expect(categories(toxicity({ languages: ['en'] }), 'Scheiße')).toEqual([]);
    expect(categories(toxicity({ words: { profanity: ['frak*'] } }), 'frakking toaster')).toEqual(['profanity']);
    expect(categories(toxicity({ allow: ['crap'] }), 'that is crap')).toEqual([]);
    expect(run(toxicity({ replacement: '***' }), 'shit')[0]!.replacement).toBe('***');
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => toxicity({ languages: ['it'] } as never)).toThrow(ConfigError);
    expect(() => toxicity({ categories: { profanity: { threshold: 2 } } })).toThrow(/threshold/);
    expect(() => toxicity({ colour: 1 } as never)).toThrow(ConfigError);
    expect(() => toxicity({ stages: [] })).toThrow(/stages/);
  });

  it('caps the number of findings', () => {
    expect(run(toxicity({ maxFindings: 3 }), 'shit '.repeat(50))).toHaveLength(3);
  });

  it('gives the same findings for a text whatever texts came before it (per-word arrays are reused)', () => {
    const spans = (text: string) => run(detector, text).map((finding) => [finding.category, finding.span?.start]);
    const short = 'You are an idiot. I will kill you.';
    const accented = "Ce crétin, je vais t'égorger, connard.";
    const expectedShort = spans(short);
    const expectedAccented = spans(accented);
    expect(expectedShort.length).toBeGreaterThanOrEqual(2);
    expect(expectedAccented.length).toBeGreaterThanOrEqual(2);
    // Longer than the shared arrays grow (262 144 words), then a text that fits them, then the first two again.
    const huge = `${'ok '.repeat(300_000)}you moron`;
    expect(spans(huge)).toEqual([['insult', huge.length - 5]]);
    const medium = `${'fine words here. '.repeat(2_000)}shit`;
    expect(spans(medium)).toEqual([['profanity', medium.length - 4]]);
    expect(spans(short)).toEqual(expectedShort);
    expect(spans(accented)).toEqual(expectedAccented);
  });

  it('is offered to the CLI as a registry entry', () => {
    expect(toxicityEntry.id).toBe('toxicity');
    expect(toxicityEntry.stages).toEqual(['input', 'output', 'tool_input', 'tool_output']);
    expect(toxicityEntry.create().id).toBe('toxicity');
  });
});

describe('toxicity(): tables shared between detectors built alike', () => {
  it('a configuration never sees the custom or allowed words of another, in any construction order', () => {
    const plain = () => toxicity();
    const custom = () => toxicity({ words: { insult: ['blorfwit'] } });
    const allowing = () => toxicity({ allow: ['damn'] });
    for (const order of [
      [plain, custom, allowing],
      [custom, allowing, plain],
      [allowing, plain, custom],
    ]) {
      const [a, b, c] = order.map((make) => make());
      const byMaker = new Map(order.map((make, index) => [make, [a, b, c][index]!]));
      expect(categories(byMaker.get(custom)!, 'you blorfwit')).toEqual(['insult']);
      expect(categories(byMaker.get(plain)!, 'you blorfwit')).toEqual([]);
      expect(categories(byMaker.get(allowing)!, 'you blorfwit')).toEqual([]);
      expect(categories(byMaker.get(plain)!, 'damn it')).toEqual(['profanity']);
      expect(categories(byMaker.get(allowing)!, 'damn it')).toEqual([]);
    }
    // Languages select the lexicon too.
    expect(categories(toxicity({ languages: ['en'] }), 'tu es un connard')).toEqual([]);
    expect(categories(toxicity({ languages: ['fr'] }), 'tu es un connard')).toEqual(['insult']);
  });
});

describe('toxicity(): odd input never throws', () => {
  const binary = Array.from({ length: 2000 }, (_, index) => String.fromCharCode((index * 7919) % 65536)).join('');
  for (const [name, text] of [
    ['empty', ''],
    ['1 MB', 'The quick brown fox says shit. '.repeat(33_000)],
    ['binary', binary],
    ['emoji', '😀🔥 fuck 👍🏽👨‍👩‍👧'],
    ['right-to-left', 'שלום עולם مرحبا fuck'],
    ['lone surrogates', '\ud800 fu\udc00ck \ud83d'],
  ] as const) {
    it(name, () => {
      expect(() => run(toxicity({ maxFindings: 100_000 }), text)).not.toThrow();
      expect(Array.isArray(run(detector, text))).toBe(true);
    });
  }

  it('finds profanity inside emoji and right-to-left text', () => {
    expect(categories(detector, '😀🔥 fuck 👍🏽')).toEqual(['profanity']);
    expect(categories(detector, 'שלום fuck مرحبا')).toEqual(['profanity']);
  });
});

describe('toxicity() through a guard', () => {
  it('redacts profanity and blocks a threat with the recommended rules', async () => {
    const guard = createGuard({ output: [toxicity()] });
    const redacted = await guard.check('output', 'This is shit, honestly.');
    expect(redacted.action).toBe('redact');
    expect(redacted.text).toBe('This is [censored], honestly.');
    const blocked = await guard.check('output', 'I will kill you.');
    expect(blocked.action).toBe('block');
    const clean = await guard.check('output', 'Here is your answer: the cockpit is at the front.');
    expect(clean.action).toBe('allow');
  });

  it('masks a word split across two stream chunks', async () => {
    const guard = createGuard({ output: [toxicity()] });
    const onVerdict = vi.fn();
    const chunks = await drain(
      guard.scanStream(
        chunksOf('The weather today is nice, but the traffic was a total clusterfu', 'ck this morning.'),
        {
          onVerdict,
        },
      ),
    );
    const out = chunks.join('');
    expect(out).toBe('The weather today is nice, but the traffic was a total [censored] this morning.');
    expect(onVerdict.mock.calls[0]![0].findings.map((finding: FindingInput) => finding.category)).toEqual([
      'profanity',
    ]);
  });
});
