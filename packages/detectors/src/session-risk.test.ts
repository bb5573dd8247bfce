import {
  ConfigError,
  createGuard,
  type DetectContext,
  type Detector,
  defineDetector,
  memoryStore,
  normalizeText,
  type Store,
  StoreError,
} from '@parapet/core';
import { describe, expect, it } from 'vitest';
import { resetSessionRisk, sessionRisk, sessionRiskEntry, sessionRiskKey, sessionRiskOf } from './session-risk.js';

/** A detector that scores any text containing `word` at `score` (under typical per-detector thresholds). */
function fixed(word: string, score: number, category = 'suspicious'): Detector {
  return defineDetector({
    id: `fixed-${word}`,
    stages: ['input'],
    detect: (text) => (text.includes(word) ? [{ category, score, message: `contains ${word}` }] : []),
  });
}

function clock(start = 1_700_000_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number): void => {
      time += ms;
    },
  };
}

function context(store: Store, session: string | undefined, text = '', tenant?: string): DetectContext {
  return {
    stage: 'input',
    traceId: 't',
    session,
    tenant,
    normalized: normalizeText(text),
    signal: new AbortController().signal,
    store,
  } as DetectContext;
}

const MINUTE = 60_000;

describe('sessionRisk()', () => {
  it('accumulates turns that each stay under the threshold until the session crosses it', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const detector = sessionRisk({ detectors: [fixed('probe', 0.45)], threshold: 1.2, halfLife: '10m', now: time.now });
    const turn = async () => detector.detect('a probe', context(store, 's1', 'a probe'));
    expect(await turn()).toEqual([]);
    time.advance(MINUTE);
    expect(await turn()).toEqual([]);
    time.advance(MINUTE);
    const findings = await turn();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ category: 'session-risk', score: 1 });
    expect(findings[0]!.data).toMatchObject({ turns: 3 });
    expect(findings[0]!.data!.accumulated as number).toBeGreaterThan(1.2);
    expect(findings[0]!.data!.accumulated as number).toBeLessThan(1.35);
  });

  it('decays with the half-life: the same turns spread out never cross', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const detector = sessionRisk({ detectors: [fixed('probe', 0.45)], threshold: 1.2, halfLife: '10m', now: time.now });
    await detector.detect('probe', context(store, 's', 'probe'));
    expect((await sessionRiskOf(store, 's', { now: time.now })).risk).toBeCloseTo(0.45, 6);
    time.advance(10 * MINUTE);
    expect((await sessionRiskOf(store, 's', { now: time.now, halfLife: '10m' })).risk).toBeCloseTo(0.225, 6);
    time.advance(10 * MINUTE);
    expect((await sessionRiskOf(store, 's', { now: time.now })).risk).toBeCloseTo(0.1125, 6);
    for (let turn = 0; turn < 20; turn++) {
      time.advance(30 * MINUTE);
      expect(await detector.detect('probe', context(store, 's', 'probe'))).toEqual([]);
    }
    const state = await sessionRiskOf(store, 's', { now: time.now });
    expect(state.turns).toBe(21);
    expect(state.risk).toBeLessThan(0.6);
  });

  it('accepts the half-life in milliseconds and expires idle sessions after the TTL', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const detector = sessionRisk({ detectors: [fixed('x', 0.5)], halfLife: 1000, ttl: '1m', now: time.now });
    await detector.detect('x', context(store, 's', 'x'));
    expect(await store.get(sessionRiskKey('s'))).toBeDefined();
    time.advance(61_000);
    expect(await store.get(sessionRiskKey('s'))).toBeUndefined();
  });

  it('keeps sessions and tenants apart, and without a session judges the turn alone', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const detector = sessionRisk({ detectors: [fixed('x', 0.6)], threshold: 1, now: time.now });
    await detector.detect('x', context(store, 'a', 'x', 't1'));
    expect(await detector.detect('x', context(store, 'a', 'x', 't2'))).toEqual([]);
    expect(await detector.detect('x', context(store, 'b', 'x', 't1'))).toEqual([]);
    expect(await detector.detect('x', context(store, 'a', 'x', 't1'))).toHaveLength(1);
    // No session: nothing is stored, and only a turn above the threshold on its own is reported.
    for (let i = 0; i < 5; i++) expect(await detector.detect('x', context(store, undefined, 'x'))).toEqual([]);
    const single = sessionRisk({ detectors: [fixed('y', 0.9)], threshold: 0.8, now: time.now });
    expect(await single.detect('y', context(store, undefined, 'y'))).toHaveLength(1);
  });

  it('loses no update under 50 concurrent checks of one session', async () => {
    const time = clock();
    const base = memoryStore({ now: time.now });
    let conflicts = 0;
    const store: Store = {
      ...base,
      compareAndSet: async (...args) => {
        const written = await base.compareAndSet(...args);
        if (!written) conflicts++;
        return written;
      },
    };
    const detector = sessionRisk({ detectors: [fixed('x', 0.5)], threshold: 1000, now: time.now });
    await Promise.all(Array.from({ length: 50 }, () => detector.detect('x', context(store, 'busy', 'x'))));
    const state = await sessionRiskOf(store, 'busy', { now: time.now });
    expect(state.turns).toBe(50);
    expect(state.risk).toBeCloseTo(25, 6);
    // The checks really raced: some compare-and-set calls lost and were retried.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('throws a StoreError after bounded retries when compare-and-set keeps failing', async () => {
    const base = memoryStore();
    const hostile: Store = { ...base, compareAndSet: async () => false };
    const detector = sessionRisk({ detectors: [fixed('x', 0.5)], maxRetries: 3 });
    await expect(detector.detect('x', context(hostile, 's', 'x'))).rejects.toBeInstanceOf(StoreError);
  });

  it('combines findings by max (default) or sum, with weights and a noise floor', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const two = [fixed('x', 0.4, 'a'), fixed('x', 0.4, 'b'), fixed('x', 0.1, 'c')];
    const byMax = sessionRisk({ id: 'by-max', detectors: two, now: time.now, threshold: 100 });
    await byMax.detect('x', context(store, 's', 'x'));
    expect((await sessionRiskOf(store, 's', { id: 'by-max', now: time.now })).risk).toBeCloseTo(0.4, 6);
    const bySum = sessionRisk({ id: 'by-sum', detectors: two, combine: 'sum', now: time.now, threshold: 100 });
    await bySum.detect('x', context(store, 's', 'x'));
    expect((await sessionRiskOf(store, 's', { id: 'by-sum', now: time.now })).risk).toBeCloseTo(0.8, 6);
    const weighted = sessionRisk({ id: 'weighted', detectors: two, weights: { b: 2 }, now: time.now, threshold: 100 });
    await weighted.detect('x', context(store, 's', 'x'));
    expect((await sessionRiskOf(store, 's', { id: 'weighted', now: time.now })).risk).toBeCloseTo(0.8, 6);
  });

  it('reports early with reportFrom, and resetSessionRisk forgets the session', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const detector = sessionRisk({ detectors: [fixed('x', 0.5)], threshold: 2, reportFrom: 0.5, now: time.now });
    expect(await detector.detect('x', context(store, 's', 'x'))).toEqual([]);
    const findings = await detector.detect('x', context(store, 's', 'x'));
    expect(findings[0]!.score).toBeCloseTo(0.5, 6);
    expect(await resetSessionRisk(store, 's')).toBe(true);
    expect(await sessionRiskOf(store, 's')).toEqual({ risk: 0, turns: 0 });
  });

  it('never throws on odd input or a corrupt store entry', async () => {
    const store = memoryStore();
    await store.set(sessionRiskKey('s'), '{not json');
    const detector = sessionRisk({ detectors: [fixed('x', 0.5)] });
    for (const text of ['', 'x'.repeat(1_000_000), '\ud800x\udfff', '😀x', '\u0000x\uffff', 'مرحبا x']) {
      expect(Array.isArray(await detector.detect(text, context(store, 's', text)))).toBe(true);
    }
    // The empty text scores nothing and adds no turn.
    expect((await sessionRiskOf(store, 's')).turns).toBe(5);
  });

  it('validates options', () => {
    expect(() => sessionRisk({ detectors: [] })).toThrow(ConfigError);
    expect(() => sessionRisk({ detectors: [fixed('x', 1)], halfLife: '10 minutes' })).toThrow(/halfLife/);
    expect(() => sessionRisk({ detectors: [{} as Detector] })).toThrow(/detectors/);
    expect(() => sessionRisk({ detectors: [fixed('x', 1)], threshold: -1 })).toThrow(/threshold/);
    expect(() => sessionRisk({ detectors: [fixed('x', 1)], colour: 1 } as never)).toThrow(ConfigError);
    const detector = sessionRisk({ detectors: [fixed('x', 1)], action: 'review', stages: ['input', 'tool_output'] });
    expect(detector.id).toBe('session-risk');
    expect(detector.rules).toEqual([{ category: 'session-risk', minScore: 1, action: 'review' }]);
  });

  it('has a registry entry that explains it is configured in code', () => {
    expect(sessionRiskEntry.requiresOptions).toBe(true);
    expect(() => sessionRiskEntry.create({ detectors: ['prompt-injection'] })).toThrow(/in code/);
  });
});

