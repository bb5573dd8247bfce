import {
  ConfigError,
  createGuard,
  type DetectContext,
  type FindingInput,
  normalizeText,
  type Verdict,
} from '@parapet/core';
import { describe, expect, it, vi } from 'vitest';
import { quoteTracker, refusal, refusalEntry } from './refusal.js';

function run(detector: ReturnType<typeof refusal>, text: string): readonly FindingInput[] {
  return detector.detect(text, { normalized: normalizeText(text) } as DetectContext) as readonly FindingInput[];
}

async function* chunksOf(...chunks: string[]): AsyncGenerator<string> {
  for (const chunk of chunks) yield chunk;
}

const detector = refusal();

describe('refusal(): refusals', () => {
  it('recognises refusals in English, French, German and Spanish', () => {
    for (const text of [
      "I'm sorry, but I can't help with that.",
      'As an AI language model, I cannot provide medical diagnoses.',
      "I won't be able to do that.",
      'I’m unable to assist with this request.',
      "Sorry, that's not something I can help with.",
      'I must decline.',
      "Unfortunately, I can't share that information.",
      'Je suis désolé, mais je ne peux pas vous aider avec cela.',
      'Es tut mir leid, aber ich kann dir dabei nicht helfen.',
      'Ich kann keine medizinischen Ratschläge geben.',
      'Lo siento, pero no puedo ayudarte con eso.',
      'No puedo proporcionar esa información.',
    ]) {
      const findings = run(detector, text);
      expect(
        findings.map((finding) => finding.category),
        text,
      ).toEqual(['refusal']);
      expect(findings[0]!.score).toBe(0.9);
    }
  });

  it('gives the span of the refusal in the original text, after a short preamble sentence', () => {
    const text = 'Thanks for asking. I cannot help with that request.';
    const [finding] = run(detector, text);
    expect(text.slice(finding!.span!.start, finding!.span!.end)).toBe('I cannot help');
  });

  it('marks a refusal followed by a long answer as partial, below the flag rule', () => {
    const text = `I can't provide legal advice, but here is general information. ${'Details follow. '.repeat(100)}`;
    const [finding] = run(detector, text);
    expect(finding).toMatchObject({ category: 'refusal', score: 0.4, data: { partial: true } });
  });
});

describe('refusal(): hard negatives', () => {
  it('does not take enthusiasm, apologies for delays, quotes or emphasis for refusals', () => {
    for (const text of [
      "I can't wait to help!",
      'Sorry for the delay, here is the answer: 42.',
      'The bot replied: "I\'m sorry, but I can\'t help with that." That is a typical refusal.',
      '> I cannot help with that\n\nThis is how a refusal reads.',
      'I cannot stress enough how important sleep is.',
      "I can't recommend this book enough.",
      "I can't help but notice you like cats.",
      "I can't tell you how happy I am!",
      'Ich kann dir gerne helfen.',
      'No puedo esperar a verte.',
      'Je ne peux pas attendre la suite !',
      '',
    ]) {
      expect(run(detector, text), text).toEqual([]);
    }
  });

  it('ignores "I can\'t" after the opening of a long helpful answer', () => {
    const text = `Here is how to set it up.\n\n${'Step: install the package and configure it. '.repeat(10)} I can't do more than that without access.`;
    expect(run(detector, text)).toEqual([]);
  });
});

describe('refusal(): options', () => {
  it('limits languages, adds phrases, moves the opening', () => {
    expect(run(refusal({ languages: ['en'] }), 'No puedo ayudarte con eso.')).toEqual([]);
    expect(run(refusal({ phrases: ['That request is out of policy'] }), 'That request is out of policy.')).toHaveLength(
      1,
    );
    const late = `${'Some context here. '.repeat(3)}I can't help with that.`;
    expect(run(refusal({ openingChars: 20 }), late)).toEqual([]);
    expect(run(refusal(), late)).toHaveLength(1);
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => refusal({ openingChars: 5 })).toThrow(/openingChars/);
    expect(() => refusal({ stages: ['input'] } as never)).toThrow(ConfigError);
    expect(() => refusal({ colour: 1 } as never)).toThrow(ConfigError);
  });

  it('is offered to the CLI as a registry entry', () => {
    expect(refusalEntry).toMatchObject({ id: 'refusal', stages: ['output'] });
    expect(refusalEntry.create().id).toBe('refusal');
  });
});

