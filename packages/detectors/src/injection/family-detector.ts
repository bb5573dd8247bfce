import {
  type DetectContext,
  type Detector,
  type DetectorRule,
  type FindingInput,
  parseConfig,
  STAGES,
  type Stage,
} from '@parapet/core';
import { z } from 'zod';
import { loadInjectionModel } from '../injection-model.js';
import { analyze, type RuleFamily } from './analyze.js';
import { guardedBy, probes } from './context-probe.js';
import type { HeadName } from './model.js';

/** A user-supplied classifier layer: any function from text to a probability-like score in [0, 1]. */
export interface ClassifierLayer {
  /** Shown in findings (`data.layer`) and audit records. */
  readonly id: string;
  /** Receives the normalized text (and the detect context, for its abort signal). */
  readonly score: (text: string, context: DetectContext) => number | Promise<number>;
  /** Scores at or above it produce a finding. Default 0.5. */
  readonly threshold?: number;
}

const classifierSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a short lower-case id such as "onnx-deberta"'),
    score: z.custom<ClassifierLayer['score']>(
      (value) => typeof value === 'function',
      'must be a function (text, context) => number | Promise<number>',
    ),
    threshold: z.number().min(0).max(1).optional(),
  })
  .strict();

export function familyOptionsSchema(defaultId: string, defaultStages: readonly Stage[]) {
  return z
    .object({
      id: z
        .string()
        .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case')
        .default(defaultId),
      stages: z
        .array(z.enum(STAGES as [Stage, ...Stage[]]))
        .min(1)
        .default([...defaultStages]),
      /** Run the phrase and structure rules. */
      rules: z.boolean().default(true),
      /** Run the trained model: `true` for the shipped one, or `{ path }` for your own `pnpm train:injection` output. */
      model: z.union([z.boolean(), z.object({ path: z.string().min(1) }).strict()]).default(true),
      /** Model probability at which the recommended rule blocks; default: the threshold chosen at training (≤ 0.5 % FPR on validation). */
      threshold: z.number().gt(0).lt(1).optional(),
      /**
       * Also report weaker findings, from this score up, with the action `flag` (monitoring, shadow
       * roll-outs). By default only what the recommended rules block is reported.
       */
      minScore: z.number().min(0).max(1).optional(),
      /** Score at which a rule hit blocks under the recommended rules. */
      ruleBlockScore: z.number().min(0).max(1).default(0.8),
      /** Extra classifier layers (an ONNX model you host, a remote judge…). Each runs on every check. */
      classifiers: z.array(classifierSchema).default([]),
    })
    .strict();
}

export type FamilyOptions = z.input<ReturnType<typeof familyOptionsSchema>>;

export interface FamilySpec {
  readonly where: string;
  readonly defaultId: string;
  readonly defaultStages: readonly Stage[];
  readonly head: HeadName;
  /** Category of model and classifier findings. */
  readonly modelCategory: string;
  readonly families: readonly RuleFamily[];
  /** Every category the rules of these families can report. */
  readonly ruleCategories: readonly string[];
  readonly describe: string;
  /** Halve scores on texts about games, films, fiction or history (harmful requests only). */
  readonly dampLookalikes?: boolean;
  /** Use the system prompt of the check (secrets and personal data it guards). */
  readonly contextual?: boolean;
}

const CONTEXT_CATEGORY = {
  secret: 'secret-extraction',
  personal: 'personal-data-extraction',
  topic: 'forbidden-topic',
} as const;
const CONTEXT_WHAT = { secret: 'the secret', personal: 'the personal data', topic: 'a topic' } as const;

/** Severity by score: the guard's audit trail and dashboards sort on it. */
function severityOf(score: number): 'low' | 'medium' | 'high' | 'critical' {
  if (score >= 0.95) return 'critical';
  if (score >= 0.8) return 'high';
  if (score >= 0.5) return 'medium';
  return 'low';
}

