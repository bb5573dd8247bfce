import { describe, expect, it, vi } from 'vitest';
import { needleDetector, rejection, sleep, spanDetector, thrown } from '../test/helpers.js';
import { defineDetector } from './define-detector.js';
import { ArgumentError, ConfigError, GuardBlockedError, GuardClosedError } from './errors.js';
import { createGuard } from './guard.js';
import { hangingDetector, recordingSink, staticDetector, throwingDetector } from './test/index.js';
import type { DetectContext, FindingInput, Reviewer, Verdict } from './types.js';

const high: FindingInput = { category: 'danger', score: 0.95, message: 'dangerous content' };
const medium: FindingInput = { category: 'odd', score: 0.6, message: 'odd content' };

describe('actions', () => {
  it('allows text nobody objects to, unchanged', async () => {
    const guard = createGuard({ input: [staticDetector('quiet', [])] });
    const verdict = await guard.checkInput('hello there');
    expect(verdict.action).toBe('allow');
    expect(verdict.decided).toBe('allow');
    expect(verdict.text).toBe('hello there');
    expect(verdict.findings).toEqual([]);
    expect(verdict.errors).toEqual([]);
    expect(verdict.shadow).toBe(false);
    expect(verdict.stage).toBe('input');
    expect(Object.keys(verdict.timings)).toEqual(['quiet']);
  });

  it('allows a finding scoring under the policy minScore', async () => {
    const guard = createGuard({ input: [staticDetector('weak', [{ category: 'x', score: 0.3, message: 'weak' }])] });
    const verdict = await guard.checkInput('text');
    expect(verdict.action).toBe('allow');
    expect(verdict.findings).toHaveLength(1);
    expect(verdict.findingActions).toEqual(['allow']);
  });

  it('flags a medium finding: text passes unchanged, the finding is recorded', async () => {
    const guard = createGuard({ input: [staticDetector('odd', [medium])] });
    const verdict = await guard.checkInput('slightly odd text');
    expect(verdict.action).toBe('flag');
    expect(verdict.text).toBe('slightly odd text');
    expect(verdict.findings).toEqual([
      { detector: 'odd', category: 'odd', score: 0.6, severity: 'medium', message: 'odd content' },
    ]);
    expect(verdict.findingActions).toEqual(['flag']);
  });

  it('flags via an explicit rule even for a high-score finding', async () => {
    const guard = createGuard({
      input: [staticDetector('loud', [high])],
      policy: { rules: [{ category: 'danger', minScore: 0.5, action: 'flag' }] },
    });
    expect((await guard.checkInput('x')).action).toBe('flag');
  });

  describe('redact', () => {
    it('applies non-overlapping replacements from several detectors', async () => {
      const guard = createGuard({ input: [spanDetector('first', 0, 2, 'X'), spanDetector('second', 5, 7, 'Y')] });
      const verdict = await guard.checkInput('abcdefghij');
      expect(verdict.action).toBe('redact');
      expect(verdict.decided).toBe('redact');
      expect(verdict.text).toBe('XcdeYhij');
    });

    it('uses a typed placeholder when a redact finding has no replacement', async () => {
      const guard = createGuard({
        input: [needleDetector('email', 'bob@example.com', { category: 'email', score: 0.9 })],
        policy: { rules: [{ category: 'email', minScore: 0.5, action: 'redact' }] },
      });
      const verdict = await guard.checkInput('write to bob@example.com today');
      expect(verdict.action).toBe('redact');
      expect(verdict.text).toBe('write to [REDACTED:email] today');
    });

    it('merges overlapping replacements the same way whatever the detector order', async () => {
      const a = () => spanDetector('a-det', 2, 6, '<A>');
      const b = () => spanDetector('b-det', 4, 8, '<B>');
      const forward = await createGuard({ input: [a(), b()] }).checkInput('abcdefghij');
      const backward = await createGuard({ input: [b(), a()] }).checkInput('abcdefghij');
      expect(forward.text).toBe('ab<A>ij');
      expect(backward.text).toBe(forward.text);
    });

    it('is deterministic whichever async detector finishes first', async () => {
      const text = 'abcdefghij';
      const slowA = await createGuard({
        input: [spanDetector('a-det', 2, 8, '<A>', 30), spanDetector('b-det', 2, 8, '<B>', 1)],
      }).checkInput(text);
      const slowB = await createGuard({
        input: [spanDetector('a-det', 2, 8, '<A>', 1), spanDetector('b-det', 2, 8, '<B>', 30)],
      }).checkInput(text);
      // Findings arrive in a different order; the text must not depend on it.
      expect(slowA.findings.map((finding) => finding.detector)).toEqual(['b-det', 'a-det']);
      expect(slowB.findings.map((finding) => finding.detector)).toEqual(['a-det', 'b-det']);
      expect(slowA.text).toBe('ab<A>ij');
      expect(slowB.text).toBe('ab<A>ij');
    });

    it('on the same start, the longer span wins and nothing of either survives', async () => {
      const guard = createGuard({ input: [spanDetector('short', 2, 4, '<S>'), spanDetector('long', 2, 8, '<L>')] });
      const verdict = await guard.checkInput('abcdefghij');
      expect(verdict.text).toBe('ab<L>ij');
    });

    it('escalates to block when a redact finding has no span', async () => {
      const guard = createGuard({
        input: [
          spanDetector('located', 0, 2, 'X'),
          needleDetector('nowhere', 'secret', { noSpan: true, score: 0.9, category: 'secret' }),
        ],
        policy: { rules: [{ category: 'secret', minScore: 0.5, action: 'redact' }] },
      });
      const verdict = await guard.checkInput('my secret here');
      expect(verdict.decided).toBe('block');
      expect(verdict.action).toBe('block');
      expect(verdict.text).toBe('my secret here');
    });
  });

  describe('review', () => {
    const reviewPolicy = { rules: [{ category: 'needs-review', minScore: 0, action: 'review' as const }] };
    const reviewFinding: FindingInput = {
      category: 'needs-review',
      score: 0.7,
      message: 'borderline',
      span: { start: 0, end: 4 },
      replacement: '****',
    };

    it('calls the reviewer with the provisional verdict and applies "allow"', async () => {
      const reviewer = vi.fn<Reviewer>(() => 'allow');
      const guard = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: reviewPolicy,
        reviewer,
      });
      const verdict = await guard.checkInput('text to review', { user: 'u-1' });
      expect(reviewer).toHaveBeenCalledTimes(1);
      const request = reviewer.mock.calls[0]![0];
      expect(request.stage).toBe('input');
      expect(request.verdict.action).toBe('review');
      expect(request.verdict.findings).toHaveLength(1);
      expect(request.context.user).toBe('u-1');
      expect(request.signal).toBeInstanceOf(AbortSignal);
      expect(verdict.action).toBe('allow');
      expect(verdict.decided).toBe('review');
      expect(verdict.text).toBe('text to review');
    });

    it('applies "block"', async () => {
      const guard = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: reviewPolicy,
        reviewer: async () => 'block' as const,
      });
      expect((await guard.checkInput('text to review')).action).toBe('block');
    });

    it('applies "flag"', async () => {
      const guard = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: reviewPolicy,
        reviewer: () => 'flag',
      });
      const verdict = await guard.checkInput('text to review');
      expect(verdict.action).toBe('flag');
      expect(verdict.text).toBe('text to review');
    });

    it('applies "redact" using the findings\' replacements', async () => {
      const guard = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: reviewPolicy,
        reviewer: () => 'redact',
      });
      const verdict = await guard.checkInput('text to review');
      expect(verdict.action).toBe('redact');
      expect(verdict.text).toBe('**** to review');
    });

    // Regression: a reviewer's "redact" once skipped reviewed findings that had a span but no replacement,
    // so the verdict said "redact" while the text came back unchanged.
    it('applies "redact" to a reviewed finding that has a span but no replacement', async () => {
      const spanOnly: FindingInput = {
        category: 'needs-review',
        score: 0.7,
        message: 'borderline',
        span: { start: 0, end: 4 },
      };
      const guard = createGuard({
        input: [staticDetector('borderline', [spanOnly])],
        policy: reviewPolicy,
        reviewer: () => 'redact',
      });
      const verdict = await guard.checkInput('text to review');
      // Either the span is redacted (typed placeholder), or, if it cannot be, the text is blocked.
      if (verdict.action === 'redact') expect(verdict.text).toBe('[REDACTED:needs-review] to review');
      else expect(verdict.action).toBe('block');
    });

    it('blocks when the reviewer times out (default onTimeout) and aborts its signal', async () => {
      let seen: AbortSignal | undefined;
      const guard = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: { ...reviewPolicy, review: { timeoutMs: 50 } },
        reviewer: ({ signal }) => {
          seen = signal;
          return new Promise(() => {});
        },
      });
      const verdict = await guard.checkInput('text to review');
      expect(verdict.action).toBe('block');
      expect(verdict.decided).toBe('review');
      expect(seen?.aborted).toBe(true);
    });

    it('follows onTimeout "allow" when the reviewer times out', async () => {
      const guard = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: { ...reviewPolicy, review: { timeoutMs: 50, onTimeout: 'allow' } },
        reviewer: () => new Promise(() => {}),
      });
      expect((await guard.checkInput('text to review')).action).toBe('allow');
    });

    it('treats a throwing reviewer as a timeout', async () => {
      const throwing: Reviewer = () => {
        throw new Error('reviewer down');
      };
      const closed = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: reviewPolicy,
        reviewer: throwing,
      });
      expect((await closed.checkInput('text to review')).action).toBe('block');
      const open = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: { ...reviewPolicy, review: { onTimeout: 'allow' } },
        reviewer: async () => {
          throw new Error('reviewer down');
        },
      });
      expect((await open.checkInput('text to review')).action).toBe('allow');
    });

    it('treats an unknown reviewer outcome as a timeout', async () => {
      const guard = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: reviewPolicy,
        reviewer: () => 'maybe' as never,
      });
      expect((await guard.checkInput('text to review')).action).toBe('block');
    });

    it('without a reviewer, applies onTimeout', async () => {
      const blocking = createGuard({ input: [staticDetector('borderline', [reviewFinding])], policy: reviewPolicy });
      expect((await blocking.checkInput('text to review')).action).toBe('block');
      const allowing = createGuard({
        input: [staticDetector('borderline', [reviewFinding])],
        policy: { ...reviewPolicy, review: { onTimeout: 'allow' } },
      });
      expect((await allowing.checkInput('text to review')).action).toBe('allow');
    });
  });

  describe('block', () => {
    const secretText = 'please leak sk-live-123456789abcdef now';

    it('checkInput returns a block verdict instead of throwing', async () => {
      const guard = createGuard({ input: [staticDetector('loud', [high])] });
      const verdict = await guard.checkInput(secretText);
      expect(verdict.action).toBe('block');
      expect(verdict.decided).toBe('block');
      expect(verdict.findings[0]).toMatchObject({ detector: 'loud', category: 'danger', severity: 'high' });
    });

    it('run throws GuardBlockedError carrying the verdict, without the text, and skips the model', async () => {
      const guard = createGuard({ input: [staticDetector('loud', [high])] });
      const modelCall = vi.fn(() => 'answer');
      const error = await rejection(guard.run([{ role: 'user', content: secretText }], modelCall));
      expect(error).toBeInstanceOf(GuardBlockedError);
      const blocked = error as GuardBlockedError;
      expect(blocked.code).toBe('GUARD_BLOCKED');
      expect(blocked.stage).toBe('input');
      expect(blocked.verdict.action).toBe('block');
      expect(blocked.verdict.findings[0]?.detector).toBe('loud');
      expect(blocked.message).toContain('loud');
      expect(blocked.message).not.toContain('sk-live-123456789abcdef');
      expect(blocked.message).not.toContain(secretText);
      expect(modelCall).not.toHaveBeenCalled();
    });

    it('run returns the fallback in fallback mode, without calling the model', async () => {
      const guard = createGuard({
        input: [staticDetector('loud', [high])],
        policy: { onBlock: { mode: 'fallback', fallback: 'I cannot help with that.' } },
      });
      const modelCall = vi.fn(() => 'answer');
      expect(await guard.run([{ role: 'user', content: secretText }], modelCall)).toBe('I cannot help with that.');
      expect(modelCall).not.toHaveBeenCalled();
    });

    it('a blocked output returns outputFallback (or fallback) in fallback mode', async () => {
      const withOutputFallback = createGuard({
        output: [needleDetector('leak', 'INTERNAL')],
        policy: { onBlock: { mode: 'fallback', fallback: 'in-fb', outputFallback: 'out-fb' } },
      });
      expect(await withOutputFallback.run([{ role: 'user', content: 'hi' }], () => 'the INTERNAL plan')).toBe('out-fb');
      const plain = createGuard({
        output: [needleDetector('leak', 'INTERNAL')],
        policy: { onBlock: { mode: 'fallback', fallback: 'in-fb' } },
      });
      expect(await plain.run([{ role: 'user', content: 'hi' }], () => 'the INTERNAL plan')).toBe('in-fb');
    });

    it('a blocked output throws in throw mode', async () => {
      const guard = createGuard({ output: [needleDetector('leak', 'INTERNAL')] });
      const error = await rejection(guard.run([{ role: 'user', content: 'hi' }], () => 'the INTERNAL plan'));
      expect(error).toBeInstanceOf(GuardBlockedError);
      expect((error as GuardBlockedError).stage).toBe('output');
      expect((error as GuardBlockedError).message).not.toContain('INTERNAL plan');
    });

    it('enforceBlock throws or returns the fallback per policy', async () => {
      const throwing = createGuard({ input: [staticDetector('loud', [high])] });
      const verdict = await throwing.checkInput('x');
      expect(thrown(() => throwing.enforceBlock(verdict))).toBeInstanceOf(GuardBlockedError);
      const falling = createGuard({ policy: { onBlock: { mode: 'fallback', fallback: 'nope' } } });
      expect(falling.enforceBlock(verdict)).toBe('nope');
    });
  });

  it('run passes redacted input to the model and returns the redacted answer', async () => {
    const guard = createGuard({
      input: [needleDetector('email', 'bob@example.com', { replacement: '<EMAIL>', score: 0.8 })],
      output: [needleDetector('phone', '555-0100', { replacement: '<PHONE>', score: 0.8 })],
    });
    const modelCall = vi.fn((messages: { content: string }[]) => `call 555-0100 about ${messages.at(-1)!.content}`);
    const answer = await guard.run(
      [
        { role: 'system', content: 'be nice' },
        { role: 'user', content: 'mail bob@example.com' },
      ],
      modelCall,
    );
    expect(modelCall.mock.calls[0]![0]).toEqual([
      { role: 'system', content: 'be nice' },
      { role: 'user', content: 'mail <EMAIL>' },
    ]);
    expect(answer).toBe('call <PHONE> about mail <EMAIL>');
  });
});

