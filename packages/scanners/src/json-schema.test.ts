import {
  ConfigError,
  createGuard,
  type DetectContext,
  GuardBlockedError,
  normalizeText,
  type Verdict,
} from '@parapet/core';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  type JsonIssue,
  jsonSchema,
  jsonSchemaEntry,
  type ReaskContext,
  readJson,
  type StandardSchemaLike,
} from './json-schema.js';

const contextOf = (text: string): DetectContext =>
  ({ normalized: normalizeText(text), stage: 'output', signal: new AbortController().signal }) as DetectContext;

const Answer = z.object({ city: z.string(), population: z.number().int(), tags: z.array(z.string()).optional() });
const fallback = { onBlock: { mode: 'fallback' as const, fallback: 'FB' } };

async function verdictOf(promise: Promise<Verdict>): Promise<Verdict> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof GuardBlockedError) return error.verdict;
    throw error;
  }
}

describe('readJson()', () => {
  const cases: [string, string, unknown, string[]][] = [
    ['strict JSON', '{"a": [1, 2.5, -3e2], "b": null}', { a: [1, 2.5, -300], b: null }, []],
    ['code fence', 'Here you go:\n```json\n{"a": 1}\n```\nEnjoy!', { a: 1 }, ['code-fence']],
    ['one-line fence', '```json {"a": 1}```', { a: 1 }, ['code-fence']],
    ['prose around', 'Sure! The answer is {"a": 1} — hope that helps.', { a: 1 }, ['surrounding-text']],
    ['array after prose', 'List: [1, 2, 3]. Done.', [1, 2, 3], ['surrounding-text']],
    ['trailing commas', '{"a": [1, 2,], "b": 3,}', { a: [1, 2], b: 3 }, ['trailing-comma']],
    ['single quotes', "{'a': 'it is'}", { a: 'it is' }, ['single-quotes']],
    ['unquoted keys', '{a: 1, b_c: 2, $d: 3}', { a: 1, b_c: 2, $d: 3 }, ['unquoted-key']],
    ['smart quotes', '{“a”: “b”}', { a: 'b' }, ['smart-quotes']],
    ['comments', '{\n // note\n "a": 1, /* x */ "b": 2 # y\n}', { a: 1, b: 2 }, ['comment']],
    [
      'NaN and Infinity',
      '{"a": NaN, "b": -Infinity, "c": undefined}',
      { a: null, b: null, c: null },
      ['non-finite-number'],
    ],
    ['python literals', '{"a": True, "b": None}', { a: true, b: null }, ['python-literal']],
    ['truncated', '{"a": [1, 2, {"b": "unfinished', { a: [1, 2, { b: 'unfinished' }] }, ['truncated']],
    ['truncated after key', '{"a": 1, "b":', { a: 1 }, ['truncated']],
    ['missing commas', '{"a": 1 "b": 2} ', { a: 1, b: 2 }, ['missing-comma']],
    ['lenient numbers', '{"a": +1, "b": .5}', { a: 1, b: 0.5 }, ['number-format']],
    ['escapes', '{"a": "x\\n\\u00e9\\"q"}', { a: 'x\né"q' }, []],
  ];
  for (const [name, text, value, repairs] of cases) {
    it(name, () => {
      const result = readJson(text);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value).toEqual(value);
      for (const repair of repairs) expect(result.repairs).toContain(repair);
      if (repairs.length === 0) expect(result.repairs).toEqual([]);
    });
  }

  it('keeps __proto__ as an own key, not a prototype', () => {
    const result = readJson("{__proto__: {polluted: 1}, 'a': 1,}");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(Object.keys(result.value as object)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fails on text with no JSON and on nesting past maxDepth, without throwing', () => {
    expect(readJson('no json here at all').ok).toBe(false);
    expect(readJson('').ok).toBe(false);
    expect(readJson('[[[[1]]]]', 3)).toMatchObject({ ok: false });
    expect(readJson('{'.repeat(1_000_000)).ok).toBe(false);
    expect(readJson('['.repeat(100) + ']'.repeat(100), 256).ok).toBe(true);
  });
});

