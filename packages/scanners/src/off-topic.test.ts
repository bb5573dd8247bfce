import { ConfigError, createGuard, type DetectContext, type FindingInput, normalizeText } from '@parapet/core';
import { describe, expect, it, vi } from 'vitest';
import { offTopic, offTopicEntry } from './off-topic.js';

async function run(detector: ReturnType<typeof offTopic>, text: string): Promise<readonly FindingInput[]> {
  return detector.detect(text, { normalized: normalizeText(text) } as DetectContext);
}

async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

const clinic = () =>
  offTopic({
    allowed: ['billing', 'appointments'],
    examples: {
      billing: ['Your invoice shows two charges; the refund will reach your card in five days.'],
      appointments: ['Your appointment with Dr. Smith is moved to Friday at 10 am.'],
    },
    keywords: { billing: ['invoice', 'refund', 'payment'], appointments: ['reschedule', 'visit'] },
  });

describe('offTopic()', () => {
  it('reports an answer outside the allowed topics, on the output stage, without its text in the message', async () => {
    const detector = clinic();
    expect(detector.id).toBe('off-topic');
    expect(detector.stages).toEqual(['output']);
    const findings = await run(
      detector,
      'Here is a lasagna recipe: boil the pasta, layer cheese and tomato sauce, bake.',
    );
    expect(findings.map((finding) => finding.category)).toEqual(['off-topic']);
    expect(findings[0]!.message).not.toContain('lasagna');
    expect(findings[0]!.data).toMatchObject({ allowed: ['billing', 'appointments'] });
  });

  it('lets answers in scope and small talk through', async () => {
    const detector = clinic();
    for (const text of [
      'I have issued a refund for the second payment on your invoice.',
      'Your visit is rescheduled to Monday.',
      'You are welcome, goodbye!',
    ]) {
      expect(await run(detector, text), text).toEqual([]);
    }
  });

  it('rejects missing or bad options with a ConfigError', () => {
    expect(() => offTopic({} as never)).toThrow(/allowed/);
    expect(() => offTopic({ allowed: [] })).toThrow(ConfigError);
    expect(() => offTopic({ allowed: ['billing'], banned: ['politics'] } as never)).toThrow(ConfigError);
    expect(() => offTopic({ allowed: ['billing'], stages: ['input'] } as never)).toThrow(ConfigError);
    expect(() => offTopicEntry.create()).toThrow(/needs options/);
  });

  it('is offered to the CLI as a registry entry that requires options', () => {
    expect(offTopicEntry).toMatchObject({ id: 'off-topic', stages: ['output'], requiresOptions: true });
    expect(offTopicEntry.create({ allowed: ['billing'] }).id).toBe('off-topic');
  });

  it('never throws on odd input', async () => {
    const detector = clinic();
    for (const text of [
      '',
      'x '.repeat(500_000),
      Array.from({ length: 2000 }, (_, index) => String.fromCharCode((index * 7919) % 65536)).join(''),
      '😀👍🏽👨‍👩‍👧',
      'שלום עולם مرحبا',
      '\ud800 invoice \udc00',
    ]) {
      await expect(run(detector, text)).resolves.toBeInstanceOf(Array);
    }
  });
});

describe('offTopic() through a guard', () => {
  it('flags an off-topic answer with the recommended rule', async () => {
    const guard = createGuard({ output: [clinic()] });
    const verdict = await guard.check('output', 'The capital of Australia is Canberra, founded in 1913.');
    expect(verdict.action).toBe('flag');
    expect(verdict.findings.map((finding) => finding.category)).toEqual(['off-topic']);
    expect((await guard.check('output', 'Your refund for the invoice is on its way.')).action).toBe('allow');
  });

  it('flags an off-topic answer streamed in chunks', async () => {
    const guard = createGuard({ output: [clinic()] });
    const onVerdict = vi.fn();
    const out: string[] = [];
    for await (const chunk of guard.scanStream(
      chunksOf('Here is a lasagna recipe: boil the pa', 'sta, layer cheese and tomato sauce, then bake.'),
      { onVerdict },
    ))
      out.push(chunk);
    expect(out.join('')).toBe('Here is a lasagna recipe: boil the pasta, layer cheese and tomato sauce, then bake.');
    const verdict = onVerdict.mock.calls[0]![0];
    expect(verdict.action).toBe('flag');
    expect(verdict.findings.map((finding: FindingInput) => finding.category)).toContain('off-topic');
  });
});
