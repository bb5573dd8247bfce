import {
  ConfigError,
  type DetectContext,
  type Detector,
  type DetectorFactory,
  type FindingInput,
  ParapetError,
  parseConfig,
  STAGES,
  type Stage,
  type Store,
  StoreError,
} from '@parapet/core';
import { z } from 'zod';

/**
 * Multi-turn risk: wrapped detectors score each turn, and the session's accumulated risk — decaying
 * exponentially with a half-life — catches attacks split across turns and slow escalation, where each turn
 * alone stays under the per-detector thresholds. State lives in the guard's Store (one key per session),
 * updated by compare-and-set so concurrent checks of one session never lose an update.
 */

const DURATION = /^(\d{1,9}(?:\.\d{1,3})?)\s?(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** '10m', '90s', '1.5h', '250ms', or a number of milliseconds. */
const durationSchema = z.union([
  z
    .number()
    .positive('must be a positive number of milliseconds')
    .max(365 * 86_400_000),
  z
    .string()
    .regex(DURATION, 'must be a duration such as "10m", "90s", "2h" or "500ms"')
    .transform((value) => {
      const match = DURATION.exec(value)!;
      return Number(match[1]) * UNIT_MS[match[2]!]!;
    }),
]);

const detectorShape = z.custom<Detector>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Detector).id === 'string' &&
    typeof (value as Detector).detect === 'function',
  'must be a detector: an object with an id and a detect(text, context) function',
);

const optionsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case, e.g. "session-risk"')
      .default('session-risk'),
    stages: z
      .array(z.enum(STAGES as [Stage, ...Stage[]]))
      .min(1, 'must name at least one stage')
      .default(['input']),
    /** The detectors whose findings make a turn's risk (e.g. promptInjection(), a jailbreak detector). */
    detectors: z
      .array(detectorShape, { error: () => 'must be an array of detectors' })
      .min(1, 'give at least one detector to score turns, e.g. [promptInjection()]'),
    /** Accumulated risk at which the session is reported. */
    threshold: z.number().positive('must be positive').max(1000).default(1.5),
    /** Time for the accumulated risk to halve: '10m', '1h', or milliseconds. */
    halfLife: durationSchema.default(600_000),
    /** Action recommended when the threshold is crossed. */
    action: z.enum(['block', 'review']).default('block'),
    /** Multiplier per finding category or wrapped detector id (category first); default 1. */
    weights: z.record(z.string(), z.number().min(0).max(100)).default({}),
    /** How a turn's findings make its risk: the highest weighted score (default), or their sum. */
    combine: z.enum(['max', 'sum']).default('max'),
    /** Findings scoring under this do not count (keeps benign noise from piling up over long sessions). */
    minScore: z.number().min(0).max(1).default(0.2),
    /** Lifetime of a session's entry in the store; default: eight half-lives (the risk is then under 0.4%). */
    ttl: durationSchema.optional(),
    /** Compare-and-set attempts before giving up with a StoreError (then the detector's fail mode applies). */
    maxRetries: z.number().int().min(1).max(1000).default(100),
    /** Also report sessions from this fraction of the threshold (score = accumulated / threshold < 1). */
    reportFrom: z.number().min(0.01).max(1).default(1),
    /** Clock in epoch milliseconds, for tests. */
    now: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
  })
  .strict();

export type SessionRiskOptions = z.input<typeof optionsSchema>;

interface SessionState {
  readonly risk: number;
  readonly updatedAt: number;
  readonly turns: number;
}

/** The store key of a session: parts are URI-encoded so a ':' in a tenant or session id cannot collide. */
export function sessionRiskKey(session: string, options: { tenant?: string; id?: string } = {}): string {
  const id = options.id ?? 'session-risk';
  return `parapet:${id}:${encodeURIComponent(options.tenant ?? '')}:${encodeURIComponent(session)}`;
}

function parseState(raw: string | undefined): SessionState | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<SessionState>;
    if (
      typeof value.risk === 'number' &&
      Number.isFinite(value.risk) &&
      value.risk >= 0 &&
      typeof value.updatedAt === 'number' &&
      Number.isFinite(value.updatedAt) &&
      typeof value.turns === 'number'
    ) {
      return { risk: value.risk, updatedAt: value.updatedAt, turns: value.turns };
    }
  } catch {
    // A corrupt entry counts as no history; the next write replaces it.
  }
  return undefined;
}