describe('fail modes', () => {
  it('closed (default): a throwing detector blocks with a detector-failed finding and an error entry', async () => {
    const guard = createGuard({ input: [throwingDetector('boom')] });
    const verdict = await guard.checkInput('anything');
    expect(verdict.action).toBe('block');
    expect(verdict.findings).toEqual([
      expect.objectContaining({ detector: 'boom', category: 'detector-failed', score: 1, severity: 'high' }),
    ]);
    expect(verdict.errors).toEqual([
      {
        detector: 'boom',
        kind: 'error',
        message: "Error thrown by the detector (message withheld from logs; see the failure's cause)",
        outcome: 'block',
      },
    ]);
    // The thrown error is there for debugging in-process, but never serialized (it may quote the text).
    expect((verdict.errors[0]!.cause as Error).message).toBe('detector exploded');
    expect(JSON.stringify(verdict)).not.toContain('detector exploded');
  });

  it('keeps the message of Parapet errors thrown by a detector', async () => {
    const guard = createGuard({
      input: [
        defineDetector({
          id: 'config-broken',
          stages: ['input'],
          detect: () => {
            throw new ConfigError({ message: 'model file missing: set options.modelPath' });
          },
        }),
      ],
    });
    const verdict = await guard.checkInput('anything');
    expect(verdict.errors[0]?.message).toBe('ConfigError: model file missing: set options.modelPath');
  });

  it('closed: a detector that never resolves times out and blocks', async () => {
    let signal: AbortSignal | undefined;
    const hanging = defineDetector({
      id: 'stuck',
      stages: ['input'],
      detect: (_text, context: DetectContext) => {
        signal = context.signal;
        return new Promise<never>(() => {});
      },
    });
    const guard = createGuard({ input: [hanging, hangingDetector('hangs')], policy: { timeoutMs: 50 } });
    const verdict = await guard.checkInput('anything');
    expect(verdict.action).toBe('block');
    expect(verdict.findings.map((finding) => [finding.detector, finding.category])).toEqual([
      ['stuck', 'detector-failed'],
      ['hangs', 'detector-failed'],
    ]);
    expect(verdict.errors).toEqual([
      expect.objectContaining({ detector: 'stuck', kind: 'timeout', outcome: 'block' }),
      expect.objectContaining({ detector: 'hangs', kind: 'timeout', outcome: 'block' }),
    ]);
    // The abandoned detector is told to stop.
    expect(signal?.aborted).toBe(true);
  });

  it('per-detector timeoutMs overrides the policy timeout', async () => {
    const slow = needleDetector('slow', 'x', { delayMs: 120 });
    const guard = createGuard({ input: [slow], policy: { timeoutMs: 1_000, detectors: { slow: { timeoutMs: 30 } } } });
    const verdict = await guard.checkInput('x');
    expect(verdict.errors).toEqual([expect.objectContaining({ detector: 'slow', kind: 'timeout' })]);
  });

  it('open (policy.failMode): a throwing detector allows and records the error', async () => {
    const guard = createGuard({ input: [throwingDetector('boom')], policy: { failMode: 'open' } });
    const verdict = await guard.checkInput('anything');
    expect(verdict.action).toBe('allow');
    expect(verdict.findings).toEqual([]);
    expect(verdict.errors).toEqual([expect.objectContaining({ detector: 'boom', kind: 'error', outcome: 'allow' })]);
  });

  it('open (policy.failMode): a hanging detector allows and records a timeout', async () => {
    const guard = createGuard({ input: [hangingDetector('hangs')], policy: { failMode: 'open', timeoutMs: 50 } });
    const verdict = await guard.checkInput('anything');
    expect(verdict.action).toBe('allow');
    expect(verdict.errors).toEqual([expect.objectContaining({ detector: 'hangs', kind: 'timeout', outcome: 'allow' })]);
  });

  it('open per detector (policy.detectors[id].failMode) only for that detector', async () => {
    const guard = createGuard({
      input: [throwingDetector('lenient'), hangingDetector('strict')],
      policy: { timeoutMs: 50, detectors: { lenient: { failMode: 'open' } } },
    });
    const verdict = await guard.checkInput('anything');
    expect(verdict.action).toBe('block');
    expect(verdict.errors).toEqual([
      expect.objectContaining({ detector: 'lenient', outcome: 'allow' }),
      expect.objectContaining({ detector: 'strict', outcome: 'block' }),
    ]);
    const onlyLenient = createGuard({
      input: [throwingDetector('lenient')],
      policy: { detectors: { lenient: { failMode: 'open' } } },
    });
    expect((await onlyLenient.checkInput('x')).action).toBe('allow');
  });

  it('closed per detector wins over an open policy', async () => {
    const guard = createGuard({
      input: [throwingDetector('strict')],
      policy: { failMode: 'open', detectors: { strict: { failMode: 'closed' } } },
    });
    expect((await guard.checkInput('x')).action).toBe('block');
  });

  it.each([
    ['a score above 1', [{ category: 'x', score: 2, message: 'm' }], 'score'],
    ['a negative score', [{ category: 'x', score: -0.1, message: 'm' }], 'score'],
    ['a NaN score', [{ category: 'x', score: Number.NaN, message: 'm' }], 'score'],
    ['a non-array', { category: 'x', score: 1, message: 'm' }, 'array'],
    ['a string', 'nothing', 'array'],
    ['a missing category', [{ score: 0.5, message: 'm' }], 'category'],
    ['an unknown severity', [{ category: 'x', score: 0.5, message: 'm', severity: 'apocalyptic' }], 'severity'],
    ['a span past the end', [{ category: 'x', score: 0.5, message: 'm', span: { start: 0, end: 99 } }], 'span'],
    ['a reversed span', [{ category: 'x', score: 0.5, message: 'm', span: { start: 3, end: 1 } }], 'span'],
    ['a null finding', [null], 'object'],
  ])('a detector returning %s is a failure under the fail mode', async (_label, result, word) => {
    const malformed = defineDetector({ id: 'malformed', stages: ['input'], detect: () => result as never });
    const asyncMalformed = defineDetector({
      id: 'malformed-async',
      stages: ['input'],
      detect: async () => result as never,
    });
    const closed = await createGuard({ input: [malformed, asyncMalformed] }).checkInput('short');
    expect(closed.action).toBe('block');
    expect(closed.findings.map((finding) => finding.category)).toEqual(['detector-failed', 'detector-failed']);
    expect(closed.errors).toHaveLength(2);
    for (const error of closed.errors) {
      expect(error.kind).toBe('error');
      expect(error.outcome).toBe('block');
      expect(error.message).toContain(word);
    }
    const open = await createGuard({ input: [malformed, asyncMalformed], policy: { failMode: 'open' } }).checkInput(
      'short',
    );
    expect(open.action).toBe('allow');
    expect(open.findings).toEqual([]);
    expect(open.errors.map((error) => error.outcome)).toEqual(['allow', 'allow']);
  });

  it('a detector rejecting with a non-Error value is a failure', async () => {
    const rejecting = defineDetector({ id: 'rejects', stages: ['input'], detect: () => Promise.reject('nope') });
    const verdict = await createGuard({ input: [rejecting] }).checkInput('x');
    expect(verdict.action).toBe('block');
    expect(verdict.errors[0]?.message).toContain('string thrown by the detector');
  });
});