describe('refusal(): quotation tracking', () => {
  // The definition, read from the start of the opening at each position (what the tracker must equal).
  const quotedAt = (opening: string, position: number): boolean => {
    let open = 0;
    let straight = 0;
    for (const char of opening.slice(0, position)) {
      if (char === '"') straight++;
      else if (char === '“' || char === '«' || char === '„') open++;
      else if ((char === '”' || char === '»') && open > 0) open--;
    }
    if (straight % 2 === 1 || open > 0) return true;
    const lineStart = opening.lastIndexOf('\n', position - 1) + 1;
    return opening.slice(lineStart, position).trimStart().startsWith('>');
  };

  it('agrees with the definition at every position of 2 000 random openings', () => {
    const alphabet = ['"', '“', '”', '«', '»', '„', '>', '\n', ' ', '\r', '\u2028', 'a', 'I', '.', '>'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    let quotedPositions = 0;
    for (let round = 0; round < 2000; round++) {
      const length = next() % 60;
      let opening = '';
      for (let i = 0; i < length; i++) opening += alphabet[next() % alphabet.length];
      const tracker = quoteTracker(opening);
      for (let position = 0; position <= opening.length; position += 1 + (next() % 3)) {
        const expected = quotedAt(opening, position);
        if (expected) quotedPositions++;
        expect(tracker(position), `${JSON.stringify(opening)} at ${position}`).toBe(expected);
      }
    }
    expect(quotedPositions).toBeGreaterThan(1000);
  });

  it('refuses to go backwards', () => {
    const tracker = quoteTracker('"a" b');
    expect(tracker(3)).toBe(false);
    expect(() => tracker(1)).toThrow(RangeError);
  });
});

describe('refusal(): odd input never throws', () => {
  for (const [name, text] of [
    ['1 MB', `I can't help with that. ${'x'.repeat(1_000_000)}`],
    ['binary', Array.from({ length: 2000 }, (_, index) => String.fromCharCode((index * 7919) % 65536)).join('')],
    ['emoji', '😀 I cannot help with that 👍🏽'],
    ['right-to-left', 'אני לא יכול לעזור בזה. لا أستطيع المساعدة'],
    ['lone surrogates', '\ud800 I can\udc00not help \ud83d'],
  ] as const) {
    it(name, () => {
      expect(() => run(detector, text)).not.toThrow();
    });
  }
  it('a long answer opening with a refusal is partial', () => {
    expect(run(detector, `I can't help with that. ${'x'.repeat(1_000_000)}`)[0]!.data).toMatchObject({ partial: true });
  });
});

describe('refusal() through a guard', () => {
  it('flags a refusal and lets the text through', async () => {
    const guard = createGuard({ output: [refusal()] });
    const verdict = await guard.check('output', "I'm sorry, but I can't help with that.");
    expect(verdict.action).toBe('flag');
    expect(verdict.text).toBe("I'm sorry, but I can't help with that.");
    expect((await guard.check('output', 'Sure! Here is the recipe.')).action).toBe('allow');
  });

  it('catches a refusal split across stream chunks', async () => {
    const guard = createGuard({ output: [refusal()] });
    const onVerdict = vi.fn();
    const out: string[] = [];
    for await (const chunk of guard.scanStream(chunksOf("I'm sorry, but I ca", "n't help with that."), { onVerdict }))
      out.push(chunk);
    expect(out.join('')).toBe("I'm sorry, but I can't help with that.");
    const verdict = onVerdict.mock.calls[0]![0];
    expect(verdict.action).toBe('flag');
    expect(verdict.findings.map((finding: FindingInput) => finding.category)).toEqual(['refusal']);
  });
});

describe('refusal() on streams', () => {
  const drain = async (chunks: string[]) => {
    const guard = createGuard({ output: [refusal()] });
    let verdict: Verdict | undefined;
    for await (const _ of guard.scanStream(chunks, { onVerdict: (value) => (verdict = value) })) {
      // drain
    }
    return verdict!;
  };
  const pieces = (text: string) => text.match(/.{1,40}/gs) ?? [];

  it('flags a streamed answer that opens with a refusal', async () => {
    const verdict = await drain(pieces("I'm sorry, but I can't help with that request. Please ask something else."));
    expect(verdict.findings.map((finding) => finding.category)).toContain('refusal');
  });

  it('does not flag "I can\'t" deep inside a long streamed answer (window offsets count)', async () => {
    const body = 'Here is a detailed explanation of how the scheduler assigns work to each core. '.repeat(12);
    const verdict = await drain(
      pieces(
        `${body}I cannot stress enough how much simpler this makes things. I'm sorry, but I can't help with that.`,
      ),
    );
    expect(verdict.findings.filter((finding) => finding.category === 'refusal')).toHaveLength(0);
  });
});