function decayed(state: SessionState | undefined, now: number, halfLifeMs: number): number {
  if (state === undefined) return 0;
  const elapsed = Math.max(0, now - state.updatedAt);
  return state.risk * 0.5 ** (elapsed / halfLifeMs);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Accumulates risk over a session. Each check runs the wrapped detectors on the text (with the same
 * context), takes the turn's risk — by default the highest finding score times its weight (so one
 * detector's double report of one problem does not count twice; `combine: 'sum'` adds them instead) — and
 * adds it to the session's risk, which halves every `halfLife`. When the sum reaches `threshold`, a
 * `session-risk` finding (score = min(1, accumulated / threshold), data: accumulated, turns) lets the
 * policy block or hold the session. Without `context.session` only the turn's own risk is compared with
 * the threshold (nothing is stored).
 *
 * The wrapped detectors' own findings are not repeated: list them in the guard too if single turns should
 * be judged on their own.
 *
 * @example
 * createGuard({ input: [promptInjection(), sessionRisk({ detectors: [promptInjection()], threshold: 1.5, halfLife: '10m' })] });
 * await guard.checkInput(text, { session: conversationId });
 */
export function sessionRisk(options: SessionRiskOptions): Detector {
  const config = parseConfig(optionsSchema, options, 'sessionRisk() options');
  const halfLifeMs = config.halfLife;
  const ttlMs = Math.max(1000, Math.round(config.ttl ?? halfLifeMs * 8));
  const now = config.now ?? Date.now;
  const detectors = config.detectors;
  const weightOf = (detector: string, category: string): number =>
    config.weights[category] ?? config.weights[detector] ?? 1;

  const turnRisk = async (text: string, context: DetectContext): Promise<number> => {
    const results = await Promise.all(detectors.map((detector) => detector.detect(text, context)));
    let risk = 0;
    results.forEach((findings, index) => {
      if (!Array.isArray(findings)) return;
      const detector = detectors[index]!.id;
      for (const finding of findings as readonly FindingInput[]) {
        const score = finding?.score;
        if (typeof score !== 'number' || !(score >= config.minScore) || score > 1) continue;
        const weighted = score * weightOf(detector, finding.category);
        risk = config.combine === 'max' ? Math.max(risk, weighted) : risk + weighted;
      }
    });
    return risk;
  };

  const update = async (key: string, risk: number, context: DetectContext): Promise<SessionState> => {
    const store = context.store;
    for (let attempt = 0; attempt < config.maxRetries; attempt++) {
      if (context.signal?.aborted) {
        throw new StoreError({ message: `sessionRisk: the check was aborted while updating the session's risk.` });
      }
      const raw = await store.get(key);
      const at = now();
      const previous = parseState(raw);
      const next: SessionState = {
        risk: decayed(previous, at, halfLifeMs) + risk,
        updatedAt: at,
        turns: (previous?.turns ?? 0) + 1,
      };
      if (await store.compareAndSet(key, raw, JSON.stringify(next), { ttlMs })) return next;
      // Contention: back off a little, with jitter, after the first quick retries.
      if (attempt >= 2) await sleep(Math.random() * Math.min(50, 2 ** (attempt - 2)));
    }
    throw new StoreError({
      message: `sessionRisk: could not update the session's risk after ${config.maxRetries} compare-and-set attempts (heavy contention on one session). Raise maxRetries, or check the store.`,
    });
  };

  const reportAt = config.threshold * config.reportFrom;
  return {
    id: config.id,
    stages: config.stages,
    rules: [{ category: 'session-risk', minScore: 1, action: config.action }],
    async detect(text, context) {
      const risk = await turnRisk(text, context);
      let state: SessionState;
      if (context.session === undefined || context.session.length === 0) {
        state = { risk, updatedAt: now(), turns: 1 };
      } else if (risk === 0) {
        // Nothing to add: read without writing (no contention, no TTL refresh for quiet sessions).
        const key = sessionRiskKey(context.session, { tenant: context.tenant, id: config.id });
        const previous = parseState(await readStore(context.store, key));
        state = { risk: decayed(previous, now(), halfLifeMs), updatedAt: now(), turns: previous?.turns ?? 0 };
      } else {
        const key = sessionRiskKey(context.session, { tenant: context.tenant, id: config.id });
        state = await update(key, risk, context);
      }
      if (state.risk < reportAt) return [];
      const accumulated = Math.round(state.risk * 1000) / 1000;
      const score = Math.min(1, state.risk / config.threshold);
      return [
        {
          category: 'session-risk',
          score,
          severity: score >= 1 ? 'high' : 'medium',
          message: `session risk ${accumulated} ${score >= 1 ? 'reached' : 'approaches'} the threshold ${config.threshold} over ${state.turns} turn${state.turns === 1 ? '' : 's'}`,
          data: {
            accumulated,
            turns: state.turns,
            threshold: config.threshold,
            turnRisk: Math.round(risk * 1000) / 1000,
          },
        },
      ];
    },
  };
}

async function readStore(store: Store, key: string): Promise<string | undefined> {
  try {
    return await store.get(key);
  } catch (error) {
    if (ParapetError.isInstance(error)) throw error;
    throw new StoreError({ message: 'sessionRisk: the store failed to read the session risk.', cause: error });
  }
}

/**
 * The accumulated risk of a session now (decayed), and its number of scored turns; `{ risk: 0, turns: 0 }`
 * for an unknown session. Pass the detector's `id`, `tenant` and `halfLife` when they are not the defaults.
 */
export async function sessionRiskOf(
  store: Store,
  session: string,
  options: { tenant?: string; id?: string; halfLife?: string | number; now?: () => number } = {},
): Promise<{ risk: number; turns: number }> {
  const halfLifeMs = parseConfig(durationSchema, options.halfLife ?? 600_000, 'sessionRiskOf() halfLife');
  const state = parseState(await readStore(store, sessionRiskKey(session, options)));
  return { risk: decayed(state, (options.now ?? Date.now)(), halfLifeMs), turns: state?.turns ?? 0 };
}

/** Forgets a session's accumulated risk (after a human review cleared it, for instance). */
export function resetSessionRisk(
  store: Store,
  session: string,
  options: { tenant?: string; id?: string } = {},
): Promise<boolean> {
  return store.delete(sessionRiskKey(session, options));
}

/** Registry entry: session risk wraps detector objects, so it is configured in code, not in a policy file. */
export const sessionRiskEntry: DetectorFactory = {
  id: 'session-risk',
  stages: ['input', 'tool_output'],
  description:
    'Accumulated, decaying risk over a session from wrapped detectors (configured in code: sessionRisk({ detectors }))',
  requiresOptions: true,
  create: () => {
    throw new ConfigError({
      message:
        'Detector "session-risk" wraps other detectors and cannot be built from a policy file. Create it in code: sessionRisk({ detectors: [promptInjection()], threshold: 1.5, halfLife: "10m" }) and pass it to createGuard({ input: [...] }).',
      issues: [{ path: 'detectors.session-risk', message: 'configure in code' }],
    });
  },
};