/** Builds one detector of the injection family (prompt injection, jailbreak, indirect, harmful). */
export function familyDetector(spec: FamilySpec, options: unknown): Detector {
  const config = parseConfig(
    familyOptionsSchema(spec.defaultId, spec.defaultStages),
    options ?? {},
    `${spec.where} options`,
  );
  const model = loadInjectionModel(typeof config.model === 'object' ? config.model.path : undefined);
  const headIndex = model.headIndex(spec.head);
  const threshold = config.threshold ?? model.header.heads[headIndex]!.threshold;
  const useModel = config.model !== false;
  const families = new Set(spec.families);
  const classifiers = config.classifiers as ClassifierLayer[];

  const modelFloor = Math.min(config.minScore ?? threshold, threshold);
  const ruleFloor = Math.min(config.minScore ?? config.ruleBlockScore, config.ruleBlockScore);
  const rules: DetectorRule[] = [
    ...(config.minScore === undefined ? [] : [{ minScore: config.minScore, action: 'flag' as const }]),
    { category: spec.modelCategory, minScore: threshold, action: 'block' },
    ...spec.ruleCategories
      .filter((category) => category !== spec.modelCategory)
      .map((category) => ({ category, minScore: config.ruleBlockScore, action: 'block' as const })),
  ];

  const fromAnalysis = (context: DetectContext): FindingInput[] => {
    const analysis = analyze(model, context.normalized);
    const head = analysis.heads[spec.head];
    let probability = useModel ? Math.max(head.probability, analysis.payloadHeads[spec.head]) : 0;
    // Games, films, fiction and history: "how do I kill someone in Call of Duty" is not a request for harm.
    const damp = spec.dampLookalikes === true && analysis.lookalike ? 0.5 : 1;
    probability *= damp;
    const findings: FindingInput[] = [];
    if (config.rules) {
      const best = new Map<string, FindingInput>();
      for (const hit of analysis.hits) {
        if (!families.has(hit.family)) continue;
        // A rule hit and the model agreeing is stronger evidence than either alone (noisy-or).
        const score = (1 - (1 - hit.score) * (1 - probability)) * damp;
        if (score < ruleFloor) continue;
        const key = `${hit.category}/${hit.id}`;
        const previous = best.get(key);
        if (previous !== undefined && previous.score >= score) continue;
        best.set(key, {
          category: hit.category,
          score,
          severity: severityOf(score),
          message: `${hit.category} pattern (${hit.id})${hit.encoding === undefined ? '' : ` inside ${hit.encoding}-encoded text`}`,
          span: hit.span,
          data: { layer: 'rules', rule: hit.id, ...(hit.encoding === undefined ? {} : { encoding: hit.encoding }) },
        });
      }
      findings.push(...[...best.values()].slice(0, 16));
    }
    if (spec.contextual === true && config.rules && context.systemPrompt !== undefined) {
      const guarded = guardedBy(context.systemPrompt);
      const kind = guarded.probes.length === 0 ? undefined : probes(context.normalized.text.toLowerCase(), guarded);
      if (kind !== undefined) {
        const score = 1 - (1 - 0.8) * (1 - probability);
        if (score >= ruleFloor) {
          findings.push({
            category: CONTEXT_CATEGORY[kind],
            score,
            severity: severityOf(score),
            message: `asks about ${CONTEXT_WHAT[kind]} the system prompt guards`,
            data: { layer: 'context', guarded: kind },
          });
        }
      }
    }
    if (useModel && probability >= modelFloor) {
      const encoded = analysis.payloadHeads[spec.head] > head.probability;
      findings.push({
        category: spec.modelCategory,
        score: probability,
        severity: severityOf(probability >= threshold ? Math.max(probability, 0.8) : probability),
        message: `${spec.describe} (model, p=${probability.toFixed(2)}${encoded ? ', in decoded payload' : ''})`,
        span: head.span.end > head.span.start ? head.span : undefined,
        data: { layer: 'model', probability, threshold, ...(encoded ? { encoded: true } : {}) },
      });
    }
    return findings;
  };

  return {
    id: config.id,
    stages: config.stages,
    rules,
    detect(_text, context) {
      const findings = fromAnalysis(context);
      if (classifiers.length === 0) return findings;
      return (async () => {
        const scores = await Promise.all(
          classifiers.map(async (layer) => ({ layer, score: await layer.score(context.normalized.text, context) })),
        );
        for (const { layer, score } of scores) {
          if (typeof score !== 'number' || Number.isNaN(score) || score < 0 || score > 1) {
            throw new TypeError(
              `classifier "${layer.id}" returned ${String(score)}; it must return a number in [0, 1]`,
            );
          }
          if (score >= (layer.threshold ?? 0.5)) {
            findings.push({
              category: spec.modelCategory,
              score,
              severity: severityOf(score),
              message: `${spec.describe} (classifier ${layer.id}, p=${score.toFixed(2)})`,
              data: { layer: layer.id, probability: score },
            });
          }
        }
        return findings;
      })();
    },
  };
}
