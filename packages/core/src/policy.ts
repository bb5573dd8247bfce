import { z } from 'zod';
import { ConfigError } from './errors.js';
import {
  ACTIONS,
  type Action,
  actionRank,
  type DetectorRule,
  type Finding,
  STAGES,
  type Stage,
  stricterAction,
} from './types.js';
import { parseConfig } from './validate.js';

const actionSchema = z.enum(ACTIONS as [Action, ...Action[]], {
  error: () => `must be one of ${ACTIONS.join(', ')}`,
});
const stageSchema = z.enum(STAGES as [Stage, ...Stage[]], { error: () => `must be one of ${STAGES.join(', ')}` });
const failModeSchema = z.enum(['closed', 'open'], {
  error: () => 'must be "closed" (block on failure) or "open" (allow and record)',
});
const scoreSchema = z
  .number({ error: () => 'must be a number between 0 and 1' })
  .min(0, 'must be >= 0')
  .max(1, 'must be <= 1');
const timeoutSchema = z
  .number({ error: () => 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .positive('must be > 0')
  .max(600_000, 'must be <= 600000 (10 minutes)');

export const ruleSchema = z
  .object({
    detector: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    stage: stageSchema.optional(),
    minScore: scoreSchema.default(0.5),
    action: actionSchema,
  })
  .strict();

export const detectorPolicySchema = z
  .object({
    enabled: z.boolean().default(true),
    failMode: failModeSchema.optional(),
    timeoutMs: timeoutSchema.optional(),
    /** Fraction of checks this detector runs on (1 = all). */
    sampleRate: scoreSchema.optional(),
    /** Options passed to the detector's factory when the guard is built from configuration (CLI, registry). */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const onBlockSchema = z
  .object({
    mode: z.enum(['throw', 'fallback'], { error: () => 'must be "throw" or "fallback"' }).default('throw'),
    /** Returned instead of the model's answer when the input is blocked. */
    fallback: z.string().default("Sorry, I can't help with that request."),
    /** Returned instead of the model's answer when the output is blocked. Defaults to `fallback`. */
    outputFallback: z.string().optional(),
  })
  .strict();

const reviewSchema = z
  .object({
    timeoutMs: timeoutSchema.default(30_000),
    /** Outcome when the reviewer times out, throws, or none is configured. */
    onTimeout: z.enum(['allow', 'block'], { error: () => 'must be "allow" or "block"' }).default('block'),
  })
  .strict();

const tenantSchema = z
  .object({
    rules: z.array(ruleSchema).optional(),
    minScore: scoreSchema.optional(),
    shortCircuit: z.boolean().optional(),
    failMode: failModeSchema.optional(),
    mode: z.enum(['enforce', 'shadow']).optional(),
    detectors: z.record(z.string(), detectorPolicySchema.partial()).optional(),
    onBlock: onBlockSchema.partial().optional(),
  })
  .strict();

export const policySchema = z
  .object({
    version: z.literal(1, { error: () => 'must be 1' }).optional(),
    /** `shadow`: evaluate and record everything, never block or change text. */
    mode: z.enum(['enforce', 'shadow'], { error: () => 'must be "enforce" or "shadow"' }).default('enforce'),
    failMode: failModeSchema.default('closed'),
    timeoutMs: timeoutSchema.default(1_000),
    /** Findings scoring below this are ignored unless a rule says otherwise. */
    minScore: scoreSchema.default(0.5),
    shortCircuit: z.boolean().default(false),
    execution: z
      .enum(['parallel', 'sequential'], { error: () => 'must be "parallel" or "sequential"' })
      .default('parallel'),
    rules: z.array(ruleSchema).default([]),
    detectors: z.record(z.string(), detectorPolicySchema).default({}),
    onBlock: onBlockSchema.default({ mode: 'throw', fallback: "Sorry, I can't help with that request." }),
    review: reviewSchema.default({ timeoutMs: 30_000, onTimeout: 'block' }),
    tenants: z.record(z.string(), tenantSchema).default({}),
  })
  .strict();

export type PolicyRule = z.output<typeof ruleSchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type Policy = z.output<typeof policySchema>;
export type DetectorPolicy = z.output<typeof detectorPolicySchema>;
export type TenantPolicy = z.output<typeof tenantSchema>;

/** Validates a policy object; errors name the exact path of each bad field. */
export function parsePolicy(input: unknown, where = 'policy'): Policy {
  const policy = parseConfig(policySchema, input ?? {}, where, where);
  checkTenants(policy, where);
  return policy;
}

function specificity(rule: { detector?: string; category?: string; stage?: Stage }): number {
  return (
    (rule.detector !== undefined ? 4 : 0) + (rule.category !== undefined ? 2 : 0) + (rule.stage !== undefined ? 1 : 0)
  );
}

/**
 * The action the matching rules give a finding: among the rules that match it, the most specific ones
 * count; among those, the one with the highest `minScore` not above the score wins. `undefined` when no
 * rule matches; `allow` when rules match but the score is under all their thresholds.
 */
export function actionFromRules(
  rules: readonly PolicyRule[],
  finding: Pick<Finding, 'detector' | 'category' | 'score'>,
  stage: Stage,
): Action | undefined {
  let bestSpecificity = -1;
  let bestScore = -1;
  let action: Action | undefined;
  for (const rule of rules) {
    if (rule.detector !== undefined && rule.detector !== finding.detector) continue;
    if (rule.category !== undefined && rule.category !== finding.category) continue;
    if (rule.stage !== undefined && rule.stage !== stage) continue;
    const level = specificity(rule);
    if (level < bestSpecificity) continue;
    if (level > bestSpecificity) {
      bestSpecificity = level;
      bestScore = -1;
      action = 'allow';
    }
    if (rule.minScore <= finding.score && rule.minScore >= bestScore) {
      if (rule.minScore > bestScore || action === undefined) action = rule.action;
      else action = stricterAction(action, rule.action);
      bestScore = rule.minScore;
    }
  }
  return action;
}

function recommended(rules: readonly DetectorRule[] | undefined, finding: Finding): Action | undefined {
  if (rules === undefined || rules.length === 0) return undefined;
  let best = -1;
  let action: Action | undefined;
  let matched = false;
  for (const rule of rules) {
    if (rule.category !== undefined && rule.category !== finding.category) continue;
    matched = true;
    if (rule.minScore <= finding.score && rule.minScore >= best) {
      action = rule.minScore > best || action === undefined ? rule.action : stricterAction(action, rule.action);
      best = rule.minScore;
    }
  }
  return matched ? (action ?? 'allow') : undefined;
}

/** The built-in default for a finding no rule covers. */
export function defaultAction(finding: Finding, minScore: number): Action {
  if (finding.score < minScore) return 'allow';
  if (finding.replacement !== undefined && finding.span !== undefined) return 'redact';
  return finding.severity === 'high' || finding.severity === 'critical' ? 'block' : 'flag';
}

/** A policy compiled for fast evaluation, with one tenant's tightening applied. */
export interface PolicyView {
  readonly policy: Policy;
  readonly tenant?: TenantPolicy;
  actionFor(finding: Finding, stage: Stage, detectorRules: readonly DetectorRule[] | undefined): Action;
  failModeFor(detector: string): 'closed' | 'open';
  timeoutFor(detector: string): number;
  sampleRateFor(detector: string): number;
  enabled(detector: string): boolean;
  readonly shadow: boolean;
  readonly shortCircuit: boolean;
  readonly onBlock: Policy['onBlock'];
}

export function viewPolicy(policy: Policy, tenantId?: string): PolicyView {
  const tenant = tenantId === undefined ? undefined : policy.tenants[tenantId];
  const baseMinScore = policy.minScore;
  const minScore = tenant?.minScore !== undefined ? Math.min(tenant.minScore, baseMinScore) : baseMinScore;
  const tenantRules = tenant?.rules ?? [];
  const detectorPolicy = (id: string): DetectorPolicy | undefined => policy.detectors[id];
  const tenantDetector = (id: string) => tenant?.detectors?.[id];
  return {
    policy,
    tenant,
    shadow: policy.mode === 'shadow' && tenant?.mode !== 'enforce',
    shortCircuit: tenant?.shortCircuit ?? policy.shortCircuit,
    onBlock: tenant?.onBlock === undefined ? policy.onBlock : { ...policy.onBlock, ...tenant.onBlock },
    actionFor(finding, stage, detectorRules) {
      const base =
        actionFromRules(policy.rules, finding, stage) ??
        recommended(detectorRules, finding) ??
        defaultAction(finding, baseMinScore);
      if (tenant === undefined) return base;
      // A tenant can only tighten: its answer counts only when stricter than the base.
      let tightened = base;
      const fromTenant = actionFromRules(tenantRules, finding, stage);
      if (fromTenant !== undefined) tightened = stricterAction(tightened, fromTenant);
      if (minScore < baseMinScore && fromTenant === undefined) {
        tightened = stricterAction(tightened, defaultAction(finding, minScore));
      }
      return tightened;
    },
    failModeFor(id) {
      if (tenantDetector(id)?.failMode === 'closed' || tenant?.failMode === 'closed') return 'closed';
      return detectorPolicy(id)?.failMode ?? policy.failMode;
    },
    timeoutFor(id) {
      return tenantDetector(id)?.timeoutMs ?? detectorPolicy(id)?.timeoutMs ?? policy.timeoutMs;
    },
    sampleRateFor(id) {
      return detectorPolicy(id)?.sampleRate ?? 1;
    },
    enabled(id) {
      if (tenantDetector(id)?.enabled === true) return true;
      return detectorPolicy(id)?.enabled ?? true;
    },
  };
}

/** Refuses tenant overrides that would loosen the base policy. */
function checkTenants(policy: Policy, where: string): void {
  const issues: { path: string; message: string }[] = [];
  for (const [id, tenant] of Object.entries(policy.tenants)) {
    const at = `${where}.tenants.${id}`;
    if (tenant.mode === 'shadow' && policy.mode === 'enforce') {
      issues.push({ path: `${at}.mode`, message: 'a tenant cannot switch an enforcing policy to shadow mode' });
    }
    if (tenant.failMode === 'open' && policy.failMode === 'closed') {
      issues.push({ path: `${at}.failMode`, message: 'a tenant cannot loosen failMode from "closed" to "open"' });
    }
    if (tenant.minScore !== undefined && tenant.minScore > policy.minScore) {
      issues.push({ path: `${at}.minScore`, message: `a tenant can only lower minScore (base is ${policy.minScore})` });
    }
    if (tenant.shortCircuit === false && policy.shortCircuit) {
      issues.push({ path: `${at}.shortCircuit`, message: 'a tenant cannot turn off short-circuiting' });
    }
    for (const [detector, override] of Object.entries(tenant.detectors ?? {})) {
      const base = policy.detectors[detector];
      if (override.enabled === false) {
        issues.push({ path: `${at}.detectors.${detector}.enabled`, message: 'a tenant cannot disable a detector' });
      }
      if (override.failMode === 'open' && (base?.failMode ?? policy.failMode) === 'closed') {
        issues.push({
          path: `${at}.detectors.${detector}.failMode`,
          message: 'a tenant cannot loosen failMode to "open"',
        });
      }
      if (override.sampleRate !== undefined) {
        issues.push({ path: `${at}.detectors.${detector}.sampleRate`, message: 'a tenant cannot change sampling' });
      }
    }
    (tenant.rules ?? []).forEach((rule, index) => {
      // Where a base rule with the same selectors already applies, a tenant rule may not ask for less.
      for (const base of policy.rules) {
        if (base.detector !== rule.detector || base.category !== rule.category || base.stage !== rule.stage) continue;
        if (base.minScore <= rule.minScore && actionRank(base.action) > actionRank(rule.action)) {
          issues.push({
            path: `${at}.rules[${index}].action`,
            message: `a tenant rule cannot loosen the base rule (base gives "${base.action}" from score ${base.minScore}); use a stricter action`,
          });
        }
      }
    });
  }
  if (issues.length > 0) {
    throw new ConfigError({
      message: `Invalid ${where}: tenant overrides can only tighten the base policy:\n${issues
        .map((issue) => `  - ${issue.path}: ${issue.message}`)
        .join('\n')}`,
      issues,
    });
  }
}