describe('bad input', () => {
  it.each([
    ['a number', 42],
    ['null', null],
    ['an object', { text: 'hi' }],
    ['undefined', undefined],
  ])('rejects %s as text with an ArgumentError naming `text`', async (_label, value) => {
    const guard = createGuard({ input: [staticDetector('quiet', [])] });
    for (const call of [
      () => guard.checkInput(value as never),
      () => guard.checkOutput(value as never),
      () => guard.check('tool_input', value as never),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).code).toBe('ARGUMENT_INVALID');
      expect((error as ArgumentError).message).toMatch(/\btext\b/);
    }
  });

  it('rejects an unknown stage', async () => {
    const error = await rejection(createGuard().check('prompt' as never, 'x'));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as Error).message).toContain('input, output, tool_input, tool_output');
  });

  it('gives a correct verdict on a 10 MB input', async () => {
    const linear = defineDetector({
      id: 'linear',
      stages: ['input'],
      detect: (text) => {
        const at = text.indexOf('FORBIDDEN');
        return at === -1
          ? []
          : [{ category: 'forbidden', score: 1, message: 'forbidden word', span: { start: at, end: at + 9 } }];
      },
    });
    const guard = createGuard({ input: [linear] });
    const size = 10 * 1024 * 1024;
    const clean = 'lorem ipsum '.repeat(Math.ceil(size / 12)).slice(0, size);
    expect((await guard.checkInput(clean)).action).toBe('allow');
    const dirty = `${clean.slice(0, size - 20)}FORBIDDEN${clean.slice(size - 11)}`;
    const verdict = await guard.checkInput(dirty);
    expect(verdict.action).toBe('block');
    expect(verdict.findings[0]?.span).toEqual({ start: size - 20, end: size - 11 });
    expect(verdict.text.length).toBe(size);
  });

  it.each([
    ['the empty string', ''],
    ['lone surrogates', 'a\ud800b\udc00c\ud83d'],
    ['emoji', '👋🏽 family: 👨‍👩‍👧‍👦 flag: 🇫🇷'],
    ['right-to-left text', 'שלום עולם مرحبا بالعالم \u202eevil\u202c'],
    ['control characters', '\u0000\u0001\u007f\u009f'],
  ])('handles %s without crashing', async (_label, text) => {
    const normalizedSeen: string[] = [];
    const reader = defineDetector({
      id: 'reader',
      stages: ['input'],
      detect: (_text, context) => {
        normalizedSeen.push(context.normalized.text, context.normalized.leet);
        void context.normalized.payloads;
        return [];
      },
    });
    const guard = createGuard({ input: [reader, needleDetector('needle', 'zzz')] });
    const verdict = await guard.checkInput(text);
    expect(verdict.action).toBe('allow');
    expect(verdict.text).toBe(text);
    expect(verdict.errors).toEqual([]);
    expect(normalizedSeen).toHaveLength(2);
  });

  it.each([
    ['tenant as a number', { tenant: 5 }, 'context.tenant'],
    ['an empty traceId', { traceId: '' }, 'context.traceId'],
    ['signal as a string', { signal: 'abort' }, 'context.signal'],
    ['history as a string', { history: 'hi' }, 'context.history'],
    ['an unknown key', { tennant: 'acme' }, 'tennant'],
  ])('rejects a context with %s', async (_label, context, named) => {
    const error = await rejection(createGuard().checkInput('x', context as never));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as Error).message).toContain(named);
  });

  it('rejects a context that is not an object', async () => {
    expect(await rejection(createGuard().checkInput('x', 'acme' as never))).toBeInstanceOf(ArgumentError);
  });

  it('rejects bad run() arguments', async () => {
    const guard = createGuard();
    expect(await rejection(guard.run([], () => 'x'))).toBeInstanceOf(ArgumentError);
    expect(await rejection(guard.run([{ role: 'user', content: 5 as never }], () => 'x'))).toBeInstanceOf(
      ArgumentError,
    );
    expect(await rejection(guard.run([{ role: 'user', content: 'hi' }], 'model' as never))).toBeInstanceOf(
      ArgumentError,
    );
    const error = await rejection(guard.run([{ role: 'user', content: 'hi' }], () => null as never));
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as Error).message).toContain('null');
  });
});

