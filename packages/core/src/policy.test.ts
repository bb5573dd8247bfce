import { describe, expect, it, vi } from 'vitest';
import { needleDetector, sleep, thrown } from '../test/helpers.js';
import { defineDetector } from './define-detector.js';
import { ConfigError, GuardBlockedError } from './errors.js';
import { createGuard } from './guard.js';
import { actionFromRules, defaultAction, type PolicyRule, parsePolicy } from './policy.js';
import { recordingSink, staticDetector, throwingDetector } from './test/index.js';
import type { Finding, FindingInput } from './types.js';

function configError(input: unknown): ConfigError {
  const error = thrown(() => parsePolicy(input));
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('parsePolicy', () => {
  it('fills in the documented defaults', () => {
    const policy = parsePolicy({});
    expect(policy).toMatchObject({
      mode: 'enforce',
      failMode: 'closed',
      timeoutMs: 1_000,
      minScore: 0.5,
      shortCircuit: false,
      execution: 'parallel',
      rules: [],
      detectors: {},
      onBlock: { mode: 'throw' },
      review: { timeoutMs: 30_000, onTimeout: 'block' },
      tenants: {},
    });
    expect(parsePolicy(undefined).failMode).toBe('closed');
    expect(parsePolicy({ rules: [{ category: 'x', action: 'flag' }] }).rules[0]?.minScore).toBe(0.5);
  });

  it('accepts its own output', () => {
    const policy = parsePolicy({ mode: 'shadow', rules: [{ detector: 'd', minScore: 0.2, action: 'block' }] });
    expect(parsePolicy(policy)).toEqual(policy);
  });

  it.each([
    [
      'a detector failMode',
      { detectors: { x: { failMode: 'sometimes' } } },
      'policy.detectors.x.failMode',
      ['"closed"', '"open"'],
    ],
    [
      'a rule minScore above 1',
      { rules: [{ category: 'c', minScore: 2, action: 'block' }] },
      'policy.rules[0].minScore',
      ['<= 1'],
    ],
    [
      'a rule minScore below 0',
      { rules: [{ category: 'c', minScore: -1, action: 'block' }] },
      'policy.rules[0].minScore',
      ['>= 0'],
    ],
    [
      'a rule action',
      {
        rules: [
          { category: 'c', action: 'block' },
          { category: 'd', action: 'nuke' },
        ],
      },
      'policy.rules[1].action',
      ['allow, flag, redact, review, block'],
    ],
    [
      'a rule stage',
      { rules: [{ stage: 'prompt', action: 'flag' }] },
      'policy.rules[0].stage',
      ['input, output, tool_input, tool_output'],
    ],
    ['the global failMode', { failMode: 'maybe' }, 'policy.failMode', ['"closed"', '"open"']],
    ['the mode', { mode: 'dry-run' }, 'policy.mode', ['"enforce"', '"shadow"']],
    ['a timeout of 0', { timeoutMs: 0 }, 'policy.timeoutMs', ['> 0']],
    ['a fractional timeout', { timeoutMs: 1.5 }, 'policy.timeoutMs', ['whole number']],
    [
      'a detector timeout too large',
      { detectors: { d: { timeoutMs: 999_999_999 } } },
      'policy.detectors.d.timeoutMs',
      ['600000'],
    ],
    ['a sample rate', { detectors: { d: { sampleRate: 1.5 } } }, 'policy.detectors.d.sampleRate', ['<= 1']],
    ['onBlock.mode', { onBlock: { mode: 'silent' } }, 'policy.onBlock.mode', ['"throw"', '"fallback"']],
    ['review.onTimeout', { review: { onTimeout: 'flag' } }, 'policy.review.onTimeout', ['"allow"', '"block"']],
    ['the version', { version: 2 }, 'policy.version', ['must be 1']],
    ['execution', { execution: 'eager' }, 'policy.execution', ['"parallel"', '"sequential"']],
  ])('names the field and what is allowed for %s', (_label, input, path, allowed) => {
    const error = configError(input);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(path);
    for (const words of allowed) expect(error.message).toContain(words);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
  });

  it.each([
    ['at the top level', { failmode: 'open' }, 'failmode'],
    ['in a rule', { rules: [{ category: 'x', action: 'flag', score: 0.5 }] }, 'score'],
    ['in a detector entry', { detectors: { d: { fail: 'open' } } }, 'fail'],
    ['in onBlock', { onBlock: { fallbackText: 'x' } }, 'fallbackText'],
    ['in a tenant', { tenants: { acme: { strict: true } } }, 'strict'],
  ])('rejects unknown keys %s', (_label, input, key) => {
    const error = configError(input);
    expect(error.message).toContain(key);
  });

  it('lists several problems at once', () => {
    const error = configError({ failMode: 'x', timeoutMs: -1, rules: [{ action: 'nope' }] });
    expect(error.issues.length).toBeGreaterThanOrEqual(3);
    expect(error.message).toContain('policy.failMode');
    expect(error.message).toContain('policy.timeoutMs');
    expect(error.message).toContain('policy.rules[0].action');
  });

  it('does not echo the offending value into the message', () => {
    const error = configError({ mode: 'sk-live-123456789abcdef' });
    expect(error.message).not.toContain('sk-live-123456789abcdef');
  });
});

const finding = (detector: string, category: string, score: number): Finding => ({
  detector,
  category,
  score,
  severity: 'medium',
  message: 'm',
});

describe('rule precedence (actionFromRules)', () => {
  it('detector + category is more specific than category alone, whatever the order', () => {
    const rules: PolicyRule[] = [
      { category: 'pii', minScore: 0.5, action: 'block' },
      { detector: 'emails', category: 'pii', minScore: 0.5, action: 'redact' },
    ];
    expect(actionFromRules(rules, finding('emails', 'pii', 0.9), 'input')).toBe('redact');
    expect(actionFromRules([...rules].reverse(), finding('emails', 'pii', 0.9), 'input')).toBe('redact');
    // Another detector with the same category falls back to the category rule.
    expect(actionFromRules(rules, finding('phones', 'pii', 0.9), 'input')).toBe('block');
  });

  it('detector alone is more specific than category alone; stage adds specificity', () => {
    const rules: PolicyRule[] = [
      { category: 'pii', minScore: 0, action: 'block' },
      { detector: 'emails', minScore: 0, action: 'flag' },
      { category: 'pii', stage: 'output', minScore: 0, action: 'redact' },
    ];
    expect(actionFromRules(rules, finding('emails', 'pii', 0.9), 'input')).toBe('flag');
    expect(actionFromRules(rules, finding('phones', 'pii', 0.9), 'output')).toBe('redact');
    expect(actionFromRules(rules, finding('phones', 'pii', 0.9), 'input')).toBe('block');
  });

  it('the highest minScore not above the score wins', () => {
    const rules: PolicyRule[] = [
      { category: 'tox', minScore: 0.9, action: 'block' },
      { category: 'tox', minScore: 0.3, action: 'flag' },
      { category: 'tox', minScore: 0.6, action: 'review' },
    ];
    expect(actionFromRules(rules, finding('d', 'tox', 0.95), 'input')).toBe('block');
    expect(actionFromRules(rules, finding('d', 'tox', 0.9), 'input')).toBe('block');
    expect(actionFromRules(rules, finding('d', 'tox', 0.7), 'input')).toBe('review');
    expect(actionFromRules(rules, finding('d', 'tox', 0.4), 'input')).toBe('flag');
    // Matching rules, score under every threshold: allow.
    expect(actionFromRules(rules, finding('d', 'tox', 0.1), 'input')).toBe('allow');
  });

  it('on a tie in minScore the stricter action wins', () => {
    const rules: PolicyRule[] = [
      { category: 'c', minScore: 0.5, action: 'flag' },
      { category: 'c', minScore: 0.5, action: 'block' },
    ];
    expect(actionFromRules(rules, finding('d', 'c', 0.6), 'input')).toBe('block');
  });

  it('returns undefined when no rule matches', () => {
    expect(
      actionFromRules([{ category: 'other', minScore: 0, action: 'block' }], finding('d', 'c', 1), 'input'),
    ).toBeUndefined();
    expect(actionFromRules([], finding('d', 'c', 1), 'input')).toBeUndefined();
  });

  it('defaultAction: under minScore allow; span+replacement redact; high or critical block; else flag', () => {
    expect(defaultAction(finding('d', 'c', 0.4), 0.5)).toBe('allow');
    expect(defaultAction({ ...finding('d', 'c', 0.6), span: { start: 0, end: 1 }, replacement: 'x' }, 0.5)).toBe(
      'redact',
    );
    expect(defaultAction({ ...finding('d', 'c', 0.6), severity: 'critical' }, 0.5)).toBe('block');
    expect(defaultAction({ ...finding('d', 'c', 0.6), severity: 'high' }, 0.5)).toBe('block');
    expect(defaultAction(finding('d', 'c', 0.6), 0.5)).toBe('flag');
  });
});

describe('rules in a guard', () => {
  const pii: FindingInput = { category: 'pii', score: 0.7, message: 'personal data' };

  it('a policy rule overrides the built-in default', async () => {
    const guard = createGuard({
      input: [staticDetector('emails', [pii])],
      policy: { rules: [{ category: 'pii', minScore: 0.5, action: 'block' }] },
    });
    expect((await guard.checkInput('x')).action).toBe('block');
  });

  it("a detector's recommended rules apply when the policy says nothing, and the policy overrides them", async () => {
    const recommended = defineDetector({
      id: 'emails',
      stages: ['input'],
      rules: [{ category: 'pii', minScore: 0.6, action: 'review' }],
      detect: () => [pii],
    });
    const plain = createGuard({ input: [recommended], policy: { review: { onTimeout: 'block' } } });
    const verdict = await plain.checkInput('x');
    expect(verdict.decided).toBe('review');
    const overridden = createGuard({
      input: [recommended],
      policy: { rules: [{ detector: 'emails', minScore: 0.5, action: 'flag' }] },
    });
    expect((await overridden.checkInput('x')).action).toBe('flag');
  });

  it('a policy minScore raises the bar for the defaults', async () => {
    const guard = createGuard({ input: [staticDetector('d', [pii])], policy: { minScore: 0.8 } });
    expect((await guard.checkInput('x')).action).toBe('allow');
  });
});

describe('shadow mode', () => {
  const high: FindingInput = { category: 'danger', score: 0.95, message: 'dangerous' };

  it('records what would have happened but lets the text through', async () => {
    const guard = createGuard({ input: [staticDetector('loud', [high])], policy: { mode: 'shadow' } });
    const verdict = await guard.checkInput('dangerous text');
    expect(verdict.shadow).toBe(true);
    expect(verdict.decided).toBe('block');
    expect(verdict.action).toBe('flag');
    expect(verdict.text).toBe('dangerous text');
    expect(verdict.findingActions).toEqual(['block']);
  });

  it('does not redact', async () => {
    const guard = createGuard({
      input: [needleDetector('email', 'bob@example.com', { replacement: '<EMAIL>', score: 0.8 })],
      policy: { mode: 'shadow' },
    });
    const verdict = await guard.checkInput('mail bob@example.com');
    expect(verdict.decided).toBe('redact');
    expect(verdict.action).toBe('flag');
    expect(verdict.text).toBe('mail bob@example.com');
  });

  it('keeps allow as allow', async () => {
    const guard = createGuard({ input: [staticDetector('quiet', [])], policy: { mode: 'shadow' } });
    const verdict = await guard.checkInput('fine');
    expect(verdict.action).toBe('allow');
    expect(verdict.shadow).toBe(true);
  });

  it('does not call the reviewer', async () => {
    const reviewer = vi.fn(() => 'block' as const);
    const guard = createGuard({
      input: [staticDetector('d', [{ category: 'c', score: 0.7, message: 'm' }])],
      policy: { mode: 'shadow', rules: [{ category: 'c', minScore: 0, action: 'review' }] },
      reviewer,
    });
    const verdict = await guard.checkInput('x');
    expect(verdict.decided).toBe('review');
    expect(verdict.action).toBe('flag');
    expect(reviewer).not.toHaveBeenCalled();
  });

  it('run() never throws and passes input and output through unchanged', async () => {
    const sink = recordingSink();
    const guard = createGuard({
      input: [staticDetector('loud', [high]), throwingDetector('boom')],
      output: [needleDetector('leak', 'INTERNAL')],
      policy: { mode: 'shadow' },
      audit: sink,
    });
    const modelCall = vi.fn((messages: { content: string }[]) => `INTERNAL answer to ${messages[0]!.content}`);
    const answer = await guard.run([{ role: 'user', content: 'dangerous question' }], modelCall);
    expect(answer).toBe('INTERNAL answer to dangerous question');
    expect(modelCall).toHaveBeenCalledTimes(1);
    expect(sink.events.filter((event) => event.shadow === true).map((event) => [event.type, event.decided])).toEqual([
      ['input-flagged', 'block'],
      ['output-flagged', 'block'],
    ]);
  });
});

describe('tenant tightening', () => {
  const base = {
    minScore: 0.5,
    rules: [{ category: 'pii', minScore: 0.5, action: 'redact' as const }],
    detectors: { d: { failMode: 'closed' as const } },
  };

  it.each([
    ['failMode open over a closed base', { failMode: 'open' }, 'policy.tenants.acme.failMode'],
    ['shadow mode over an enforcing base', { mode: 'shadow' }, 'policy.tenants.acme.mode'],
    ['a disabled detector', { detectors: { d: { enabled: false } } }, 'policy.tenants.acme.detectors.d.enabled'],
    [
      'an open detector failMode',
      { detectors: { d: { failMode: 'open' } } },
      'policy.tenants.acme.detectors.d.failMode',
    ],
    ['a changed sample rate', { detectors: { d: { sampleRate: 0.1 } } }, 'policy.tenants.acme.detectors.d.sampleRate'],
    ['a higher minScore', { minScore: 0.9 }, 'policy.tenants.acme.minScore'],
    [
      'a rule weaker than the same-selector base rule',
      { rules: [{ category: 'pii', minScore: 0.5, action: 'flag' }] },
      'policy.tenants.acme.rules[0].action',
    ],
    [
      'a rule weaker than the base rule, from a higher score',
      { rules: [{ category: 'pii', minScore: 0.8, action: 'allow' }] },
      'policy.tenants.acme.rules[0].action',
    ],
  ])('refuses a tenant that loosens: %s', (_label, tenant, path) => {
    const error = configError({ ...base, tenants: { acme: tenant } });
    expect(error.message).toContain('tighten');
    expect(error.message).toContain(path);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
  });

  it('refuses turning off short-circuiting', () => {
    const error = configError({ shortCircuit: true, tenants: { acme: { shortCircuit: false } } });
    expect(error.message).toContain('tighten');
  });

  it('createGuard refuses a loosening tenant too', () => {
    const error = thrown(() => createGuard({ policy: { tenants: { acme: { failMode: 'open' } } } }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('tighten');
  });

  it('accepts tightening overrides', () => {
    expect(() =>
      parsePolicy({
        ...base,
        failMode: 'open',
        mode: 'shadow',
        tenants: {
          acme: {
            minScore: 0.2,
            failMode: 'closed',
            mode: 'enforce',
            rules: [{ category: 'pii', minScore: 0.5, action: 'block' }],
            detectors: { d: { enabled: true, failMode: 'closed', timeoutMs: 100 } },
          },
        },
      }),
    ).not.toThrow();
  });

  it('tenant rules apply only to that tenant and make the action stricter', async () => {
    const guard = createGuard({
      input: [staticDetector('emails', [{ category: 'pii', score: 0.7, message: 'email' }])],
      policy: {
        rules: [{ category: 'pii', minScore: 0.5, action: 'flag' }],
        tenants: { bank: { rules: [{ category: 'pii', minScore: 0.5, action: 'block' }] } },
      },
    });
    expect((await guard.checkInput('x')).action).toBe('flag');
    expect((await guard.checkInput('x', { tenant: 'shop' })).action).toBe('flag');
    expect((await guard.checkInput('x', { tenant: 'bank' })).action).toBe('block');
  });

  it('a tenant rule never loosens at runtime even where validation cannot see it', async () => {
    // The tenant rule is more specific (detector + category) than the base rule, so it is not compared
    // at validation time; at runtime the stricter base answer must still hold.
    const guard = createGuard({
      input: [staticDetector('emails', [{ category: 'pii', score: 0.7, message: 'email' }])],
      policy: {
        rules: [{ category: 'pii', minScore: 0.5, action: 'block' }],
        tenants: { lax: { rules: [{ detector: 'emails', category: 'pii', minScore: 0.5, action: 'allow' }] } },
      },
    });
    expect((await guard.checkInput('x', { tenant: 'lax' })).action).toBe('block');
  });

  it('a tenant minScore lowers the bar for that tenant only', async () => {
    const guard = createGuard({
      input: [staticDetector('d', [{ category: 'c', score: 0.3, message: 'weak', severity: 'high' }])],
      policy: { minScore: 0.5, tenants: { strict: { minScore: 0.2 } } },
    });
    expect((await guard.checkInput('x')).action).toBe('allow');
    expect((await guard.checkInput('x', { tenant: 'strict' })).action).toBe('block');
  });

  it('a tenant failMode closed over an open base blocks for that tenant only', async () => {
    const guard = createGuard({
      input: [throwingDetector('boom')],
      policy: { failMode: 'open', tenants: { strict: { failMode: 'closed' } } },
    });
    expect((await guard.checkInput('x')).action).toBe('allow');
    expect((await guard.checkInput('x', { tenant: 'strict' })).action).toBe('block');
  });

  it('a tenant can enable a detector the base disabled, and enforce a shadow base', async () => {
    const guard = createGuard({
      input: [needleDetector('d', 'bad')],
      policy: {
        mode: 'shadow',
        detectors: { d: { enabled: false } },
        tenants: { strict: { mode: 'enforce', detectors: { d: { enabled: true } } } },
      },
    });
    const base = await guard.checkInput('bad');
    expect(base.findings).toEqual([]);
    const strict = await guard.checkInput('bad', { tenant: 'strict' });
    expect(strict.action).toBe('block');
    expect(strict.shadow).toBe(false);
  });

  it('a tenant onBlock fallback applies in run() for that tenant', async () => {
    const guard = createGuard({
      input: [needleDetector('d', 'bad')],
      policy: { tenants: { polite: { onBlock: { mode: 'fallback', fallback: 'no thanks' } } } },
    });
    expect(await guard.run([{ role: 'user', content: 'bad' }], () => 'x', { tenant: 'polite' })).toBe('no thanks');
    await expect(guard.run([{ role: 'user', content: 'bad' }], () => 'x')).rejects.toBeInstanceOf(GuardBlockedError);
  });

  it('an unknown tenant gets the base policy', async () => {
    const guard = createGuard({
      input: [staticDetector('emails', [{ category: 'pii', score: 0.7, message: 'email' }])],
      policy: { tenants: { bank: { rules: [{ category: 'pii', minScore: 0.5, action: 'block' }] } } },
    });
    expect((await guard.checkInput('x', { tenant: 'nobody' })).action).toBe('flag');
  });
});

describe('short-circuit', () => {
  const blocking: FindingInput = { category: 'danger', score: 1, message: 'stop' };

  it('a later sync detector is not called after an earlier block', async () => {
    const later = vi.fn(() => []);
    const guard = createGuard({
      input: [staticDetector('first', [blocking]), defineDetector({ id: 'later', stages: ['input'], detect: later })],
      policy: { shortCircuit: true },
    });
    const verdict = await guard.checkInput('x');
    expect(verdict.action).toBe('block');
    expect(later).not.toHaveBeenCalled();
    expect(Object.keys(verdict.timings)).toEqual(['first']);
  });

  it('without shortCircuit every detector runs', async () => {
    const later = vi.fn(() => []);
    const guard = createGuard({
      input: [staticDetector('first', [blocking]), defineDetector({ id: 'later', stages: ['input'], detect: later })],
    });
    await guard.checkInput('x');
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('a closed-mode failure short-circuits too', async () => {
    const later = vi.fn(() => []);
    const guard = createGuard({
      input: [throwingDetector('boom'), defineDetector({ id: 'later', stages: ['input'], detect: later })],
      policy: { shortCircuit: true },
    });
    expect((await guard.checkInput('x')).action).toBe('block');
    expect(later).not.toHaveBeenCalled();
  });

  it('a non-blocking finding does not stop the pipeline', async () => {
    const later = vi.fn(() => []);
    const guard = createGuard({
      input: [
        staticDetector('first', [{ category: 'c', score: 0.6, message: 'm' }]),
        defineDetector({ id: 'later', stages: ['input'], detect: later }),
      ],
      policy: { shortCircuit: true },
    });
    await guard.checkInput('x');
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('stops waiting for slow async detectors once one blocks, and the verdict does not change afterwards', async () => {
    const sink = recordingSink();
    let release: ((findings: FindingInput[]) => void) | undefined;
    const fast = defineDetector({ id: 'fast', stages: ['input'], detect: async () => [blocking] });
    const slow = defineDetector({
      id: 'slow',
      stages: ['input'],
      detect: () =>
        new Promise<FindingInput[]>((resolve) => {
          release = resolve;
        }),
    });
    const guard = createGuard({ input: [fast, slow], policy: { shortCircuit: true, timeoutMs: 60_000 }, audit: sink });
    const verdict = await guard.checkInput('x');
    expect(verdict.action).toBe('block');
    expect(verdict.findings.map((item) => item.detector)).toEqual(['fast']);
    const snapshot = JSON.stringify(verdict);
    const event = JSON.stringify(sink.events[0]);
    // The slow detector answers only after the verdict was handed out.
    expect(release).toBeDefined();
    release!([{ category: 'late', score: 0.95, message: 'late' }]);
    await sleep(10);
    // Late results must not be appended to a verdict (or an audit event) already handed out.
    expect(JSON.stringify(verdict)).toBe(snapshot);
    expect(JSON.stringify(sink.events[0])).toBe(event);
    expect(sink.events).toHaveLength(1);
  });
});

describe('sampling', () => {
  it('sampleRate 0: the detector is never called', async () => {
    const detect = vi.fn(() => []);
    const guard = createGuard({
      input: [defineDetector({ id: 'sampled', stages: ['input'], detect })],
      policy: { detectors: { sampled: { sampleRate: 0 } } },
      random: () => 0,
    });
    for (let i = 0; i < 5; i++) await guard.checkInput('x');
    expect(detect).not.toHaveBeenCalled();
  });

  it('sampleRate 0.5 runs when random() is below it and skips when above', async () => {
    const detect = vi.fn(() => []);
    let next = 0.4;
    const guard = createGuard({
      input: [defineDetector({ id: 'sampled', stages: ['input'], detect })],
      policy: { detectors: { sampled: { sampleRate: 0.5 } } },
      random: () => next,
    });
    await guard.checkInput('x');
    expect(detect).toHaveBeenCalledTimes(1);
    next = 0.7;
    await guard.checkInput('x');
    expect(detect).toHaveBeenCalledTimes(1);
  });

  it('sampleRate 1 (default) always runs and never consults random()', async () => {
    const random = vi.fn(() => 0.99);
    const detect = vi.fn(() => []);
    const guard = createGuard({ input: [defineDetector({ id: 'always', stages: ['input'], detect })], random });
    await guard.checkInput('x');
    expect(detect).toHaveBeenCalledTimes(1);
    expect(random).not.toHaveBeenCalled();
  });

  it('a disabled detector is never called', async () => {
    const detect = vi.fn(() => []);
    const guard = createGuard({
      input: [defineDetector({ id: 'off', stages: ['input'], detect })],
      policy: { detectors: { off: { enabled: false } } },
    });
    await guard.checkInput('x');
    expect(detect).not.toHaveBeenCalled();
  });
});
