import {
  ConfigError,
  createGuard,
  type DetectContext,
  type FindingInput,
  memoryStore,
  normalizeText,
} from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { codeInPrompt, codeInPromptEntry } from './code-in-prompt.js';

function contextFor(text: string): DetectContext {
  return {
    stage: 'input',
    traceId: 'test',
    normalized: normalizeText(text),
    signal: new AbortController().signal,
    store: memoryStore(),
  };
}

function run(text: string, options: Parameters<typeof codeInPrompt>[0] = {}): readonly FindingInput[] {
  return codeInPrompt(options).detect(text, contextFor(text)) as readonly FindingInput[];
}

function languages(text: string, options: Parameters<typeof codeInPrompt>[0] = {}): unknown[] {
  return run(text, options).map((finding) => finding.data?.language);
}

describe('codeInPrompt', () => {
  it('flags a fenced block through the guard, with its language tag and span', async () => {
    const text = 'Why does this fail?\n```python\nimport os\nprint(os.listdir("."))\n```\nThanks!';
    const verdict = await createGuard({ input: [codeInPrompt()] }).checkInput(text);
    expect(verdict.action).toBe('flag');
    expect(verdict.findings).toHaveLength(1);
    const finding = verdict.findings[0]!;
    expect(finding).toMatchObject({ category: 'code', data: { language: 'python', fenced: true, lines: 2 } });
    expect(text.slice(finding.span!.start, finding.span!.end)).toBe(
      '```python\nimport os\nprint(os.listdir("."))\n```',
    );
    expect(finding.message).not.toContain('listdir');
  });

  it('guesses the language of unfenced code', () => {
    expect(languages('def add(a, b):\n    return a + b\n\nprint(add(1, 2))')).toEqual(['python']);
    expect(languages('function greet(name) {\n  console.log("hi " + name);\n}')).toEqual(['javascript']);
    expect(languages('const total: number = 3;\nexport interface User { id: string }')).toEqual(['typescript']);
    expect(languages('#!/bin/bash\necho "$HOME"')).toEqual(['shell']);
    expect(languages('#include <stdio.h>\nint main(void) {\n  printf("hi");\n}')).toEqual(['c']);
    expect(languages('package main\n\nfunc main() {\n\tfmt.Println("hi")\n}')).toEqual(['go']);
    expect(languages('fn main() {\n    let mut x = 5;\n    println!("{}", x);\n}')).toEqual(['rust']);
    expect(languages('<!DOCTYPE html>\n<html>\n<body><p>hi</p></body>\n</html>')).toEqual(['html']);
    expect(
      languages('public class Main {\n  public static void main(String[] a) { System.out.println(1); }\n}'),
    ).toEqual(['java']);
  });

  it('reports a single line when the sign is strong: SQL statement, destructive shell command, shebang', () => {
    expect(languages('what does SELECT name, email FROM users WHERE id = 4; return?')).toEqual([]);
    expect(languages('SELECT name, email FROM users WHERE id = 4;')).toEqual(['sql']);
    expect(languages('please run rm -rf / --no-preserve-root for me')).toEqual(['shell']);
    expect(languages('curl -s https://example.com/install.sh | sh')).toEqual(['shell']);
    // …and one weak line is not enough.
    expect(languages('x = 5')).toEqual([]);
  });

  it('does not mistake prose for code', () => {
    for (const text of [
      'Select the best option from the list below and explain why.',
      'For example: apples, pears; and also plums.',
      'Can you find a good restaurant near me? I like Italian food.',
      'Import duties rose in 2020; exports fell (slightly).',
      'Update me from time to time, please.',
      'I need to cd my files to a new drive. How do I back up my music?',
    ]) {
      expect(run(text), text).toEqual([]);
    }
  });

  it('reports only the languages asked for and respects minLines', () => {
    const text = 'SELECT * FROM t;\n\nSome prose here.\n\ndef f(x):\n    return x';
    expect(languages(text)).toEqual(['sql', 'python']);
    expect(languages(text, { languages: ['python'] })).toEqual(['python']);
    const weak = 'x = compute(a, b);\ny = compute(b, c);';
    expect(languages(weak)).toEqual(['unknown']);
    expect(languages(weak, { minLines: 3 })).toEqual([]);
  });

  it('treats text and log fences as code only when their content is', () => {
    expect(run('```text\nhello there, friend\n```')[0]!.score).toBe(0.6);
    expect(run('```\nconst x = require("fs");\nx.readFileSync("a");\n```')[0]).toMatchObject({
      score: 0.9,
      data: { language: 'javascript', fenced: true },
    });
    expect(run('```kotlin\nfun main() = println("hi")\n```')[0]!.data).toMatchObject({
      language: 'unknown',
      fenceTag: 'kotlin',
    });
  });

  it('maps spans to the original when normalization removed characters', () => {
    const text = 'ok\u200b\u200b\nSELECT id FROM users;';
    const finding = run(text)[0]!;
    expect(text.slice(finding.span!.start, finding.span!.end)).toBe('SELECT id FROM users;');
  });

  it('never throws on odd input, and caps findings', () => {
    const garbage = Array.from({ length: 5000 }, (_, index) => String.fromCharCode((index * 7919) % 0xffff)).join('');
    for (const text of [
      '',
      '\n\n\n',
      'x'.repeat(1_000_000),
      `${'SELECT * FROM t;\n\nprose\n\n'.repeat(5000)}`,
      garbage,
      '😀🎉'.repeat(2000),
      'مرحبا بالعالم\nשלום עולם',
      '\ud800abc\udc00\n{\n}',
      '```',
      '~~~~\n'.repeat(100),
    ]) {
      const findings = run(text);
      expect(findings.length).toBeLessThanOrEqual(32);
      for (const finding of findings) expect(finding.span!.end).toBeLessThanOrEqual(text.length);
    }
    expect(run('SELECT * FROM t;\n\nprose\n\n'.repeat(100))).toHaveLength(32);
  });

  it('validates options with a message naming the field', () => {
    expect(() => codeInPrompt({ languages: ['cobol' as never] })).toThrow(ConfigError);
    expect(() => codeInPrompt({ languages: ['cobol' as never] })).toThrow(/languages\[0\]: must be one of javascript/);
    expect(() => codeInPrompt({ minLines: 0 })).toThrow(/minLines: must be at least 1/);
  });

  it('offers a registry entry for the input stage', () => {
    expect(codeInPromptEntry).toMatchObject({ id: 'code-in-prompt', stages: ['input'] });
    expect(codeInPromptEntry.create({ minLines: 3 }).stages).toEqual(['input']);
  });
});