describe('jsonSchema()', () => {
  it('valid output: no finding, text unchanged', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer)] });
    const text = '{\n  "city": "Lisbon",\n  "population": 545000\n}';
    const verdict = await guard.check('output', text);
    expect(verdict.action).toBe('allow');
    expect(verdict.text).toBe(text);
  });

  it('schema mismatch: blocked, with issue paths and never the values', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer)], policy: fallback });
    const verdict = await guard.check('output', '{"city": "SecretVille", "population": "lots", "tags": [1]}');
    expect(verdict.action).toBe('block');
    const finding = verdict.findings[0]!;
    expect(finding).toMatchObject({ detector: 'json-schema', category: 'schema-mismatch' });
    expect(finding.message).toContain('population');
    expect(finding.message).toContain('tags[0]');
    expect(finding.data).toMatchObject({ issueCount: 2, issues: [{ path: 'population' }, { path: 'tags[0]' }] });
    expect(JSON.stringify(finding)).not.toMatch(/lots|SecretVille/);
  });

  it('invalid JSON without repair: blocked, and says repair would help', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer)], policy: fallback });
    const verdict = await guard.check('output', '```json\n{"city": "Lisbon", "population": 5,}\n```');
    expect(verdict.action).toBe('block');
    expect(verdict.findings[0]).toMatchObject({ category: 'invalid-json' });
    expect(verdict.findings[0]!.message).toContain('repair: true');
    const garbage = await guard.check('output', 'I am sorry, I cannot produce that.');
    expect(garbage.findings[0]).toMatchObject({ category: 'invalid-json' });
  });

  it('repair: the verdict text becomes the canonical JSON', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer, { repair: true })], policy: fallback });
    const verdict = await guard.check(
      'output',
      "Here is the data:\n```json\n{city: 'Lisbon', population: 545000, // approx\n}\n```",
    );
    expect(verdict.action).toBe('redact');
    expect(verdict.text).toBe('{"city":"Lisbon","population":545000}');
    expect(verdict.findings[0]).toMatchObject({ category: 'json-repaired', severity: 'low' });
    expect(verdict.findings[0]!.data?.repairs).toEqual(
      expect.arrayContaining(['code-fence', 'unquoted-key', 'single-quotes', 'comment', 'trailing-comma']),
    );
    // Repaired, but still not what the schema wants: blocked.
    const mismatch = await guard.check('output', "{city: 'Lisbon'}");
    expect(mismatch.action).toBe('block');
    expect(mismatch.findings[0]!.category).toBe('schema-mismatch');
    expect(mismatch.findings[0]!.data?.repairs).toContain('unquoted-key');
  });

  it('repairs a truncated answer when the schema accepts what is there', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer, { repair: true })] });
    const verdict = await guard.check('output', '{"city": "Lisbon", "population": 545000, "tags": ["sea", "hil');
    expect(verdict.text).toBe('{"city":"Lisbon","population":545000,"tags":["sea","hil"]}');
  });

  it('reask: called once with the issues; a valid second answer replaces the text', async () => {
    const reask = vi.fn(async (issues: readonly JsonIssue[], _context: ReaskContext) => {
      expect(issues.map((issue) => issue.path)).toEqual(['population']);
      return '{"city": "Lisbon", "population": 545000}';
    });
    const guard = createGuard({ output: [jsonSchema(Answer, { reask })], policy: fallback });
    const verdict = await guard.check('output', '{"city": "Lisbon", "population": "many"}');
    expect(reask).toHaveBeenCalledTimes(1);
    expect(reask.mock.calls[0]![1]).toMatchObject({ output: '{"city": "Lisbon", "population": "many"}' });
    expect(reask.mock.calls[0]![1].signal).toBeInstanceOf(AbortSignal);
    expect(verdict.action).toBe('redact');
    expect(verdict.text).toBe('{"city": "Lisbon", "population": 545000}');
    expect(verdict.findings[0]!.category).toBe('json-reasked');
  });

  it('reask: a second invalid answer blocks, and reask is not called again', async () => {
    const reask = vi.fn(() => 'still not json');
    const guard = createGuard({ output: [jsonSchema(Answer, { reask })], policy: fallback });
    const verdict = await guard.check('output', 'nope');
    expect(reask).toHaveBeenCalledTimes(1);
    expect(verdict.action).toBe('block');
    expect(verdict.findings[0]).toMatchObject({ category: 'invalid-json', data: { reasked: true } });
    const bad = vi.fn(() => 42 as never);
    const other = createGuard({ output: [jsonSchema(Answer, { reask: bad })], policy: fallback });
    expect((await other.check('output', 'nope')).action).toBe('block');
  });

  it('reask errors and slowness fall under the fail mode and the detector timeout', async () => {
    const failing = createGuard({
      output: [jsonSchema(Answer, { reask: () => Promise.reject(new Error('model down')) })],
      policy: fallback,
    });
    const verdict = await failing.check('output', 'nope');
    expect(verdict.action).toBe('block');
    expect(verdict.errors[0]).toMatchObject({ detector: 'json-schema', kind: 'error' });
    const slow = createGuard({
      output: [jsonSchema(Answer, { reask: () => new Promise<string>(() => {}) })],
      policy: { ...fallback, detectors: { 'json-schema': { timeoutMs: 20 } } },
    });
    const timedOut = await slow.check('output', 'nope');
    expect(timedOut.errors[0]).toMatchObject({ detector: 'json-schema', kind: 'timeout' });
  });

  it('accepts any Standard Schema, sync or async', async () => {
    const even: StandardSchemaLike<number> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) =>
          typeof value === 'number' && value % 2 === 0
            ? { value }
            : { issues: [{ message: 'must be even', path: [] }] },
      },
    };
    const asyncEven: StandardSchemaLike<number> = {
      '~standard': { version: 1, vendor: 'test', validate: async (value) => even['~standard'].validate(value) },
    };
    for (const schema of [even, asyncEven]) {
      const guard = createGuard({ output: [jsonSchema(schema)], policy: fallback });
      expect((await guard.check('output', '4')).action).toBe('allow');
      const verdict = await guard.check('output', '5');
      expect(verdict.action).toBe('block');
      expect(verdict.findings[0]!.message).toContain('(root)');
    }
  });

  it('rejects a non-schema and bad options with ConfigError', () => {
    expect(() => jsonSchema({} as never)).toThrow(ConfigError);
    expect(() => jsonSchema(Answer, { repair: 'yes' as never })).toThrow(/jsonSchema\(\) options[\s\S]*repair/);
    expect(() => jsonSchema(Answer, { reask: 'call me' as never })).toThrow(/reask/);
    expect(() => jsonSchema(Answer, { maxDepth: 0 })).toThrow(/maxDepth/);
  });

  it('never throws on odd input', async () => {
    const detector = jsonSchema(Answer, { repair: true });
    const odd = [
      '',
      '\ud800',
      '😀'.repeat(1000),
      'שלום {"city": "תל אביב", "population": 1}',
      '\u0000{\u0001}',
      '{'.repeat(1_000_000),
      '['.repeat(300) + ']'.repeat(300),
      '"'.repeat(1_000_000),
      '[,'.repeat(500_000),
      `{"city": "${'x'.repeat(1_000_000)}`,
      '/*'.repeat(500_000),
      String.fromCharCode(...Array.from({ length: 5000 }, (_, i) => (i * 7919) % 65536)),
    ];
    for (const text of odd) {
      const findings = await detector.detect(text, contextOf(text));
      expect(Array.isArray(findings)).toBe(true);
    }
    const deep = await detector.detect('['.repeat(300) + ']'.repeat(300), contextOf(''));
    expect(deep[0]!.category).toBe('invalid-json');
    expect(deep[0]!.message).toContain('nesting deeper than 256');
  });

  it('under scanStream, a complete JSON arriving in one chunk is validated; document: check complete outputs', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer)], policy: fallback });
    const good = '{"city": "Lisbon", "population": 545000}';
    const out: string[] = [];
    for await (const chunk of guard.scanStream([good])) out.push(chunk);
    expect(out.join('')).toBe(good);
    const bad: string[] = [];
    for await (const chunk of guard.scanStream(['{"city": 1}'])) bad.push(chunk);
    expect(bad).toEqual(['FB']);
  });

  it('under scanStream in many chunks, waits for the end instead of judging partial JSON', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer)], policy: fallback });
    const good = '{"city": "Lisbon", "population": 545000}';
    const chunks = good.match(/.{1,5}/g)!;
    const out: string[] = [];
    for await (const chunk of guard.scanStream(chunks)) out.push(chunk);
    expect(out.join('')).toBe(good);
    const bad: string[] = [];
    for await (const chunk of guard.scanStream('{"city": 1, "population": "many"}'.match(/.{1,4}/g)!)) bad.push(chunk);
    expect(bad.join('')).toBe('FB');
  });

  it('says so when a streamed JSON is longer than the scan window (never passes it silently)', async () => {
    const guard = createGuard({ output: [jsonSchema(Answer)], stream: { holdBack: 8, lookback: 16 } });
    const long = JSON.stringify({ city: 'Lisbon', population: 545000, note: 'x'.repeat(200) });
    let verdict: Verdict | undefined;
    for await (const _ of guard.scanStream(long.match(/.{1,10}/g)!, { onVerdict: (v) => (verdict = v) })) {
      // drain
    }
    expect(verdict?.findings.map((finding) => finding.category)).toContain('json-unchecked');
    expect(verdict?.action).toBe('flag');
  });

  it('registry entry builds from a JSON Schema (zod fromJSONSchema) and explains bad schemas', async () => {
    expect(jsonSchemaEntry).toMatchObject({ id: 'json-schema', requiresOptions: true });
    const detector = jsonSchemaEntry.create({
      schema: { type: 'object', required: ['answer'], properties: { answer: { type: 'string' } } },
      repair: true,
    });
    const guard = createGuard({ output: [detector], policy: fallback });
    expect((await guard.check('output', '{"answer": "yes"}')).action).toBe('allow');
    expect((await verdictOf(guard.check('output', '{"other": 1}'))).findings[0]!.category).toBe('schema-mismatch');
    expect(() => jsonSchemaEntry.create({})).toThrow(/schema/);
    expect(() => jsonSchemaEntry.create({ schema: 'object' })).toThrow(ConfigError);
  });
});