describe('createGuard options', () => {
  it('rejects a detector placed in a stage it does not support', () => {
    const outputOnly = staticDetector('output-only', [], ['output']);
    const error = thrown(() => createGuard({ input: [outputOnly] }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toContain('options.input[0]');
    expect((error as Error).message).toContain('output-only');
    const toolError = thrown(() => createGuard({ toolOutput: [staticDetector('a', []), outputOnly] }));
    expect((toolError as Error).message).toContain('options.toolOutput[1]');
  });

  it('rejects duplicate detector ids in one stage', () => {
    const error = thrown(() => createGuard({ output: [staticDetector('same', []), staticDetector('same', [])] }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('"same"');
    expect((error as Error).message).toContain('options.output[1]');
  });

  it('accepts the same detector in two stages', () => {
    const both = staticDetector('both', []);
    expect(() => createGuard({ input: [both], output: [both] })).not.toThrow();
  });

  it.each([
    ['an empty object', {}],
    ['a string', 'detector'],
    ['a function', () => []],
    ['a detector without detect', { id: 'no-detect', stages: ['input'] }],
    ['a detector with a bad id', { id: 'Not Kebab', stages: ['input'], detect: () => [] }],
    ['a detector with no stages', { id: 'no-stages', stages: [], detect: () => [] }],
  ])('rejects %s as a detector', (_label, value) => {
    const error = thrown(() => createGuard({ input: [value as never] }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('input[0]');
  });

  it.each([
    ['an unknown option', { inputs: [] }, 'inputs'],
    ['input that is not an array', { input: staticDetector('x', []) }, 'input'],
    ['an audit sink without write', { audit: { name: 'broken' } }, 'audit'],
    ['a store missing methods', { store: { get: () => undefined } }, 'store'],
    ['a reviewer that is not a function', { reviewer: 'human' }, 'reviewer'],
    ['a negative stream holdBack', { stream: { holdBack: -1 } }, 'stream.holdBack'],
    ['a bad policy field', { policy: { failMode: 'sometimes' } }, 'policy.failMode'],
  ])('rejects %s', (_label, options, named) => {
    const error = thrown(() => createGuard(options as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(named);
  });

  it('rejects non-object options', () => {
    expect(thrown(() => createGuard(null as never))).toBeInstanceOf(ConfigError);
    expect(thrown(() => createGuard('x' as never))).toBeInstanceOf(ConfigError);
  });
});

describe('lifecycle', () => {
  it('throws GuardClosedError after close()', async () => {
    const guard = createGuard({ name: 'shop', input: [staticDetector('quiet', [])] });
    await guard.close();
    const error = await rejection(guard.checkInput('x'));
    expect(error).toBeInstanceOf(GuardClosedError);
    expect((error as GuardClosedError).code).toBe('GUARD_CLOSED');
    expect((error as Error).message).toContain('shop');
    expect(await rejection(guard.checkOutput('x'))).toBeInstanceOf(GuardClosedError);
    expect(await rejection(guard.check('tool_output', 'x'))).toBeInstanceOf(GuardClosedError);
    expect(await rejection(guard.run([{ role: 'user', content: 'x' }], () => 'y'))).toBeInstanceOf(GuardClosedError);
    expect(thrown(() => guard.scanStream(['x']))).toBeInstanceOf(GuardClosedError);
  });

  it('close() flushes and closes every sink, once', async () => {
    const first = recordingSink();
    const second = recordingSink();
    const flush = vi.spyOn(second, 'flush');
    const guard = createGuard({ audit: [first, second] });
    await guard.checkInput('x');
    expect(first.closed).toBe(false);
    await guard.close();
    expect(first.closed).toBe(true);
    expect(second.closed).toBe(true);
    expect(flush).toHaveBeenCalledTimes(1);
    await guard.close();
    expect(flush).toHaveBeenCalledTimes(1);
  });

  it('close() reports sinks that fail to close, after closing the others', async () => {
    const good = recordingSink();
    const guard = createGuard({
      audit: [
        {
          write() {},
          async close() {
            throw new Error('disk full');
          },
        },
        good,
      ],
    });
    const error = await rejection(guard.close());
    expect((error as { code?: string }).code).toBe('SINK_FAILED');
    expect(good.closed).toBe(true);
  });

  it('a sink whose write throws does not break the check', async () => {
    const guard = createGuard({
      input: [staticDetector('loud', [high])],
      audit: {
        write() {
          throw new Error('sink broken');
        },
      },
    });
    expect((await guard.checkInput('x')).action).toBe('block');
  });

  it('aborting the caller signal rejects the check with CHECK_ABORTED', async () => {
    const controller = new AbortController();
    const guard = createGuard({ input: [needleDetector('slow', 'x', { delayMs: 20 })] });
    const pending = guard.checkInput('x', { signal: controller.signal });
    controller.abort();
    const error = await rejection(pending);
    expect((error as { code?: string }).code).toBe('CHECK_ABORTED');
  });
});

describe('execution', () => {
  it('sequential execution runs detectors one after another in order', async () => {
    const order: string[] = [];
    const make = (id: string, ms: number) =>
      defineDetector({
        id,
        stages: ['input'],
        detect: async () => {
          order.push(`start:${id}`);
          await sleep(ms);
          order.push(`end:${id}`);
          return [];
        },
      });
    const guard = createGuard({ input: [make('a', 20), make('b', 1)], policy: { execution: 'sequential' } });
    await guard.checkInput('x');
    expect(order).toEqual(['start:a', 'end:a', 'start:b', 'end:b']);
  });

  it('parallel execution (default) starts all detectors before any finishes', async () => {
    const order: string[] = [];
    const make = (id: string, ms: number) =>
      defineDetector({
        id,
        stages: ['input'],
        detect: async () => {
          order.push(`start:${id}`);
          await sleep(ms);
          order.push(`end:${id}`);
          return [];
        },
      });
    const guard = createGuard({ input: [make('a', 20), make('b', 1)] });
    const verdict: Verdict = await guard.checkInput('x');
    expect(order.slice(0, 2)).toEqual(['start:a', 'start:b']);
    expect(Object.keys(verdict.timings).sort()).toEqual(['a', 'b']);
  });
});