describe('sessionRisk() in a guard', () => {
  it('blocks the turn that completes a split attack, while each turn alone passes', async () => {
    const time = clock();
    const store = memoryStore({ now: time.now });
    const probe = fixed('secret', 0.45, 'instruction-override');
    const guard = createGuard({
      store,
      input: [probe, sessionRisk({ detectors: [probe], threshold: 1.2, halfLife: '10m', now: time.now })],
      policy: { rules: [{ detector: 'fixed-secret', minScore: 0.5, action: 'block' }] },
    });
    const turns = ['tell me a secret', 'the secret part two', 'now the secret part three'];
    const actions: string[] = [];
    for (const text of turns) {
      actions.push((await guard.checkInput(text, { session: 'conversation-1' })).action);
      time.advance(30_000);
    }
    expect(actions).toEqual(['allow', 'allow', 'block']);
    // Another conversation starts clean.
    expect((await guard.checkInput('a secret', { session: 'conversation-2' })).action).toBe('allow');
  });

  it('fails closed when the store cannot be updated', async () => {
    const base = memoryStore();
    const broken: Store = {
      ...base,
      compareAndSet: async () => {
        throw new StoreError({ message: 'store unavailable' });
      },
    };
    const guard = createGuard({ store: broken, input: [sessionRisk({ detectors: [fixed('x', 0.5)] })] });
    const verdict = await guard.checkInput('x', { session: 's' });
    expect(verdict.action).toBe('block');
    expect(verdict.errors[0]).toMatchObject({ detector: 'session-risk', outcome: 'block' });
  });
});
